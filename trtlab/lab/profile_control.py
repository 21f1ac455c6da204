"""The Lab's shape range: an optimisation profile in trtexec's words, min / opt / max per input."""

from __future__ import annotations

import ipywidgets as W

from ..profiles import Profile


class ProfileControl(W.VBox):
    """Three text fields, `min`, `opt` and `max`, each "NAME:SHAPE[,NAME:SHAPE]" as trtexec's
    --minShapes (an input named again starts another profile); empty means no profile; a box
    to time at every point, not only at opt. `opt` starts at the shapes the model was loaded at
    (the check runs and times there); `profiles()` gives what `trtlab.check` takes."""

    def __init__(self):
        def field(point: str, what: str) -> W.Text:
            return W.Text(description=point, placeholder=f"input:1x3x224x224 ({what})",
                          layout=W.Layout(width="32em"), style={"description_width": "3em"})

        self.min, self.opt, self.max = field("min", "smallest"), field("opt", "the loaded shape"), field("max", "largest")
        self.toggle = W.Checkbox(value=False, indent=False, description="a range of shapes (optimisation profile)")
        self.time_all = W.Checkbox(value=False, indent=False, description="time at min and max too (not only opt)")
        self.fields = W.VBox([self.min, self.opt, self.max, self.time_all], layout=W.Layout(display="none"))
        self.toggle.observe(lambda change: setattr(self.fields.layout, "display", "" if change["new"] else "none"),
                            "value")
        super().__init__([self.toggle, self.fields])
        self.add_class("trtlab-profile-control")

    def model_changed(self, model) -> None:
        """Start opt (and min, max while empty) at the shapes `model` was loaded at."""
        shapes = ",".join(f"{n}:{i.shape_text()}" for n, i in model.inputs.items() if i.range is None)
        for box in (self.opt, self.min, self.max):
            if not box.value or box is self.opt:
                box.value = shapes

    def profiles(self) -> tuple[Profile, ...]:
        """() when the range is off; else the profiles, an input named again in a field starting
        the next one as on the command line (a `TrtlabError` when a field is wrong)."""
        if not self.toggle.value:
            return ()
        return Profile.parse_groups(min=[self.min.value], opt=[self.opt.value], max=[self.max.value])

    def time_shapes(self) -> str:
        """"all" where the check should time at every point of the profiles, else "opt"."""
        return "all" if self.toggle.value and self.time_all.value else "opt"

    def describe(self) -> str:
        if not self.toggle.value:
            return ""
        try:
            return "over the shapes " + "; ".join(str(p) for p in self.profiles())
        except Exception as exc:  # said where the check starts
            return f"shape range not understood: {exc}"
