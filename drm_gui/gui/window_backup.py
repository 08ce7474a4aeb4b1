"""The main window's File → Back up the database…: a verified copy of the app's own
database (core/backup.py), written in the background while the board stays usable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMenu

from drm_gui.core.backup import BackupResult, backup_database, default_name
from drm_gui.gui.tasks import BackgroundTask

FOLDER_KEY = "backup/folder"


class BackupWindowMixin:
    """Mixed into MainWindow: File → Back up the database…"""

    backup_task: BackgroundTask | None = None

    def add_backup_menu(self, file_menu: QMenu) -> None:
        self.backup_action = self._action(
            "&Back up the database…",
            self._ask_backup_file,
            tip="A consistent copy of this database, readable by you only; others may go on "
            "working meanwhile",
        )
        file_menu.addAction(self.backup_action)

    def _ask_backup_file(self) -> None:
        name = default_name(dt.datetime.now())
        folder = self.settings.value(FOLDER_KEY, str(Path.home()))
        kind = "pg_dump archives (*.dump)" if name.endswith(".dump") else "SQLite files (*.db)"
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Back up the database",
            str(Path(folder) / name),
            f"{kind};;All files (*)",
        )
        if path:  # the dialog has asked before replacing a file
            self.settings.setValue(FOLDER_KEY, str(Path(path).parent))
            self.back_up_database(Path(path))

    def back_up_database(self, path: Path) -> BackgroundTask:
        task = BackgroundTask(
            "Backing up the database",
            lambda: backup_database(path),
            self,
        )
        task.done.connect(self._backup_written)
        task.error.connect(self._backup_failed)
        self.backup_task = task
        task.start()
        return task

    def _backup_failed(self, error: Exception) -> None:
        self.show_notice(f"No backup was written: {error}", "warning")

    def _backup_written(self, result: BackupResult) -> None:
        self.show_notice(
            f"Database backed up to {result.path} ({result.size / 1e6:.1f} MB, readable by "
            f"you only); {result.check}.",
            "info",
        )
