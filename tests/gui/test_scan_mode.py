"""Scan mode driven by the keyboard, as a scanner types: volser + Enter, good, wrong and
duplicate scans; finishing moves only the scanned tapes."""

from __future__ import annotations

from PySide6.QtCore import Qt

from drm_gui.core.models import Movement, Volume
from drm_gui.core.states import DrmState


def scan(qtbot, window, text: str) -> None:
    """The scanner types into whatever has the focus in the window."""
    target = window.focusWidget() or window.expected_list
    qtbot.keyClicks(target, text)
    qtbot.keyClick(target, Qt.Key.Key_Return)


def test_receipt_at_the_vault_by_scanning(qtbot, session, site_db):
    _info, ids = site_db
    window = session.window.scan_receive(DrmState.COURIER, DrmState.VAULT, "Receipt")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.expected_list.setFocus()
    assert "Scanned 0 of 1" in window.counters.text()

    scan(qtbot, window, "b00002l8")  # the one tape in COURIER
    assert "✓" in window.feedback.text()
    assert window.expected_list.item(0).text().startswith("✓")
    scan(qtbot, window, "B00002L8")
    assert "already scanned" in window.feedback.text()
    scan(qtbot, window, "A00001L8")  # a known tape, not in this shipment
    assert "not part of this shipment" in window.feedback.text()
    scan(qtbot, window, "XYZ!!")
    assert "Not a volume name" in window.feedback.text()
    assert "Surplus 1" in window.counters.text()
    assert not window.finish_button.isEnabled()  # the lists disagree

    window.reason.setText("A00001L8 was put in the case by mistake")
    assert window.finish_button.isEnabled()
    with qtbot.waitSignal(session.controller.moves_done, timeout=5000):
        window.finish_button.click()
    assert Volume.get_by_id(ids["B00002L8"]).state is DrmState.VAULT
    assert Volume.get_by_id(ids["A00001L8"]).state is DrmState.MOUNTABLE
    reason = Movement.get(Movement.volume == ids["B00002L8"]).reason
    assert reason.startswith("Receipt: 1 of 1 scanned") and "by mistake" in reason


def test_typing_in_the_reason_field_is_not_taken_as_a_scan(qtbot, session):
    window = session.window.scan_receive(DrmState.COURIER, DrmState.VAULT, "Receipt")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.reason.setFocus()
    qtbot.keyClicks(window.reason, "B00002L8")
    qtbot.keyClick(window.reason, Qt.Key.Key_Return)
    assert window.reason.text() == "B00002L8"
    assert window.session.scanned == []
    window.reject()


def test_the_two_tones_are_real_sounds_of_different_pitch(tmp_path):
    import wave

    from drm_gui.gui.sound import TONES, Tones

    tones = Tones()
    lengths = {}
    for name, (_freq, seconds) in TONES.items():
        with wave.open(str(tones.files[name])) as sound:
            assert sound.getnchannels() == 1 and sound.getsampwidth() == 2
            lengths[name] = sound.getnframes() / sound.getframerate()
            assert abs(lengths[name] - seconds) < 0.01
    assert TONES["good"][0] > TONES["bad"][0]  # high for good, low for wrong
    assert lengths["good"] < lengths["bad"]
