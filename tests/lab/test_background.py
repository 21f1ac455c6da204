"""The Lab's background work ends cleanly: when the Lab is closed and when the process exits."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from trtlab.lab import Lab, background


def test_closing_a_lab_stops_its_work(small_model):
    lab = Lab(small_model, check_options={"cache_dir": False, "timing": False})
    lab.build_panel.build.click()
    lab.close()
    assert not lab.build_panel.running
    assert not [t for t in background.running() if t.name.startswith("trtlab-")]


def test_a_script_that_leaves_work_running_exits_cleanly():
    script = textwrap.dedent("""
        import atexit
        import trtlab
        lab = trtlab.Lab("zoo:resnet18", check_options={"cache_dir": False})
        lab.build_panel.build.click()   # a check in the background, still running at exit
        # atexit runs after the interpreter has waited for the check: it was told to stop.
        atexit.register(lambda: print("reasons:", [v.reason for v in lab.build_panel.result.verdicts]))
        print("leaving")
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "reasons: ['cancelled']" in out.stdout, out.stdout[-2000:] + out.stderr[-2000:]
    assert "leaving" in out.stdout and "FATAL" not in out.stderr and "Traceback" not in out.stderr
