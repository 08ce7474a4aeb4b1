"""The GUI's start on an unusable database: a dialog says what is wrong (the core's one
paragraph) and offers to open another database or to quit; the buttons are clicked from a
timer, as the dialog runs its own event loop."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from drm_gui.core import db as db_mod
from drm_gui.core.db import close_database
from drm_gui.core.models import Volume
from drm_gui.gui import application
from drm_gui.gui.application import GuiSession, open_with_dialogs, run_gui
from drm_gui.gui.main_window import MainWindow
from tests.core.conftest import sqlite_url
from tests.helpers.bad_databases import (
    DAMAGES,
    drm_database,
    locked_by_another_process,
    newer_schema,
    text_file,
)
from tests.helpers.pgserver import PostgresServer, free_port

OTHER = "Open another database…"
POLL_MS = 20
POLL_LIMIT = 500  # 10 s: then the dialog never came, and the test fails on its own terms


@pytest.fixture(autouse=True)
def _closed_after() -> Iterator[None]:
    yield
    close_database()


def click_in_next_box(button: str, seen: list[str]) -> None:
    """Once a message box is up: notes its text in *seen*, clicks *button*."""

    def poll(attempt: int) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            if attempt < POLL_LIMIT:
                QTimer.singleShot(POLL_MS, lambda: poll(attempt + 1))
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(0, lambda: poll(0))


def damaged(tmp_path: Path, _server: Callable[[], PostgresServer]) -> tuple[str, str]:
    path = drm_database(tmp_path / "site.db")
    DAMAGES["garbage pages"](path)
    return str(path), f"{path}: the database file is damaged"


def not_a_database(tmp_path: Path, _server: Callable[[], PostgresServer]) -> tuple[str, str]:
    path = text_file(tmp_path / "notes.db")
    return str(path), f"{path}: this file is not a drm-gui database"


def newer(tmp_path: Path, _server: Callable[[], PostgresServer]) -> tuple[str, str]:
    path = drm_database(tmp_path / "site.db")
    newer_schema(sqlite_url(path))
    return str(path), "upgrade drm-gui, or open another database"


def server_down(_tmp_path: Path, _server: Callable[[], PostgresServer]) -> tuple[str, str]:
    port = free_port()
    return f"postgresql://drm@127.0.0.1:{port}/drm", f"127.0.0.1 port {port} cannot be reached"


def login_refused(_tmp_path: Path, server: Callable[[], PostgresServer]) -> tuple[str, str]:
    pg = server()
    pg.password_role("keeper", "the-right-one")
    url = f"postgresql://keeper:wrong@127.0.0.1:{pg.port}/postgres"
    return url, "refused the login (password authentication failed"


@pytest.mark.parametrize("case", [damaged, not_a_database, newer, server_down, login_refused])
def test_the_dialog_explains_and_quit_gives_up(
    qtbot, tmp_path: Path, request: pytest.FixtureRequest, case
) -> None:
    url, expected = case(tmp_path, lambda: request.getfixturevalue("postgres_server"))
    seen: list[str] = []
    click_in_next_box("Quit", seen)
    assert open_with_dialogs(url) is None
    assert len(seen) == 1
    assert expected in seen[0]
    assert "Traceback" not in seen[0]


def test_a_locked_database_is_explained(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(db_mod.SQLITE_PRAGMAS, "busy_timeout", 200)
    path = drm_database(tmp_path / "site.db")
    seen: list[str] = []
    with locked_by_another_process(path):
        click_in_next_box("Quit", seen)
        assert open_with_dialogs(str(path)) is None
    assert f"{path}: the database is locked by another program" in seen[0]


def test_open_another_database_opens_the_chosen_one(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = drm_database(tmp_path / "good.db", tapes=12)
    bad = text_file(tmp_path / "notes.db")
    monkeypatch.setattr(application, "ask_for_database_file", lambda _parent: str(good))
    seen: list[str] = []
    click_in_next_box(OTHER, seen)
    info = open_with_dialogs(str(bad))
    assert info is not None and info.display_name == "good.db"
    assert Volume.select().count() == 12
    assert len(seen) == 1


def test_open_another_then_no_file_chosen_gives_up(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(application, "ask_for_database_file", lambda _parent: None)
    seen: list[str] = []
    click_in_next_box(OTHER, seen)
    assert open_with_dialogs(str(text_file(tmp_path / "notes.db"))) is None


def test_the_app_quits_with_status_1_when_the_user_gives_up(qtbot, tmp_path: Path) -> None:
    seen: list[str] = []
    click_in_next_box("Quit", seen)
    assert run_gui(str(text_file(tmp_path / "notes.db"))) == 1
    top = QApplication.topLevelWidgets()
    assert not any(isinstance(w, MainWindow) and w.isVisible() for w in top)


def test_the_app_starts_on_the_database_chosen_instead(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = drm_database(tmp_path / "good.db", tapes=12)
    monkeypatch.setattr(application, "ask_for_database_file", lambda _parent: str(good))
    titles: list[str] = []

    def close_the_window(attempt: int = 0) -> None:
        top = QApplication.topLevelWidgets()
        windows = [w for w in top if isinstance(w, MainWindow) and w.isVisible()]
        if not windows and attempt < POLL_LIMIT:
            QTimer.singleShot(POLL_MS, lambda: close_the_window(attempt + 1))
            return
        for window in windows:
            titles.append(window.windowTitle())
            window.close()

    click_in_next_box(OTHER, [])
    QTimer.singleShot(0, close_the_window)
    assert run_gui(str(text_file(tmp_path / "notes.db"))) == 0
    assert titles and "good.db" in titles[0]


def test_file_open_database_on_a_bad_file_goes_back_to_the_open_one(
    qtbot, session: GuiSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """File → Open database…: a bad choice, then Cancel, leaves the window on its database."""
    before = session.controller.db_info
    bad = drm_database(tmp_path / "other.db")
    DAMAGES["truncated"](bad)
    monkeypatch.setattr(application, "ask_for_database_file", lambda _parent: str(bad))
    seen: list[str] = []
    click_in_next_box("Cancel", seen)
    session.window.open_action.trigger()
    assert f"{bad}: the database file is damaged" in seen[0]
    assert session.controller.db_info == before
    assert Volume.select().count() == 11
