"""Converters, one function per MXNet op (or family of aliases), grouped by kind."""

from . import elementwise, nn, tensor  # noqa: F401
