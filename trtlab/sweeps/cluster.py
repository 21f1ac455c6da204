"""Where a sweep's tasks run: a Dask cluster the user points at, or one started here.

Dask does the scheduling; trtlab only picks the cluster and what a task asks of a worker:
- `client=` (a `distributed.Client`) or `scheduler="tcp://HOST:PORT"`: an existing cluster,
  whose workers were started with `dask worker` (GPU workers with `--resources GPU=1`);
- neither: a `distributed.LocalCluster` on this machine, one single-threaded worker process per
  core (fewer when memory or the number of tasks is smaller; one worker holding the GPU where
  an NVIDIA GPU is visible), closed when the sweep ends.

A task asks for `GPU=1` when any worker of the cluster declares GPUs, so a worker runs one check
on its GPU at a time and no two checks share one. On a cluster where no worker declares a GPU
(CPU machines, which build engines with TensorRT-RTX and run ONNX Runtime stand-ins) a task asks
for no resource at all: a request no worker can meet would wait forever.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading

from .._optional import require
from ..errors import TrtlabError, one_line

MEMORY_PER_WORKER = 2 << 30  # a check of a mid-sized model peaks under 1 GB; leave room
CONNECT_TIMEOUT_S = 10


def distributed():
    return require("distributed", "sweep", "Sweeping models over a Dask cluster")


class Cluster:
    """A Dask client, and the local cluster behind it when this sweep started one."""

    def __init__(self, client, owned: list, local: bool = False):
        self.client = client
        self.local = local  # a LocalCluster this sweep started (and closes)
        self._owned = owned

    @classmethod
    def connect(cls, client=None, scheduler: str | None = None, workers: int | None = None,
                tasks: int = 1) -> "Cluster":
        if client is not None:
            return cls(client, [])
        dist = distributed()
        if scheduler:
            try:
                c = dist.Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise TrtlabError(f"Can't reach the Dask scheduler at {scheduler}: {one_line(exc)}.",
                                  hint="Start one with `dask scheduler` and give its tcp://HOST:PORT "
                                       "(workers join it with `dask worker tcp://HOST:PORT`).") from None
            return cls(c, [c])
        from ..timing.device import visible_gpu

        gpu = visible_gpu() is not None
        n = 1 if gpu else (workers or local_workers(tasks))
        with _workers_ignore_ctrl_c():
            cluster = dist.LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                        dashboard_address=":0", silence_logs=logging.CRITICAL,
                                        resources={"GPU": 1} if gpu else None)
        c = dist.Client(cluster)
        return cls(c, [c, cluster], local=True)

    def workers(self) -> dict[str, dict]:
        return dict(self.client.scheduler_info(n_workers=-1).get("workers", {}))

    def resources(self, gpu: bool | None = None) -> dict | None:
        """What each task asks of a worker: GPU=1 where workers declare GPUs (or `gpu=True`),
        nothing on a CPU-only cluster (or `gpu=False`)."""
        with_gpu = [a for a, w in self.workers().items() if (w.get("resources") or {}).get("GPU", 0) >= 1]
        if gpu is True and not with_gpu:
            raise TrtlabError("No worker of the Dask cluster declares a GPU, so a task asking for one would "
                              "wait forever.", hint="Start GPU workers with `dask worker tcp://HOST:PORT "
                                                    "--resources GPU=1`, or leave out --gpu.")
        return {"GPU": 1} if with_gpu and gpu is not False else None

    def close(self) -> None:
        for thing in self._owned:
            try:
                thing.close()
            except Exception:  # a cluster already gone (its workers killed) has nothing left to close
                pass
        self._owned = []


def local_workers(tasks: int) -> int:
    """One worker per core, no more than memory holds or than there are tasks."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        memory = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        memory = cores * MEMORY_PER_WORKER
    return max(1, min(cores, memory // MEMORY_PER_WORKER, tasks))


@contextlib.contextmanager
def _workers_ignore_ctrl_c():
    """Ctrl-C in a terminal reaches every process of its group, the local workers too, whose
    event loops would each print a KeyboardInterrupt traceback. Worker processes started while
    SIGINT is ignored keep ignoring it (Python leaves an ignored SIGINT alone), so the sweep's own
    process alone answers Ctrl-C: it cancels the tasks left and closes the cluster."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
