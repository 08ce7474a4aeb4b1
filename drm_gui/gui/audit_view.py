"""Reports → Audit trail: check the tamper-evident chain, and export the rows of a period
or of one tape as PDF or CSV (the same core functions as `audit verify` / `audit export`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from drm_gui.core.audit import VerifyResult, verify_chain
from drm_gui.core.audit_export import audit_report, audit_rows, export_csv
from drm_gui.core.volser import check_volser
from drm_gui.gui import style
from drm_gui.gui.tasks import BackgroundTask


def _utc_day_start(day: QDate) -> dt.datetime:
    """The start of a local calendar day, as the naive UTC the database keeps."""
    local = dt.datetime(day.year(), day.month(), day.day()).astimezone()
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def write_audit(path: Path, start: dt.datetime, end: dt.datetime, volser: str | None) -> int:
    """Writes the rows of the period (and tape) to *path*, PDF or CSV by its suffix."""
    if path.suffix.lower() == ".pdf":
        from drm_gui.reports.audit_pdf import render_audit_pdf

        report = audit_report(start, end, volser)
        render_audit_pdf(report, path)
        return len(report.rows)
    return export_csv(path, audit_rows(start, end, volser))


class AuditDialog(QDialog):
    """The audit trail's check and export."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit trail")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        today = QDate.currentDate()
        self.start = QDateEdit(today.addDays(-30))
        self.end = QDateEdit(today)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.volser = QLineEdit()
        self.volser.setPlaceholderText("every tape")
        form.addRow("From (local day):", self.start)
        form.addRow("To (local day, included):", self.end)
        form.addRow("Tape:", self.volser)
        layout.addLayout(form)
        self.verdict = QLabel("")
        self.verdict.setObjectName("auditVerdict")
        self.verdict.setWordWrap(True)
        layout.addWidget(self.verdict)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.verify_button = QPushButton("Verify the chain")
        self.pdf_button = QPushButton("Save PDF…")
        self.csv_button = QPushButton("Save CSV…")
        for button in (self.verify_button, self.pdf_button, self.csv_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.verify_button.clicked.connect(self.verify)
        self.pdf_button.clicked.connect(lambda: self._ask_and_export("PDF (*.pdf)", ".pdf"))
        self.csv_button.clicked.connect(lambda: self._ask_and_export("CSV (*.csv)", ".csv"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.task: BackgroundTask | None = None

    def verify(self) -> VerifyResult:
        result = verify_chain()
        colour = style.BLUISH_GREEN if result.ok else style.WARNING_COLOUR
        sign = "✔" if result.ok else style.WARNING_SIGN
        self.verdict.setStyleSheet(f"color: {colour.name()}; font-weight: bold")
        self.verdict.setText(f"{sign} {result.message}")
        return result

    def period(self) -> tuple[dt.datetime, dt.datetime, str | None]:
        """The chosen days (the end day included) and tape; DrmError-free: a bad tape name
        is said in the dialog and gives None."""
        start = _utc_day_start(self.start.date())
        end = _utc_day_start(self.end.date().addDays(1))
        text = self.volser.text().strip()
        return start, end, check_volser(text).volser if text else None

    def _ask_and_export(self, file_filter: str, suffix: str) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Save the audit trail", f"audit{suffix}", file_filter
        )
        if name:
            self.export(Path(name))

    def export(self, path: Path) -> BackgroundTask | None:
        start, end, volser = self.period()
        if self.volser.text().strip() and volser is None:
            self.status.setText(f"Not a volume name: {self.volser.text().strip()!r}")
            return None
        task = BackgroundTask(
            "Writing the audit trail", lambda: write_audit(path, start, end, volser), self
        )
        task.done.connect(lambda n: self.status.setText(f"{n:,} row(s) written to {path}."))
        task.error.connect(lambda e: self.status.setText(f"Not written: {e}"))
        self.task = task
        task.start()
        return task
