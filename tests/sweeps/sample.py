"""A sweep with rows as a finished one would hold them, for the rendering and widget tests."""

from __future__ import annotations

from trtlab.check import CheckSettings
from trtlab.sweeps.records import EARLIER, SweepRow
from trtlab.sweeps.run import Sweep
from trtlab.sweeps.tasks import ModelSource, make_task

STAND_INS = "ONNX Runtime CPU, stand-ins (not TensorRT) on CPU"


def sample_sweep(out=None) -> Sweep:
    settings = CheckSettings()
    tasks = [make_task(ModelSource(f"zoo:{m}", m, m * 8), p, settings)
             for m in ("tiny", "mixed", "broken") for p in ("fp32", "fp16")]
    sweep = Sweep(tasks, out, [])
    sweep.rows_to_come = [
        SweepRow("tiny", "fp32", "pass", "", "stand-ins", "w1", 1.5, 0.03, STAND_INS, 0.02, 0.0, 1.0),
        SweepRow("tiny", "fp16", "pass", "", "stand-ins", "w2", 1.2, None, "", 0.02, 2e-4, 1.0),
        SweepRow("mixed", "fp32", "pass", "", "stand-ins", "w1", 1.9, 0.2, STAND_INS, 0.2, 0.0, 1.0, EARLIER),
        SweepRow("mixed", "fp16", "fail", "max rel error 0.3 over 0.01", "stand-ins", "w2", 2.0, None, "", 0.2,
                 0.3, 0.97),
        SweepRow("broken", "fp32", "not measured", "the check could not run: not a readable ONNX model",
                 worker="w1", seconds=0.1),
    ]
    return sweep
