"""`BuildWorker`: engine builds in a separate process, so that TensorRT cannot take the caller down.

A crash, a stack overflow or running out of memory inside the builder ends that one build with a
plain status ("the builder crashed: signal 11 (SIGSEGV)"); the calling process (a notebook
kernel, the Lab, `trtlab check`) and the builds after it go on, in a new worker. A build past
its time limit, a cancel, or Ctrl-C ends the worker at once. Progress events stream back and
reach the caller's `progress` in the caller's thread.

The worker is a fresh interpreter (started like multiprocessing's "spawn", never a bare fork of a
process that may run threads) that imports only `in_worker`, `tensorrt_calls` and TensorRT, not the
rest of trtlab nor the caller's `__main__`. It receives each `BuildJob` (without its model, which
travels as a file) and answers with a `BuildOutcome`. One worker serves many builds, one after
another.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .. import scratch
from ..installed_tensorrt import TensorRT
from ..words import signal_name
from .in_worker import read_frame, write_frame
from .job import DEFAULT_TIMEOUT_S, BuildJob, BuildOutcome, failed

if TYPE_CHECKING:
    import onnx

# The build thread's stack: TensorRT's builder recurses once per chained layer. Reserved, not
# used: pages are only taken as the stack grows. Tests set it small to make the builder crash.
STACK_BYTES = 1 << 30
START_TIMEOUT_S = 120.0  # importing TensorRT, on a busy machine
_POLL_S = 0.05

# Loads trtlab.engines.in_worker from the caller's own copy of trtlab without running
# trtlab/__init__ (which imports onnx and numpy, a few tenths of a second the worker doesn't need).
STUB_TRTLAB = ("import sys, types; p = types.ModuleType('trtlab'); p.__path__ = [sys.argv[1]]; "
               "sys.modules['trtlab'] = p; ")
_BOOT = STUB_TRTLAB + "from trtlab.engines.in_worker import main; main(int(sys.argv[2]))"


class BuildWorker:
    """Builds engines one at a time in a worker process, started when first needed.

        with BuildWorker(tensorrt) as worker:
            outcome = worker.build(job)      # a BuildJob

    `build` returns a `BuildOutcome`, whatever happened to the worker.
    """

    def __init__(self, tensorrt: TensorRT):
        self.tensorrt = tensorrt
        self._proc: subprocess.Popen | None = None
        self._answers: queue.Queue = queue.Queue()
        self._stderr = None
        self._ready = False
        self._dir: Path | None = None
        self._jobs = 0

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        """Start the worker now (it imports TensorRT while the caller prepares the first build)."""
        if self._proc is not None and self._proc.poll() is None:
            return
        self.close()
        self._stderr = tempfile.TemporaryFile()
        # Private (0700), inside the process's temporary folder: swept at the next start if this
        # process is killed before it removes it.
        self._dir = Path(tempfile.mkdtemp(prefix="build-", dir=scratch.folder()))
        root = str(Path(__file__).resolve().parent.parent)
        self._proc = subprocess.Popen([sys.executable, "-c", _BOOT, root, str(os.getpid())], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=self._stderr, bufsize=0)
        self._answers = queue.Queue()
        self._ready = False
        threading.Thread(target=_read_answers, args=(self._proc.stdout, self._answers),
                         name="trtlab-build-answers", daemon=True).start()

    def build(self, job: BuildJob, onnx_model: "bytes | onnx.ModelProto | None" = None, *,
              timing_cache: bytes | None = None, progress=None, cancel=None,
              keep_engine: bool | str | None = None) -> BuildOutcome:
        """Build `job`'s engine in the worker, from `onnx_model` (default: the job's own model);
        cancel, a progress callback returning False or raising, the job's time limit, and
        KeyboardInterrupt (re-raised) end the worker at once. A ModelProto is handed over as a
        file written one weight at a time (no serialized copy here); without `keep_engine`
        (default: the job's) the engine's bytes are not read back, only its size; with
        keep_engine="file" the outcome's `engine` is the path of the engine's file, which the
        caller uses and deletes (a large engine need never be held in memory whole)."""
        from ..cancel import is_cancelled

        onnx_model = job.model if onnx_model is None else onnx_model
        timeout_s = job.settings.timeout_s
        keep_engine = job.settings.keep_engine if keep_engine is None else keep_engine
        self.start()
        self._jobs += 1
        onnx_path, engine_path = self._dir / f"{self._jobs}.onnx", self._dir / f"{self._jobs}.engine"
        try:
            if isinstance(onnx_model, (bytes, bytearray)):
                onnx_path.write_bytes(onnx_model)
            else:
                from ..model_files import write_model
                from ..weight_store import stores_in

                # Weights kept in a WeightStore are read by the parser from the store's own file.
                for store in stores_in(onnx_model):
                    store.link_into(self._dir)
                write_model(onnx_model, onnx_path)
        except OSError as exc:
            return failed(f"the model could not be handed to the build worker ({exc})")
        request = {"job": job.for_worker(), "onnx_path": str(onnx_path), "engine_path": str(engine_path),
                   "timing_cache": timing_cache, "stack_bytes": STACK_BYTES}
        err_start = self._stderr.seek(0, os.SEEK_END)
        start = time.monotonic()  # the time limit counts from when the worker is ready
        # Sent from a thread: a worker still importing TensorRT reads it late, and meanwhile
        # the loop below keeps watching cancel, the clock and KeyboardInterrupt.
        threading.Thread(target=_send, args=(self._proc.stdin, request), name="trtlab-build-job",
                         daemon=True).start()
        try:
            while True:
                if is_cancelled(cancel):
                    return self._stop("cancelled", start, "cancelled")
                if not self._ready and time.monotonic() - start > START_TIMEOUT_S:
                    return self._stop(f"the build worker did not start in {START_TIMEOUT_S:g} s", start)
                if self._ready and timeout_s is not None and time.monotonic() - start > timeout_s:
                    return self._stop(f"build stopped after {timeout_s:g} s (time limit)", start, "time limit")
                try:
                    answer = self._answers.get(timeout=_POLL_S)
                except queue.Empty:
                    continue
                if answer is None:
                    return self._died(err_start, start)
                kind, body = answer
                if kind == "ready":
                    self._ready, start = True, time.monotonic()
                elif kind == "done":
                    return self._outcome(body, onnx_path, start, keep_engine)
                elif kind == "event" and progress is not None:
                    try:
                        wanted = progress(body)
                    except Exception as exc:
                        return self._stop(f"the progress callback failed: {exc!r}", start)
                    if wanted is False:
                        return self._stop("cancelled", start, "cancelled")
        except BaseException:  # KeyboardInterrupt above all: stop the build, then let it through
            self.close()
            raise

    def close(self) -> None:
        """End the worker (killed if it is building) and wait for it."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        # The answers' reader closes proc.stdout itself when it reads the end.
        for stream in (proc.stdin, self._stderr):
            try:
                stream.close()
            except OSError:
                pass
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> "BuildWorker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass  # at interpreter exit, the modules close() needs may be gone

    # ------------------------------------------------------------------ helpers
    def _outcome(self, out: BuildOutcome | None, onnx_path: Path, start: float,
                 keep_engine: bool | str = True) -> BuildOutcome:
        onnx_path.unlink(missing_ok=True)
        if not isinstance(out, BuildOutcome):
            return failed("the build worker gave no result", time.monotonic() - start)
        if out.engine is not None:
            engine_path = Path(out.engine)
            try:
                out.engine_bytes = engine_path.stat().st_size
                if keep_engine == "file":
                    return out
                out.engine = engine_path.read_bytes() if keep_engine else None
            except OSError as exc:
                return failed(f"the built engine could not be read back ({exc})", time.monotonic() - start)
            finally:
                if keep_engine != "file":
                    engine_path.unlink(missing_ok=True)
        return out

    def _stop(self, error: str, start: float, failure: str | None = None) -> BuildOutcome:
        self.close()
        return failed(error, time.monotonic() - start, failure)

    def _died(self, err_start: int, start: float) -> BuildOutcome:
        """The worker's end of the pipe closed: say how the worker ended."""
        try:
            code = self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        said = []
        if code is not None and code > 0:  # Python's own last words (a traceback's last line)
            end = self._stderr.seek(0, os.SEEK_END)
            self._stderr.seek(max(err_start, end - 65536))
            said = [line.strip() for line in self._stderr.read().decode(errors="replace").splitlines()
                    if line.strip()]
        self.close()
        return failed(exit_reason(code) + (f": {said[-1]}" if said else ""), time.monotonic() - start, "crash")


def exit_reason(code: int | None) -> str:
    """How a worker that stopped answering ended, in words."""
    if code is None:
        return "the build worker stopped answering"
    if code < 0:
        name = signal_name(-code) or "unknown signal"
        if -code == getattr(signal, "SIGKILL", None):
            return f"the builder was killed: signal {-code} ({name}), perhaps by the system for lack of memory"
        return f"the builder crashed: signal {-code} ({name})"
    return f"the build worker exited with status {code}"


def _send(stream, request: dict) -> None:
    try:
        write_frame(stream, request)
    except (OSError, ValueError):
        pass  # the worker has gone: the end of its answers says how


def _read_answers(stream, answers: queue.Queue) -> None:
    """Move the worker's answers into `answers`; None when its end of the pipe closes."""
    try:
        while (answer := read_frame(stream)) is not None:
            answers.put(answer)
    except Exception:
        pass  # a torn frame from a dying worker: the end is what counts
    finally:
        answers.put(None)
        stream.close()
