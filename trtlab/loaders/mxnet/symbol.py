"""The MXNet symbol JSON as plain data: nodes with op, name, attributes and inputs, plus heads."""

from __future__ import annotations

import ast
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import TrtlabError


@dataclass
class SymNode:
    index: int
    op: str  # "null" for variables (data inputs and parameters)
    name: str
    attrs: dict[str, str]
    inputs: list[tuple[int, int]] = field(default_factory=list)  # (node index, output index)


@dataclass
class SymbolGraph:
    nodes: list[SymNode]
    heads: list[tuple[int, int]]

    @property
    def variables(self) -> list[str]:
        return [n.name for n in self.nodes if n.op == "null"]


def load_symbol_json(source: str | os.PathLike | dict) -> SymbolGraph:
    """Parse a symbol from a path, a JSON string or an already-decoded dict."""
    where = "the symbol"
    if isinstance(source, dict):
        doc: Any = source
    else:
        text = os.fspath(source)
        if isinstance(source, str) and text.lstrip()[:1] in ("{", "["):
            raw = text
        else:
            path = Path(text)
            where = str(path)
            if not path.is_file():
                raise TrtlabError(f"No such file: {path}.", hint="Pass the MXNet symbol file (e.g. model-symbol.json).")
            try:
                raw = path.read_text(encoding="utf-8", errors="replace")
            except OSError as exc:  # EIO, EACCES: a file that is there but can't be read
                raise TrtlabError(f"Can't read symbol file {path}: {exc.strerror or exc}.",
                                  hint="Check the file's permissions and the disk it is on.") from None
        try:
            doc = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise TrtlabError(f"{where} is not valid JSON ({exc.msg} at line {exc.lineno}).",
                              hint="Pass the -symbol.json file written by MXNet's export / save.") from None
    return _parse(doc, where)


def _parse(doc: Any, where: str) -> SymbolGraph:
    not_symbol = TrtlabError(
        f"{where} is JSON but not an MXNet symbol: it needs 'nodes' (each with 'op', 'name', 'inputs') and 'heads'.",
        hint="Pass the -symbol.json file written by MXNet's export / save, not another JSON file.")
    if not isinstance(doc, dict) or not isinstance(doc.get("nodes"), list) or "heads" not in doc:
        raise not_symbol
    nodes = []
    for i, raw in enumerate(doc["nodes"]):
        if not isinstance(raw, dict) or not {"op", "name", "inputs"} <= raw.keys():
            raise not_symbol
        # MXNet has stored attributes under "attrs" (>= 1.0), "attr" and "param" (older releases).
        attrs = raw.get("attrs") or raw.get("attr") or raw.get("param") or {}
        try:
            inputs = [(int(e[0]), int(e[1]) if len(e) > 1 else 0) for e in raw["inputs"]]
        except (TypeError, ValueError, IndexError):
            raise not_symbol from None
        for src, _ in inputs:
            if not 0 <= src < i:
                raise TrtlabError(f"{where}: node '{raw['name']}' reads node {src}, which does not come before it.",
                                  hint="The symbol file is damaged; export it again.")
        nodes.append(SymNode(i, str(raw["op"]), str(raw["name"]), {str(k): str(v) for k, v in attrs.items()}, inputs))
    try:
        heads = [(int(h[0]), int(h[1]) if len(h) > 1 else 0) for h in doc["heads"]]
    except (TypeError, ValueError, IndexError):
        raise not_symbol from None
    if not heads or any(not 0 <= h < len(nodes) for h, _ in heads):
        raise TrtlabError(f"{where}: the symbol's heads point at nodes that don't exist.",
                          hint="The symbol file is damaged; export it again.")
    return SymbolGraph(nodes, heads)


# ------------------------------------------------------------------ attribute values
_FALSE = {"false", "0", "none", ""}


def parse_value(text: str) -> Any:
    """MXNet writes attribute values as Python literals in strings: "(3, 3)", "True", "1e-05"."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


class Attrs:
    """Typed access to one node's attributes, with MXNet's defaults passed by the caller."""

    def __init__(self, node: SymNode):
        self.node = node
        self.raw = node.attrs

    def _bad(self, key: str, kind: str) -> TrtlabError:
        return TrtlabError(f"Node '{self.node.name}' ({self.node.op}): attribute {key}={self.raw[key]!r} is not {kind}.",
                           hint="The symbol file is damaged or from an unsupported MXNet version.")

    def has(self, key: str) -> bool:
        return key in self.raw and self.raw[key].strip().lower() not in ("none", "")

    def str(self, key: str, default: str | None = None) -> str | None:
        return self.raw[key] if self.has(key) else default

    def bool(self, key: str, default: bool) -> bool:
        return self.raw[key].strip().lower() not in _FALSE if key in self.raw else default

    def int(self, key: str, default: int | None = None) -> int | None:
        if not self.has(key):
            return default
        try:
            return int(float(self.raw[key]))
        except ValueError:
            raise self._bad(key, "an integer") from None

    def float(self, key: str, default: float | None = None) -> float | None:
        if not self.has(key):
            return default
        try:
            return float(self.raw[key])  # float() reads "inf", "-inf" and surrounding spaces itself
        except ValueError:
            raise self._bad(key, "a number") from None

    def ints(self, key: str, default: tuple[int, ...] | None = None) -> tuple[int, ...] | None:
        if not self.has(key):
            return default
        value = parse_value(self.raw[key])
        if isinstance(value, (int, float)):
            return (int(value),)
        if isinstance(value, (tuple, list)) and all(isinstance(v, (int, float)) or v is None for v in value):
            return tuple(int(v) if v is not None else -1 for v in value)
        raise self._bad(key, "a tuple of integers")
