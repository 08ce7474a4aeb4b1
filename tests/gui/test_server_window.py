"""The storage server part of the window: File → Import through the preview, the command
file without a link, moves sent through the (fake) link in the background, a refusal
rolled back on the board, the synchronisation, and the link settings dialog."""

from __future__ import annotations

from pathlib import Path

import pytest

from drm_gui.core import media
from drm_gui.core.imports import ImportKind
from drm_gui.core.models import CommandStatus, ServerCommand, Volume
from drm_gui.core.states import DrmState
from drm_gui.gui.application import GuiSession
from drm_gui.gui.server_link import ServerSettingsDialog
from drm_gui.paths import data_dir
from tests.fake_dsmadmc import (
    DSMADMC,
    drm_volume,
    drmedia_rows,
    sample_server,
    set_faults,
    write_state,
)

PASSWORD = "Pw-s3cret-XYZ"
DRMEDIA = """\
NEW001L8,Vault,06/14/2024 09:30:00,IRON MOUNTAIN,CopyStgPool,COPYPOOL1,,LIB1
A00001L8,Courier,06/14/2024 09:30:00,COURIER,CopyStgPool,COPYPOOL1,,LIB1
"""


def wait_task(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.import_task is not None and not window.import_task.running)


def test_import_shows_the_preview_and_applies_when_accepted(qtbot, session: GuiSession, tmp_path):
    window = session.window
    path = tmp_path / "drmedia.txt"
    path.write_text(DRMEDIA)
    window.import_file(ImportKind.DRMEDIA, path)
    qtbot.waitUntil(lambda: getattr(window, "import_dialog", None) is not None)
    dialog = window.import_dialog
    assert "2 volume(s) read: 1 new, 1 changed" in dialog.summary_label.text()
    assert dialog.can_apply()
    dialog.accept()
    wait_task(qtbot, window)
    qtbot.waitUntil(lambda: "recorded" in window.statusBar().currentMessage())
    record = session.store.get(Volume.get(Volume.volser == "NEW001L8").id)
    assert record is not None and record.state is DrmState.VAULT
    assert Volume.get(Volume.volser == "A00001L8").state is DrmState.COURIER


def test_a_cancelled_preview_imports_nothing(qtbot, session: GuiSession, tmp_path) -> None:
    window = session.window
    path = tmp_path / "drmedia.txt"
    path.write_text(DRMEDIA)
    window.import_file(ImportKind.DRMEDIA, path)
    qtbot.waitUntil(lambda: getattr(window, "import_dialog", None) is not None)
    window.import_dialog.reject()
    assert window.statusBar().currentMessage() == "Nothing was imported."
    assert not Volume.select().where(Volume.volser == "NEW001L8").exists()


def test_a_file_that_cannot_be_read_is_said(qtbot, session: GuiSession, tmp_path) -> None:
    window = session.window
    window.import_file(ImportKind.VOLHIST, tmp_path / "missing.out")
    wait_task(qtbot, window)
    assert "The file was not imported" in window.statusBar().currentMessage()
    assert "cannot read" in window.statusBar().currentMessage()


def test_without_a_link_moves_go_to_the_command_file(qtbot, session: GuiSession, site_db) -> None:
    _info, ids = site_db
    session.controller.move([ids["A00001L8"]], DrmState.NOTMOUNTABLE)
    path = data_dir() / "exec.cmds"
    assert path.read_text().startswith(
        "MOVE DRMEDIA A00001L8 WHERESTATE=MOUNTABLE TOSTATE=NOTMOUNTABLE"
    )
    assert ServerCommand.get().status is CommandStatus.WRITTEN
    assert "command file" in session.window.server_label.text()


@pytest.fixture
def linked(session: GuiSession, tmp_path: Path) -> Path:
    """The site's tapes on a fake server, and the link set to it."""
    server = sample_server(admins={"ADMIN": PASSWORD})
    server.drmedia = [
        drm_volume("A00001L8", "MOUNTABLE", voltype="CopyStgPool", stgpool="COPYPOOL1"),
        drm_volume("A00002L8", "MOUNTABLE", voltype="CopyStgPool", stgpool="COPYPOOL1"),
        drm_volume("B00002L8", "COURIER", location="COURIER", stgpool="COPYPOOL2"),
    ]
    state = write_state(tmp_path / "server.json", server)
    for name, value in (
        ("server_link", "YES"),
        ("server_command", str(DSMADMC)),
        ("server_admin", "admin"),
        ("server_timeout", "30"),
    ):
        media.set_setting(name, value)
    link = session.window.server
    link.password_prompt = lambda _profile: PASSWORD
    link.extra_env = {"FAKE_DSMADMC_STATE": str(state)}
    return state


def test_with_a_link_moves_are_sent_in_the_background(qtbot, session, site_db, linked) -> None:
    _info, ids = site_db
    link = session.window.server
    session.controller.move([ids["A00001L8"]], DrmState.NOTMOUNTABLE)
    qtbot.waitUntil(lambda: link.task is not None and not link.task.running, timeout=20000)
    assert drmedia_rows(linked)["A00001L8"]["state"] == "NOTMOUNTABLE"
    assert ServerCommand.get().status is CommandStatus.SENT
    assert session.window.server_label.text().strip() == "Server: up to date"


def test_a_move_the_server_refuses_is_rolled_back_on_the_board(
    qtbot, session, site_db, linked
) -> None:
    _info, ids = site_db
    set_faults(linked, refuse_move=["B00002L8"])
    link = session.window.server
    session.controller.move([ids["B00002L8"]], DrmState.VAULT)
    assert session.store.get(ids["B00002L8"]).state is DrmState.VAULT
    qtbot.waitUntil(lambda: link.task is not None and not link.task.running, timeout=20000)
    qtbot.waitUntil(lambda: session.store.get(ids["B00002L8"]).state is DrmState.COURIER)
    assert "refused by the server and rolled back" in session.window.statusBar().currentMessage()


def test_a_wrong_password_is_forgotten_and_the_moves_wait(qtbot, session, site_db, linked) -> None:
    _info, ids = site_db
    link = session.window.server
    link.password_prompt = lambda _profile: "wrong"
    session.controller.move([ids["A00001L8"]], DrmState.NOTMOUNTABLE)
    qtbot.waitUntil(lambda: link.task is not None and not link.task.running, timeout=20000)
    assert link._password is None
    assert "1 move(s) waiting" in session.window.server_label.text()
    assert ServerCommand.get().status is CommandStatus.PENDING


def test_the_synchronisation_shows_the_servers_differences(qtbot, session, linked) -> None:
    window = session.window
    window.synchronise()
    qtbot.waitUntil(lambda: getattr(window, "import_dialog", None) is not None, timeout=20000)
    dialog = window.import_dialog
    assert "3 volume(s) read" in dialog.summary_label.text()
    dialog.accept()
    wait_task(qtbot, window)
    qtbot.waitUntil(lambda: "recorded" in window.statusBar().currentMessage())


def test_the_settings_dialog_checks_every_value_before_saving(qtbot, session) -> None:
    dialog = ServerSettingsDialog(session.window)
    qtbot.addWidget(dialog)
    dialog.link.setChecked(True)
    dialog.edits["server_admin"].setText("")
    dialog.save()
    assert "needs an administrator id" in dialog.error.text()
    dialog.edits["server_admin"].setText("bad name")
    dialog.save()
    assert "server_admin" in dialog.error.text() and "letters, digits" in dialog.error.text()
    assert media.load_settings()["server_link"] is False  # nothing saved
    dialog.edits["server_admin"].setText("admin")
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert media.load_settings()["server_admin"] == "admin"
