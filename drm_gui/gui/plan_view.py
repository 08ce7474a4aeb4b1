"""The recovery plan in the window: one-click export (text plan and PDF, in the background),
the list of plan versions, and the plan's readiness in the status bar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from drm_gui.core.media import load_settings, set_setting
from drm_gui.core.models import SeriesKind, utcnow
from drm_gui.core.plan import list_series
from drm_gui.core.plan_export import PlanExport, PlanExportError, export_plan
from drm_gui.core.plan_files import PlanFileInfo, list_plan_files, split_plan
from drm_gui.core.plan_schedule import is_due, last_run, next_run
from drm_gui.core.progress import CancelledError
from drm_gui.core.settings import SettingError, parse_setting
from drm_gui.core.states import DrmError
from drm_gui.gui.detail import local_time
from drm_gui.gui.memory import ColumnMemory, GeometryMemory
from drm_gui.gui.table_model import RowTableModel
from drm_gui.gui.tasks import BackgroundTask

AnyIndex = QModelIndex | QPersistentModelIndex

SCHEDULE_CHECK_MS = 60_000  # how often the daily schedule is looked at


def pdf_of(plan_path: Path) -> Path:
    """The PDF written beside a plan file."""
    return plan_path.with_name(plan_path.name + ".pdf")


def open_path(path: Path) -> bool:
    """Opens a file or folder with the desktop's viewer; False when nothing could."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class PlanVersionsModel(RowTableModel[PlanFileInfo]):
    HEADERS = ("Written", "Source", "Readiness", "File", "On disk")

    def reload(self) -> None:
        self.set_rows(list_plan_files())

    def version(self, row: int) -> PlanFileInfo:
        return self.row_value(row)

    def cell(self, value: PlanFileInfo, column: int) -> str:
        values = (
            local_time(value.created_at),
            value.source,
            "✓ ready" if value.ready else "✗ not ready",
            str(value.path),
            "yes" if value.exists else "deleted",
        )
        return values[column]


class PlanVersionsDialog(QDialog):
    """The stored plan versions, newest first; open a plan's PDF or its folder."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Recovery plan versions")
        self.resize(900, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Plans written by this database, newest first. Old versions expire after "
                "the rpf_expire_days setting; the newest is always kept."
            )
        )
        self.model = PlanVersionsModel(self)
        self.model.reload()
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAccessibleName("Plan versions")
        ColumnMemory(self.table, "plan-versions")
        GeometryMemory(self, "plan-versions")
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.open_pdf = QPushButton("Open PDF")
        self.open_folder = QPushButton("Open folder")
        self.split = QPushButton("Split into files…")
        self.split.setToolTip(
            "One file per stanza, as IBM's planexpl does; the recovery scripts executable"
        )
        for button in (self.open_pdf, self.open_folder, self.split):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.split.clicked.connect(self._split)
        buttons.rejected.connect(self.reject)
        self.open_pdf.clicked.connect(lambda: self._open(pdf=True))
        self.open_folder.clicked.connect(lambda: self._open(pdf=False))
        layout.addWidget(buttons)
        self.message = QLabel()
        layout.addWidget(self.message)
        if self.model.rowCount():
            self.table.selectRow(0)

    def selected(self) -> PlanFileInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.version(rows[0].row()) if rows else None

    def _split(self) -> None:
        version = self.selected()
        if version is None:
            return
        folder = QFileDialog.getExistingDirectory(
            self, "Split the plan into this folder", str(version.path.parent)
        )
        if folder:
            self.split_into(Path(folder))

    def split_into(self, folder: Path) -> list[Path]:
        version = self.selected()
        if version is None:
            return []
        try:
            files = split_plan(version.path, folder)
        except (DrmError, OSError) as exc:
            self.message.setText(f"Not split: {exc}")
            return []
        self.message.setText(f"{len(files)} files written in {folder}.")
        return files

    def _open(self, *, pdf: bool) -> None:
        version = self.selected()
        if version is None:
            return
        target = pdf_of(version.path) if pdf else version.path.parent
        if not target.exists():
            self.message.setText(f"{target} is no longer on disk.")
        elif not open_path(target):
            self.message.setText(f"No program here opens {target}.")


class PlanStatus(QObject):
    """The newest plan's readiness, for the status bar ('Plan: ready, 06:00').

    Signals:
        changed(str): the text to show.
    """

    changed = Signal(str)

    def refresh(self) -> str:
        versions = list_plan_files()
        if not versions:
            text = "Plan: none yet"
        else:
            newest = versions[0]
            verdict = "ready" if newest.ready else "NOT ready"
            text = f"Plan: {verdict}, {_short(newest.created_at)}"
        self.changed.emit(text)
        return text


def _short(at: dt.datetime) -> str:
    local = at.replace(tzinfo=dt.UTC).astimezone()
    today = dt.datetime.now().astimezone().date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%Y-%m-%d %H:%M")


class PlanController(QObject):
    """Exports the recovery plan in the background, on demand and on the daily schedule.

    Signals:
        exported(object): the PlanExport of a finished export.
        notice(str, str): a message for the operator and its level.
        status_changed(str): the plan's readiness for the status bar.
    """

    exported = Signal(object)
    notice = Signal(str, str)
    status_changed = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self.task: BackgroundTask | None = None
        self.open_after_export = True  # the one-click export opens the PDF
        self.status = PlanStatus(self)
        self.status.changed.connect(self.status_changed)
        self.timer = QTimer(self)
        self.timer.setInterval(SCHEDULE_CHECK_MS)
        self.timer.timeout.connect(self.run_if_due)

    def busy(self) -> bool:
        return self.task is not None and self.task.running

    def export(
        self,
        *,
        scheduled: bool = False,
        series: int | None = None,
        primary_pools: tuple[str, ...] | None = None,
    ) -> None:
        """Writes the plan and its PDF: from the newest series, or from *series* (a
        point-in-time recovery), optionally for some primary pools only."""
        if self.busy():
            self.notice.emit("A plan export is already running.", "info")
            return
        pdf = bool(load_settings()["plan_schedule_pdf"]) if scheduled else True
        title = "Writing the scheduled recovery plan" if scheduled else "Exporting the plan"

        def work() -> PlanExport:
            return export_plan(utcnow(), pdf=pdf, series=series, primary_pools=primary_pools)

        task = BackgroundTask(title, work, self._parent)
        task.done.connect(lambda result: self._done(result, scheduled))
        task.error.connect(self._failed)
        self.task = task
        task.start()

    def run_if_due(self) -> None:
        try:
            due = is_due(utcnow())
        except DrmError as exc:
            self.notice.emit(f"The plan schedule cannot run: {exc}", "warning")
            return
        if due and not self.busy():
            self.export(scheduled=True)

    def _done(self, result: object, scheduled: bool) -> None:
        if not isinstance(result, PlanExport):
            return
        self.status.refresh()
        where = result.pdf_path or result.plan_path
        text = f"Recovery plan written: {result.plan_path.name}"
        if result.pdf_path is not None:
            text += " and its PDF"
        text += f". {result.summary}"
        level = "info" if result.ready else "warning"
        self.notice.emit(text, level)
        self.exported.emit(result)
        if not scheduled and self.open_after_export and not open_path(where):
            self.notice.emit(f"{text} Saved in {where.parent}.", level)

    def _failed(self, error: object) -> None:
        if isinstance(error, CancelledError):
            self.notice.emit("Plan export cancelled: no plan file or PDF was written.", "info")
        elif isinstance(error, PlanExportError):
            self.notice.emit(f"The plan file was written, but not its PDF: {error}", "warning")
        elif isinstance(error, DrmError | OSError):
            self.notice.emit(f"No plan was written: {error}", "warning")
        else:
            self.notice.emit(f"The plan export failed unexpectedly: {error}", "warning")
        self.status.refresh()


class PlanSourceDialog(QDialog):
    """Export a plan from an older database backup series still in the vault (a
    point-in-time recovery), optionally for some primary pools only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export a plan for an older backup")
        layout = QFormLayout(self)
        self.series = QComboBox()
        self.series.setAccessibleName("Database backup series")
        for info in list_series():
            kind = "full" if info.kind is SeriesKind.FULL else "snapshot"
            self.series.addItem(
                f"{kind} series {info.number}, completed {local_time(info.completed_at)}",
                info.number,
            )
        layout.addRow("Restore from:", self.series)
        self.pools = QLineEdit()
        self.pools.setPlaceholderText("all primary pools")
        self.pools.setToolTip("Comma-separated primary pool names or patterns (* and ?)")
        layout.addRow("Primary pools:", self.pools)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.series.count() > 0)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addRow(self.buttons)

    def chosen(self) -> tuple[int | None, tuple[str, ...] | None]:
        pools = tuple(p.strip() for p in self.pools.text().split(",") if p.strip())
        return self.series.currentData(), pools or None


class PlanScheduleDialog(QDialog):
    """The daily plan schedule: on or off, the time, PDF or not; last and next run."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Daily recovery plan")
        settings = load_settings()
        layout = QFormLayout(self)
        self.enabled = QCheckBox("Write a recovery plan every day")
        self.enabled.setChecked(bool(settings["plan_schedule"]))
        self.time = QLineEdit(str(settings["plan_schedule_time"]))
        self.time.setToolTip("Local time, HH:MM on the 24-hour clock")
        self.pdf = QCheckBox("With its PDF")
        self.pdf.setChecked(bool(settings["plan_schedule_pdf"]))
        self.error = QLabel()
        self.error.setStyleSheet("color: #D55E00;")
        layout.addRow(self.enabled)
        layout.addRow("At:", self.time)
        layout.addRow("", self.error)
        layout.addRow(self.pdf)
        last = last_run()
        upcoming = next_run(utcnow())
        self.last_label = QLabel(local_time(last) if last else "never")
        self.next_label = QLabel(local_time(upcoming) if upcoming else "off")
        layout.addRow("Last plan:", self.last_label)
        layout.addRow("Next run:", self.next_label)
        layout.addRow(
            QLabel("The plan is written while drm-gui is open; a missed run is made up at start.")
        )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addRow(self.buttons)
        self.time.textChanged.connect(self.validate)
        self.validate()

    def validate(self) -> bool:
        try:
            parse_setting("plan_schedule_time", self.time.text())
        except SettingError as exc:
            self.error.setText(str(exc).split(": ", 1)[-1])
            ok = False
        else:
            self.error.setText("")
            ok = True
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        return ok

    def save(self) -> None:
        if not self.validate():
            return
        set_setting("plan_schedule", "YES" if self.enabled.isChecked() else "NO")
        set_setting("plan_schedule_time", self.time.text())
        set_setting("plan_schedule_pdf", "YES" if self.pdf.isChecked() else "NO")
        self.accept()
