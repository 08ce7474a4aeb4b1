"""Reports → Audit trail: the chain's verdict, and a period exported as PDF and CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from pypdf import PdfReader

from drm_gui.core.models import database
from drm_gui.core.states import DrmState
from drm_gui.gui.application import GuiSession
from drm_gui.gui.audit_view import AuditDialog


def test_verify_and_export(qtbot, session: GuiSession, site_db, tmp_path: Path) -> None:
    _info, ids = site_db
    session.controller.move([ids["A00001L8"]], DrmState.NOTMOUNTABLE)
    dialog = AuditDialog(session.window)
    qtbot.addWidget(dialog)
    assert dialog.verify().ok and dialog.verdict.text().startswith("✔")
    for name in ("audit.pdf", "audit.csv"):
        task = dialog.export(tmp_path / name)
        assert task is not None
        qtbot.waitUntil(lambda t=task: not t.running, timeout=20000)
    assert "written to" in dialog.status.text()
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "audit.pdf").pages)
    assert "A00001L8" in text
    with (tmp_path / "audit.csv").open() as handle:
        assert any("A00001L8" in ",".join(row) for row in csv.reader(handle))
    dialog.volser.setText("not a tape!")
    assert dialog.export(tmp_path / "x.csv") is None
    assert "Not a volume name" in dialog.status.text()
    database.execute_sql("UPDATE audit_entry SET os_user = 'mallory' WHERE seq = 1")
    assert not dialog.verify().ok and dialog.verdict.text().startswith("⚠")
