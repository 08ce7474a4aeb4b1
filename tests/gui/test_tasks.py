"""Background tasks: results and errors come back on the main thread, and a progress
window appears only for work that lasts more than about half a second."""

from __future__ import annotations

import time

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QProgressDialog, QWidget

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
