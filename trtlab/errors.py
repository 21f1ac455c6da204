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


def one_line(what: BaseException | str | None, *, first: bool = False, limit: int | None = 400) -> str:
    """A message (an exception, or text such as a builder's log) on one line for a report or the
    command line: whitespace collapsed, bracketed source-location lines of native libraries
    dropped, characters a terminal acts on escaped (`words.printable`), cut at `limit` characters.
    `first=True` keeps only the first line, where libraries put the gist and details follow."""
    if isinstance(what, BaseException):
        text, fallback = str(what), type(what).__name__
    else:
        text, fallback = what or "", "unknown error"
    lines = [x.strip() for x in text.strip().splitlines() if x.strip()]
    if first:
        lines = lines[:1]
    kept = [x for x in lines if not x.startswith("[")] or lines
    from .words import clip, printable

    line = printable(" ".join(" ".join(kept).split())) or fallback
    return line if limit is None else clip(line, limit)

