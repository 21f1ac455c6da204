"""`PrecisionPolicy`: which parts of a model stay in fp32 when the rest goes to fp16 or bf16."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Ops that lose too much in 16 bits, and why:
# - normalisations (LayerNormalization, GroupNormalization, InstanceNormalization) compute a mean
#   and a variance over many values: sums of squares overflow fp16 and lose bits in bf16;
# - reductions (ReduceMean, ReduceSum, ReduceSumSquare, ReduceL2, ReduceLogSumExp, ReduceProd,
#   CumSum) accumulate many values into one;
# - Softmax / LogSoftmax and Exp / Log / Pow / Sqrt / Reciprocal have ranges where a small input
#   error becomes a large output error, or where the result leaves the fp16 range.
# BatchNormalization is not in the list: at inference it is a per-channel scale and shift that
# TensorRT folds into the preceding convolution, and keeping it fp32 would block that fusion.
# The reason of a node that a keep_fp32="auto" search kept (`trtlab.check.keep_search`).
KEPT_BY_SEARCH = "kept by the search"

DEFAULT_KEEP_FP32_OPS = (
    "LayerNormalization", "GroupNormalization", "InstanceNormalization",
    "ReduceMean", "ReduceSum", "ReduceSumSquare", "ReduceL2", "ReduceLogSumExp", "ReduceProd",
    "CumSum", "Softmax", "LogSoftmax", "Exp", "Log", "Pow", "Sqrt", "Reciprocal",
)


@dataclass
class PrecisionPolicy:
    """What to keep in fp32. Edit it freely:

        policy = PrecisionPolicy()
        policy.keep_fp32_ops.discard("Softmax")     # let Softmax run in 16 bits
        policy.keep_fp32_nodes.add("head/fc")       # keep one node in fp32
        to_fp16(model, policy)

    Model inputs and outputs always stay fp32; Cast nodes are inserted at each boundary between
    fp32 and 16-bit parts.
    """

    keep_fp32_ops: set[str] = field(default_factory=lambda: set(DEFAULT_KEEP_FP32_OPS))
    keep_fp32_nodes: set[str] = field(default_factory=set)
    # Why a listed node is kept, where someone other than the user listed it ("kept by the search").
    node_reasons: dict[str, str] = field(default_factory=dict)

    def keeps_fp32(self, node) -> bool:
        return self.reason_fp32(node) is not None

    def reason_fp32(self, node) -> str | None:
        """Why the policy keeps `node` in fp32, or None."""
        if node.name in self.keep_fp32_nodes:
            return self.node_reasons.get(node.name, "user: listed in keep_fp32_nodes")
        if node.op_type in self.keep_fp32_ops:
            return f"policy: {node.op_type} is in keep_fp32_ops"
        return None

    def to_dict(self) -> dict:
        d = {k: sorted(v) for k, v in asdict(self).items() if k != "node_reasons"}
        return {**d, "node_reasons": dict(self.node_reasons)}
