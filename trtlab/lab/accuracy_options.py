"""The Lab's accuracy settings beside Build: the tolerance of the reduced precision (atol, rtol,
smallest cosine, how the error is judged) and **Keep fp32: auto**, which has a failing
precision searched for nodes to keep in fp32 and verified with engines built that way. They
are `trtlab check`'s --atol, --rtol, --min-cosine, --error-stat and --keep-fp32 auto."""

from __future__ import annotations

import ipywidgets as W

from ..accuracy.tolerances import Override, tolerance_for, with_overrides

STATS = ("elemwise", "max", "mean", "median", "quantile:0.99", "quantile:0.999")


class AccuracyOptions(W.HBox):
    """`atol`, `rtol`, `min_cosine` (blank: the precision's default), `error_stat`, `keep_fp32`."""

    def __init__(self):
        box = W.Layout(width="9em")
        self.atol = W.Text(placeholder="default", description="atol", layout=box,
                           style={"description_width": "3em"})
        self.rtol = W.Text(placeholder="default", description="rtol", layout=box,
                           style={"description_width": "3em"})
        self.min_cosine = W.Text(placeholder="default", description="cosine ≥", layout=W.Layout(width="11em"),
                                 style={"description_width": "5em"})
        self.error_stat = W.Dropdown(options=STATS, value="elemwise", description="error",
                                     layout=W.Layout(width="13em"), style={"description_width": "3em"})
        self.keep_fp32 = W.ToggleButton(value=False, description="Keep fp32: auto", icon="search",
                                        tooltip="where a precision fails, search for nodes to keep in fp32 "
                                                "so it passes, and verify with engines built that way")
        # Wraps onto a second line in a narrow output area rather than running past it.
        super().__init__([self.atol, self.rtol, self.min_cosine, self.error_stat, self.keep_fp32],
                         layout=W.Layout(flex_flow="row wrap", max_width="100%"))
        self.add_class("trtlab-accuracy-options")

    def overrides(self) -> list[Override]:
        """What the user typed, for every reduced precision; a value that is not a number is an error."""
        from ..accuracy.tolerances import parse_override

        return [parse_override(field, w.value.strip()) for field, w in
                (("atol", self.atol), ("rtol", self.rtol), ("min_cosine", self.min_cosine)) if w.value.strip()]

    def options(self, precisions: list[str]) -> dict:
        """`trtlab.check` keywords for these settings."""
        out = {}
        overrides = self.overrides()
        if overrides or self.error_stat.value != "elemwise":
            out["tolerances"] = with_overrides(precisions, overrides, self.error_stat.value)
        if self.keep_fp32.value:
            out["keep_fp32"] = "auto"
        return out

    def describe(self, precision: str) -> str:
        """The tolerance the next check will use for `precision`, in words."""
        try:
            tol = with_overrides([precision], self.overrides(), self.error_stat.value)[precision]
        except Exception:
            tol = tolerance_for(precision)
        return f"{precision} tolerance: {tol.text()}" + ("; keep fp32: auto" if self.keep_fp32.value else "")
