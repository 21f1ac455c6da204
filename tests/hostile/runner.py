"""Run corpus cases through the real `trtlab` command, each in its own bounded subprocess."""

from __future__ import annotations

import json
import os
import signal
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

# Characters a terminal acts on (newline and tab aside): none may reach it raw.
_ACTED_ON = frozenset(chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0),
                                       *range(0x202A, 0x202F), *range(0x2066, 0x206A)))

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


def _command(case: Case, rss_file: str | None = None) -> list[str]:
    if case.file_size_limit is None and rss_file is None and case.address_space is None:
        return [sys.executable, "-m", "trtlab", *case.argv]
    code = "import atexit, resource, runpy, sys; "
    if case.file_size_limit is not None:
        # A file-size limit makes writes past it fail like a full disk (Python ignores SIGXFSZ).
        code += f"resource.setrlimit(resource.RLIMIT_FSIZE, ({case.file_size_limit}, {case.file_size_limit})); "
    if case.address_space is not None:  # a process limit on memory, as `ulimit -v` sets
        code += f"resource.setrlimit(resource.RLIMIT_AS, ({case.address_space}, {case.address_space})); "
    if rss_file is not None:  # the peak resident memory (kB), written at exit
        # VmHWM, not ru_maxrss: Linux carries the parent's peak over a fork and exec into
        # ru_maxrss, so a case run from a large test process would report that process's peak.
        code += (f"atexit.register(lambda: open({rss_file!r}, 'w').write(next(x.split()[1] for x in "
                 "open('/proc/self/status') if x.startswith('VmHWM:')))); ")
    code += f"sys.argv = ['trtlab', *{case.argv!r}]; runpy.run_module('trtlab', run_name='__main__')"
    return [sys.executable, "-c", code]


def _children(pid: int) -> list[str]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return out.stdout.split()


def _ended(pid: str) -> bool:
    """Whether a process ended (a zombie waiting for its new parent has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] in ("Z", "X")
    except OSError:
        return True


def run_case(case: Case, timeout: float = CASE_TIMEOUT_S) -> Outcome:
    import shutil
    import tempfile

    if case.xfail:
        timeout = min(timeout, XFAIL_TIMEOUT_S)
    scratch = Path(tempfile.mkdtemp(prefix="hostile-case-"))
    env = child_env()
    if case.signal is not None:
        env["TMPDIR"] = str(scratch / "tmp")
        (scratch / "tmp").mkdir()
    for key, value in case.env.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    rss_file = str(scratch / "rss") if case.max_rss_mb is not None else None
    start = time.monotonic()
    stdout_target, closed = subprocess.PIPE, None
    if case.close_stdout:
        r, w = os.pipe()
        os.close(r)  # the reader left before the first line
        stdout_target, closed = w, w
    proc = subprocess.Popen(_command(case, rss_file), stdout=stdout_target, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    if closed is not None:
        os.close(closed)
    extra: list[str] = []
    if case.signal is not None:
        extra += _send_signal(proc, case, scratch / "tmp", timeout)
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
    if case.signal is not None and not hung:
        extra += [f"left in TMPDIR: {p.name}" for p in (scratch / "tmp").glob("trtlab-*")]
    if rss_file is not None and not hung:
        try:
            peak_mb = int(Path(rss_file).read_text()) / 1024
            if peak_mb > case.max_rss_mb:
                extra.append(f"peak memory {peak_mb:.0f} MB, over {case.max_rss_mb:g} MB")
        except (OSError, ValueError):
            extra.append("no peak memory recorded")
    shutil.rmtree(scratch, ignore_errors=True)
    outcome = judge(case, rc, stdout, stderr, seconds, hung, timeout)
    outcome.problems += extra
    return outcome


def _send_signal(proc: subprocess.Popen, case: Case, tmp: Path, timeout: float) -> list[str]:
    """Send the case's signal once its marker exists; what is wrong once the command has ended."""
    signum, marker = case.signal
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None and not list(tmp.glob(marker)):
        time.sleep(0.1)
    if proc.poll() is not None:
        return [f"ended before {marker} appeared"]
    workers = _children(proc.pid)
    time.sleep(0.3)
    proc.send_signal(signum)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        return []  # judged as a hang
    time.sleep(0.5)
    return [f"worker {pid} outlived the command" for pid in workers if not _ended(pid)]


def judge(case: Case, rc, stdout: str, stderr: str, seconds: float, hung: bool,
          timeout: float = CASE_TIMEOUT_S) -> Outcome:
    problems = []
    lines = [x for x in stderr.splitlines() if x.strip()]
    signalled = case.signal is not None and rc == 128 + case.signal[0]
    if signalled:
        rc = 2  # judged as a clean error: one line saying which signal stopped it
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
    raw = sorted({f"{ord(c):#04x}" for c in stdout + stderr if c in _ACTED_ON})
    if raw:
        problems.append(f"raw terminal control characters printed: {', '.join(raw)}")
    if case.max_seconds is not None and not hung and seconds > case.max_seconds:
        problems.append(f"took {seconds:.1f} s, over {case.max_seconds:g} s")
    for folder in case.stays_empty:
        if Path(folder).is_dir() and any(Path(folder).iterdir()):
            problems.append(f"something was written into {Path(folder).name}")
    if signalled:
        said = "trtlab: interrupted" if case.signal[0] == signal.SIGINT else \
            f"trtlab: stopped by {signal.Signals(case.signal[0]).name}"
        if not lines or lines[-1] != said:
            problems.append("the signal was not reported on the last stderr line")
        lines = lines[-1:]  # the progress lines before it are not errors
        kind = CLEAN_ERROR if kind in (CLEAN_ERROR, RAN) else kind
        return Outcome(case, kind, 128 + case.signal[0], stdout, stderr, seconds, problems)
    elif case.signal is not None and kind in (CLEAN_ERROR, RAN):
        problems.append(f"expected exit {128 + case.signal[0]}, got {rc}")
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
