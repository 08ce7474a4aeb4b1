"""The board's data: every volume held in memory, one list model per state column.

The store is filled from `media.board_tuples()` (raw tuples, the fast path) and updated from
move results, so that a move of thousands of tapes never re-reads the whole table. Models
never change state: a drop decodes the volume ids and emits `move_requested`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from drm_gui.core.media import MoveResult, VolumeRow, pattern_to_regex, to_row
from drm_gui.core.models import utcnow
from drm_gui.core.states import DrmState, VolumeKind, allowed_targets, refusal_summary

MIME_TYPE = "application/x-drm-volume-ids"

RecordRole = Qt.ItemDataRole.UserRole + 1
VolumeIdRole = Qt.ItemDataRole.UserRole + 2
DiscrepancyRole = Qt.ItemDataRole.UserRole + 3

AnyIndex = QModelIndex | QPersistentModelIndex

# Combined once: flags() runs per card for every paint and selection, and each `|` of
# Python enum flags costs microseconds (0.15 s when 10,000 moved tapes were selected).
CARD_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemIsDragEnabled
    | Qt.ItemFlag.ItemNeverHasChildren
)


def encode_ids(ids: Iterable[int]) -> QByteArray:
    return QByteArray(",".join(str(i) for i in ids).encode("ascii"))


def decode_ids(data: QMimeData | None) -> list[int]:
    if data is None or not data.hasFormat(MIME_TYPE):
        return []
    raw = bytes(data.data(MIME_TYPE).data()).decode("ascii", "replace")
    try:
        return [int(part) for part in raw.split(",") if part]
    except ValueError:
        return []


@dataclass(frozen=True)
class BoardFilter:
    """What the operator typed and chose above the board."""

    text: str = ""
    pool: str = ""
    kind: VolumeKind | None = None

    def narrows(self, previous: BoardFilter) -> bool:
        """True when everything this filter passes also passed *previous* (the operator
        typed more of a volser), so that only what is shown now needs testing again."""
        old, new = previous.text.strip().upper(), self.text.strip().upper()
        return (
            self.pool == previous.pool
            and self.kind == previous.kind
            and not any(c in old + new for c in "*?")
            and old in new
        )

    def is_empty(self) -> bool:
        return not self.text.strip() and not self.pool and self.kind is None

    def apply(self, rows: list[VolumeRow]) -> list[VolumeRow]:
        """The rows (sorted by volser) that pass. Written as plain comprehensions: this runs
        over every tape of the site at each keystroke."""
        text = self.text.strip().upper()
        out = rows
        if "*" in text or "?" in text:
            # The literal start of the pattern bounds a range of the sorted rows.
            prefix = re.split(r"[*?]", text, maxsplit=1)[0]
            if prefix:
                low = bisect.bisect_left(out, prefix, key=_volser)
                high = bisect.bisect_left(out, prefix + "\uffff", key=_volser)
                out = out[low:high]
            match = pattern_to_regex(text).match
            out = [r for r in out if match(r[1])]
        elif text:
            out = [r for r in out if text in r[1]]
        if self.pool:
            pool = self.pool
            out = [r for r in out if r[3] == pool]
        if self.kind is not None:
            kind = self.kind
            out = [r for r in out if r[2] is kind]
        return out


def _volser(row: VolumeRow) -> str:
    return row[1]


class BoardStore(QObject):
    """Every volume of the database, grouped by state, with the current filter applied.

    Signals:
        reset: the whole board was reloaded or re-filtered; columns must re-read.
    """

    reset = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._records: dict[int, VolumeRow] = {}
        self._by_state: dict[DrmState, list[VolumeRow]] = {s: [] for s in DrmState}
        self._visible: dict[DrmState, list[VolumeRow]] = {s: [] for s in DrmState}
        self._filter = BoardFilter()
        self._discrepancies: dict[str, str] = {}  # volser -> what the library says
        self._by_volser: dict[str, VolumeRow] | None = None

    # Loading and updating ------------------------------------------------------------
    def load(self, tuples: Iterable[Sequence[Any]]) -> None:
        """Replaces everything with *tuples* (media.board_tuples(), sorted by volser)."""
        # Sorted here, not trusted from SQL: PostgreSQL's collation may order differently,
        # and the filter's prefix search needs Python's order.
        self._records = {t[0]: to_row(t) for t in sorted(tuples, key=_volser)}
        # The records live as long as the window: keep them out of the collector's full
        # passes (each took 50-100 ms with 100,000 tapes). Tuples hold no cycles, so
        # reference counting still frees them after a reload.
        gc.freeze()
        self._regroup()

    def apply(self, result: MoveResult) -> None:
        """Takes in what a move, undo or expiry changed."""
        if not result.moved:
            return
        records = self._records
        for moved in result.moved:
            old = records.get(moved.volume_id)
            if old is not None:
                records[moved.volume_id] = old._replace(
                    state=moved.to_state, location=moved.to_location, updated_at=result.at
                )
        self._regroup()

    def update_records(self, rows: Iterable[Sequence[Any]]) -> None:
        """Replaces the given volumes' records (e.g. after flags changed)."""
        for t in rows:
            self._records[t[0]] = to_row(t)
        self._regroup()

    def set_discrepancies(self, by_volser: dict[str, str]) -> None:
        """What the library found that the records disagree with; shown on the cards."""
        self._discrepancies = dict(by_volser)
        self.reset.emit()

    def discrepancy(self, volser: str) -> str:
        return self._discrepancies.get(volser, "")

    def state_of_volser(self, volser: str) -> DrmState | None:
        if self._by_volser is None:
            self._by_volser = {r.volser.upper(): r for r in self._records.values()}
        record = self._by_volser.get(volser.upper())
        return record.state if record is not None else None

    def _regroup(self) -> None:
        self._by_volser = None
        groups: dict[DrmState, list[VolumeRow]] = {s: [] for s in DrmState}
        for record in self._records.values():
            groups[record.state].append(record)
        self._by_state = groups
        self._refilter()

    # Filtering -----------------------------------------------------------------------
    @property
    def filter(self) -> BoardFilter:
        return self._filter

    def set_filter(self, board_filter: BoardFilter) -> None:
        if board_filter == self._filter:
            return
        narrowing = board_filter.narrows(self._filter)
        self._filter = board_filter
        self._refilter(self._visible if narrowing else self._by_state)

    def _refilter(self, source: dict[DrmState, list[VolumeRow]] | None = None) -> None:
        board_filter = self._filter
        if board_filter.is_empty():
            self._visible = self._by_state
        else:
            rows_by_state = self._by_state if source is None else source
            self._visible = {s: board_filter.apply(rows) for s, rows in rows_by_state.items()}
        self.reset.emit()

    # Reading -------------------------------------------------------------------------
    def visible(self, state: DrmState) -> list[VolumeRow]:
        return self._visible[state]

    def in_state(self, state: DrmState) -> list[VolumeRow]:
        """Every tape in *state*, whatever the filter."""
        return list(self._by_state[state])

    def volsers(self) -> list[str]:
        return [r.volser for r in self._records.values()]

    def total(self, state: DrmState) -> int:
        return len(self._by_state[state])

    def get(self, volume_id: int) -> VolumeRow | None:
        return self._records.get(volume_id)

    def states_of(self, ids: Iterable[int]) -> set[DrmState]:
        records = self._records
        return {records[i].state for i in ids if i in records}

    def pools(self) -> list[str]:
        return sorted({r.pool for r in self._records.values() if r.pool})

    def __len__(self) -> int:
        return len(self._records)


class StateColumnModel(QAbstractListModel):
    """The tapes of one state that pass the filter, as a list; a drag and drop source
    and target.

    Signals:
        move_requested(list, object): ids dropped here; the target is this column's state.
    """

    move_requested = Signal(list, object)

    def __init__(self, state: DrmState, store: BoardStore, parent: QObject | None = None):
        super().__init__(parent)
        self.state = state
        self._store = store
        self._rows: list[VolumeRow] = store.visible(state)
        store.reset.connect(self._on_store_reset)

    def _on_store_reset(self) -> None:
        self.beginResetModel()
        self._rows = self._store.visible(self.state)
        self.endResetModel()

    # Reading ---------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def record(self, row: int) -> VolumeRow:
        return self._rows[row]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        record = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return record.volser
        if role == RecordRole:
            return record
        if role == VolumeIdRole:
            return record.id
        if role == DiscrepancyRole:
            return self._store.discrepancy(record.volser)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = tooltip(record, utcnow())
            problem = self._store.discrepancy(record.volser)
            return f"{text}\n⚠ library: {problem}" if problem else text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{record.volser}, {record.pool or record.kind.label}, {record.state.label}"
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return CARD_FLAGS

    # Drag and drop ---------------------------------------------------------------------
    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        data = QMimeData()
        ids = [self._rows[i.row()].id for i in indexes if i.isValid()]
        data.setData(MIME_TYPE, encode_ids(ids))
        data.setText("\n".join(self._rows[i.row()].volser for i in indexes if i.isValid()))
        return data

    def refusal(self, data: QMimeData | None) -> str | None:
        """Why a drop of *data* here must be refused, or None when it may be dropped."""
        ids = decode_ids(data)
        if not ids:
            return "nothing to move"
        sources = self._store.states_of(ids)
        if not sources:
            return "these tapes are no longer on the board"
        return refusal_summary(sources, self.state)

    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: AnyIndex,
    ) -> bool:
        if action not in (Qt.DropAction.MoveAction, Qt.DropAction.CopyAction):
            return False
        return self.refusal(data) is None

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: AnyIndex,
    ) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        # The move itself is done by the controller, after the drop has finished.
        self.move_requested.emit(decode_ids(data), self.state)
        return True


def legal_targets_for(states: set[DrmState]) -> set[DrmState]:
    out: set[DrmState] = set()
    for state in states:
        out |= allowed_targets(state)
    return out


def tooltip(record: VolumeRow, now: dt.datetime) -> str:
    days = max(0, (now - record.updated_at).days)
    lines = [
        f"{record.volser} · {record.kind.label}" + (f" · {record.pool}" if record.pool else ""),
        f"{record.state.value} at {record.location} for {days} day(s)",
        f"{record.media_type}, {record.pct_used:g}% used" + (" · WORM" if record.worm else ""),
    ]
    lines += [f"⚠ {w}" for w in record.warnings(now)]
    return "\n".join(lines)
