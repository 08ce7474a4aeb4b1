"""The preview of an import of the storage server's records, shown before anything is
written: what the file (or a synchronisation) adds, changes and leaves alone, the conflicts
with local moves and how each is settled, and the lines that could not be read. Also the
stored device configuration (ServerConfigDialog).

The dialogs write nothing: the caller applies the preview (import_volumes.apply_volumes,
import_history.apply_volhist / apply_devconfig, import_server.apply_sync) with what the
operator chose here, resolutions() and accept_problems(), off the main thread.

Tables of 100,000 rows open at once: one plain table model per tab over a sorting proxy,
no widget per row, and the resolution of a conflict edited through the model (a combo box
delegate exists only while a cell is being edited).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QObject,
    QRegularExpression,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from drm_gui.core import site
from drm_gui.core.import_history import (
    DevconfigPreview,
    VolhistPreview,
    stored_devconfig,
)
from drm_gui.core.import_server import SyncPreview
from drm_gui.core.import_volumes import Resolution, Status, VolumePreview
from drm_gui.core.media import pattern_to_regex
from drm_gui.core.site import ServerFile
from drm_gui.core.tsm_formats import ParseProblem
from drm_gui.core.tsm_formats_files import DevconfigResult
from drm_gui.gui import style
from drm_gui.gui.detail import local_time
from drm_gui.gui.import_models import (
    FIRST_CHOICES,
    RESOLUTION_LABELS,
    STATUS_SECTIONS,
    VOLUME_SECTIONS,
    DeviceClassModel,
    DriveModel,
    HistoryVolumeModel,
    LibraryModel,
    PathModel,
    PoolModel,
    PreviewModel,
    ProblemsModel,
    Section,
    SeriesModel,
    StorageModel,
    UsageModel,
    VolserModel,
    VolumeDiffModel,
    _SourceSortingProxy,
    plural,
)
from drm_gui.gui.memory import ColumnMemory, GeometryMemory
from drm_gui.gui.table_model import AnyIndex

AnyPreview = VolumePreview | VolhistPreview | DevconfigPreview | SyncPreview

ACCEPT_TEXT = "Import the valid lines and skip the bad ones"
NOTHING_FROM_FILE = "Nothing to import: the database already agrees with the file"
NOTHING_FROM_SERVER = "Nothing to import: the database already agrees with the server"
UNTRACKED_HINT = (
    "The volume history says nothing of where a tape is, so these volumes are not created "
    "from it. Import the QUERY DRMEDIA list first (File → Import → QUERY DRMEDIA), then the "
    "history again."
)
NO_DEVCONFIG = (
    "No device configuration is stored yet. Import the server's devconfig.out with "
    "File → Import → Device configuration: the recovery plan needs it."
)
FILTER_DELAY_MS = 250


class PreviewTable(QTableView):
    """A read-only table over a sorting proxy; Ctrl+C copies the selected rows."""

    def __init__(self, model: PreviewModel[Any], name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Before setModel: with a model, changing the scroll mode lays out every row at once.
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.source_model = model
        self.proxy = _SourceSortingProxy(self)
        self.proxy.setFilterKeyColumn(0)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setSourceModel(model)
        self.setModel(self.proxy)
        self.setAccessibleName(name)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        rows = self.verticalHeader()
        rows.hide()
        # Fixed row heights: no Python call per row to size 100,000 rows.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setResizeContentsPrecision(200)
        header.setStretchLastSection(True)
        # No sort column: the rows stay in the core's order (by volser, by line) until the
        # operator clicks a header.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorClearable(True)  # a third click restores that order
        self.setSortingEnabled(True)
        ColumnMemory(self, f"import-{name}")
        copy = QAction("Copy", self)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selection)
        self.addAction(copy)

    def selected_source_rows(self) -> list[int]:
        rows: set[int] = set()
        for selected in self.selectionModel().selection():  # ranges: no index per row
            rows.update(range(selected.top(), selected.bottom() + 1))
        if self.proxy.rowCount() != self.source_model.rowCount():  # filtered: map each row
            return sorted({self.proxy.mapToSource(self.proxy.index(r, 0)).row() for r in rows})
        return sorted(rows)  # the proxy neither sorts nor filters: the same rows

    def selected_text(self) -> str:
        """The selected rows as tab-separated lines, in the order shown."""
        proxy_rows = sorted(i.row() for i in self.selectionModel().selectedRows())
        columns = [c for c in range(self.proxy.columnCount()) if not self.isColumnHidden(c)]
        return "\n".join(
            "\t".join(str(self.proxy.index(row, c).data() or "") for c in columns)
            for row in proxy_rows
        )

    def copy_selection(self) -> None:
        text = self.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    def set_find_text(self, text: str) -> None:
        """Shows only the rows whose volser contains *text*, or matches it when it has * or ?
        (as the board's filter)."""
        text = text.strip()
        if "*" in text or "?" in text:
            expression = QRegularExpression(
                pattern_to_regex(text).pattern,
                QRegularExpression.PatternOption.CaseInsensitiveOption,
            )
            self.proxy.setFilterRegularExpression(expression)
        else:
            self.proxy.setFilterFixedString(text)


class ResolutionDelegate(QStyledItemDelegate):
    """Edits a conflict's resolution with a combo box, through the model."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        combo = QComboBox(parent)
        for resolution, label in RESOLUTION_LABELS.items():
            combo.addItem(label, resolution.value)
        combo.activated.connect(self._commit)
        return combo

    def _commit(self) -> None:
        editor = self.sender()
        if isinstance(editor, QComboBox):
            self.commitData.emit(editor)

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        if isinstance(editor, QComboBox):
            found = editor.findData(index.data(Qt.ItemDataRole.EditRole))
            editor.setCurrentIndex(max(found, 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


def _page(table: QTableView, above: Sequence[QWidget] = ()) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(4, 4, 4, 4)
    for widget in above:
        layout.addWidget(widget)
    layout.addWidget(table, 1)
    return page


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class _Sections:
    """The tables of a dialog by Section, and the tabs (outer first) that lead to each."""

    def __init__(self) -> None:
        self.models: dict[Section, PreviewModel[Any]] = {}
        self.views: dict[Section, PreviewTable] = {}
        self.paths: dict[Section, list[tuple[QTabWidget, QWidget]]] = {}

    def add(
        self,
        tabs: QTabWidget,
        section: Section,
        model: PreviewModel[Any],
        rows: Sequence[Any],
        *,
        above: Sequence[QWidget] = (),
        outer: list[tuple[QTabWidget, QWidget]] | None = None,
    ) -> PreviewTable:
        model.set_rows(rows)
        view = PreviewTable(model, section.value)
        page = _page(view, above)
        tabs.addTab(page, f"{section.value} ({len(rows):,})")
        self.models[section] = model
        self.views[section] = view
        self.paths[section] = [*(outer or []), (tabs, page)]
        return view

    def show(self, section: Section) -> None:
        for tabs, page in self.paths[section]:
            tabs.setCurrentWidget(page)

    def add_devconfig(
        self,
        tabs: QTabWidget,
        config: DevconfigResult,
        parent: QObject,
    ) -> None:
        self.add(tabs, Section.DEVICE_CLASSES, DeviceClassModel(parent), config.device_classes)
        self.add(tabs, Section.LIBRARIES, LibraryModel(parent), config.libraries)
        self.add(tabs, Section.DRIVES, DriveModel(parent), config.drives)
        self.add(tabs, Section.PATHS, PathModel(parent), config.paths)


def _devconfig_counts(config: DevconfigResult, *, server: bool = True) -> str:
    parts = [
        plural(len(config.device_classes), "device class", "device classes"),
        plural(len(config.libraries), "library", "libraries"),
        plural(len(config.drives), "drive", "drives"),
        plural(len(config.paths), "path", "paths"),
    ]
    if server and config.server_name:
        parts.insert(0, f"Server {config.server_name}")
    return " · ".join(parts)


# --- The preview dialog -----------------------------------------------------------------------


class ImportPreviewDialog(QDialog):
    """What an import will do, shown before anything is written. Accepted (Apply) only when
    the preview changes something and any bad lines were accepted; the caller then applies
    the preview with resolutions() and accept_problems().

    Signals:
        resolutions_changed(): the operator changed how a conflict is settled.
    """

    resolutions_changed = Signal()

    def __init__(self, preview: AnyPreview, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle(title)
        self.resize(1100, 640)
        GeometryMemory(self, "import-preview")
        self.sections = _Sections()
        self.models = self.sections.models
        self.views = self.sections.views
        self.volume_model: VolumeDiffModel | None = None
        self._problems = self._collect_problems()
        self._counts: list[str] = []

        layout = QVBoxLayout(self)
        self.summary_label = _hint(preview.summary())
        self.summary_label.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.summary_label)
        self.counts_label = _hint("")
        layout.addWidget(self.counts_label)

        self.banner = QLabel(self._banner_text())
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(f"color: {style.WARNING_COLOUR.name()}; font-weight: bold;")
        self.accept_box = QCheckBox(ACCEPT_TEXT)
        self.accept_box.toggled.connect(self._update_apply)
        layout.addWidget(self.banner)
        layout.addWidget(self.accept_box)
        self.banner.setVisible(bool(self._problems))
        self.accept_box.setVisible(bool(self._problems))

        find_row = QHBoxLayout()
        self.find = QLineEdit()
        self.find.setPlaceholderText("Find volumes: A00 or A00*L8")
        self.find.setClearButtonEnabled(True)
        self.find.setAccessibleName("Find volumes")
        find_label = QLabel("&Find:")
        find_label.setBuddy(self.find)
        find_row.addWidget(find_label)
        find_row.addWidget(self.find, 1)
        layout.addLayout(find_row)
        self._find_timer = QTimer(self)
        self._find_timer.setSingleShot(True)
        self._find_timer.setInterval(FILTER_DELAY_MS)
        self._find_timer.timeout.connect(self.apply_find)
        self.find.textChanged.connect(self._find_soon)
        find_shortcut = self.find_action = QAction("Find volumes", self)
        find_shortcut.setShortcut(QKeySequence.StandardKey.Find)
        find_shortcut.triggered.connect(self._focus_find)
        self.addAction(find_shortcut)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self._build()
        self.counts_label.setText("\n".join(self._counts))
        has_volumes = any(s in VOLUME_SECTIONS for s in self.views)
        find_label.setVisible(has_volumes)
        self.find.setVisible(has_volumes)

        bottom = QHBoxLayout()
        self.reason_label = _hint("")
        bottom.addWidget(self.reason_label, 1)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("&Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setAutoDefault(False)  # Enter in a table must not import
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        self._update_apply()
        self._show_first()

    # -- what the caller reads

    def resolutions(self) -> dict[str, Resolution]:
        """How each conflict is settled, by volser (every conflict is listed)."""
        return self.volume_model.resolutions() if self.volume_model is not None else {}

    def accept_problems(self) -> bool:
        """True when there are bad lines and the operator accepted to skip them."""
        return bool(self._problems) and self.accept_box.isChecked()

    def can_apply(self) -> bool:
        return self.apply_button.isEnabled()

    def set_resolution(self, volsers: Iterable[str], resolution: Resolution) -> int:
        """Settles the conflicts of *volsers*; how many changed."""
        if self.volume_model is None:
            return 0
        return self.volume_model.set_resolution(volsers, resolution)

    def show_section(self, section: Section) -> None:
        self.sections.show(section)

    def accept(self) -> None:
        if self.can_apply():  # a keyboard path to accept must not bypass the rules
            super().accept()

    # -- building

    def _collect_problems(self) -> list[tuple[str, ParseProblem]]:
        preview = self.preview
        if isinstance(preview, SyncPreview):
            return [("DRMEDIA", p) for p in preview.volumes.problems] + [
                ("volume history", p) for p in preview.history.problems
            ]
        origin = "devconfig" if isinstance(preview, DevconfigPreview) else "file"
        return [(origin, p) for p in preview.problems]

    def _banner_text(self) -> str:
        count = len(self._problems)
        return (
            f"{style.WARNING_SIGN} {plural(count, 'bad line', 'bad lines')}: nothing is "
            "imported unless you accept the valid lines"
        )

    def _build(self) -> None:
        preview = self.preview
        if isinstance(preview, VolumePreview):
            self._add_volumes(self.tabs, preview)
        elif isinstance(preview, VolhistPreview):
            self._add_history(self.tabs, preview)
        elif isinstance(preview, DevconfigPreview):
            self.sections.add_devconfig(self.tabs, preview.result, self)
            stored = "" if preview.file_changed else "; the stored copy is the same"
            self._counts.append(_devconfig_counts(preview.result) + stored)
        else:
            self._add_sync(preview)
        if self._problems:
            model = ProblemsModel(self)
            view = self.sections.add(self.tabs, Section.PROBLEMS, model, self._problems)
            view.setColumnHidden(ProblemsModel.FROM, not isinstance(preview, SyncPreview))
            bad = plural(len(self._problems), "bad line", "bad lines")
            self._counts[-1] = f"{self._counts[-1]} · {bad}" if self._counts else bad

    def _nested(self, title: str) -> tuple[QTabWidget, list[tuple[QTabWidget, QWidget]]]:
        inner = QTabWidget()
        self.tabs.addTab(inner, title)
        return inner, [(self.tabs, inner)]

    def _add_sync(self, preview: SyncPreview) -> None:
        tabs, outer = self._nested("Volumes")
        self._add_volumes(tabs, preview.volumes, outer=outer, prefix="Volumes: ")
        new_here = {d.volser for d in preview.volumes.of(Status.NEW)}
        tabs, outer = self._nested("Volume history")
        self._add_history(tabs, preview.history, outer=outer, new_here=new_here)
        self.sections.add(self.tabs, Section.USAGE, UsageModel(self), preview.usage)
        self.sections.add(self.tabs, Section.POOLS, PoolModel(self), preview.pools)
        self._counts.append(
            f"{plural(len(preview.usage), 'utilisation', 'utilisations')} to update · "
            f"{plural(len(preview.pools), 'storage pool', 'storage pools')} new or changed"
        )

    def _add_volumes(
        self,
        tabs: QTabWidget,
        preview: VolumePreview,
        *,
        outer: list[tuple[QTabWidget, QWidget]] | None = None,
        prefix: str = "",
    ) -> None:
        counts = []
        for status, section in STATUS_SECTIONS.items():
            rows = preview.of(status)
            model = VolumeDiffModel(self)
            above: list[QWidget] = []
            if status is Status.CONFLICT:
                above = self._conflict_controls()
                self.volume_model = model
            view = self.sections.add(tabs, section, model, rows, above=above, outer=outer)
            if status is Status.CONFLICT:
                self._setup_conflict_view(view, model)
            else:
                view.setColumnHidden(VolumeDiffModel.RESOLUTION, True)
            counts.append(f"{section.value} {len(rows):,}")
        only_here = VolserModel("tracked here, not in the list: left as it is", self)
        self.sections.add(tabs, Section.ONLY_HERE, only_here, preview.only_here, outer=outer)
        counts.append(f"{Section.ONLY_HERE.value} {len(preview.only_here):,}")
        self._counts.append(prefix + " · ".join(counts))

    def _conflict_controls(self) -> list[QWidget]:
        self.conflict_summary = _hint("")
        row = QWidget()
        buttons = QHBoxLayout(row)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(QLabel("Selected conflicts:"))
        self.keep_button = QPushButton(RESOLUTION_LABELS[Resolution.KEEP_LOCAL])
        self.take_button = QPushButton(RESOLUTION_LABELS[Resolution.TAKE_SERVER])
        self.keep_button.setToolTip(
            "The move made here stands; it is still to be sent to the server"
        )
        self.take_button.setToolTip("The server's record replaces the move made here")
        self.keep_button.clicked.connect(lambda: self._resolve_selected(Resolution.KEEP_LOCAL))
        self.take_button.clicked.connect(lambda: self._resolve_selected(Resolution.TAKE_SERVER))
        for button in (self.keep_button, self.take_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        return [self.conflict_summary, row]

    def _setup_conflict_view(self, view: PreviewTable, model: VolumeDiffModel) -> None:
        self.conflict_view = view
        view.setItemDelegateForColumn(VolumeDiffModel.RESOLUTION, ResolutionDelegate(view))
        view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        view.selectionModel().selectionChanged.connect(self._update_conflict_buttons)
        model.resolutions_changed.connect(self._update_conflict_summary)
        model.resolutions_changed.connect(self.resolutions_changed)
        self._update_conflict_summary()
        self._update_conflict_buttons()

    def _resolve_selected(self, resolution: Resolution) -> None:
        model = self.volume_model
        if model is None:
            return
        rows = self.conflict_view.selected_source_rows()
        model.set_resolution((model.row_value(r).volser for r in rows), resolution)

    def _update_conflict_buttons(self) -> None:
        selected = self.conflict_view.selectionModel().hasSelection()
        self.keep_button.setEnabled(selected)
        self.take_button.setEnabled(selected)

    def _update_conflict_summary(self) -> None:
        chosen = list(self.resolutions().values())
        if not chosen:
            self.conflict_summary.setText("No conflict with a local move.")
            return
        kept = chosen.count(Resolution.KEEP_LOCAL)
        self.conflict_summary.setText(
            f"{plural(len(chosen), 'volume was', 'volumes were')} moved here and the server "
            f"has not confirmed it: {kept:,} keep the local move (still to be sent to the "
            f"server), {len(chosen) - kept:,} take the server's record. Double-click a "
            "resolution to change it, or select conflicts and use the buttons."
        )

    def _add_history(
        self,
        tabs: QTabWidget,
        preview: VolhistPreview,
        *,
        outer: list[tuple[QTabWidget, QWidget]] | None = None,
        new_here: set[str] | None = None,
    ) -> None:
        add = self.sections.add
        new_series = sum(1 for s in preview.series if s.status is Status.NEW)
        add(tabs, Section.SERIES, SeriesModel(self), preview.series, outer=outer)
        changed = [v for v in preview.volumes if v.status is Status.CHANGED]
        add(tabs, Section.HISTORY_VOLUMES, HistoryVolumeModel(self), changed, outer=outer)
        add(tabs, Section.STORAGE, StorageModel(self), preview.storage, outer=outer)
        untracked = VolserModel("in the history, not tracked here: not created", self)
        for volser in new_here or ():
            untracked.notes[volser] = (
                "new in this synchronisation: its backup series is recorded at the next one"
            )
        hint = _hint(f"{style.WARNING_SIGN} {UNTRACKED_HINT}") if preview.untracked else None
        above = [hint] if hint is not None else []
        add(tabs, Section.UNTRACKED, untracked, preview.untracked, above=above, outer=outer)
        parts = [
            f"{plural(len(preview.series), 'backup series', 'backup series')} ({new_series:,} new)",
            f"{plural(len(changed), 'volume', 'volumes')} to update "
            f"({len(preview.volumes) - len(changed):,} unchanged)",
            f"{plural(len(preview.storage), 'storage volume', 'storage volumes')} emptied "
            "or reused",
            f"{plural(len(preview.untracked), 'volume', 'volumes')} not tracked here",
        ]
        text = "Volume history: " if outer else ""
        text += " · ".join(parts)
        if preview.text and preview.file_changed:
            text += "; the file is kept for the recovery plan"
        self._counts.append(text)

    def _show_first(self) -> None:
        for section in FIRST_CHOICES:
            model = self.models.get(section)
            if model is not None and model.rowCount():
                self.show_section(section)
                return

    # -- state

    def _update_apply(self) -> None:
        reason = ""
        if not self.preview.has_changes:
            server = isinstance(self.preview, SyncPreview)
            reason = NOTHING_FROM_SERVER if server else NOTHING_FROM_FILE
        elif self._problems and not self.accept_box.isChecked():
            reason = f"Tick “{ACCEPT_TEXT}” to apply, or cancel and correct the file."
        self.apply_button.setEnabled(not reason)
        self.apply_button.setToolTip(reason)
        self.reason_label.setText(reason)

    def _focus_find(self) -> None:
        self.find.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find.selectAll()

    def _find_soon(self, _text: str) -> None:
        self._find_timer.start()  # one filtering pass once the operator stops typing

    def apply_find(self) -> None:
        """Filters every volume table by the find box (called shortly after typing)."""
        self._find_timer.stop()
        text = self.find.text()
        for section, view in self.views.items():
            if section in VOLUME_SECTIONS:
                view.set_find_text(text)


# --- The stored device configuration ----------------------------------------------------------


class ServerConfigDialog(QDialog):
    """The stored device configuration: server name, device classes, libraries, drives and
    paths; or how to import one when none is stored."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Server configuration")
        self.resize(900, 520)
        GeometryMemory(self, "server-config")
        layout = QVBoxLayout(self)
        self.message = _hint("")
        self.message.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.message)
        self.details = _hint("")
        layout.addWidget(self.details)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.sections = _Sections()
        self.config: DevconfigResult | None = None
        self.reload()

    @property
    def models(self) -> dict[Section, PreviewModel[Any]]:
        return self.sections.models

    @property
    def views(self) -> dict[Section, PreviewTable]:
        return self.sections.views

    def reload(self) -> None:
        """Reads the stored copy again (after an import)."""
        while self.tabs.count():
            page = self.tabs.widget(0)
            self.tabs.removeTab(0)
            page.deleteLater()
        for model in self.sections.models.values():
            model.deleteLater()
        self.sections = _Sections()
        self.config = stored_devconfig()
        copy = site.get_server_file(ServerFile.DEVCONFIG)
        if self.config is None or copy is None:
            self.message.setText(NO_DEVCONFIG)
            self.details.setText("")
            self.tabs.hide()
            return
        self.tabs.show()
        name = self.config.server_name or "(the file does not name the server)"
        self.message.setText(f"Server {name}")
        origin = f"from {copy.source}, " if copy.source else ""
        counts = _devconfig_counts(self.config, server=False)
        details = f"{counts}. Stored {origin}{local_time(copy.updated_at)}."
        self.sections.add_devconfig(self.tabs, self.config, self)
        if self.config.problems:
            problems = [("devconfig", p) for p in self.config.problems]
            view = self.sections.add(self.tabs, Section.PROBLEMS, ProblemsModel(self), problems)
            view.setColumnHidden(ProblemsModel.FROM, True)
            details += f" {style.WARNING_SIGN} " + plural(len(problems), "line was", "lines were")
            details += " not understood (see Bad lines)."
        self.details.setText(details)
