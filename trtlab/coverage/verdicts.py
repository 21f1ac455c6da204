"""What a coverage source decides: one `NodeSupport` (supported or not, and why) per node,
gathered in a `CoverageReport`.

Its own module so that the sources (`table`, `parser`, `mxnet13`) and the package that picks one
import it, not each other.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NodeSupport:
    """Whether a coverage source lets one node run in TensorRT, and why."""

    node: str
    op: str
    supported: bool
    reason: str  # why not (or, for supported nodes, a short note such as "forced by user")


@dataclass
class CoverageReport:
    source: str
    precision: str
    verdicts: dict[str, NodeSupport]  # node name -> verdict, in topological order
    detail: str = ""  # e.g. "TensorRT-RTX 1.7.1 ONNX parser"
    overrides: dict = field(default_factory=dict)

    @property
    def supported_count(self) -> int:
        return sum(v.supported for v in self.verdicts.values())

    @property
    def unsupported_ops(self) -> Counter:
        return Counter(v.op for v in self.verdicts.values() if not v.supported)

    def supported(self, node: str) -> bool:
        return self.verdicts[node].supported

    def reason(self, node: str) -> str:
        return self.verdicts[node].reason
