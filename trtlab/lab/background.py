"""Background work of the Lab, stopped cleanly: at interpreter exit and when a Lab is closed.

A daemon thread still inside native code (a TensorRT parse or build, ONNX Runtime) when the
interpreter finalises can take the process down ("FATAL: exception not rethrown"). So the Lab's
threads are ordinary ones, registered here: at exit each is asked to stop (its cancel event is
set) and the interpreter waits for it, as it does for every non-daemon thread.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

_lock = threading.Lock()
_running: dict[threading.Thread, Any] = {}  # thread -> its cancel event (or None)
_closing = threading.Event()  # the interpreter is exiting: no new work


def start(target: Callable[[], object], *, name: str, cancel: Any = None) -> threading.Thread | None:
    """Run `target` in a registered thread; `cancel` (an Event) is set when everything stops.
    Once the interpreter is exiting nothing starts (None): work finishing then, such as a check
    that hands its result to the graphs, must not begin more."""
    if _closing.is_set():
        return None

    def work():
        try:
            target()
        finally:
            with _lock:
                _running.pop(threading.current_thread(), None)

    thread = threading.Thread(target=work, name=name, daemon=False)
    with _lock:
        _running[thread] = cancel
    thread.start()
    return thread


def stop(threads=None, timeout: float | None = None) -> None:
    """Ask `threads` (default: all registered, and nothing new starts after) to stop, and wait."""
    if threads is None:
        _closing.set()
    with _lock:
        chosen = {t: c for t, c in _running.items() if threads is None or t in threads}
    for cancel in chosen.values():
        if cancel is not None:
            cancel.set()
    for t in chosen:
        if t is not threading.current_thread():
            t.join(timeout)


def running() -> list[threading.Thread]:
    with _lock:
        return [t for t in _running if t.is_alive()]


# Called before the interpreter joins its non-daemon threads, so cancels are seen first.
if hasattr(threading, "_register_atexit"):
    threading._register_atexit(stop)
