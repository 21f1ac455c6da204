"""A check's progress: steps counted once and only upwards, word from inside a step, time per stage,
and the cancel flag."""

from __future__ import annotations

import threading
import time

from trtlab.check.progress import CheckEvent, Progress


def test_steps_count_up_to_the_planned_total_and_finish_at_one():
    events: list[CheckEvent] = []
    progress = Progress(events.append)
    progress.plan_steps(3)
    progress.step("reference", "running the fp32 model")
    progress.event("build", "engine 0: phase 1", precision="fp16", engine="trt_engine_0")  # the count stays
    progress.step("build", "fp16: building", precision="fp16")
    progress.plan_steps(1)  # never below what is done: the count only goes up
    progress.step("accuracy", "comparing")
    progress.step("timing", "one more than planned")  # held at the total
    progress.finish()
    assert [(e.stage, e.done, e.total) for e in events] == [
        ("reference", 1, 3), ("build", 1, 3), ("build", 2, 3), ("accuracy", 3, 3), ("timing", 3, 3), ("done", 3, 3)]
    assert events[1].engine == "trt_engine_0" and events[1].precision == "fp16" and events[-1].fraction == 1.0
    assert CheckEvent("load", 0, 0, "").fraction == 1.0 and CheckEvent("load", 1, 4, "").fraction == 0.25


def test_time_is_kept_per_stage_and_no_callback_is_fine():
    progress = Progress(None)
    progress.step("reference", "a")
    time.sleep(0.05)
    progress.step("build", "b")
    progress.step("reference", "again")  # a stage met twice adds up
    time.sleep(0.02)
    progress.finish()
    assert set(progress.elapsed) == {"reference", "build"}
    assert progress.elapsed["reference"] >= 0.07 and progress.elapsed["build"] >= 0


def test_cancelled_reads_the_flag_each_time():
    stop = threading.Event()
    progress = Progress(None, cancel=stop)
    assert not progress.cancelled
    stop.set()
    assert progress.cancelled and not Progress(None).cancelled
