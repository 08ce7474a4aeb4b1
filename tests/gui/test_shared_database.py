"""File → Connect to a shared database: the window switches to PostgreSQL, follows it, and
remembers it for this workstation when asked."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QMessageBox

from drm_gui.gui.application import GuiSession
from drm_gui.workstation import workstation_database


def test_connecting_to_the_shared_database(qtbot, session: GuiSession, postgres_url, monkeypatch):
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (postgres_url, True))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    session.settings.setValue(f"first_start_done/{postgres_url}", True)  # no demo question
    session.window.connect_action.trigger()
    assert session.controller.db_info.backend == "postgresql"
    assert session.controller.watcher is not None
    assert workstation_database() == postgres_url


def test_a_url_with_a_password_is_refused(qtbot, session: GuiSession, monkeypatch) -> None:
    url = "postgresql://drm:secret@127.0.0.1:1/drm"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (url, True))
    session.window.connect_action.trigger()
    assert session.controller.db_info.backend == "sqlite"
    assert "holds a password" in session.window.statusBar().currentMessage()
