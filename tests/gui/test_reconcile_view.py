"""Vault reconciliation from the window: a list that disagrees with the records in each
way, resolutions that update the board and the log, a list with bad lines."""

from __future__ import annotations

from drm_gui.core.models import Movement, Volume
from drm_gui.core.reconcile import DifferenceKind, Resolution
from drm_gui.core.states import DrmState


def test_a_vault_list_that_disagrees(qtbot, qtmodeltester, session, site_db, tmp_path):
    _info, ids = site_db
    vault_list = tmp_path / "vault.csv"
    # B00003L8: agrees. B00002L8: COURIER in the records but at the vault. ZZZ001L8: unknown.
    # B00004L8, D00001L8 (VAULT) and C00001L7 (VAULTRETRIEVE): at the vault in the records,
    # but not listed.
    vault_list.write_text("Barcode;Shelf\nB00003L8;R1\nB00002L8;R2\nZZZ001L8;R3\n")
    dialog = session.window.reconcile_with(vault_list, "Barcode")
    assert dialog is not None
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    kinds = {d.volser: d.kind for d in dialog.result.differences}
    assert kinds == {
        "B00002L8": DifferenceKind.AT_VAULT_NOT_VAULT,
        "ZZZ001L8": DifferenceKind.UNKNOWN,
        "B00004L8": DifferenceKind.VAULT_NOT_LISTED,
        "D00001L8": DifferenceKind.VAULT_NOT_LISTED,
        "C00001L7": DifferenceKind.VAULT_NOT_LISTED,
    }
    courier = next(d for d in dialog.result.differences if d.volser == "B00002L8")
    assert courier.resolutions[0] is Resolution.MOVE
    dialog.apply(courier, Resolution.MOVE)
    assert Volume.get_by_id(ids["B00002L8"]).state is DrmState.VAULT
    assert session.store.get(ids["B00002L8"]).state is DrmState.VAULT  # the board follows
    missing = next(d for d in dialog.result.differences if d.volser == "B00004L8")
    dialog.apply(missing, Resolution.MARK_MISSING)
    assert Movement.select().where(Movement.volume == ids["B00004L8"]).count() == 1
    assert dialog.model.rowCount() == 3
    assert "mark missing (logged)" in dialog.message.text()


def test_a_list_with_bad_lines_is_refused_unless_the_valid_lines_are_accepted(
    qtbot, session, tmp_path, monkeypatch
):
    from PySide6.QtWidgets import QMessageBox

    plain = tmp_path / "list.txt"
    plain.write_text("B00003L8\nB0000 4L8\n")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert session.window.reconcile_with(plain) is None
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog = session.window.reconcile_with(plain)
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert len(dialog.result.skipped) == 1 and dialog.result.skipped[0].line == 2
