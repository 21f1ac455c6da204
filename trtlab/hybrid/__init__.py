"""The hybrid runner: a partition plan run segment by segment, TensorRT engines (or ONNX Runtime
stand-ins for them) for the TensorRT subgraphs and ONNX Runtime for the fallback nodes.

    runner = HybridRunner(plan)
    outputs = runner.run(random_feeds(plan.model))
    print(runner.describe())

One engine on its own is run by `trtlab.engines.EngineRuntime`.
"""

from __future__ import annotations

from .runner import HybridRunner, Segment, plan_segments

__all__ = ["HybridRunner", "Segment", "plan_segments"]
