"""A real Dask cluster on this machine for the sweep tests: `dask scheduler` and two
`dask worker` processes on the loopback interface, on ports the system picks, torn down after
the tests (every process of theirs killed), each step bounded in time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="needs dask's distributed (pip install 'trtlab[sweep]')")

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90


def _start(args: list[str], log: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            env=env, start_new_session=True, cwd=ROOT)


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)  # its own session: the worker its nanny started too
            except ProcessLookupError:
                pass
    for p in procs:
        p.wait(timeout=30)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """(scheduler address, Client): two single-threaded workers named w1 and w2. A task of a
    worker that dies is not retried (allowed-failures 0), so a lost worker shows in its row."""
    from distributed import Client

    tmp = tmp_path_factory.mktemp("dask")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
               DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0")
    file = tmp / "scheduler.json"
    procs = [_start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(file)], tmp / "scheduler.log", env)]
    client = None
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not file.exists() and time.monotonic() < deadline and procs[0].poll() is None:
            time.sleep(0.2)
        assert file.exists(), (tmp / "scheduler.log").read_text()
        address = json.loads(file.read_text())["address"]
        for name in ("w1", "w2"):
            procs.append(_start(["worker", address, "--name", name, "--nthreads", "1", "--host", "127.0.0.1",
                                 "--no-dashboard", "--memory-limit", "0"], tmp / f"{name}.log", env))
        client = Client(address, timeout="30s")
        client.wait_for_workers(2, timeout=START_TIMEOUT_S)
        yield address, client
    finally:
        if client is not None:
            client.close()
        _stop(procs)
