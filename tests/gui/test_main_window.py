"""The main window driven as an operator would: drops on the views, menus, keys, undo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QCursor, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from drm_gui.core import media
from drm_gui.core.models import BatchKind, Movement, Volume
from drm_gui.core.states import DrmState
from drm_gui.gui.application import GuiSession
from drm_gui.gui.board_model import MIME_TYPE, encode_ids

ROOT = Path(__file__).resolve().parents[2]


def mime_for(ids: list[int]) -> QMimeData:
    data = QMimeData()
    data.setData(MIME_TYPE, encode_ids(ids))
    return data


def send_drop(session: GuiSession, state: DrmState, data: QMimeData) -> bool:
    """Sends enter, move and drop events to a column's viewport, as a drag would.
    Returns whether the column accepted the drag."""
    view = session.window.board.columns[state].view
    viewport = view.viewport()
    pos = QPoint(viewport.width() // 2, viewport.height() // 2)
    buttons = Qt.MouseButton.LeftButton
    enter = QDragEnterEvent(
        pos, Qt.DropAction.MoveAction, data, buttons, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(viewport, enter)
    move = QDragMoveEvent(
        pos, Qt.DropAction.MoveAction, data, buttons, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(viewport, move)
    if not move.isAccepted():
        return False
    drop = QDropEvent(
        QPointF(pos), Qt.DropAction.MoveAction, data, buttons, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(viewport, drop)
    return drop.isAccepted()


def state_and_location(volume_id: int) -> tuple[DrmState, str]:
    volume = Volume.get_by_id(volume_id)
    return volume.state, volume.location


def title(session: GuiSession, state: DrmState) -> str:
    return session.window.board.columns[state].title.text()


def test_counts_are_shown_on_every_column(session):
    assert "(3)" in title(session, DrmState.MOUNTABLE)
    assert "(3)" in title(session, DrmState.VAULT)
    assert "(1)" in title(session, DrmState.ONSITERETRIEVE)
    assert "11 tapes" in session.window.count_label.text()
    assert "site.db" in session.window.db_label.text()


def test_drop_event_on_a_legal_column_moves_the_tapes(qtbot, session, site_db):
    _info, ids = site_db
    moving = [ids["A00001L8"], ids["A00002L8"]]
    with qtbot.waitSignal(session.controller.moves_done, timeout=5000):
        assert send_drop(session, DrmState.VAULT, mime_for(moving))
    for vid in moving:
        assert state_and_location(vid) == (DrmState.VAULT, "VAULT")
    assert "(1)" in title(session, DrmState.MOUNTABLE)
    assert "(5)" in title(session, DrmState.VAULT)
    assert "Moved 2 tapes to VAULT" in session.window.notice.label.text()
    rows = Movement.select().where(Movement.volume.in_(moving))
    assert {(m.from_state, m.to_state, m.kind) for m in rows} == {
        (DrmState.MOUNTABLE, DrmState.VAULT, BatchKind.MOVE)
    }
    # The moved tapes are selected where they now are, and the detail shows the move.
    assert sorted(session.window.board.selected_ids()) == sorted(moving)
    assert session.window.detail.history_model.rowCount() == 1


def test_drop_event_on_a_refused_column_is_ignored_and_explained(qtbot, session, site_db):
    _info, ids = site_db
    with qtbot.assertNotEmitted(session.controller.moves_done, wait=50):
        accepted = send_drop(session, DrmState.COURIER, mime_for([ids["B00003L8"]]))
    assert not accepted
    assert state_and_location(ids["B00003L8"]) == (DrmState.VAULT, "VAULT")
    message = session.window.statusBar().currentMessage()
    assert "Cannot drop here" in message
    assert "VAULT → COURIER" in message


def test_drag_outlines_legal_columns_and_greys_refused_ones(qtbot, session, site_db):
    _info, ids = site_db
    board = session.window.board
    board._on_drag_started([ids["A00001L8"]])
    hints = {s: c.property("drop") for s, c in board.columns.items()}
    assert hints[DrmState.MOUNTABLE] == ""
    assert {s for s, h in hints.items() if h == "legal"} == {
        DrmState.NOTMOUNTABLE,
        DrmState.COURIER,
        DrmState.VAULT,
    }
    assert hints[DrmState.VAULTRETRIEVE] == "refused"
    # A drag released over a refused column tells why, in a notice.
    refused = board.columns[DrmState.VAULTRETRIEVE].view.viewport()
    QCursor.setPos(refused.mapToGlobal(refused.rect().center()))
    board._on_drag_ended()
    assert all(c.property("drop") == "" for c in board.columns.values())
    assert "Not moved: MOUNTABLE → VAULTRETRIEVE" in session.window.notice.label.text()


def test_undo_restores_state_and_location_as_a_correction(qtbot, session, site_db):
    _info, ids = site_db
    vid = ids["B00001L8"]
    session.controller.move([vid], DrmState.COURIER, to_location="TRUCK 7")
    assert state_and_location(vid) == (DrmState.COURIER, "TRUCK 7")
    assert session.window.undo_action.isEnabled()
    session.window.undo_action.trigger()
    assert state_and_location(vid) == (DrmState.NOTMOUNTABLE, "NOTMOUNTABLE")
    kinds = [m.kind for m in Movement.select().where(Movement.volume == vid).order_by(Movement.id)]
    assert kinds == [BatchKind.MOVE, BatchKind.CORRECTION]
    assert not session.window.undo_action.isEnabled()
    assert "(1)" in title(session, DrmState.NOTMOUNTABLE)
    assert "Undone" in session.window.notice.label.text()


def test_undo_goes_back_batch_by_batch(qtbot, session, site_db):
    _info, ids = site_db
    vid = ids["A00003L8"]
    session.controller.move([vid], DrmState.NOTMOUNTABLE)
    session.controller.move([vid], DrmState.COURIER)
    qtbot.keyClick(session.window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert state_and_location(vid) == (DrmState.NOTMOUNTABLE, "NOTMOUNTABLE")
    qtbot.keyClick(session.window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert state_and_location(vid) == (DrmState.MOUNTABLE, "LIB1")


def test_filter_box_narrows_every_column_as_the_user_types(qtbot, session):
    window = session.window
    qtbot.keyClicks(window.filter_edit, "b0000")
    counts = {s: c.model.rowCount() for s, c in window.board.columns.items()}
    assert counts[DrmState.MOUNTABLE] == 0
    assert counts[DrmState.VAULT] == 2
    assert "2 of 3" in title(session, DrmState.VAULT)
    window.filter_edit.clear()
    window.pool_combo.setCurrentIndex(window.pool_combo.findData("ACTIVEPOOL"))
    assert sum(c.model.rowCount() for c in window.board.columns.values()) == 3
    window.clear_filter_action.trigger()
    assert sum(c.model.rowCount() for c in window.board.columns.values()) == 11


def select_volser(session: GuiSession, state: DrmState, volsers: set[str]) -> None:
    view = session.window.board.columns[state].view
    model = view.column_model()
    selection = view.selectionModel()
    for row in range(model.rowCount()):
        if model.record(row).volser in volsers:
            selection.select(view.view_index(row), selection.SelectionFlag.Select)
            selection.setCurrentIndex(view.view_index(row), selection.SelectionFlag.NoUpdate)


def test_move_menu_enables_only_legal_targets(qtbot, session, site_db):
    _info, ids = site_db
    menu = session.window.build_move_menu([ids["C00001L7"]])  # VAULTRETRIEVE
    enabled = {a.data() for a in menu.actions() if a.isEnabled() and a.data()}
    assert enabled == {DrmState.COURIERRETRIEVE, DrmState.ONSITERETRIEVE}
    refused = [a for a in menu.actions() if a.data() is DrmState.VAULT]
    assert "VAULTRETRIEVE → VAULT" in refused[0].toolTip()
    onsite = next(a for a in menu.actions() if a.data() is DrmState.ONSITERETRIEVE)
    onsite.trigger()
    assert state_and_location(ids["C00001L7"]) == (DrmState.ONSITERETRIEVE, "ONSITE")


def test_keyboard_moves_selection_to_the_next_state(qtbot, session, site_db):
    _info, ids = site_db
    select_volser(session, DrmState.COURIER, {"B00002L8"})
    assert session.window.detail.record is not None
    assert session.window.detail.record.volser == "B00002L8"
    view = session.window.board.columns[DrmState.COURIER].view
    qtbot.keyClick(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert state_and_location(ids["B00002L8"]) == (DrmState.VAULT, "VAULT")


def test_next_state_of_a_vaulted_tape_is_refused_with_a_reason(qtbot, session, site_db):
    _info, ids = site_db
    select_volser(session, DrmState.VAULT, {"B00004L8"})
    session.window.next_action.trigger()
    assert state_and_location(ids["B00004L8"]) == (DrmState.VAULT, "VAULT")
    assert "VAULTRETRIEVE" in session.window.notice.label.text()


def test_evaluate_expiry_action_reports_and_updates_the_board(qtbot, session, site_db):
    _info, ids = site_db
    Volume.update(pct_used=0, empty_since=Volume.updated_at).where(
        Volume.id == ids["B00004L8"]
    ).execute()
    with qtbot.waitSignal(session.controller.expiry_evaluated, timeout=5000):
        session.window.expiry_action.trigger()
    assert state_and_location(ids["B00004L8"]) == (DrmState.VAULTRETRIEVE, "VAULT")
    assert "1 tape(s) now VAULTRETRIEVE" in session.window.notice.label.text()
    assert "(2)" in title(session, DrmState.VAULTRETRIEVE)
    assert "Expiry evaluated" in session.window.expiry_label.text()


def test_first_start_on_an_empty_database_offers_the_demo(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from drm_gui.core.db import close_database, open_database

    info = open_database(f"sqlite:///{tmp_path / 'empty.db'}")
    settings = QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)
    gui = GuiSession(info, settings)
    qtbot.addWidget(gui.window)
    gui.window.show()

    def choose_demo() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        assert "no tapes" in box.text()
        next(b for b in box.buttons() if "demo" in b.text()).click()

    QTimer.singleShot(100, choose_demo)
    gui.first_start()
    assert len(gui.store) == 400
    assert all(gui.store.total(s) > 0 for s in DrmState)
    gui.first_start()  # asked once only: no dialog now, nothing changes
    assert media.counts_by_state()[DrmState.VAULT] > 100
    gui.window.close()
    close_database()


def test_the_app_without_a_display_says_how_to_run_it(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["DRM_GUI_DATA_DIR"] = str(tmp_path)
    proc = subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert "no display" in proc.stderr
    assert "xvfb-run" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_operator_sees_the_administrators_actions_greyed(qtbot, session, monkeypatch) -> None:
    from drm_gui.core import roles
    from drm_gui.core.actor import Actor

    roles.set_role("alice", roles.Role.ADMINISTRATOR)
    monkeypatch.setattr("drm_gui.gui.main_window.current_actor", lambda: Actor("bob", "ws2"))
    window = session.window
    session.controller.reload()
    assert not window.site_action.isEnabled() and not window.sync_action.isEnabled()
    assert window.site_action.statusTip() == "For administrators: bob is an operator"
    assert window.move_action is not None and window.export_plan_action.isEnabled()
