"""The module path a node's name carries, as the scope it is drawn in.

Exporters write module paths with `/`, `.` or `::` ("/layer1/layer1.0/conv1/Conv",
"transformer.h.10.mlp.act/Add_1", "encoder::block_3::Conv"), often mixed in one name; a number
after a part is a repeat of that module ("h.10", "layer1.0", "block_3" is a name of its own).
MXNet names use `_` ("stage1_conv0"), tried only where the module separators give no tree.
Names an exporter numbered ("p2o.Conv.0", "Conv_45", "Constant_12") carry no scope.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Model

_PATH = re.compile(r"(::|/)")
_NUMBER = re.compile(r"^\d+$")

Scope = tuple[str, ...]  # each part as written, with the separator before it ("h", ".4", ".mlp")


def name_parts(name: str, underscore: bool = False) -> list[str]:
    """`name` cut at its separators, each part keeping the separator in front of it:
    "transformer.h.10.mlp.act/Add_1" -> ["transformer", ".h", ".10", ".mlp", ".act", "/Add_1"].
    A path segment that repeats the one before it ("/layer1/layer1.0/conv1") gives only what it
    adds (["layer1", ".0", "/conv1"]). With `underscore`, `_` is the one separator."""
    if underscore:
        pieces = [p for p in name.split("_") if p]
        return pieces[:1] + ["_" + p for p in pieces[1:]]
    parts: list[str] = []
    sep, previous = "", None
    for k, piece in enumerate(_PATH.split(name)):
        if k % 2:
            sep = piece
            continue
        if not piece:
            continue
        text, first = piece, sep
        if previous and piece.startswith(previous + "."):
            text, first = piece[len(previous) + 1:], "."
        previous = piece
        for j, sub in enumerate(text.split(".")):
            if sub:
                parts.append((first if j == 0 else ".") + sub if parts else sub)
    return parts


def scope_of(name: str, underscore: bool = False) -> Scope:
    """The scope of node `name`: its parts but the last, which names the node itself ("conv1" of
    "layer2.1.conv1", "Add_1" of "/layer1/Add_1"); a number at the end ("Conv_3", "p2o.Relu.7")
    numbers the node, not a module."""
    parts = name_parts(name, underscore)
    while parts and _NUMBER.match(parts[-1].lstrip("/.:_")):
        parts.pop()
    return tuple(parts[:-1])


def scopes(model: "Model", drawn: list[str]) -> dict[str, Scope] | None:
    """Scope of each drawn node, from module paths (else `_`-separated names), or None when the
    names carry no useful tree."""
    step = max(1, len(drawn) // 3000)  # decide on a sample; big graphs repeat themselves
    for underscore in (False, True):
        sample = {n: scope_of(n, underscore) for n in drawn[::step]}
        if not _useful(sample):
            continue
        found = sample if step == 1 else {n: scope_of(n, underscore) for n in drawn}
        return adopted(model, drawn, found)
    return None


def _useful(sample: dict[str, Scope]) -> bool:
    """Half the nodes scoped, into at least two scopes below what they all share, and not one
    scope per node."""
    scoped = [s for s in sample.values() if s]
    if len(scoped) * 2 < len(sample):
        return False
    common = 0  # leading parts every scoped node shares ("model/") say nothing about groups
    first = scoped[0]
    while common < len(first) and all(len(s) > common and s[common] == first[common] for s in scoped):
        common += 1
    tops = Counter(s[common] for s in sample.values() if len(s) > common)
    return len(tops) >= 2 and not (max(tops.values()) == 1 and len(tops) > 0.8 * len(sample))


def adopted(model: "Model", drawn: list[str], found: dict[str, Scope]) -> dict[str, Scope]:
    """`found`, with each node whose name carries less scope than the nodes around it ("Split_5"
    between two nodes of "h.5.attn") moved into the deepest scope its drawn producers and
    consumers all share; a node with no drawn producer or no drawn consumer (a model's first or
    last) stays where its name puts it."""
    producer = {o: n.name for n in model.nodes for o in n.output if o}
    drawn_set = set(drawn)
    out = dict(found)
    for name in drawn:
        node = model.node_by_name[name]
        before = [producer[t] for t in node.input if t in producer and producer[t] in drawn_set]
        after = [c for t in node.output for c in model.consumers.get(t, ()) if c in drawn_set]
        if not before or not after:
            continue
        shared = _shared([found[n] for n in before + after])
        if len(shared) > len(found[name]) and shared[:len(found[name])] == found[name]:
            out[name] = shared
    return out


def _shared(paths: list[Scope]) -> Scope:
    first = paths[0]
    k = 0
    while k < len(first) and all(len(p) > k and p[k] == first[k] for p in paths):
        k += 1
    return first[:k]
