"""The one exception type a user can cause, and helpers to raise it well."""

from __future__ import annotations


class TrtlabError(Exception):
    """A problem the user can fix. The message says what happened and what to do.

    The command line prints it on one line, without a traceback, and exits with status 2.
    """

    def __init__(self, message: str, *, hint: str | None = None):
        self.hint = hint
        super().__init__(f"{message} {hint}".strip() if hint else message)


class MissingDependency(TrtlabError):
    """An optional part of trtlab needs a package that is not installed."""

    def __init__(self, module: str, extra: str | None, purpose: str):
        self.module = module
        self.extra = extra
        install = f"pip install 'trtlab[{extra}]'" if extra else f"pip install {module}"
        super().__init__(
            f"{purpose} needs the '{module}' package, which is not installed.",
            hint=f"Install it with: {install}",
        )


def one_line(exc: BaseException) -> str:
    """An exception's message on one line, for reports and the command line."""
    return " ".join(str(exc).split()) or type(exc).__name__


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (libraries put the gist there, details below)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
