"""The operators' lists as PDF, read back by text extraction."""

from __future__ import annotations

import datetime as dt
import re
import stat
from pathlib import Path

from pypdf import PdfReader

from drm_gui.core.reports import TAPE_COLUMNS, Report, ReportName, ReportTable
from drm_gui.reports.operator_pdf import render_report_pdf

AT = dt.datetime(2024, 6, 15, 12, 0)


def tape_report(count: int) -> Report:
    rows = tuple(
        (f"A{n:05d}L8", "Copy pool", "COPYPOOL", "VAULTRETRIEVE", "IRON MOUNTAIN",
         "2024-06-01 08:00 UTC", "WORM: destroy on return" if n % 7 == 0 else "")
        for n in range(count)
    )  # fmt: skip
    return Report(
        ReportName.BRING_BACK,
        ReportName.BRING_BACK.title,
        AT,
        f"{count} tape(s) at the vault whose data has expired (VAULTRETRIEVE).",
        (ReportTable("To bring back", TAPE_COLUMNS, rows),),
    )


def text_of(path: Path) -> tuple[int, str]:
    reader = PdfReader(str(path))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_every_volser_and_the_page_numbers(tmp_path: Path) -> None:
    path = render_report_pdf(tape_report(250), tmp_path / "back.pdf", invariant=True)
    pages, text = text_of(path)
    assert pages > 2
    for n in range(250):
        assert f"A{n:05d}L8" in text
    numbers = re.findall(r"Page (\d+) of (\d+)", text)
    assert numbers == [(str(i), str(pages)) for i in range(1, pages + 1)]
    assert "Tapes to bring back" in text and "2024-06-15 12:00 UTC" in text
    assert text.count("Volser") == pages  # the header on every page
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert not list(tmp_path.glob(".*part"))


def test_the_same_report_gives_the_same_pdf(tmp_path: Path) -> None:
    report = tape_report(20)
    first = render_report_pdf(report, tmp_path / "a.pdf", invariant=True).read_bytes()
    second = render_report_pdf(report, tmp_path / "b.pdf", invariant=True).read_bytes()
    assert first == second


def test_several_tables_and_an_empty_one(tmp_path: Path) -> None:
    report = Report(
        ReportName.COUNTS,
        ReportName.COUNTS.title,
        AT,
        "3 tape(s) in all.",
        (
            ReportTable("Per state", ("State", "Name", "Tapes"), (("VAULT", "Vault", "3"),)),
            ReportTable("Per location", ("Location", "Tapes"), ()),
        ),
    )
    pages, text = text_of(render_report_pdf(report, tmp_path / "c.pdf"))
    assert pages == 1 and "Page 1 of 1" in text
    assert "Per state" in text and "Per location" in text and "None." in text
