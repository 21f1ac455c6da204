"""Every hostile input ends cleanly through the real `trtlab` command: exit 2 and one
`trtlab: error:` line for a user error, never a traceback, a hang, a crash, a partial output
file or a corrupt cache entry served. The cases run in parallel once; each is its own test."""

from __future__ import annotations

import pytest

from .corpus import build_corpus
from .runner import run_all

_CORPUS_ROOT = {}


def _cases():
    import tempfile
    from pathlib import Path

    if "cases" not in _CORPUS_ROOT:
        root = Path(tempfile.mkdtemp(prefix="trtlab-hostile-"))
        _CORPUS_ROOT["root"] = root
        _CORPUS_ROOT["cases"] = build_corpus(root)
    return _CORPUS_ROOT["cases"]


CASES = _cases()


@pytest.fixture(scope="module")
def outcomes():
    import shutil

    try:
        yield {o.case.name: o for o in run_all(CASES, workers=3)}
    finally:
        shutil.rmtree(_CORPUS_ROOT["root"], ignore_errors=True)


def test_the_corpus_is_large_and_varied():
    assert len(CASES) >= 100
    groups = {c.group for c in CASES}
    assert {"files", "graphs", "names", "sizes", "options", "outputs", "mxnet", "calibration", "feeds"} <= groups


@pytest.mark.slow
@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=[pytest.mark.xfail(reason=c.xfail, strict=False)]
                                               if c.xfail else []) for c in CASES])
def test_case_ends_cleanly(case, outcomes):
    outcome = outcomes[case.name]
    assert outcome.passed, outcome.describe()
