"""Inside the build worker process: reads `BuildJob`s on stdin, answers on stdout, one at a time.

The model and the engine themselves travel as files in the caller's private directory for the
worker: tens of megabytes cross a pipe 64 KiB at a time, several times slower on a busy machine.
Started by `worker.BuildWorker` as a fresh interpreter that imports only this module, the
TensorRT-facing `tensorrt_calls`, the job's plain data and TensorRT itself. Each build runs in a
thread with a large stack, because TensorRT's builder recurses once per layer of a chain (4,000
chained nodes overflow the usual 8 MiB). Messages both ways are frames: an 8-byte length, then a pickle. Only the worker's own
parent writes to it, so the pickles are trusted.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import threading

_LENGTH = struct.Struct("<Q")
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def write_frame(stream, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def read_frame(stream):
    """The next message, or None at the end of the stream (the other side has gone)."""
    head = _read_exactly(stream, _LENGTH.size)
    if head is None:
        return None
    data = _read_exactly(stream, _LENGTH.unpack(head)[0])
    return None if data is None else pickle.loads(data)


def _read_exactly(stream, n: int) -> bytearray | None:
    # readinto one buffer: a pipe gives 64 KiB a read, and read(n) would allocate n bytes each time.
    buffer = bytearray(n)
    view, done = memoryview(buffer), 0
    while done < n:
        got = stream.readinto(view[done:])
        if not got:
            return None
        done += got
    return buffer


def main(parent: int | None = None) -> None:
    # Ctrl-C reaches the whole process group: the caller decides, and ends this process itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    jobs = os.fdopen(os.dup(0), "rb", buffering=0)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # what TensorRT prints must not land in the answers

    answers_lock = threading.Lock()

    def send(message) -> None:
        with answers_lock:
            try:
                write_frame(answers, message)
            except (BrokenPipeError, OSError):
                os._exit(0)  # the caller has gone: nothing is waiting for this build

    send(("ready", os.getpid()))
    while (request := read_frame(jobs)) is not None:
        send(("done", _run_in_thread(request, send)))


def _die_with(parent: int | None) -> None:
    """End this worker when its parent ends, even by kill -9: on Linux the kernel sends SIGKILL
    (prctl PR_SET_PDEATHSIG); elsewhere the next answer finds the pipe closed and the worker exits."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if parent is not None and os.getppid() != parent:
        os._exit(0)  # the parent died before the signal was asked for


def _run_in_thread(request: dict, send):
    """Build `request["job"]` (a `BuildJob` without its model) from the model file named in the
    request; the answer is a `BuildOutcome` whose `engine` names the engine file written."""
    out: list = []

    def build():
        try:
            from .job import failed
            from .mapped_weights import MappedWeights
            from .tensorrt_calls import build_serialized

            job = request["job"]
            # The parser reads the model's file itself (and its weights from the files it names);
            # one that is not there is this build's failure, said as such.
            os.stat(request["onnx_path"])
            out.append(build_serialized(job.target.tensorrt(), job, request["onnx_path"],
                                        timing_cache=request["timing_cache"],
                                        emit=lambda event: send(("event", event)),
                                        engine_path=request["engine_path"],
                                        weight_files=MappedWeights(os.path.dirname(request["onnx_path"]))))
        except BaseException as exc:  # an import that fails here is this build's failure
            try:
                out.append(failed(f"the build worker failed: {type(exc).__name__}: {exc}"))
            except BaseException:
                out.append(None)

    thread = threading.Thread(target=build, name="trtlab-build")
    threading.stack_size(request["stack_bytes"])  # applies to threads started from now on
    try:
        thread.start()
    except RuntimeError:  # no room for that stack (a limit on address space): the usual one
        threading.stack_size(0)
        thread = threading.Thread(target=build, name="trtlab-build")
        thread.start()
    finally:
        threading.stack_size(0)
    thread.join()
    # What the build freed (the network's weights, the builder's copies) goes back to the system
    # before the next job: an idle worker would otherwise keep the size of its largest build.
    from ..memory import release_memory

    release_memory()
    return out[0] if out else None

