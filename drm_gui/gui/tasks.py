"""Long work off the main thread (plan export, imports): one function run in a pool
thread, its result or error delivered back on the main thread, and a progress window that
only appears when the work lasts more than about half a second.

Unlike the library's device thread, these tasks may use the database: peewee gives each
thread its own connection, and SQLite in WAL mode lets the board read meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from drm_gui.core.models import database
from drm_gui.core.states import DrmError

log = logging.getLogger(__name__)

PROGRESS_DELAY_MS = 500


class _Relay(QObject):
    finished = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, function: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.function = function
        self.relay = relay

    def run(self) -> None:
        try:
            result = self.function()
        except (DrmError, OSError) as exc:  # the user is told what to do
            log.warning("background task refused: %s", exc)
            self.relay.failed.emit(exc)
        except Exception as exc:  # a bug: logged in full, and the user is told
            log.exception("background task failed")
            self.relay.failed.emit(exc)
        else:
            self.relay.finished.emit(result)
        finally:
            if database.obj is not None and not database.is_closed():
                database.close()  # this thread's own connection


class BackgroundTask(QObject):
    """Runs *function* in a pool thread; *on_done* / *on_error* run on the main thread.

    Signals:
        done(object): the function's result.
        error(object): the exception it raised.
    """

    done = Signal(object)
    error = Signal(object)

    def __init__(
        self,
        title: str,
        function: Callable[[], Any],
        parent: QWidget | None = None,
        *,
        show_progress: bool = True,
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.show_progress = show_progress  # False: work the operator did not wait for
        self._relay = _Relay()
        queued = Qt.ConnectionType.QueuedConnection
        self._relay.finished.connect(self._finished, queued)
        self._relay.failed.connect(self._failed, queued)
        self._runnable = _Runnable(function, self._relay)
        self._runnable.setAutoDelete(False)
        self._progress: QProgressDialog | None = None
        self._parent = parent
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_progress)
        self.running = False

    def start(self) -> None:
        self.running = True
        if self.show_progress:
            self._timer.start(PROGRESS_DELAY_MS)
        QThreadPool.globalInstance().start(self._runnable)

    def _show_progress(self) -> None:
        if not self.running:
            return
        dialog = QProgressDialog(f"{self.title}…", "", 0, 0, self._parent)
        dialog.setWindowTitle(self.title)
        dialog.setCancelButton(None)  # a plan export is not cut off half-written
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setMinimumDuration(0)
        dialog.show()
        self._progress = dialog

    def _close_progress(self) -> None:
        self.running = False
        self._timer.stop()
        if self._progress is not None:
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None

    @Slot(object)
    def _finished(self, result: object) -> None:
        self._close_progress()
        self.done.emit(result)

    @Slot(object)
    def _failed(self, error: object) -> None:
        self._close_progress()
        self.error.emit(error)
