"""Long work off the main thread (plan export, imports): one function run in a pool
thread, its result or error delivered back on the main thread, and a progress window that
only appears when the work lasts more than about half a second: what is being done, how far
it is and a Cancel button, both once the work reports through drm_gui.core.progress (work
that does not report could not stop on a cancel: it gets no button). A cancelled task ends
with CancelledError as its error, having changed nothing.

Unlike the library's device thread, these tasks may use the database: peewee gives each
thread its own connection, and SQLite in WAL mode lets the board read meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from drm_gui.core.models import database
from drm_gui.core.progress import CancelledError, Progress, running
from drm_gui.core.states import DrmError

log = logging.getLogger(__name__)

PROGRESS_DELAY_MS = 500


class _Relay(QObject):
    finished = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)


class _Runnable(QRunnable):
    def __init__(self, function: Callable[[], Any], relay: _Relay, progress: Progress) -> None:
        super().__init__()
        self.function = function
        self.relay = relay
        self.progress = progress

    def run(self) -> None:
        try:
            with running(self.progress):
                result = self.function()
        except CancelledError as exc:
            log.info("background task cancelled by the operator")
            self.relay.failed.emit(exc)
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
        self._relay.progressed.connect(self._progressed, queued)
        self.progress = Progress(self._relay.progressed.emit)
        self._runnable = _Runnable(function, self._relay, self.progress)
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
        dialog = QProgressDialog(self._label(), "Cancel", 0, 0, self._parent)
        dialog.setWindowTitle(self.title)
        dialog.setCancelButton(None)  # until the work shows it reports (and so can stop)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(self.cancel)
        self._progress = dialog
        if self.progress.text:  # the work has reported already
            self._progressed(self.progress.done, self.progress.total, self.progress.text)
        dialog.show()

    def _label(self) -> str:
        text = self.progress.text
        return f"{self.title}…\n{text}" if text else f"{self.title}…"

    @Slot(int, int, str)
    def _progressed(self, done: int, total: int, _text: str) -> None:
        dialog = self._progress
        if dialog is None or self.progress.cancelled:
            return
        if dialog.findChild(QPushButton) is None:
            dialog.setCancelButtonText("Cancel")
        dialog.setLabelText(self._label())
        if total > 0:
            dialog.setRange(0, total)
            dialog.setValue(min(done, total))
        else:
            dialog.setRange(0, 0)  # busy: the size of this step is not known

    def cancel(self) -> None:
        """Asks the work to stop at its next progress report; it ends with CancelledError."""
        if not self.running:
            return
        self.progress.cancel()
        if self._progress is not None:
            self._progress.show()  # QProgressDialog hides itself on Cancel
            self._progress.setLabelText(f"{self.title}: cancelling…")
            self._progress.setRange(0, 0)
            button = self._progress.findChild(QPushButton)
            if button is not None:
                button.setEnabled(False)

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
