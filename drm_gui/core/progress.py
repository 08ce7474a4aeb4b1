"""Progress and cancel for long work (plan and report PDFs, imports, exports, backups).

The work calls `update(done, total, text)` on `current()` now and then; whoever started it
(a window's progress dialog) sees the figures and may cancel. Cancelling makes the next
update raise CancelledError, which the work lets through its transaction (rolled back) and its
temporary files (removed): a cancelled operation leaves everything as it was.

Without a running Progress, `current()` is a silent one: the command line and the tests
call the same functions unchanged."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from drm_gui.core.states import DrmError

REPORT_EVERY_S = 0.1  # at most ten reports a second reach the window
PROGRESS_ROWS = 2000  # rows written between two reports of a long loop

Reporter = Callable[[int, int, str], None]


class CancelledError(DrmError):
    """The operator cancelled the work; nothing was changed."""

    def __init__(self) -> None:
        super().__init__("cancelled by the operator: nothing was changed")


class Progress:
    """Figures of one piece of work, and its cancel flag (set from any thread)."""

    def __init__(self, report: Reporter | None = None) -> None:
        self._report = report
        self._cancel = threading.Event()
        self._last = 0.0
        self.done = 0
        self.total = 0
        self.text = ""

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raises CancelledError once cancel() was called."""
        if self._cancel.is_set():
            raise CancelledError

    def update(self, done: int, total: int = 0, text: str | None = None) -> None:
        """*done* of *total* (0: not known), under *text* (None: the text stays); raises
        CancelledError once cancel() was called."""
        self.check()
        self.done, self.total = done, total
        changed = text is not None and text != self.text
        if text is not None:
            self.text = text
        if self._report is None:
            return
        now = time.monotonic()
        if changed or now - self._last >= REPORT_EVERY_S or (total and done >= total):
            self._last = now
            self._report(done, total, self.text)

    def stage(self, text: str) -> None:
        """A new step whose size is not known yet."""
        self.update(0, 0, text)


_SILENT = Progress()
_current: ContextVar[Progress] = ContextVar("drm_gui_progress", default=_SILENT)


def current() -> Progress:
    return _current.get()


@contextmanager
def running(progress: Progress) -> Iterator[Progress]:
    """Makes *progress* the current one for the work done inside (this thread)."""
    token = _current.set(progress)
    try:
        yield progress
    finally:
        _current.reset(token)
