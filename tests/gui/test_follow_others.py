"""The board follows the moves another workstation makes, without a refresh: a real second
process moves tapes in the same database file."""

from __future__ import annotations

from drm_gui.core.states import DrmState
from drm_gui.gui.application import GuiSession
from tests.core.test_changes import other_workstation


def test_a_move_elsewhere_appears_on_the_board(qtbot, session: GuiSession, site_db) -> None:
    info, ids = site_db
    assert session.controller.watcher is not None
    other_workstation(info.url, "move", "A00001L8", "A00002L8", "--to", "COURIER")
    qtbot.waitUntil(
        lambda: session.store.get(ids["A00002L8"]).state is DrmState.COURIER, timeout=10000
    )
    assert session.store.get(ids["A00001L8"]).state is DrmState.COURIER
    assert "2 tape(s) moved on another workstation" in session.window.statusBar().currentMessage()


def test_an_own_move_is_not_announced_as_someone_elses(qtbot, session, site_db) -> None:
    _info, ids = site_db
    session.controller.move([ids["A00003L8"]], DrmState.NOTMOUNTABLE)
    assert "another workstation" not in session.window.statusBar().currentMessage()
    assert session.controller.watcher.check() is not None
    assert "another workstation" not in session.window.statusBar().currentMessage()


def test_tapes_someone_else_moved_first_are_refused_with_who(qtbot, session, site_db) -> None:
    info, ids = site_db
    session.controller.stop_following()  # the board has not seen the other move yet
    other_workstation(info.url, "move", "A00001L8", "--to", "VAULT")
    assert session.store.get(ids["A00001L8"]).state is DrmState.MOUNTABLE  # stale on purpose
    session.controller.move([ids["A00001L8"], ids["A00002L8"]], DrmState.COURIER)
    message = session.window.statusBar().currentMessage()
    assert "Moved A00002L8 to COURIER" in message
    assert "A00001L8: moved meanwhile by " in message and "(now VAULT)" in message
    assert session.store.get(ids["A00001L8"]).state is DrmState.VAULT  # the board caught up
