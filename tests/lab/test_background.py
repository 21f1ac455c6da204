"""The Lab's background work ends cleanly: when the Lab is closed and when the process exits."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from trtlab.lab import Lab, background


def test_closing_a_lab_stops_its_work(small_model):
    others = set(background.running())  # Labs other tests left open keep theirs
    lab = Lab(small_model, check_options={"cache_dir": False, "timing": False})
    lab.build_panel.build.click()
    lab.close()
    assert not lab.build_panel.running
    assert not [t for t in background.running() if t.name.startswith("trtlab-") and t not in others]


# A Lab script whose main thread leaves while a check runs, at a chosen point of the check. An
# audit hook lists every module a Lab thread imports for the first time once the main thread has
# finished: such an import is what fails with "can't register atexit after shutdown" when the
# module registers exit work (concurrent.futures does), so there must be none, at any point.
EXIT_SCRIPT = textwrap.dedent("""
    import atexit, sys, threading

    late = []

    def first_imports_after_exit(event, args):
        if event == "import" and not threading.main_thread().is_alive() and args[0] not in sys.modules:
            late.append(f"{args[0]} ({threading.current_thread().name})")

    sys.addaudithook(first_imports_after_exit)
    import trtlab

    leave_at = sys.argv[1]
    lab = trtlab.Lab("zoo:resnet18", check_options={"cache_dir": False})
    panel, reached, shown = lab.build_panel, threading.Event(), lab.build_panel._on_progress

    def on_progress(event):
        if event.stage == leave_at:
            reached.set()
        shown(event)

    panel._on_progress = on_progress
    panel.build.click()   # a check in the background, still running at exit
    assert leave_at == "start" or reached.wait(300), leave_at
    # atexit runs after the interpreter has waited for the check.
    atexit.register(lambda: print("error:", repr(panel.error), "reasons:",
                                  [v.reason for v in panel.result.verdicts], "late imports:", late))
    print("leaving")
""")


@pytest.mark.parametrize("leave_at", ["start", "build", "done"])
def test_a_script_that_leaves_work_running_exits_cleanly(leave_at):
    """At the start the check is told to stop; while it builds it stops there (hashing the model
    for the cache key on the way, though concurrent.futures takes no work once the interpreter
    exits); as it finishes, its result is kept and not drawn. No error, and no thread imports
    anything new once the main thread is gone."""
    out = subprocess.run([sys.executable, "-c", EXIT_SCRIPT, leave_at], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    said = out.stdout + out.stderr[-2000:]
    assert "leaving" in out.stdout and "FATAL" not in out.stderr and "Traceback" not in out.stderr, said
    assert "error: None" in out.stdout and "late imports: []" in out.stdout, said
    if leave_at == "start":
        assert "reasons: ['cancelled']" in out.stdout, said
    if leave_at == "done":
        assert "every element within" in out.stdout, said
