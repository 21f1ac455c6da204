"""SVG from graphviz, made addressable, and re-coloured without a new layout.

Every drawn model node carries an ``id`` derived from its ONNX name (`dom_id`), a class such as
``trt-node supported`` and a ``data-name`` attribute with the exact name, so a notebook widget or
a browser test can find it. `restyle_before` changes fills, status classes and the status line
of the tooltips in place: a coverage change re-colours a laid-out graph in milliseconds, where
``dot`` needs seconds for a ResNet-50.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import subprocess
from typing import TYPE_CHECKING, Mapping, Sequence

from ..errors import TrtlabError
from .status import FILL, NodeStatus, block_status, node_statuses

if TYPE_CHECKING:
    import graphviz

    from ..coverage import CoverageReport
    from ..plan import Plan

_UNSAFE = re.compile(r"[^A-Za-z0-9_.]")


def dom_id(name: str, prefix: str = "n-") -> str:
    """A stable element id for `name`: readable, valid in SVG/HTML, the same in every render.

    Names that had to be changed get a short hash so that "a/b" and "a_b" stay apart.
    """
    safe = _UNSAFE.sub("_", name)
    if safe != name or not safe:
        safe = f"{safe}_{hashlib.sha1(name.encode('utf-8')).hexdigest()[:6]}"
    return prefix + safe


def dot_text(text: str):
    """Text for a DOT attribute: backslashes and newlines kept literal, never read as HTML."""
    import graphviz

    return graphviz.nohtml(str(text).replace("\\", "\\\\").replace("\n", "\\n").replace("\0", "\\\\0"))


# ------------------------------------------------------------------ rendering
_DOT_HINT = "apt-get install graphviz / conda install graphviz / brew install graphviz"


def render(digraph: "graphviz.Digraph", fmt: str) -> bytes:
    """Lay out and render with graphviz's `dot`, turning its failures into TrtlabError."""
    import graphviz

    try:
        # quiet: dot's own messages on stderr would come before trtlab's one error line
        return graphviz.pipe(digraph.engine, fmt, digraph.source.encode(digraph.encoding or "utf-8"), quiet=True)
    except graphviz.ExecutableNotFound:
        raise TrtlabError("graphviz's `dot` program is not installed.", hint=_DOT_HINT) from None
    except subprocess.CalledProcessError as exc:
        raise TrtlabError(f"graphviz's `dot` failed to draw the graph (exit status {exc.returncode}).",
                          hint="Draw a smaller part of it with focus= or collapse=True.") from None


_GROUP_TAG = re.compile(r'<g id="([^"]*)" class="([^"]*)">')


def finish_svg(svg: str, meta: Mapping[str, tuple[str, Sequence[str] | None]]) -> str:
    """Make dot's SVG addressable: plain ids and classes, plus ``data-name`` (the ONNX name) and,
    for a collapsed block, ``data-members`` (a JSON list of its node names)."""

    def tag(m: re.Match) -> str:
        # dot writes '-' as '&#45;'; both mean the same to a browser, but plain text is findable.
        gid, cls = m.group(1).replace("&#45;", "-"), m.group(2).replace("&#45;", "-")
        extra = ""
        if gid in meta:
            name, members = meta[gid]
            extra = f' data-name="{html.escape(name, quote=True)}"'
            if members is not None:
                extra += f' data-members="{html.escape(json.dumps(list(members)), quote=True)}"'
        return f'<g id="{gid}" class="{cls}"{extra}>'

    return _GROUP_TAG.sub(tag, svg)


# ------------------------------------------------------------------ restyling
_ITEM = re.compile(
    r'<g id="(?P<id>[^"]*)" class="node (?P<pre>trt-(?:node|block)(?: [\w-]+)*?) (?P<status>[\w-]+)"'
    r' data-name="(?P<name>[^"]*)"(?: data-members="(?P<members>[^"]*)")?>'
    r'(?P<mid>\s*<title>[^<]*</title>\s*<g id="[^"]*"><a xlink:title=")(?P<tip>[^"]*)'
    r'(?P<mid2>">\s*<(?:path|polygon|ellipse|polyline) fill=")(?P<fill>[^"]*)"'
)


def restyle_before(svg: str, source: "Plan | CoverageReport | None") -> str:
    """Re-colour a laid-out before-graph for another coverage or plan, without running `dot`.

    Changes, per drawn node and collapsed block, the fill colour, the status class and the
    status line of the tooltip; positions, labels and everything else stay byte for byte.
    """
    matches = list(_ITEM.finditer(svg))
    if not matches:
        return svg
    names: dict[str, None] = {}
    members: dict[int, list[str]] = {}
    for i, m in enumerate(matches):
        if m.group("members") is not None:
            members[i] = json.loads(html.unescape(m.group("members")))
            names.update(dict.fromkeys(members[i]))
        else:
            names[html.unescape(m.group("name"))] = None
    statuses = node_statuses(source, names)
    out, pos = [], 0
    for i, m in enumerate(matches):
        if i in members:
            st = block_status(members[i], statuses)
        else:
            st = statuses[html.unescape(m.group("name"))]
        out.append(svg[pos:m.start()])
        out.append(_restyled(m, st))
        pos = m.end()
    out.append(svg[pos:])
    return "".join(out)


def _restyled(m: re.Match, st: NodeStatus) -> str:
    tip = m.group("tip")
    static, sep, _ = tip.rpartition("&#10;")
    line = html.escape(st.line().replace("\n", " "), quote=True)
    tip = f"{static}{sep}{line}" if sep else line
    return (f'<g id="{m.group("id")}" class="node {m.group("pre")} {st.status}"'
            f' data-name="{m.group("name")}"'
            + (f' data-members="{m.group("members")}"' if m.group("members") is not None else "")
            + f'>{m.group("mid")}{tip}{m.group("mid2")}{FILL[st.status]}"')


def item_styles(svg: str) -> dict[str, tuple[str, str, str]]:
    """Element id -> (status class, fill, tooltip) of every restylable item: for tests and widgets."""
    return {m.group("id"): (m.group("status"), m.group("fill"), html.unescape(m.group("tip")))
            for m in _ITEM.finditer(svg)}


def node_selector(name: str) -> str:
    """A CSS selector for the element that draws the node (or block) named `name`."""
    escaped = name.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'g[data-name="{escaped}"]'


# ------------------------------------------------------------------ composing
_SVG_START = re.compile(r"<svg\b[^>]*>", re.S)
_DIM = re.compile(r'\b(width|height)="([\d.]+)pt"')


def svg_body(svg: str) -> str:
    """The <svg> element alone, without the XML prolog, doctype and generator comments."""
    m = _SVG_START.search(svg)
    return svg[m.start():] if m else svg


def svg_size(svg: str) -> tuple[float, float]:
    """Width and height in points, as dot wrote them."""
    m = _SVG_START.search(svg)
    dims = dict(_DIM.findall(m.group(0))) if m else {}
    return float(dims.get("width", 0)), float(dims.get("height", 0))


def side_by_side_svg(parts: Sequence[tuple[str, str]], gap: float = 36.0) -> str:
    """One SVG holding several (title, svg) drawings next to each other, without a new layout."""
    head = 24.0
    x, inner, height = 0.0, [], 0.0
    for title, svg in parts:
        w, h = svg_size(svg)
        body = _SVG_START.sub(
            lambda m: _place(m.group(0), x, head, w, h), svg_body(svg), count=1)
        inner.append(f'<text x="{x + 4:.1f}" y="16" font-family="Helvetica,sans-serif" font-size="14" '
                     f'font-weight="bold">{html.escape(title)}</text>\n{body}')
        x += w + gap
        height = max(height, h)
    width, height = max(x - gap, 0.0), height + head
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{width:.0f}pt" height="{height:.0f}pt" viewBox="0 0 {width:.2f} {height:.2f}">\n'
            + "\n".join(inner) + "\n</svg>\n")


def _place(tag: str, x: float, y: float, w: float, h: float) -> str:
    tag = _DIM.sub(lambda m: f'{m.group(1)}="{w if m.group(1) == "width" else h:.2f}"', tag)
    return tag[:-1] + f' x="{x:.2f}" y="{y:.2f}">'
