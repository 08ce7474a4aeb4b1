"""Follows the changes other workstations make, so that the board is never stale.

PostgreSQL: a listening connection (LISTEN/NOTIFY) watched by a QSocketNotifier, so a
notification is read as soon as it arrives, without a thread or a busy loop. SQLite: a timer
asks `PRAGMA data_version` a few times a second. Both then read only what changed
(core.changes) and hand it to the board.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal, Slot

from drm_gui.core import changes
from drm_gui.core.changes import ChangeMark, Changes

log = logging.getLogger(__name__)

SQLITE_POLL_MS = 500  # PRAGMA data_version: microseconds each
SAFETY_POLL_MS = 5000  # PostgreSQL: a check now and then, should a notification be lost
SETTLE_MS = 100  # notifications of one burst of commits are read once


class ChangeWatcher(QObject):
    """Signals:
    changed(object): a core.changes.Changes: the volumes moved elsewhere, or reload_all.
    """

    changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.mark: ChangeMark = changes.current_mark()
        self._version = changes.data_version()
        self._conn: Any = None
        self._notifier: QSocketNotifier | None = None
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.check)
        self._poll = QTimer(self)
        self._poll.timeout.connect(self._poll_once)

    def start(self) -> None:
        try:
            self._conn = changes.listen_connection()
        except Exception as exc:  # the board still works; it only follows less quickly
            log.warning("cannot listen for changes by other workstations: %s", exc)
            self._conn = None
        if self._conn is not None:
            self._notifier = QSocketNotifier(self._conn.fileno(), QSocketNotifier.Type.Read, self)
            self._notifier.activated.connect(self._notified)
            self._poll.start(SAFETY_POLL_MS)
        else:
            self._poll.start(SQLITE_POLL_MS)

    def stop(self) -> None:
        self._poll.stop()
        self._settle.stop()
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def catch_up(self) -> None:
        """The board was just read whole: every change so far is on it."""
        self.mark = changes.current_mark()
        self._version = changes.data_version()

    def absorb(self, own_ids: list[int]) -> None:
        """This workstation's own move is on the board already: what else changed since
        the last check is announced, the own tapes left out."""
        self._version = changes.data_version()
        found = self.check(skip=set(own_ids))
        if found is None:
            self.mark = changes.current_mark()

    @Slot()
    def _notified(self) -> None:
        try:
            if changes.drain(self._conn):
                self._settle.start()
        except Exception as exc:
            log.warning("the change listener stopped: %s; checking every few seconds", exc)
            if self._notifier is not None:
                self._notifier.setEnabled(False)

    @Slot()
    def _poll_once(self) -> None:
        if self._conn is None:
            version = changes.data_version()
            if version == self._version:
                return
            self._version = version
        self.check()

    @Slot()
    def check(self, skip: set[int] | None = None) -> Changes | None:
        """Reads what changed since the last check and announces it (without *skip*)."""
        try:
            found = changes.changes_since(self.mark)
        except Exception as exc:  # a database gone away: the next check tries again
            log.warning("cannot read the changes: %s", exc)
            return None
        self.mark = found.mark
        if skip:
            ids = tuple(i for i in found.volume_ids if i not in skip)
            found = Changes(found.mark, ids, found.reload_all)
        if found.any:
            self.changed.emit(found)
        return found
