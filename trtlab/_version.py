"""The package's version, in the base layer so that anything recording it (a check's record, the
command's --version) reads it without importing the package's public face."""

__version__ = "0.1.0"
