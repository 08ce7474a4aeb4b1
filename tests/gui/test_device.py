"""The device thread: jobs one at a time off the main thread, progress, cancel, operator
pauses, failures; and the main thread keeps ticking while the robot works."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from PySide6.QtCore import QElapsedTimer, QThread, QTimer

from drm_gui.gui.device import JobContext, LibraryDevice
from drm_gui.library.base import CancelledError, NotReadyError


class SlowRobot:
    """Stands for a library whose every step takes *step* seconds (the jobs below call it)."""

    def __init__(self, step: float = 0.05) -> None:
        self.step = step
        self.threads: set[str] = set()
        self.moves: list[str] = []

    def move(self, tag: str, ctx: JobContext) -> None:
        self.threads.add(threading.current_thread().name)
        deadline = time.monotonic() + self.step
        while time.monotonic() < deadline:
            if ctx.cancel.is_set():
                raise CancelledError()
            time.sleep(0.005)
        self.moves.append(tag)
        ctx.progress(f"moved {tag}")


@pytest.fixture
def device(qtbot):
    robot = SlowRobot()
    dev = LibraryDevice(robot, "TEST")  # type: ignore[arg-type]
    yield dev
    dev.shutdown()


def eject_job(tags: list[str]):
    def run(robot: SlowRobot, ctx: JobContext) -> list[str]:
        for tag in tags:
            robot.move(tag, ctx)
        return tags

    return run


def test_jobs_run_in_the_device_thread_one_at_a_time(qtbot, device):
    robot: SlowRobot = device.library  # type: ignore[assignment]
    finished: list[int] = []
    device.job_finished.connect(lambda job_id, _r: finished.append(job_id))
    first = device.submit("first", eject_job(["A", "B"]))
    second = device.submit("second", eject_job(["C"]))
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=5000)
    assert finished == [first, second]
    assert robot.moves == ["A", "B", "C"]
    assert threading.main_thread().name not in robot.threads
    assert device.jobs[first].result == ["A", "B"]
    assert not device.busy()


def test_progress_reaches_the_main_thread(qtbot, device):
    seen: list[tuple[str, bool]] = []
    main = QThread.currentThread()
    device.job_progress.connect(
        lambda _i, text: seen.append((text, QThread.currentThread() is main))
    )
    with qtbot.waitSignal(device.job_finished, timeout=5000):
        device.submit("eject", eject_job(["A", "B", "C"]))
    assert seen == [("moved A", True), ("moved B", True), ("moved C", True)]


def test_cancel_stops_between_steps_and_keeps_what_was_done(qtbot, device):
    robot: SlowRobot = device.library  # type: ignore[assignment]
    robot.step = 0.2
    job_id = device.submit("eject", eject_job(["A", "B", "C", "D"]))
    qtbot.waitUntil(lambda: robot.moves == ["A"], timeout=5000)
    with qtbot.waitSignal(device.job_failed, timeout=5000) as blocker:
        device.cancel(job_id)
    assert isinstance(blocker.args[1], CancelledError)
    assert device.jobs[job_id].state == "cancelled"
    assert robot.moves in (["A"], ["A", "B"])  # the step under way may finish


def test_a_library_error_fails_the_job_and_the_next_job_still_runs(qtbot, device):
    def offline(_robot: SlowRobot, _ctx: JobContext) -> None:
        raise NotReadyError()

    with qtbot.waitSignal(device.job_failed, timeout=5000) as blocker:
        bad = device.submit("inventory", offline)
    assert isinstance(blocker.args[1], NotReadyError)
    assert "not ready" in str(blocker.args[1])
    assert device.jobs[bad].state == "failed"
    with qtbot.waitSignal(device.job_finished, timeout=5000):
        device.submit("eject", eject_job(["A"]))


def test_a_job_waits_for_the_operator_and_resumes(qtbot, device):
    robot: SlowRobot = device.library  # type: ignore[assignment]

    def rounds(robot: SlowRobot, ctx: JobContext) -> str:
        robot.move("A", ctx)
        if not ctx.ask_operator("Empty the I/O station (1 tape), then press Continue", 1):
            return "stopped"
        robot.move("B", ctx)
        return "both"

    with qtbot.waitSignal(device.operator_needed, timeout=5000) as blocker:
        job_id = device.submit("eject", rounds)
    assert blocker.args[1].startswith("Empty the I/O station (1 tape)")
    assert device.jobs[job_id].state == "waiting"
    qtbot.wait(150)
    assert robot.moves == ["A"]  # nothing moves while the operator is asked
    with qtbot.waitSignal(device.job_finished, timeout=5000) as done:
        device.answer_operator(job_id, True)
    assert done.args[1] == "both"
    assert robot.moves == ["A", "B"]


def test_stop_at_an_operator_prompt_ends_the_job(qtbot, device):
    def rounds(robot: SlowRobot, ctx: JobContext) -> str:
        robot.move("A", ctx)
        return "continued" if ctx.ask_operator("Empty it", 1) else "stopped"

    with qtbot.waitSignal(device.operator_needed, timeout=5000) as blocker:
        device.submit("eject", rounds)
    with qtbot.waitSignal(device.job_finished, timeout=5000) as done:
        device.answer_operator(blocker.args[0], False)
    assert done.args[1] == "stopped"


def test_the_main_thread_never_waits_while_the_robot_works(qtbot, device):
    """A heartbeat on the main thread, every 10 ms, while a slow job runs for ~1.5 s: the
    longest gap between two beats stays under 100 ms."""
    robot: SlowRobot = device.library  # type: ignore[assignment]
    robot.step = 0.1
    clock = QElapsedTimer()
    clock.start()
    beats: list[int] = []
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: beats.append(clock.elapsed()))
    heartbeat.start()
    with qtbot.waitSignal(device.job_finished, timeout=10_000):
        device.submit("eject", eject_job([f"T{i}" for i in range(15)]))
    heartbeat.stop()
    gaps = [b - a for a, b in itertools.pairwise(beats)]
    assert len(beats) > 50
    assert max(gaps) < 100, f"the main thread stalled for {max(gaps)} ms"
