"""The main window's shipments part: manifests, reconciliation, reports and scan mode."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QMessageBox,
)

from drm_gui.core.manifest import create_manifest, get_manifest
from drm_gui.core.media import MoveResult, VolumeRow, board_tuples
from drm_gui.core.models import ManifestDirection
from drm_gui.core.reconcile import mark_found
from drm_gui.core.reports import ReportName
from drm_gui.core.scan import ScanSession
from drm_gui.core.states import (
    DrmError,
    DrmState,
)
from drm_gui.core.vault_list import VaultListError
from drm_gui.gui.plan_view import open_path
from drm_gui.gui.reconcile_view import ReconcileDialog, columns_of, reconcile_file
from drm_gui.gui.scan_mode import ScanWindow
from drm_gui.gui.shipments import ManifestsDialog, write_manifest_pdf, write_report
from drm_gui.gui.tasks import BackgroundTask
from drm_gui.paths import data_dir

log = logging.getLogger(__name__)


class ShipmentsWindowMixin:
    """Mixed into MainWindow: the Shipments and Reports menus, scan mode."""

    # Shipments and reports -----------------------------------------------------------
    def new_manifest(self, direction: ManifestDirection, ids: list[int] | None) -> None:
        """Records a manifest (one transaction) and writes and opens its PDF."""
        if ids is not None and not ids:
            self.show_notice("No tapes for a manifest: select some, or move them first.", "warning")
            return
        try:
            manifest = create_manifest(direction, ids)
        except DrmError as exc:
            self.show_notice(f"No manifest was made: {exc}", "warning")
            return
        self.show_notice(
            f"Manifest {manifest.number:06d} recorded: {len(manifest.tapes)} tape(s).", "info"
        )
        folder = data_dir() / "manifests"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"manifest-{manifest.number:06d}.pdf"
        task = BackgroundTask(
            "Writing the manifest", lambda: write_manifest_pdf(manifest.number, path), self
        )
        task.done.connect(lambda _p: self._document_written(path))
        task.error.connect(lambda e: self.show_notice(f"The PDF was not written: {e}", "warning"))
        self.document_task = task
        task.start()

    def _document_written(self, path: Path) -> None:
        self.last_document = path
        if not self.open_documents or not open_path(path):
            self.show_notice(f"Written: {path}", "info")

    def _manifests(self) -> None:
        dialog = ManifestsDialog(self)
        dialog.verify_requested.connect(self.verify_manifest)
        dialog.exec()

    def verify_manifest(self, number: int) -> ScanWindow:
        manifest = get_manifest(number)
        window = ScanWindow(
            f"Manifest {number:06d}", ScanSession(manifest.volsers, self.store.volsers()), self
        )
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.finished_check.connect(
            lambda summary, scanned: self._manifest_verified(number, summary, scanned)
        )
        self.scan_window = window
        window.open()
        return window

    def _manifest_verified(self, number: int, summary: str, scanned: list[str]) -> None:
        log.info("manifest %06d verified by scanning: %s", number, summary)
        wanted = {v.upper() for v in scanned}
        ids = [r.id for r in self.store_records() if r.volser.upper() in wanted]
        if ids:
            mark_found(ids, f"scanned for manifest {number:06d}")  # a missing tape turns up
        self.show_notice(f"Manifest {number:06d} checked: {summary}.", "info")

    def _reconcile(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "The vault's inventory list", "", "Lists (*.csv *.txt);;All files (*)"
        )
        if path:
            self.reconcile_with(Path(path))

    def reconcile_with(
        self, path: Path, volser_column: str | None = None
    ) -> ReconcileDialog | None:
        """Reads the vault's list (asking for the volser column of a CSV) and shows the
        differences; a list with bad lines is used only when the operator accepts its
        valid lines."""
        try:
            columns = columns_of(path)
            if columns and volser_column is None:
                column, ok = QInputDialog.getItem(
                    self,
                    "Which column holds the volume names?",
                    "Column:",
                    list(columns),
                    0,
                    False,
                )
                if not ok:
                    return None
                volser_column = column
            try:
                result = reconcile_file(path, volser_column, accept_valid=False)
            except VaultListError as exc:
                answer = QMessageBox.question(
                    self,
                    "The vault's list has errors",
                    f"{exc}\n\nCompare only the valid lines?",
                )
                if answer != QMessageBox.StandardButton.Yes:
                    return None
                result = reconcile_file(path, volser_column, accept_valid=True)
        except (DrmError, OSError) as exc:
            self.show_notice(f"The vault's list cannot be used: {exc}", "warning")
            return None
        dialog = ReconcileDialog(result, self)
        dialog.resolved.connect(self._take_resolution)
        self.reconcile_dialog = dialog
        dialog.open()
        return dialog

    def _take_resolution(self, result: MoveResult) -> None:
        ids = [m.volume_id for m in result.moved]
        if ids:
            self.store.update_records(board_tuples(ids))

    def _save_report(self, name: ReportName) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, name.title, f"{name.value}.pdf", "PDF (*.pdf);;CSV (*.csv)"
        )
        if path:
            self.save_report(name, Path(path))

    def save_report(self, name: ReportName, path: Path) -> BackgroundTask:
        task = BackgroundTask(name.title, lambda: write_report(name, path), self)
        task.done.connect(lambda _p: self._document_written(path))
        task.error.connect(lambda e: self.show_notice(f"Not written: {e}", "warning"))
        self.document_task = task
        task.start()
        return task

    # Scan mode -----------------------------------------------------------------------
    def scan_receive(self, source: DrmState, target: DrmState, title: str) -> ScanWindow:
        """Checks the tapes now in *source* with the scanner; the scanned ones move to
        *target* when the operator finishes (the others stay where they are)."""
        expected = [r.volser for r in self.store.in_state(source)]
        window = ScanWindow(title, ScanSession(expected, self.store.volsers()), self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.finished_check.connect(
            lambda summary, scanned: self._receive(scanned, target, f"{title}: {summary}")
        )
        self.scan_window = window
        window.open()
        return window

    def _receive(self, scanned: list[str], target: DrmState, reason: str) -> None:
        wanted = {v.upper() for v in scanned}
        ids = [r.id for r in self.store_records() if r.volser.upper() in wanted]
        if ids:
            self.controller.move(ids, target, reason=reason)
        else:
            self.show_notice(f"Nothing received. {reason}", "warning")

    def store_records(self) -> list[VolumeRow]:
        return [r for state in DrmState for r in self.store.in_state(state)]
