"""Qt helpers of the bench: the QApplication, and waiting until widgets have painted."""

from __future__ import annotations

import ctypes
import sys
import time
from collections.abc import Iterable

import PySide6
from PySide6.QtCore import QEvent, QObject, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QWidget

# The offscreen platform says this for every top-level window; it tells nothing here.
_IGNORED_MESSAGES = ("This plugin does not support propagateSizeHints()",)

_none_note: str | None = None


def _message_handler(kind: QtMsgType, _context: object, message: str) -> None:
    if message not in _IGNORED_MESSAGES:
        print(f"qt: {message}", file=sys.stderr)


def guard_none_refcount() -> str | None:
    """PySide6 6.12.0 on Python 3.11 loses a reference to None on every call of a Qt method
    that returns nothing (setText, QPainter.save...). From Python 3.12 on None is immortal
    and this is harmless; on 3.11 the process aborts ("none_dealloc: deallocating None")
    after some thousands of such calls, i.e. a few repaints of the board. When that is
    detected, the bench (only the bench) gives None a reference count that cannot run out,
    as Python 3.12 does, so that the figures can be measured. Returns a note, or None."""
    if sys.version_info >= (3, 12):
        return None
    probe = QObject()
    calls = 200
    before = sys.getrefcount(None)
    for _ in range(calls):
        probe.setObjectName("probe")
    lost = before - sys.getrefcount(None)
    if lost < calls // 2:
        return None
    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40
    return (
        f"PySide6 {PySide6.__version__} on Python {sys.version.split()[0]} loses a reference "
        f"to None per call of a Qt method returning nothing ({lost} in {calls} calls): the "
        "app itself aborts with 'deallocating None' after a few repaints. Worked around "
        "inside this bench only (None made immortal, as in Python 3.12); use Python >= 3.12 "
        "or PySide6 6.11.x."
    )


def qapp() -> QApplication:
    """The process's QApplication, created on first use."""
    global _none_note
    app = QApplication.instance()
    if app is None:
        _none_note = guard_none_refcount()
        qInstallMessageHandler(_message_handler)
        app = QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    return app


def none_refcount_note() -> str | None:
    return _none_note


class PaintWatcher(QObject):
    """Tells when each of some widgets has handled a paint event since `arm()`.

    The filter sees a Paint event before the widget paints; `wait()` checks after
    processEvents() has returned, so the paint is complete by then."""

    def __init__(self, widgets: Iterable[QWidget]) -> None:
        super().__init__()
        self._widgets = list(widgets)
        self._pending: set[QWidget] = set()
        self.forced = 0  # repaints wait() had to force: nothing had scheduled them
        for widget in self._widgets:
            widget.installEventFilter(self)
        self.arm()

    def arm(self) -> None:
        self._pending = set(self._widgets)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self._pending.discard(watched)  # type: ignore[arg-type]
        return False

    def wait(self, app: QApplication, timeout: float = 60.0) -> None:
        """Processes events until every widget has painted. A widget still waiting after
        a few rounds with nothing happening is repainted synchronously (and counted)."""
        deadline = time.perf_counter() + timeout
        idle = 0
        while self._pending:
            before = len(self._pending)
            app.processEvents()
            idle = idle + 1 if len(self._pending) == before else 0
            if idle >= 3:
                for widget in list(self._pending):
                    self.forced += 1
                    widget.repaint()
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{len(self._pending)} widget(s) never painted")

    def remove(self) -> None:
        for widget in self._widgets:
            widget.removeEventFilter(self)
