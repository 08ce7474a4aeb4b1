"""The main window's storage server part: File → Import and Export, and the Server menu
(synchronise, send the waiting moves, the server's configuration, the link settings).

Every import is read and compared in the background, shown in the preview dialog, and
applied in the background only when the operator says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu

from drm_gui.core import export_volumes
from drm_gui.core.import_server import SyncPreview, apply_sync
from drm_gui.core.imports import ImportKind, Preview, apply_preview, preview_file
from drm_gui.gui.import_view import ImportPreviewDialog, ServerConfigDialog
from drm_gui.gui.server_link import ServerLinkController, ServerSettingsDialog
from drm_gui.gui.tasks import BackgroundTask
from drm_gui.server.link import read_server

log = logging.getLogger(__name__)

FILE_FILTERS = {
    ImportKind.DRMEDIA: "Administrative client output (*.txt *.out *.csv *.tsv *.log);;"
    "All files (*)",
    ImportKind.VOLHIST: "Volume history (volhist*.out *.out *.txt);;All files (*)",
    ImportKind.DEVCONFIG: "Device configuration (devconfig*.out devcnfg*.out *.out *.txt);;"
    "All files (*)",
    ImportKind.CSV: "CSV files (*.csv *.txt);;All files (*)",
}
MENU_TEXT = {
    ImportKind.DRMEDIA: "&QUERY DRMEDIA output…",
    ImportKind.VOLHIST: "&Volume history (volhist.out)…",
    ImportKind.DEVCONFIG: "&Device configuration (devconfig.out)…",
    ImportKind.CSV: "Volume list (&CSV)…",
}


class ServerWindowMixin:
    """Mixed into MainWindow: imports, exports and the Server menu."""

    server: ServerLinkController
    import_task: BackgroundTask | None

    def build_server_part(self) -> None:
        self.server = ServerLinkController(self)  # type: ignore[arg-type]
        self.import_task = None
        self.server.notice.connect(self.show_notice)
        self.server.records_changed.connect(self.controller.reload)
        self.server.waiting_changed.connect(self._show_waiting)
        self.controller.moves_done.connect(lambda *_: self.server.after_moves())
        self.import_actions = {
            kind: self._action(MENU_TEXT[kind], lambda k=kind: self.import_file(k), tip=kind.title)
            for kind in ImportKind
        }
        self.export_csv_action = self._action(
            "&Export volume list (CSV)…",
            self._export_csv,
            tip="Every volume as a CSV that File → Import → Volume list reads back",
        )
        self.sync_action = self._action(
            "&Synchronise with the server…",
            self.synchronise,
            "Ctrl+Shift+Y",
            "Read the server's DRM media, volumes, pools and history, show the differences",
        )
        self.send_action = self._action(
            "Send &waiting moves",
            self.server.send,
            tip="Send the moves the server has not heard of",
        )
        self.server_config_action = self._action(
            "Server &configuration…",
            lambda: ServerConfigDialog(self).exec(),  # type: ignore[arg-type]
            tip="The device classes, libraries, drives and paths of the device configuration",
        )
        self.server_settings_action = self._action(
            "&Link settings…", self._server_settings, tip="How drm-gui reaches the server"
        )
        self.forget_password_action = self._action("&Forget the password", self._forget_password)

    def add_import_menu(self, file_menu: QMenu, before: Any) -> None:
        imports = QMenu("&Import", file_menu)
        for action in self.import_actions.values():
            imports.addAction(action)
        file_menu.insertMenu(before, imports)
        file_menu.insertAction(before, self.export_csv_action)
        file_menu.insertSeparator(before)

    def add_server_menu(self) -> None:
        menu = self.menuBar().addMenu("Ser&ver")  # type: ignore[attr-defined]
        menu.addAction(self.sync_action)
        menu.addAction(self.send_action)
        menu.addSeparator()
        menu.addAction(self.server_config_action)
        menu.addAction(self.server_settings_action)
        menu.addAction(self.forget_password_action)

    # Imports ---------------------------------------------------------------------------
    def import_file(self, kind: ImportKind, path: Path | None = None) -> None:
        """Reads and compares the file in the background, then shows the preview."""
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self,
                f"Import: {kind.title}",
                "",
                FILE_FILTERS[kind],  # type: ignore[arg-type]
            )
            if not name:
                return
            path = Path(name)
        self._run(
            f"Reading {path.name}",
            lambda: preview_file(kind, path),
            lambda preview: self._review(preview, f"Import {kind.title}: {path.name}"),
            "The file was not imported",
        )

    def _review(self, preview: Preview | SyncPreview, title: str) -> ImportPreviewDialog:
        """Shows the preview (window-modal, not blocking); applies it when accepted."""
        dialog = ImportPreviewDialog(preview, title, self)  # type: ignore[arg-type]
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._apply_reviewed(dialog, preview))
        dialog.rejected.connect(lambda: self.show_notice("Nothing was imported.", "info"))
        self.import_dialog = dialog
        dialog.open()
        return dialog

    def _apply_reviewed(self, dialog: ImportPreviewDialog, preview: Preview | SyncPreview) -> None:
        # The operator's choices are read here, on the main thread, before the work starts.
        resolutions = dialog.resolutions()
        accept = dialog.accept_problems()

        def apply() -> str:
            if isinstance(preview, SyncPreview):
                return apply_sync(preview, accept_problems=accept, resolutions=resolutions)
            return apply_preview(preview, accept_problems=accept, resolutions=resolutions)

        self._run("Importing", apply, self._imported, "Nothing was imported")

    def _imported(self, summary: str) -> None:
        self.show_notice(summary[:1].upper() + summary[1:] + ".", "info")
        self.controller.reload()
        self.server.waiting_changed.emit(self.server.waiting())

    def _run(
        self, title: str, work: Callable[[], Any], then: Callable[[Any], None], failed: str
    ) -> None:
        task = BackgroundTask(title, work, self)  # type: ignore[arg-type]
        task.done.connect(then)
        task.error.connect(lambda e: self.show_notice(f"{failed}: {e}", "warning"))
        self.import_task = task
        task.start()

    # The live server -------------------------------------------------------------------
    def synchronise(self) -> None:
        client = self.server.client()
        if client is None:
            return
        self._run(
            f"Reading {client.profile.server_label}",
            lambda: read_server(client),
            lambda preview: self._review(preview, f"Synchronise with {preview.server}"),
            "The synchronisation did not run",
        )

    def _server_settings(self) -> None:
        if ServerSettingsDialog(self).exec() == QDialog.DialogCode.Accepted:  # type: ignore[arg-type]
            self.server.forget_password()
            self.show_notice("Storage server link settings saved.", "info")
            self._show_waiting(self.server.waiting())

    def _forget_password(self) -> None:
        self.server.forget_password()
        self.show_notice("The storage server password is forgotten.", "info")

    def _show_waiting(self, count: int) -> None:
        label = self.server_label  # type: ignore[attr-defined]
        if not self.server.link_on():
            label.setText("  No server link: moves go to the command file  ")
        elif count:
            label.setText(f"  Server: {count:,} move(s) waiting  ")
        else:
            label.setText("  Server: up to date  ")

    # Export ------------------------------------------------------------------------------
    def _export_csv(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Export volume list",
            "volumes.csv",
            "CSV files (*.csv)",  # type: ignore[arg-type]
        )
        if name:
            self.export_csv(Path(name))

    def export_csv(self, path: Path) -> None:
        self._run(
            "Writing the volume list",
            lambda: export_volumes.write_volumes_csv(path),
            lambda count: self.show_notice(f"{count:,} volume(s) written to {path}.", "info"),
            "The volume list was not written",
        )
