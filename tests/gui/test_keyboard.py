"""Keyboard reach, with key events: access keys on every menu item, the columns by
Alt+number, the filter and back, a move. The menus opened by keys are tested on a real X
server (test_real_input.py): offscreen Qt cannot grab the keyboard for a popup."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenuBar

from drm_gui.core.states import DrmState
from drm_gui.gui.keyboard import give_mnemonics, mnemonic
from tests.gui.test_main_window import state_and_location
from tests.helpers.menus import assert_access_keys

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def test_mnemonic_reads_the_access_key() -> None:
    assert mnemonic("&Open") == "o"
    assert mnemonic("Save &As…") == "a"
    assert mnemonic("Tom && Jerry") is None
    assert mnemonic("Tom && &Jerry") == "j"
    assert mnemonic("trailing &") is None


def test_give_mnemonics_keeps_chosen_keys_and_prefers_first_letters(qapp) -> None:
    bar = QMenuBar()
    menu = bar.addMenu("Reports")
    texts = ["Tapes to send today…", "Tapes to bring back…", "&Audit trail…", "Vault inventory…"]
    for text in texts:
        menu.addAction(text)
    sub = menu.addMenu("Tapes per state")
    sub.addAction("Per state")
    give_mnemonics(bar)
    assert [a.text() for a in menu.actions()] == [
        "&Tapes to send today…",
        "Tapes to &bring back…",
        "&Audit trail…",
        "&Vault inventory…",
        "Tapes &per state",
    ]
    assert sub.actions()[0].text() == "&Per state"
    assert bar.actions()[0].text() == "&Reports"
    assert_access_keys(bar)


def test_every_menu_item_has_an_access_key_of_its_own(session, site_db) -> None:
    window = session.window
    assert assert_access_keys(window.menuBar()) >= 50
    _info, ids = site_db
    assert assert_access_keys(window.build_move_menu([ids["B00002L8"]])) == 7


def test_alt_number_goes_to_a_column_and_ctrl_return_moves_the_tape(qtbot, session, site_db):
    _info, ids = site_db
    window = session.window
    qtbot.keyClick(window, Qt.Key.Key_3, ALT)  # the third column: COURIER
    view = window.board.columns[DrmState.COURIER].view
    assert QApplication.focusWidget() is view
    assert window.board.active_state() is DrmState.COURIER
    assert window.detail.record is not None and window.detail.record.volser == "B00002L8"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, CTRL)
    assert state_and_location(ids["B00002L8"]) == (DrmState.VAULT, "VAULT")


def test_the_filter_and_back_to_the_board_by_keys(qtbot, session) -> None:
    window = session.window
    qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is window.filter_edit
    qtbot.keyClicks(window.filter_edit, "B00004")
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_Return)
    vault = window.board.columns[DrmState.VAULT].view
    assert QApplication.focusWidget() is vault
    assert window.detail.record is not None and window.detail.record.volser == "B00004L8"
    assert window.filter_edit.text() == "B00004"  # kept

    qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is vault
