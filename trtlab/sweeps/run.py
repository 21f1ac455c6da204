"""`sweep`: check many models in many precisions, one Dask task per (model, precision).

    run = trtlab.sweep(["zoo:tiny", "model.onnx"], ["fp32", "fp16"], out="results")
    run                 # in a notebook: a progress bar and the summary, live as results arrive
    run.wait()          # blocks; Ctrl-C cancels what has not finished and keeps what has
    print(run.summary())

The sweep returns at once: results are collected in the background as Dask hands them back,
each written to `out/<model>/<precision>.json` as it arrives. A task whose result an earlier run
wrote for the same model bytes and settings is not run again.
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from .. import display
from ..check import CheckSettings
from ..errors import TrtlabError, one_line
from .cluster import Cluster
from .records import EARLIER, RAN, SweepRow, earlier_record, row_from_record, row_not_run, write_record
from .tasks import ModelSource, Task, failure_record, make_task, model_source, run_task, safe_label

SUMMARY_FILE = "summary.html"


def sweep(models: Iterable[Any], precisions: Sequence[str] | str | None = None, client: Any = None, *,
          out: str | Path | None = None, workers: int | None = None, gpu: bool | None = None,
          settings: CheckSettings | None = None, **options) -> "Sweep":
    """Check every model in every precision on a Dask cluster; returns a running `Sweep`.

    - ``models``: paths (.onnx, an MXNet -symbol.json with ``params=``), ``zoo:NAME``, ``corpus:NAME``;
    - ``client``: a ``distributed.Client`` or a scheduler address ``"tcp://HOST:PORT"``; None starts
      a local cluster (``workers=`` processes, default one per core) and closes it at the end;
    - ``gpu``: tasks ask for ``GPU=1`` when workers declare GPUs (None), always (True) or never;
    - ``out``: the folder of results (one JSON per task, and summary.html); None keeps them in memory;
    - ``settings`` / keywords: as `trtlab.check` takes them (``min_block_size=``, ``timing=False``, ...).
    """
    base = CheckSettings.make(settings, **options)
    precisions = [precisions] if isinstance(precisions, str) else list(precisions or base.precisions)
    base = CheckSettings.make(base, precisions=precisions)  # validated, duplicates dropped
    tasks, rows = _tasks(list(models), base)
    run = Sweep(tasks, out, rows)
    run.start(client, workers, gpu)
    return run


def _tasks(models: list, settings: CheckSettings) -> tuple[list[Task], list[SweepRow]]:
    """A task per model and precision; a model that can't be read is a row per precision."""
    sources: list[ModelSource] = []
    rows = []
    for item in models:
        spec, params = (item if isinstance(item, tuple) else (item, None))
        if params is None and settings.params and str(spec).lower().endswith(".json"):
            params = str(settings.params)
        try:
            source = model_source(str(spec), params)
        except TrtlabError as exc:
            label = safe_label(Path(str(spec)).stem or str(spec))
            rows += [row_not_run(make_task(ModelSource(str(spec), label, ""), p, settings),
                                 f"not read: {one_line(exc)}") for p in settings.precisions]
            continue
        if any(s.digest == source.digest and s.spec == source.spec for s in sources):
            continue  # the same model twice
        sources.append(source)
    labels = [safe_label(s.label) for s in sources]
    # Two models of one name (model.onnx in two folders) get their digests' start to tell them apart.
    sources = [ModelSource(s.spec, f"{label}-{s.digest[:8]}" if labels.count(label) > 1 else label, s.digest,
                           s.files, s.params) for s, label in zip(sources, labels)]
    return [make_task(s, p, settings) for s in sources for p in settings.precisions], rows


class Sweep:
    """A sweep under way or finished: its rows as they arrive, and what it was asked."""

    def __init__(self, tasks: list[Task], out: str | Path | None, rows: list[SweepRow]):
        self.tasks = tasks
        self.out = Path(out) if out is not None else None
        self.rows: list[SweepRow] = list(rows)
        self.total = len(tasks) + len(rows)
        self.cancelled = False
        self.resources: dict | None = None
        self.workers: list[str] = []  # the workers the cluster had at the start
        self.error: str | None = None  # why the sweep itself stopped, if it did
        self._listeners: list[Callable[["Sweep"], object]] = []
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._futures: list = []
        self._cluster: Cluster | None = None

    # ------------------------------------------------------------------ running
    def start(self, client: Any, workers: int | None, gpu: bool | None) -> None:
        pending = []
        for task in self.tasks:
            record = earlier_record(self.out, task) if self.out is not None else None
            if record is None:
                pending.append(task)
            else:
                self.rows.append(row_from_record(record, task, EARLIER, None))
        if not pending:
            self._finish()
            return
        address = client if isinstance(client, str) else None
        self._cluster = Cluster.connect(None if address else client, address, workers, tasks=len(pending))
        try:
            self.workers = sorted(self._cluster.workers())
            self.resources = self._cluster.resources(gpu)
            c = self._cluster.client
            self._futures = [c.submit(run_task, t, key=f"{t.name}-{uuid.uuid4().hex[:8]}", resources=self.resources,
                                      pure=False) for t in pending]
        except BaseException:
            self._cluster.close()
            raise
        threading.Thread(target=self._collect, args=(dict(zip(self._futures, pending)),), daemon=True,
                         name="trtlab-sweep").start()

    def _collect(self, tasks: dict) -> None:
        from distributed import as_completed

        try:
            for future in as_completed(list(tasks)):
                task = tasks.pop(future)
                self._add(self._row(future, task))
                if self.cancelled:
                    break
        except Exception as exc:  # the scheduler went away: say so on every row left
            self.error = f"the Dask cluster stopped answering: {one_line(exc)}"
        for task in tasks.values():
            self._add(row_not_run(task, "cancelled before it finished" if self.cancelled else
                                  f"not run: {self.error}"))
        self._finish()

    def _row(self, future, task: Task) -> SweepRow:
        """The row of one finished future, its record written."""
        try:
            record = future.result()
        except BaseException as exc:  # noqa: BLE001 - whatever ended the task is its row's reason
            name = type(exc).__name__
            if name == "CancelledError" or self.cancelled:
                return row_not_run(task, "cancelled before it finished")
            why = (f"its worker was lost while running it ({one_line(exc)}); a rerun runs it again"
                   if name == "KilledWorker" else f"the task failed: {name}: {one_line(exc)}")
            record = failure_record(task, why)
            record["sweep"] = {"worker": "", "seconds": None, "final": False, "error": why}
        path = write_record(self.out, task, record) if self.out is not None else None
        return row_from_record(record, task, RAN, path)

    def _add(self, row: SweepRow) -> None:
        with self._lock:
            self.rows.append(row)
        self._notify()

    def _finish(self) -> None:
        if self._cluster is not None:
            self._cluster.close()
        if self.out is not None and self.rows:
            try:
                self.save_html(self.out / SUMMARY_FILE)
            except (TrtlabError, OSError) as exc:
                self.error = f"{SUMMARY_FILE} not written: {one_line(exc)}"
        self._done.set()
        self._notify()

    def _notify(self) -> None:
        for listener in list(self._listeners):
            try:
                listener(self)
            except Exception:  # a display that fails must not stop the sweep
                pass

    # ------------------------------------------------------------------ asking
    def observe(self, listener: Callable[["Sweep"], object]) -> None:
        """Call `listener(sweep)` whenever a row arrives and when the sweep ends."""
        self._listeners.append(listener)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> "Sweep":
        """Until every task has a row; Ctrl-C cancels the tasks left and keeps what finished."""
        try:
            while not self._done.wait(0.2 if timeout is None else timeout):
                if timeout is not None:
                    raise TimeoutError(f"the sweep did not finish in {timeout} s")
        except KeyboardInterrupt:
            self.cancel()
            self._done.wait()
            raise
        return self

    def cancel(self) -> None:
        """Cancel the tasks that have not finished; rows already written stay."""
        self.cancelled = True
        if self._cluster is not None and self._futures:
            try:
                self._cluster.client.cancel([f for f in self._futures if not f.done()])
            except Exception:  # a client already closed has nothing left to cancel
                pass

    @property
    def used_workers(self) -> list[str]:
        return sorted({r.worker for r in self.rows if r.origin == RAN and r.worker})

    @property
    def passed(self) -> bool:
        return self.done and bool(self.rows) and all(r.status == "pass" for r in self.rows)

    @property
    def exit_status(self) -> int:
        return 0 if self.passed else 1

    def summary(self) -> str:
        return display.text(self)

    def save_html(self, path: str | Path) -> str:
        return str(display.write_html(self, path))

    def __repr__(self) -> str:
        return f"<trtlab.Sweep {len(self.rows)} of {self.total} done{', cancelled' if self.cancelled else ''}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        # The summary as it stands; live (a progress bar and the summary, kept up to date) where
        # trtlab.lab is imported, which registers its view of a sweep.
        return display.mimebundle(self)
