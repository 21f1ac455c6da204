"""Every hostile input ends cleanly through the real `trtlab` command: exit 2 and one
`trtlab: error:` line for a user error, never a traceback, a hang, a crash, a partial output
file or a corrupt cache entry served. The cases run in parallel once; each is its own test."""

from __future__ import annotations

import pytest

from .corpus import build_corpus, case_names
from .runner import run_all

# The cases as collection sees them: names, groups and expectations, no file written (the cases
# run on the files the `corpus` fixture writes under pytest's own temporary folder).
CASES = case_names()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Case name -> case, its files written under pytest's temporary folder."""
    return {c.name: c for c in build_corpus(tmp_path_factory.mktemp("hostile"))}


@pytest.fixture(scope="module")
def outcomes(corpus):
    return {o.case.name: o for o in run_all(list(corpus.values()), workers=3)}


def summary(cases) -> list[tuple]:
    return [(c.name, c.group, c.expect, c.error_has, c.xfail) for c in cases]


def test_listing_the_cases_writes_nothing(tmp_path):
    listed = case_names(tmp_path / "corpus")
    assert [c.name for c in listed] == [c.name for c in CASES]
    assert list(tmp_path.iterdir()) == []  # no folder, file, fifo or link made


def test_the_listed_cases_are_the_built_ones(corpus):
    assert summary(CASES) == summary(corpus.values())


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
