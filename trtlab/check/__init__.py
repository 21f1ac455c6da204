"""`trtlab.check`: everything about one model, end to end, with a verdict per precision and
plain words for what could not be done.

    from trtlab.check import check, CheckSettings
    result = check("zoo:resnet18", ["fp32", "fp16"])
    result.verdict("fp16").status          # "pass", "fail" or "not measured"

- `settings`: `CheckSettings` (what a check does) and `TimingOptions`;
- `pipeline`: `check()` itself; `reference`: the fp32 reference run, once;
- `measure`: one precision (convert, build, run, compare); `engines`: the builds;
- `timing`: the timing step; `result`: `CheckResult` and its rows; `progress`: events, cancel;
- `keep_search`, `keep`: keep_fp32="auto", the search for nodes to keep in fp32 and its verification;
- `record`: the JSON record `--json` writes, read back anywhere (`load_result`).
"""

from __future__ import annotations

from .progress import STAGES, CheckEvent
from .record import load_result, save_result
from .result import FAIL, NOT_MEASURED, PASS, CheckResult, EngineRow, Verdict
from .settings import CheckSettings, TimingOptions

__all__ = ["FAIL", "NOT_MEASURED", "PASS", "STAGES", "CheckEvent", "CheckResult", "CheckSettings",
           "EngineRow", "TimingOptions", "Verdict", "check", "load_result", "save_result"]


def __getattr__(name: str):
    # The pipeline imports every layer below it: on first use, so that the renderers registered at
    # `import trtlab` (which need `CheckResult`) cost no more than the result's own module.
    if name == "check":
        from .pipeline import check

        return check
    raise AttributeError(f"module 'trtlab.check' has no attribute {name!r}")
