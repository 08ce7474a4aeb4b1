"""The table models of the import preview (import_view.py): one plain model per tab, each
sorting itself, a conflict's resolution editable through the model."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from PySide6.QtCore import (
    QObject,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from drm_gui.core.import_history import (
    EmptyDiff,
    HistoryVolumeDiff,
    SeriesDiff,
)
from drm_gui.core.import_server import PoolDiff, UsageDiff
from drm_gui.core.import_volumes import Resolution, Status, VolumeDiff
from drm_gui.core.models import SeriesKind
from drm_gui.core.tsm_formats import ParseProblem
from drm_gui.core.tsm_formats_files import DeviceClass, Drive, Library
from drm_gui.core.tsm_formats_files import Path as DevicePath
from drm_gui.gui import style
from drm_gui.gui.detail import local_time
from drm_gui.gui.fonts import fixed_font
from drm_gui.gui.table_model import AnyIndex, Row, RowTableModel

RESOLUTION_LABELS: dict[Resolution, str] = {
    Resolution.KEEP_LOCAL: "Keep the local move",
    Resolution.TAKE_SERVER: "Take the server's record",
}
DEFAULT_RESOLUTION = Resolution.KEEP_LOCAL  # the local move is still to be sent

_CONFLICT_BACKGROUND = QColor(style.WARNING_COLOUR)
_CONFLICT_BACKGROUND.setAlpha(48)
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_READ_ONLY = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
_EDITABLE = _READ_ONLY | Qt.ItemFlag.ItemIsEditable


class Section(enum.Enum):
    """One table of a preview, named as its tab."""

    NEW = "New"
    CHANGED = "Changed"
    CONFLICTS = "Conflicts"
    UNCHANGED = "Unchanged"
    ONLY_HERE = "Only here"
    SERIES = "Backup series"
    HISTORY_VOLUMES = "Volumes to update"
    STORAGE = "Storage volumes"
    UNTRACKED = "Not tracked here"
    USAGE = "Utilisation"
    POOLS = "Storage pools"
    DEVICE_CLASSES = "Device classes"
    LIBRARIES = "Libraries"
    DRIVES = "Drives"
    PATHS = "Paths"
    PROBLEMS = "Bad lines"


STATUS_SECTIONS: dict[Status, Section] = {
    Status.NEW: Section.NEW,
    Status.CHANGED: Section.CHANGED,
    Status.CONFLICT: Section.CONFLICTS,
    Status.UNCHANGED: Section.UNCHANGED,
}
# Tables whose first column is a volser: the find box filters these.
VOLUME_SECTIONS = frozenset(
    {
        Section.NEW,
        Section.CHANGED,
        Section.CONFLICTS,
        Section.UNCHANGED,
        Section.ONLY_HERE,
        Section.HISTORY_VOLUMES,
        Section.STORAGE,
        Section.UNTRACKED,
        Section.USAGE,
    }
)
# The tab shown first: what needs a decision, then what will change.
FIRST_CHOICES = (
    Section.CONFLICTS,
    Section.NEW,
    Section.CHANGED,
    Section.SERIES,
    Section.HISTORY_VOLUMES,
    Section.STORAGE,
    Section.USAGE,
    Section.POOLS,
    Section.DEVICE_CLASSES,
    Section.PROBLEMS,
)


def _when(at: Any) -> str:
    """A stored time (naive UTC, as the import keeps the server's times) in local time."""
    return local_time(at) if at is not None else ""


def plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _status_text(status: Status) -> str:
    if status is Status.CONFLICT:
        return f"{style.WARNING_SIGN} Conflict"  # the sign doubles the colour
    return status.label


# --- Models -----------------------------------------------------------------------------------


class PreviewModel(RowTableModel[Row]):
    """A preview table: sorts itself (NUMERIC columns as numbers), FIXED columns (volsers,
    file text) in a fixed-width face.

    Sorting here costs one Python key per row (25,000 rows: ~0.1 s); a QSortFilterProxyModel
    sorting by itself asks data() twice per comparison (25,000 rows: ~2 s)."""

    NUMERIC: ClassVar[frozenset[int]] = frozenset()
    FIXED: ClassVar[frozenset[int]] = frozenset({0})

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fixed = fixed_font()
        self._order: list[int] = []  # row -> its position in the rows as given

    def set_rows(self, rows: Sequence[Row]) -> None:
        self._order = list(range(len(rows)))
        super().set_rows(rows)

    def number(self, value: Row, column: int) -> float:
        """The sort value of a NUMERIC column."""
        text = self.cell(value, column)
        return float(text) if text else 0.0

    def sort_key(self, value: Row, column: int) -> Any:
        return self.number(value, column) if column in self.NUMERIC else self.cell(value, column)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorts by *column*; a column of -1 restores the order the rows were given in."""
        positions = range(len(self._rows))
        if 0 <= column < self.columnCount():
            rows, key = self._rows, self.sort_key
            descending = order == Qt.SortOrder.DescendingOrder
            new = sorted(positions, key=lambda r: key(rows[r], column), reverse=descending)
        else:
            new = sorted(positions, key=self._order.__getitem__)
        if new == list(positions):
            return
        self.layoutAboutToBeChanged.emit()
        self._rows = [self._rows[r] for r in new]
        self._order = [self._order[r] for r in new]
        persistent = self.persistentIndexList()
        if persistent:  # the selection and the current row follow their rows
            where = {old: row for row, old in enumerate(new)}
            self.changePersistentIndexList(
                persistent,
                [self.index(where[i.row()], i.column()) for i in persistent],
            )
        self.reordered()
        self.layoutChanged.emit()

    def reordered(self) -> None:
        """Called after a sort, for subclasses that index their rows."""

    def extra(self, value: Row, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.FontRole and column in self.FIXED:
            return self._fixed
        return None


class _SourceSortingProxy(QSortFilterProxyModel):
    """Filters (in C++ when the find box is empty) and leaves sorting to the source model."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)


class VolumeDiffModel(PreviewModel[VolumeDiff]):
    """Volume records compared with the database; a conflict's resolution is editable.

    Signals:
        resolutions_changed(): the resolution of one or more conflicts was changed.
    """

    resolutions_changed = Signal()

    # The resolution comes early so that it is seen without scrolling; the note, often
    # long, last.
    HEADERS = ("Volume", "Status", "Resolution", "What changes", "Line", "Note")
    RESOLUTION = 2
    LINE = 4
    NUMERIC = frozenset({LINE})

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._resolutions: dict[str, Resolution] = {}
        self._conflict_rows: dict[str, int] = {}

    def set_rows(self, rows: Sequence[VolumeDiff]) -> None:
        self._conflict_rows = self._index_conflicts(rows)
        self._resolutions = dict.fromkeys(self._conflict_rows, DEFAULT_RESOLUTION)
        super().set_rows(rows)

    @staticmethod
    def _index_conflicts(rows: Sequence[VolumeDiff]) -> dict[str, int]:
        return {d.volser: row for row, d in enumerate(rows) if d.status is Status.CONFLICT}

    def reordered(self) -> None:
        self._conflict_rows = self._index_conflicts(self._rows)

    def resolutions(self) -> dict[str, Resolution]:
        """The resolution of every conflict, by volser."""
        return dict(self._resolutions)

    def set_resolution(self, volsers: Iterable[str], resolution: Resolution) -> int:
        """Settles the conflicts of *volsers* (others are ignored); how many changed."""
        rows = []
        for volser in volsers:
            row = self._conflict_rows.get(volser)
            if row is not None and self._resolutions[volser] is not resolution:
                self._resolutions[volser] = resolution
                rows.append(row)
        if rows:
            self.dataChanged.emit(
                self.index(min(rows), self.RESOLUTION), self.index(max(rows), self.RESOLUTION)
            )
            self.resolutions_changed.emit()
        return len(rows)

    def cell(self, value: VolumeDiff, column: int) -> str:
        if column == 0:
            return value.volser
        if column == 1:
            return _status_text(value.status)
        if column == 2:
            resolution = self._resolutions.get(value.volser)
            return RESOLUTION_LABELS[resolution] if resolution else ""
        if column == 3:
            return value.describe()
        if column == 4:
            line = value.record.line_number
            return str(line) if line else ""
        return value.note

    def extra(self, value: VolumeDiff, column: int, role: int) -> Any:
        if value.status is Status.CONFLICT:
            if role == Qt.ItemDataRole.BackgroundRole:
                return _CONFLICT_BACKGROUND
            if role == Qt.ItemDataRole.EditRole and column == self.RESOLUTION:
                return self._resolutions[value.volser].value
        return super().extra(value, column, role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        # Plain constants: Qt asks this for every cell of a selection (150,000 calls when
        # 25,000 conflicts are selected), and flag arithmetic in Python is slow.
        if not index.isValid():
            return _NO_FLAGS
        if index.column() == self.RESOLUTION and self._rows[index.row()].status is Status.CONFLICT:
            return _EDITABLE
        return _READ_ONLY

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        if index.column() != self.RESOLUTION:
            return False
        diff = self.row_value(index.row())
        if diff.status is not Status.CONFLICT:
            return False
        try:
            resolution = value if isinstance(value, Resolution) else Resolution(value)
        except ValueError:
            return False
        self.set_resolution([diff.volser], resolution)
        return True


class VolserModel(PreviewModel[str]):
    """A plain list of volsers, each with a note."""

    HEADERS = ("Volume", "Note")

    def __init__(self, note: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.note = note
        self.notes: dict[str, str] = {}  # a volser's own note, instead of *note*

    def cell(self, value: str, column: int) -> str:
        return value if column == 0 else self.notes.get(value, self.note)


class ProblemsModel(PreviewModel[tuple[str, ParseProblem]]):
    """The lines that could not be read: (where from, problem)."""

    HEADERS = ("Line", "Problem", "Text", "From")
    NUMERIC = frozenset({0})
    FIXED = frozenset({2})
    FROM = 3

    def cell(self, value: tuple[str, ParseProblem], column: int) -> str:
        origin, problem = value
        values = (str(problem.line_number), problem.message, problem.text, origin)
        return values[column]


class SeriesModel(PreviewModel[SeriesDiff]):
    HEADERS = ("Kind", "Series", "Started", "Volumes", "Device classes", "Status")
    NUMERIC = frozenset({1, 3})
    FIXED = frozenset()
    STATUS_TEXT: ClassVar[dict[Status, str]] = {
        Status.NEW: "New",
        Status.CHANGED: "Start time changed",
        Status.UNCHANGED: "Unchanged",
    }

    def cell(self, value: SeriesDiff, column: int) -> str:
        series = value.series
        if column == 0:
            return "Snapshot" if value.kind is SeriesKind.SNAPSHOT else "Full"
        if column == 1:
            return str(series.series)
        if column == 2:
            return _when(series.started)
        if column == 3:
            return str(len(series.volumes))
        if column == 4:
            return ", ".join(series.device_classes)
        return self.STATUS_TEXT.get(value.status, value.status.label)


class HistoryVolumeModel(PreviewModel[HistoryVolumeDiff]):
    HEADERS = (
        "Volume",
        "Series",
        "Operation",
        "Sequence",
        "Device class",
        "Written",
        "Becomes",
        "What changes",
    )
    NUMERIC = frozenset({2, 3})

    def cell(self, value: HistoryVolumeDiff, column: int) -> str:
        entry = value.entry
        if column == 0:
            return entry.volume
        if column == 1:
            kind, number = value.series
            return f"{'Snapshot' if kind is SeriesKind.SNAPSHOT else 'Full'} {number}"
        if column == 2:
            return str(entry.operation)
        if column == 3:
            return str(entry.sequence)
        if column == 4:
            return entry.device_class
        if column == 5:
            return _when(entry.when)
        if column == 6:
            return value.kind.label
        return ", ".join(value.fields)


class StorageModel(PreviewModel[EmptyDiff]):
    HEADERS = ("Volume", "Event", "Event date", "Becomes")

    def cell(self, value: EmptyDiff, column: int) -> str:
        if column == 0:
            return value.volser
        if column == 1:
            return value.event.type
        if column == 2:
            return _when(value.event.when)
        if value.empty_since is None:
            return "in use again"
        return f"empty since {_when(value.empty_since)}"


class UsageModel(PreviewModel[UsageDiff]):
    HEADERS = ("Volume", "Pool", "Server status", "Used before", "Used now", "Empty since")
    NUMERIC = frozenset({3, 4})

    def number(self, value: UsageDiff, column: int) -> float:
        return value.before if column == 3 else self._after(value)

    @staticmethod
    def _after(value: UsageDiff) -> float:
        return 0.0 if value.usage.empty else value.usage.pct_used

    def cell(self, value: UsageDiff, column: int) -> str:
        if column == 0:
            return value.volser
        if column == 1:
            return value.usage.pool
        if column == 2:
            return value.usage.status
        if column == 3:
            return f"{value.before:.1f} %"
        if column == 4:
            return f"{self._after(value):.1f} %"
        return _when(value.empty_since)


class PoolModel(PreviewModel[PoolDiff]):
    HEADERS = ("Pool", "Change", "Type", "Device class", "Reuse delay", "What changes")
    NUMERIC = frozenset({4})
    FIXED = frozenset()

    def number(self, value: PoolDiff, column: int) -> float:
        return float(value.pool.reuse_delay_days)

    def cell(self, value: PoolDiff, column: int) -> str:
        pool = value.pool
        values = (
            pool.name,
            "New" if value.new else "Changed",
            pool.pool_type.value,
            pool.device_class,
            plural(pool.reuse_delay_days, "day", "days"),
            "new pool" if value.new else ", ".join(value.fields),
        )
        return values[column]


class DeviceClassModel(PreviewModel[DeviceClass]):
    HEADERS = ("Device class", "Device type", "Library", "Line")
    NUMERIC = frozenset({3})
    FIXED = frozenset()

    def cell(self, value: DeviceClass, column: int) -> str:
        values = (value.name, value.devtype, value.library, str(value.command.line_number))
        return values[column]


class LibraryModel(PreviewModel[Library]):
    HEADERS = ("Library", "Type", "Line")
    NUMERIC = frozenset({2})
    FIXED = frozenset()

    def cell(self, value: Library, column: int) -> str:
        return (value.name, value.libtype, str(value.command.line_number))[column]


class DriveModel(PreviewModel[Drive]):
    HEADERS = ("Library", "Drive", "Element", "Line")
    NUMERIC = frozenset({3})
    FIXED = frozenset()

    def cell(self, value: Drive, column: int) -> str:
        command = value.command
        values = (value.library, value.name, command.option("ELEMENT"), str(command.line_number))
        return values[column]


class PathModel(PreviewModel[DevicePath]):
    HEADERS = ("Source", "Destination", "Source type", "Destination type", "Device", "Line")
    NUMERIC = frozenset({5})
    FIXED = frozenset({4})

    def cell(self, value: DevicePath, column: int) -> str:
        values = (
            value.source,
            value.destination,
            value.srctype,
            value.desttype,
            value.device,
            str(value.command.line_number),
        )
        return values[column]


# --- Views ------------------------------------------------------------------------------------
