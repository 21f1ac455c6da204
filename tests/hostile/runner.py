"""Run corpus cases through the real `trtlab` command, each in its own bounded subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import CLEAN, ERROR, OK, Case

REPO = Path(__file__).resolve().parents[2]
CASE_TIMEOUT_S = 60.0
XFAIL_TIMEOUT_S = 15.0  # a case known to fail still must not hold the corpus up for long
REFERENCE_TIMEOUT_S = 5  # the Loop with 10^15 trips must stop long before CASE_TIMEOUT_S

# Outcome kinds, worst first.
HANG, CRASH, TRACEBACK, WRONG, CLEAN_ERROR, RAN = "hang", "crash", "traceback", "wrong", "clean error", "ran"


@dataclass
class Outcome:
    case: Case
    kind: str
    rc: int | None
    stdout: str
    stderr: str
    seconds: float
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        tail = (self.stderr.strip().splitlines() or [""])[-1][:300]
        return f"{self.case.name}: {self.kind}, exit {self.rc}, {'; '.join(self.problems)} | {tail}"


def child_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    env["TRTLAB_REFERENCE_TIMEOUT_S"] = str(REFERENCE_TIMEOUT_S)
    env.setdefault("TRTLAB_CACHE_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "trtlab-hostile-cache"))
    return env


def _command(case: Case) -> list[str]:
    if case.file_size_limit is None:
        return [sys.executable, "-m", "trtlab", *case.argv]
    # A file-size limit makes writes past it fail like a full disk (Python ignores SIGXFSZ).
    code = ("import resource, runpy, sys; "
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({case.file_size_limit}, {case.file_size_limit})); "
            f"sys.argv = ['trtlab', *{case.argv!r}]; runpy.run_module('trtlab', run_name='__main__')")
    return [sys.executable, "-c", code]


def run_case(case: Case, timeout: float = CASE_TIMEOUT_S) -> Outcome:
    if case.xfail:
        timeout = min(timeout, XFAIL_TIMEOUT_S)
    start = time.monotonic()
    stdout_target, closed = subprocess.PIPE, None
    if case.close_stdout:
        r, w = os.pipe()
        os.close(r)  # the reader left before the first line
        stdout_target, closed = w, w
    proc = subprocess.Popen(_command(case), stdout=stdout_target, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            env=child_env(), start_new_session=True)
    if closed is not None:
        os.close(closed)
    try:
        out, err = proc.communicate(timeout=timeout)
        rc, hung = proc.returncode, False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        out, err = proc.communicate()
        rc, hung = None, True
    seconds = time.monotonic() - start
    stdout = (out or b"").decode("utf-8", "replace")
    stderr = (err or b"").decode("utf-8", "replace")
    return judge(case, rc, stdout, stderr, seconds, hung, timeout)


def judge(case: Case, rc, stdout: str, stderr: str, seconds: float, hung: bool,
          timeout: float = CASE_TIMEOUT_S) -> Outcome:
    problems = []
    lines = [x for x in stderr.splitlines() if x.strip()]
    if hung:
        kind = HANG
        problems.append(f"no exit within {timeout:.0f} s")
    elif rc < 0 or rc not in (0, 1, 2):
        kind = CRASH
        problems.append(f"exit status {rc}")
    elif "Traceback" in stderr or "Traceback" in stdout:
        kind = TRACEBACK
        problems.append("a traceback was printed")
    else:
        kind = CLEAN_ERROR if rc == 2 else RAN
    if kind in (CLEAN_ERROR, RAN):
        if rc == 2 and (len(lines) != 1 or not lines[0].startswith("trtlab: error: ")):
            problems.append(f"exit 2 with {len(lines)} stderr lines, not one `trtlab: error:` line")
        if case.expect == ERROR and rc != 2:
            problems.append(f"expected exit 2, got {rc}")
        if case.expect == OK and rc != 0:
            problems.append(f"expected exit 0, got {rc}")
        if rc != 2 and any("Warning" in x or "warning:" in x for x in lines):
            problems.append("warnings on stderr")
        if case.error_has and case.error_has not in stderr:
            problems.append(f"error does not say {case.error_has!r}")
    if kind in (CLEAN_ERROR, RAN, TRACEBACK):
        for path in case.must_not_exist:
            if os.path.lexists(path):
                problems.append(f"partial output left: {Path(path).name}")
        for path, text in case.must_not_contain.items():
            if Path(path).is_file() and text in Path(path).read_text(errors="replace"):
                problems.append(f"{Path(path).name} holds {text!r}")
        if case.never_served is not None and _served(case, stdout):
            problems.append("a corrupt cache entry was served")
    return Outcome(case, kind, rc, stdout, stderr, seconds, problems)


def _served(case: Case, stdout: str) -> bool:
    _, key = case.never_served
    try:
        engines = json.loads(stdout).get("engines", [])
    except ValueError:
        return False  # no result printed, so nothing was served
    return any(e.get("key") == key and e.get("cache_hit") for e in engines)


def run_all(cases: list[Case], workers: int = 3, timeout: float = CASE_TIMEOUT_S) -> list[Outcome]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda c: run_case(c, timeout), cases))


__all__ = ["Outcome", "run_case", "run_all", "child_env", "CLEAN", "ERROR", "OK"]
