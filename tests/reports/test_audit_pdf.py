"""The audit trail as PDF, read back by text extraction: the verdict on the first page, every
row, the header and "Page X of Y" on every page."""

from __future__ import annotations

import datetime as dt
import re
import stat
from pathlib import Path

from pypdf import PdfReader

from drm_gui.core.audit import Problem, VerifyResult
from drm_gui.core.audit_export import AuditReport
from drm_gui.reports.audit_pdf import render_audit_pdf

AT = dt.datetime(2024, 6, 15, 12, 0)
INTACT = VerifyResult(300, 300, "ab" * 32, None, None, "The audit trail is intact: 300 row(s).")
BROKEN = VerifyResult(
    41, 300, "ab" * 32, Problem.REMOVED, 42, "Row #42 is missing: removed from the trail."
)


def report(count: int, verdict: VerifyResult = INTACT) -> AuditReport:
    rows = tuple(
        (str(n), f"2024-06-{1 + n % 14:02d} 08:00:00", "alice on ws-01", "MOVE", f"A{n:05d}L8",
         f"batch {n}; A{n:05d}L8 VAULT → VAULTRETRIEVE at IRON MOUNTAIN (expired)")
        for n in range(1, count + 1)
    )  # fmt: skip
    scope = "Every row recorded from 2024-06-01 00:00 UTC until 2024-06-15 00:00 UTC."
    return AuditReport("Audit trail", scope, AT, verdict, rows)


def pages_of(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(str(path)).pages]


def test_every_row_the_verdict_first_and_the_page_numbers(tmp_path: Path) -> None:
    path = render_audit_pdf(report(300), tmp_path / "audit.pdf", invariant=True)
    pages = pages_of(path)
    text = "\n".join(pages)
    assert len(pages) > 3
    assert "CHAIN INTACT" in pages[0] and "The audit trail is intact: 300 row(s)." in pages[0]
    assert "2024-06-01 00:00 UTC until 2024-06-15 00:00 UTC" in pages[0]
    assert "A00001L8" in pages[0]  # the rows start under the verdict
    for n in range(1, 301):
        assert f"A{n:05d}L8 VAULT" in text
    numbers = re.findall(r"Page (\d+) of (\d+)", text)
    assert numbers == [(str(i), str(len(pages))) for i in range(1, len(pages) + 1)]
    assert all("When (UTC)" in page for page in pages)  # the header on every page
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert not list(tmp_path.glob(".*part"))


def test_a_broken_chain_is_said_on_the_first_page(tmp_path: Path) -> None:
    pages = pages_of(render_audit_pdf(report(3, BROKEN), tmp_path / "broken.pdf"))
    assert "CHAIN BROKEN" in pages[0] and "CHAIN INTACT" not in pages[0]
    assert "Row #42 is missing: removed from the trail." in pages[0]
    assert "The whole trail was checked (41 row(s))" in pages[0]


def test_no_rows_says_so(tmp_path: Path) -> None:
    [page] = pages_of(render_audit_pdf(report(0), tmp_path / "none.pdf"))
    assert "0 row(s)" in page and "None." in page and "Page 1 of 1" in page


def test_the_same_report_gives_the_same_pdf(tmp_path: Path) -> None:
    first = render_audit_pdf(report(20), tmp_path / "a.pdf", invariant=True).read_bytes()
    second = render_audit_pdf(report(20), tmp_path / "b.pdf", invariant=True).read_bytes()
    assert first == second
