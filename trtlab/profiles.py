"""Optimisation profiles: the range of shapes an engine accepts for each dynamic input.

    profile = Profile.parse(min=["x:1x3x64x64"], opt=["x:4x3x128x128"], max=["x:8x3x256x256"])
    profile.to_dict()   # {"x": {"min": [1, 3, 64, 64], "opt": [4, 3, 128, 128], "max": [8, 3, 256, 256]}}
    profile.at("min")   # {"x": (1, 3, 64, 64)}

As trtexec's `--minShapes/--optShapes/--maxShapes`: every input named in one of the three is
named in all three, with the same rank, and min <= opt <= max in every dimension. An input whose
values are a shape (a shape tensor, such as a Reshape's target) takes a range of values the same
way, in `values`. Plain data: it crosses to the build worker and into the engine cache's key.

Several profiles are given as Polygraphy's `--trt-min-shapes` groups are: naming an input again
in `--min-shapes` (likewise opt, max) starts the next profile (`Profile.parse_groups`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from .errors import TrtlabError

POINTS = ("min", "opt", "max")


@dataclass(frozen=True)
class ShapeRange:
    min: tuple[int, ...]
    opt: tuple[int, ...]
    max: tuple[int, ...]

    def __post_init__(self):
        if not len(self.min) == len(self.opt) == len(self.max):
            raise TrtlabError(f"A shape range needs one rank: got {_text(self.min)}, {_text(self.opt)}, "
                              f"{_text(self.max)}.", hint="Give min, opt and max with as many dimensions each.")
        if not all(lo <= mid <= hi for lo, mid, hi in zip(self.min, self.opt, self.max)):
            raise TrtlabError(f"A shape range must have min <= opt <= max in every dimension: got min "
                              f"{_text(self.min)}, opt {_text(self.opt)}, max {_text(self.max)}.")
        if any(d < 0 for d in self.min) and not self.values:
            raise TrtlabError(f"A shape has no negative dimension: got {_text(self.min)}.")

    @property
    def values(self) -> bool:
        """Whether this is a range of a shape tensor's values (a Reshape's -1 is one) rather than of a shape."""
        return False

    @property
    def dynamic(self) -> tuple[bool, ...]:
        """Per dimension: whether min and max differ."""
        return tuple(lo != hi for lo, hi in zip(self.min, self.max))

    def point(self, which: str) -> tuple[int, ...]:
        return getattr(self, which)

    def to_dict(self) -> dict:
        return {p: list(self.point(p)) for p in POINTS}

    def __str__(self) -> str:
        return "x".join(str(lo) if lo == hi else f"{lo}..{hi}" for lo, hi in zip(self.min, self.max))


@dataclass(frozen=True)
class ValueRange(ShapeRange):
    """The range of the values a shape tensor holds (TensorRT's `set_shape_input`): elementwise
    min <= opt <= max as for a shape, negative values allowed."""

    @property
    def values(self) -> bool:
        return True


@dataclass(frozen=True)
class Profile:
    """One optimisation profile: a `ShapeRange` per input (`shapes`), and per shape-tensor input
    the range of the values it holds (`values`). Both are (name, range) pairs in name order."""

    shapes: tuple[tuple[str, ShapeRange], ...] = ()
    values: tuple[tuple[str, ShapeRange], ...] = ()

    @classmethod
    def of(cls, shapes: Mapping[str, ShapeRange], values: Mapping[str, ShapeRange] | None = None) -> "Profile":
        return cls(tuple(sorted(shapes.items())), tuple(sorted((values or {}).items())))

    @classmethod
    def parse(cls, *, min: Iterable[str] | None = None, opt: Iterable[str] | None = None,
              max: Iterable[str] | None = None) -> "Profile":
        """From trtexec-style "NAME:1x3x224x224" items (commas may join several in one item)."""
        points = {p: _parse_items(items or (), p) for p, items in zip(POINTS, (min, opt, max))}
        names = set().union(*points.values())
        for name in sorted(names):
            missing = [p for p in POINTS if name not in points[p]]
            if missing:
                raise TrtlabError(f"Input '{name}' has no {' or '.join(missing)} shape in the profile.",
                                  hint="Name each input in --min-shapes, --opt-shapes and --max-shapes alike.")
        return cls.of({n: ShapeRange(*(points[p][n] for p in POINTS)) for n in names})

    @classmethod
    def parse_groups(cls, *, min: Iterable[str] = (), opt: Iterable[str] = (),
                     max: Iterable[str] = ()) -> tuple["Profile", ...]:
        """Several profiles from repeated items, as Polygraphy's `--trt-min-shapes` groups: an
        input named again under one point starts the next profile ("x:1x3 x:8x3" under min is
        the min of two profiles). Every point must name as many profiles."""
        groups = {p: _groups(items) for p, items in zip(POINTS, (min, opt, max))}
        counts = {p: len(g) for p, g in groups.items()}
        if all(n <= 1 for n in counts.values()):  # one profile: its own errors name what is missing
            return (cls.parse(min=min, opt=opt, max=max),)
        if len(set(counts.values())) > 1:
            said = ", ".join(f"--{p}-shapes {n}" for p, n in counts.items())
            raise TrtlabError(f"The profiles do not line up: {said}.",
                              hint="Give each profile its --min-shapes, --opt-shapes and --max-shapes, "
                                   "naming an input again for the next profile (as Polygraphy's groups).")
        return tuple(cls.parse(min=a, opt=b, max=c) for a, b, c in zip(*groups.values()))

    @classmethod
    def from_dict(cls, data: Mapping) -> "Profile":
        """From `to_dict`'s form ({"x": {"min": [...], "opt": [...], "max": [...]}}), or from a
        mapping of name -> (min, opt, max)."""
        if isinstance(data, Profile):
            return data
        if not isinstance(data, Mapping):
            raise TrtlabError(f"A profile is a mapping of input name -> shapes; got {type(data).__name__}.",
                              hint='Write profiles=[{"x": {"min": [1, 3], "opt": [4, 3], "max": [8, 3]}}].')
        out, values = {}, {}
        for name, value in data.items():
            if isinstance(value, ValueRange):
                values[name] = value
            elif isinstance(value, ShapeRange):
                out[name] = value
            elif isinstance(value, Mapping) and "values" in value:  # to_dict's form of a shape tensor
                values[name] = ValueRange(*(tuple(int(d) for d in value["values"][p]) for p in POINTS))
            elif isinstance(value, Mapping):
                out[name] = ShapeRange(*(tuple(int(d) for d in value[p]) for p in POINTS))
            else:
                lo, mid, hi = value
                out[name] = ShapeRange(tuple(lo), tuple(mid), tuple(hi))
        return cls.of(out, values)

    @property
    def names(self) -> list[str]:
        return [n for n, _ in self.shapes]

    def at(self, which: str) -> dict[str, tuple[int, ...]]:
        """Each input's shape at "min", "opt" or "max"."""
        return {n: r.point(which) for n, r in self.shapes}

    def range_of(self, name: str) -> ShapeRange | None:
        return dict(self.shapes).get(name)

    def to_dict(self) -> dict:
        out = {n: r.to_dict() for n, r in self.shapes}
        out.update({n: {"values": r.to_dict()} for n, r in self.values})
        return out

    def __str__(self) -> str:
        return ", ".join(f"{n}: {r}" for n, r in self.shapes)


def as_profiles(profiles) -> tuple[Profile, ...]:
    """None, one profile, or a list of them (each a `Profile` or its dict form), as a tuple."""
    if profiles is None:
        return ()
    if isinstance(profiles, (Profile, Mapping)):
        profiles = [profiles]
    return tuple(Profile.from_dict(p) for p in profiles)


def parse_shape(text: str) -> tuple[int, ...]:
    """"1x3x224x224" (trtexec's form) or "[1,3,224,224]" (Polygraphy's) -> (1, 3, 224, 224); a
    scalar is "" or "[]"."""
    text = text.strip()
    bracketed = text.startswith("[") and text.endswith("]")
    text = text[1:-1].strip() if bracketed else text
    if not text:
        return ()
    try:
        dims = tuple(int(d) for d in (text.split(",") if bracketed else text.lower().split("x")))
    except ValueError:
        raise TrtlabError(f"'{text}' is not a shape.", hint="Write a shape as 1x3x224x224 (or [1,3,224,224]).") from None
    return dims


def _parse_items(items: Iterable[str], point: str) -> dict[str, tuple[int, ...]]:
    out = {}
    for item in items:
        for part in _parts(item):
            if not part.strip():
                continue
            name, sep, shape = part.strip().rpartition(":")
            if not sep or not name:
                raise TrtlabError(f"--{point}-shapes '{part}' is not NAME:SHAPE.",
                                  hint=f"Write --{point}-shapes input_ids:1x128 (trtexec's form).")
            out[name.strip("'\"")] = parse_shape(shape)
    return out


def shapes_text(shapes: Mapping) -> str:
    """"x 1x3x8x8, ids 1x16": input shapes in words (a scalar says so)."""
    return ", ".join(f"{k} {_text(v)}" for k, v in shapes.items())


def merged(profiles: Iterable[Profile]) -> Profile:
    """One profile spanning `profiles` (each input from its smallest min to its largest max, opt
    the first's): the dimensions that vary anywhere. They must all name the same inputs, as
    TensorRT needs each dynamic input in every profile."""
    profiles = list(profiles)
    for number, p in enumerate(profiles[1:], start=2):
        if p.names != profiles[0].names:
            raise TrtlabError(f"Profile {number} names {', '.join(p.names)}; profile 1 names "
                              f"{', '.join(profiles[0].names)}.",
                              hint="Name the same inputs in every profile: TensorRT needs each dynamic input in each.")
    ranges = {}
    for name in profiles[0].names:
        rs = [p.range_of(name) for p in profiles]
        ranges[name] = ShapeRange(tuple(map(_min, *(r.min for r in rs))), rs[0].opt,
                                  tuple(map(_max, *(r.max for r in rs))))
    return Profile.of(ranges)


def _min(*v):
    return min(v)


def _max(*v):
    return max(v)


def _parts(item) -> list[str]:
    """"x:1x3,y:[1,5]" -> ["x:1x3", "y:[1,5]"]: commas inside brackets belong to a shape."""
    return re.split(r",(?![^\[]*\])", str(item))


def _groups(items: Iterable[str]) -> list[list[str]]:
    """Items split into profiles: a name seen already in the current profile starts the next."""
    out: list[list[str]] = []
    seen: set[str] = set()
    for item in items:
        for part in _parts(item):
            name = part.strip().rpartition(":")[0].strip("'\"")
            if not out or (name and name in seen):
                out.append([])
                seen = set()
            seen.add(name)
            out[-1].append(part)
    return out


def _text(shape) -> str:
    return "x".join(str(d) for d in shape) or "scalar"
