"""Background tasks: results and errors come back on the main thread, and a progress
window appears only for work that lasts more than about half a second."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from drm_gui.core.progress import CancelledError
from drm_gui.core.progress import current as current_progress
from drm_gui.core.states import DrmError
from drm_gui.gui.tasks import BackgroundTask


def run(qtbot, parent: QWidget, function) -> tuple[str, object, list[QProgressDialog]]:
    task = BackgroundTask("Working", function, parent)
    seen: list[QProgressDialog] = []
    outcome: list[tuple[str, object]] = []
    task.done.connect(lambda r: outcome.append(("done", r)))
    task.error.connect(lambda e: outcome.append(("error", e)))
    task.start()

    def look() -> bool:
        seen.extend(d for d in parent.findChildren(QProgressDialog) if d.isVisible())
        return bool(outcome)

    qtbot.waitUntil(look, timeout=10_000)
    return outcome[0][0], outcome[0][1], seen


def test_a_quick_task_shows_no_progress_window(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    kind, result, seen = run(qtbot, parent, lambda: QThread.currentThread().objectName() or "x")
    assert kind == "done" and result
    assert seen == []


def test_a_long_task_shows_progress_until_it_ends(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    main = QThread.currentThread()

    def slow() -> bool:
        time.sleep(1.0)
        return QThread.currentThread() is not main

    kind, result, seen = run(qtbot, parent, slow)
    assert (kind, result) == ("done", True)  # ran off the main thread
    assert seen  # the progress window was shown meanwhile
    assert not any(d.isVisible() for d in parent.findChildren(QProgressDialog))


def test_errors_come_back_to_the_caller(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)

    def refused() -> None:
        raise DrmError("no database backup series")

    kind, error, _seen = run(qtbot, parent, refused)
    assert kind == "error"
    assert isinstance(error, DrmError) and "backup series" in str(error)


def counting(steps: int, pause: float, seen: list[int]):
    """Work that reports each of *steps* steps to the current progress."""

    def work() -> int:
        progress = current_progress()
        progress.stage("Getting ready")
        for step in range(1, steps + 1):
            time.sleep(pause)
            progress.update(step, steps, "Counting")
            seen.append(step)
        return steps

    return work


def visible_dialog(parent: QWidget) -> QProgressDialog | None:
    shown = [d for d in parent.findChildren(QProgressDialog) if d.isVisible()]
    return shown[0] if shown else None


def test_the_progress_window_shows_how_far_the_work_is(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    steps: list[int] = []
    task = BackgroundTask("Exporting", counting(40, 0.05, steps), parent)
    values: list[tuple[int, int, str]] = []
    task.start()

    def look() -> bool:
        dialog = visible_dialog(parent)
        if dialog is not None:
            values.append((dialog.value(), dialog.maximum(), dialog.labelText()))
        return not task.running

    qtbot.waitUntil(look, timeout=10_000)
    shown = [v for v in values if v[1] == 40]
    assert shown, values  # a determinate bar: so far of 40
    assert all(0 <= value <= 40 for value, _m, _t in shown)
    assert any(label == "Exporting…\nCounting" for _v, _m, label in shown)
    assert visible_dialog(parent) is None


def test_cancel_stops_the_work_at_its_next_step(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    steps: list[int] = []
    task = BackgroundTask("Exporting", counting(200, 0.02, steps), parent)
    outcome: list[object] = []
    task.done.connect(lambda r: outcome.append(("done", r)))
    task.error.connect(lambda e: outcome.append(e))
    task.start()
    qtbot.waitUntil(lambda: visible_dialog(parent) is not None, timeout=5_000)
    dialog = visible_dialog(parent)
    assert dialog is not None
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "Cancel"
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert "cancelling" in dialog.labelText()
    qtbot.waitUntil(lambda: bool(outcome), timeout=5_000)
    assert isinstance(outcome[0], CancelledError)
    assert "nothing was changed" in str(outcome[0])
    assert len(steps) < 200  # it stopped early
    assert visible_dialog(parent) is None


def test_work_that_reports_nothing_gets_no_cancel_button(qtbot):
    """It could not stop on a cancel: a button would promise what it cannot do."""
    parent = QWidget()
    qtbot.addWidget(parent)
    task = BackgroundTask("Sending", lambda: time.sleep(1.0), parent)
    task.start()
    qtbot.waitUntil(lambda: visible_dialog(parent) is not None, timeout=5_000)
    dialog = visible_dialog(parent)
    assert dialog is not None and dialog.findChild(QPushButton) is None
    qtbot.waitUntil(lambda: not task.running, timeout=5_000)
