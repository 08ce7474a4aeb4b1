"""File → Back up the database…: the copy is written in the background and announced."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from drm_gui.gui.application import GuiSession
from drm_gui.gui.window_backup import FOLDER_KEY


def test_the_file_menu_offers_the_backup(session: GuiSession) -> None:
    file_menu = session.window.menuBar().actions()[0].menu()
    assert session.window.backup_action in file_menu.actions()


def test_a_backup_is_written_in_the_background_and_announced(
    qtbot, session: GuiSession, tmp_path: Path
) -> None:
    out = tmp_path / "backup.db"
    with qtbot.waitSignal(session.window.back_up_database(out).done, timeout=10000):
        pass
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    notice = session.window.notice.label.text()
    assert f"Database backed up to {out}" in notice
    assert "integrity check passed, 11 volumes" in notice


def test_a_failed_backup_is_announced(qtbot, session: GuiSession, tmp_path: Path) -> None:
    out = tmp_path / "missing" / "backup.db"
    with qtbot.waitSignal(session.window.back_up_database(out).error, timeout=10000):
        pass
    notice = session.window.notice.label.text()
    assert f"No backup was written: the folder {out.parent} does not exist" in notice


def test_the_menu_suggests_a_name_and_remembers_the_folder(
    qtbot, session: GuiSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    chosen = tmp_path / "chosen.db"

    def save_name(_parent, _title, suggested, _filters):
        asked.append(suggested)
        return str(chosen), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    session.window.backup_action.trigger()
    task = session.window.backup_task
    assert task is not None
    qtbot.waitUntil(lambda: not task.running, timeout=10000)
    assert chosen.exists()
    assert Path(asked[0]).name.startswith("drm-backup-") and asked[0].endswith(".db")
    assert session.settings.value(FOLDER_KEY) == str(tmp_path)
