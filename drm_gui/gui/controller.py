"""The board's controller: every user action on tapes goes through here to the core.

Drops, the context menu and the keyboard all call `move()`; the core checks the rules and
writes one transaction; the store takes in the result; the window is told what happened.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from drm_gui.core import media, retention
from drm_gui.core.changes import Changes
from drm_gui.core.db import DatabaseInfo
from drm_gui.core.media import MoveResult
from drm_gui.core.states import DrmError, DrmState
from drm_gui.gui.board_model import BoardStore
from drm_gui.gui.change_watch import ChangeWatcher

log = logging.getLogger(__name__)


def describe_result(result: MoveResult, target: DrmState | None = None) -> str:
    """One or two sentences for the notice and the status bar."""
    moved = len(result.moved)
    parts = []
    if moved:
        where = f" to {target.value}" if target else ""
        if moved == 1:
            parts.append(f"Moved {result.moved[0].volser}{where}.")
        else:
            parts.append(f"Moved {moved:,} tapes{where}.")
    if result.refused:
        reasons: dict[str, list[str]] = {}
        for refusal in result.refused:
            reasons.setdefault(refusal.reason, []).append(refusal.volser)
        texts = []
        for reason, volsers in reasons.items():
            names = ", ".join(volsers[:3]) + (
                f" and {len(volsers) - 3} more" if len(volsers) > 3 else ""
            )
            texts.append(f"{names}: {reason}")
        verb = "Not moved" if moved == 0 else f"{len(result.refused):,} not moved"
        parts.append(f"{verb}: " + "; ".join(texts) + ".")
    return " ".join(parts) or "Nothing to move."


class BoardController(QObject):
    """Carries out the operator's actions on the main thread.

    Signals:
        moves_done(object, object): a MoveResult and its target DrmState (None for an undo).
        notice(str, str): a message for the operator and its level ('info', 'warning').
        undo_available(bool): whether there is a move batch of this session to undo.
        expiry_evaluated(object): the ExpiryResult of an evaluation.
        board_reloaded(): the board was read anew from the database.
        changed_elsewhere(list): ids of tapes another workstation moved (the board has them).
    """

    moves_done = Signal(object, object)
    notice = Signal(str, str)
    undo_available = Signal(bool)
    expiry_evaluated = Signal(object)
    board_reloaded = Signal()
    changed_elsewhere = Signal(list)

    def __init__(self, store: BoardStore, db_info: DatabaseInfo, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.db_info = db_info
        self._undo_stack: list[tuple[int, DrmState]] = []
        # Set by the library controller: takes the moves that need the robot (returns True).
        self.move_router: Callable[[list[int], DrmState, str | None], bool] | None = None
        self.last_evaluation: dt.datetime | None = None
        self.watcher: ChangeWatcher | None = None

    # Loading ---------------------------------------------------------------------------
    def reload(self) -> None:
        self.store.load(media.board_tuples())
        self.last_evaluation = retention.last_evaluation()
        if self.watcher is not None:
            self.watcher.catch_up()
        self.board_reloaded.emit()

    # Other workstations ----------------------------------------------------------------
    def follow_others(self) -> None:
        """Keeps the board in step with the moves other workstations make."""
        self.watcher = ChangeWatcher(self)
        self.watcher.changed.connect(self._changed_elsewhere)
        self.watcher.start()

    def stop_following(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None

    @Slot(object)
    def _changed_elsewhere(self, found: Changes) -> None:
        if found.reload_all:
            self.reload()
            self.notice.emit(
                "Tapes were added or removed elsewhere: the board is up to date.", "info"
            )
            return
        ids = list(found.volume_ids)
        self.store.update_records(media.board_tuples(ids))
        self.changed_elsewhere.emit(ids)
        self.notice.emit(f"{len(ids):,} tape(s) moved on another workstation.", "info")

    # Moves -----------------------------------------------------------------------------
    def connect_drops(self, source: QObject) -> None:
        """Drops are carried out once the drag has ended (queued), never inside it."""
        source.move_requested.connect(  # type: ignore[attr-defined]
            self.move, Qt.ConnectionType.QueuedConnection
        )

    @Slot(list, object)
    def move(
        self,
        ids: list[int],
        target: DrmState,
        to_location: str | None = None,
        reason: str = "",
    ) -> None:
        if not ids:
            self.notice.emit("Select one or more tapes first.", "warning")
            return
        if self.move_router is not None and self.move_router(ids, target, to_location):
            return  # the library ejects first; it hands the recorded result to take_result
        try:
            seen = {i: r.state for i in ids if (r := self.store.get(i)) is not None}
            result = media.move_volumes(
                ids, target, to_location=to_location, reason=reason, seen=seen
            )
        except DrmError as exc:
            self.notice.emit(f"Nothing was moved: {exc}", "warning")
            self.reload()
            return
        self.take_result(result, target)

    def take_result(self, result: MoveResult, target: DrmState) -> None:
        """A move recorded by the core (here or after a library job): board, undo, notice."""
        self.store.apply(result)
        self._absorb(result)
        if result.refused:  # tapes someone else moved meanwhile: show where they are now
            self.store.update_records(media.board_tuples([r.volume_id for r in result.refused]))
        if result.batch_id is not None:
            self._undo_stack.append((result.batch_id, target))
            self.undo_available.emit(True)
        self.notice.emit(describe_result(result, target), "info" if result.ok else "warning")
        self.moves_done.emit(result, target)

    def _absorb(self, result: MoveResult) -> None:
        if self.watcher is not None:
            self.watcher.absorb([m.volume_id for m in result.moved])

    def can_undo(self) -> bool:
        return bool(self._undo_stack)

    @Slot()
    def undo(self) -> None:
        if not self._undo_stack:
            self.notice.emit("There is no move of this session to undo.", "warning")
            return
        batch_id, target = self._undo_stack.pop()
        self.undo_available.emit(bool(self._undo_stack))
        try:
            result = media.correct_batch(batch_id, reason=f"undo of a move to {target.value}")
        except DrmError as exc:
            self.notice.emit(f"Cannot undo: {exc}", "warning")
            return
        self.store.apply(result)
        self._absorb(result)
        moved = len(result.moved)
        text = f"Undone: {moved:,} tape(s) back where they were."
        if result.refused:
            text += f" {len(result.refused):,} had moved on since and were left alone."
        self.notice.emit(text, "info" if result.ok else "warning")
        self.moves_done.emit(result, None)

    # Expiry ----------------------------------------------------------------------------
    @Slot()
    def evaluate_expiry(self, quiet_when_nothing: bool = False) -> None:
        try:
            result = retention.evaluate_expiry()
        except DrmError as exc:
            self.notice.emit(f"The expiry evaluation failed: {exc}", "warning")
            return
        self.last_evaluation = result.at
        if result.changes:
            # Flags (WORM) changed too: re-read just those volumes.
            ids = [c.volume_id for c in result.changes]
            self.store.update_records(media.board_tuples(ids))
            worm = sum(1 for c in result.changes if c.worm)
            text = f"Expiry evaluation: {len(result.changes):,} tape(s) now VAULTRETRIEVE."
            if worm:
                text += f" {worm} WORM tape(s) flagged: destroy or archive on return."
            self.notice.emit(text, "info")
        elif not quiet_when_nothing:
            self.notice.emit("Expiry evaluation: no tape is due back.", "info")
        self.expiry_evaluated.emit(result)

    def schedule_startup_evaluation(self) -> None:
        QTimer.singleShot(0, lambda: self.evaluate_expiry(quiet_when_nothing=True))
