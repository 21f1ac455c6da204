"""Background work of the Lab, stopped cleanly: at interpreter exit and when a Lab is closed.

A daemon thread still inside native code (a TensorRT parse or build, ONNX Runtime) when the
interpreter finalises can take the process down ("FATAL: exception not rethrown"). So the Lab's
threads are ordinary ones, registered here: at exit each is asked to stop (its cancel event is
set) and the interpreter waits for it, as it does for every non-daemon thread.

The exit is noticed by a watcher thread that joins the main thread: the interpreter marks the
main thread finished before it joins the others, so the cancels are set while it waits.

Once the interpreter is exiting (`exiting()`: its main thread has finished) a thread must begin
no new work, above all none that imports: a module imported for the first time then may register
exit work of its own (concurrent.futures does, through threading's private exit hooks), which
fails with "can't register atexit after shutdown". A check that ends during the exit, for
instance, used to go on to draw its charts: plotly loads its submodules lazily, about a hundred
first imports from the build thread after the main thread had gone. So work that finishes while
`exiting()` keeps its result and shows nothing, and what a thread imports before that point is
imported before it starts (`start` takes the modules; a drawing already under way as the main
thread finishes finds plotly's parts imported by `figures.prepare_drawing`, run on the click).
"""

from __future__ import annotations

import importlib
import threading
from typing import Any, Callable, Iterable

_lock = threading.Lock()
_running: dict[threading.Thread, Any] = {}  # thread -> its cancel event (or None)
_closing = threading.Event()  # the interpreter is exiting: no new work


def start(target: Callable[[], object], *, name: str, cancel: Any = None,
          imports: Iterable[str] = ()) -> threading.Thread | None:
    """Run `target` in a registered thread; `cancel` (an Event) is set when everything stops.
    `imports`: modules `target` needs, imported here first (see the module doc). Once the
    interpreter is exiting nothing starts (None): work finishing then, such as a check that
    hands its result to the graphs, must not begin more."""
    if exiting():
        return None
    for module in imports:
        importlib.import_module(module)
    _watch_exit()

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


def exiting() -> bool:
    """The interpreter is exiting (its main thread has finished): begin nothing new."""
    return _closing.is_set() or not threading.main_thread().is_alive()


def running() -> list[threading.Thread]:
    with _lock:
        return [t for t in _running if t.is_alive()]


_watcher: threading.Thread | None = None


def _watch_exit() -> None:
    """Start, once, the daemon thread that stops all work when the main thread has finished."""
    global _watcher
    with _lock:
        if _watcher is not None:
            return
        _watcher = threading.Thread(target=_stop_after_main, name="trtlab-exit-watch", daemon=True)
    _watcher.start()


def _stop_after_main() -> None:
    threading.main_thread().join()
    stop()
