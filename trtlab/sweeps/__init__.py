"""`trtlab.sweeps`: many models in many precisions, one `check` per (model, precision), on Dask.

    run = trtlab.sweep(["zoo:tiny", "zoo:mixed"], ["fp32", "fp16"], out="results")
    run.wait().summary()

- `run`: `sweep()` and `Sweep` (tasks submitted, results collected and written as they arrive);
- `cluster`: the Dask client, local or given, and what a task asks of a worker (GPU=1 or nothing);
- `tasks`: a task, its key (model bytes and settings), and the function a worker runs;
- `records`: the results on disk (`DIR/<model>/<precision>.json`) and the summary's rows.

Needs the `sweep` extra (dask, distributed); `import trtlab` does not.
"""

from __future__ import annotations

from .records import SweepRow
from .run import Sweep, sweep

__all__ = ["Sweep", "SweepRow", "sweep"]
