"""Courier manifests and operator reports in the window: make a manifest from the board,
list the manifests, save or open their PDFs, verify one with the scanner; save a report as
PDF or CSV. Every document is written by the core's renderers, in the background."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from drm_gui.core.manifest import ManifestSummary, get_manifest, list_manifests
from drm_gui.core.models import ManifestDirection
from drm_gui.core.reports import ReportName, build_report, to_csv
from drm_gui.core.states import DrmError
from drm_gui.gui.detail import local_time
from drm_gui.gui.memory import ColumnMemory, GeometryMemory
from drm_gui.gui.plan_view import open_path
from drm_gui.gui.printing import print_with_dialog
from drm_gui.gui.table_model import RowTableModel
from drm_gui.gui.tasks import BackgroundTask
from drm_gui.reports.manifest_pdf import render_manifest_pdf
from drm_gui.reports.operator_pdf import render_report_pdf

DIRECTION_TEXT = {ManifestDirection.OUT: "Outbound", ManifestDirection.IN: "Inbound"}


def write_manifest_pdf(number: int, path: Path) -> Path:
    """The manifest's PDF from its stored record (a reprint gives the same document)."""
    return render_manifest_pdf(get_manifest(number), path)


def write_report(name: ReportName, path: Path) -> Path:
    """A report as PDF, or as CSV when *path* ends in .csv."""
    report = build_report(name)
    if path.suffix.lower() == ".csv":
        path.write_text(to_csv(report), encoding="utf-8")
        return path
    return render_report_pdf(report, path)


class ManifestsModel(RowTableModel[ManifestSummary]):
    HEADERS = ("Number", "Direction", "Courier", "Tapes", "Made", "By", "SHA-256")

    def cell(self, value: ManifestSummary, column: int) -> str:
        values = (
            f"{value.number:06d}",
            DIRECTION_TEXT[value.direction],
            value.courier,
            str(value.tape_count),
            local_time(value.created_at),
            f"{value.os_user}@{value.workstation}",
            value.sha256[:16] + "…",
        )
        return values[column]


class ManifestsDialog(QDialog):
    """The manifests, newest first: save or open a PDF, or verify one by scanning.

    Signals:
        verify_requested(int): check the manifest's tapes with the scanner.
    """

    verify_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Courier manifests")
        self.resize(900, 420)
        layout = QVBoxLayout(self)
        self.model = ManifestsModel(self)
        self.model.set_rows(list_manifests())
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAccessibleName("Manifests")
        ColumnMemory(self.table, "manifests")
        GeometryMemory(self, "manifests")
        layout.addWidget(self.table, 1)
        self.message = QLabel()
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.save_button = QPushButton("Save PDF…")
        self.open_button = QPushButton("Open PDF")
        self.verify_button = QPushButton("Verify by scanning…")
        self.print_button = QPushButton("Print…")
        buttons_row = (self.save_button, self.open_button, self.print_button, self.verify_button)
        for button in buttons_row:
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self._save)
        self.open_button.clicked.connect(self._open)
        self.verify_button.clicked.connect(self._verify)
        self.print_button.clicked.connect(self._print)
        layout.addWidget(buttons)
        if self.model.rowCount():
            self.table.selectRow(0)
        self.task: BackgroundTask | None = None

    def selected(self) -> ManifestSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_value(rows[0].row()) if rows else None

    def save_pdf(self, path: Path, *, then_open: bool = False) -> BackgroundTask | None:
        manifest = self.selected()
        if manifest is None:
            return None
        task = BackgroundTask(
            "Writing the manifest", lambda: write_manifest_pdf(manifest.number, path), self
        )
        task.done.connect(lambda p: self._written(Path(str(p)), then_open))
        task.error.connect(lambda e: self.message.setText(f"Not written: {e}"))
        self.task = task
        task.start()
        return task

    def _written(self, path: Path, then_open: bool) -> None:
        self.message.setText(f"Written: {path}")
        if then_open and not open_path(path):
            self.message.setText(f"Written: {path} (no program here opens PDF files)")

    def _save(self) -> None:
        manifest = self.selected()
        if manifest is None:
            return
        name = f"manifest-{manifest.number:06d}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, "Save the manifest", name, "PDF (*.pdf)")
        if path:
            self.save_pdf(Path(path))

    def _open(self) -> None:
        manifest = self.selected()
        if manifest is None:
            return
        from drm_gui.paths import data_dir

        folder = data_dir() / "manifests"
        folder.mkdir(parents=True, exist_ok=True)
        self.save_pdf(folder / f"manifest-{manifest.number:06d}.pdf", then_open=True)

    def _print(self) -> None:
        manifest = self.selected()
        if manifest is None:
            return
        from drm_gui.paths import data_dir

        folder = data_dir() / "manifests"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"manifest-{manifest.number:06d}.pdf"
        try:
            write_manifest_pdf(manifest.number, path)  # a few pages: quick, in the foreground
            pages = print_with_dialog(path, self)
        except (DrmError, OSError) as exc:
            self.message.setText(f"Not printed: {exc}")
            return
        if pages is not None:
            self.message.setText(f"Manifest {manifest.number:06d}: {pages} page(s) printed.")

    def _verify(self) -> None:
        manifest = self.selected()
        if manifest is not None:
            self.verify_requested.emit(manifest.number)
            self.accept()
