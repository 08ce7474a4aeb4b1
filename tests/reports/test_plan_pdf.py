"""The recovery plan PDF: the data step on its own, then rendered PDFs read back by text
extraction (pypdf, pdftotext) and by rendering the cover to pixels (pdftoppm)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.graphics.barcode.code128 import Code128

from drm_gui.reports import layout, plan_pdf
from drm_gui.reports.plan_pdf import plan_document, render_plan_pdf
from tests.reports import plans

READY_MARK = "✓ READY"
NOT_READY_MARK = "✗ NOT READY"


# The data step -----------------------------------------------------------------------------
def test_document_of_a_ready_plan() -> None:
    plan = plans.plan(5)
    doc = plan_document(plan)
    assert doc.cover.ready and doc.cover.verdict == "READY"
    assert doc.cover.problems == () and doc.problems == ()
    assert doc.cover.server == "SERVER1" and doc.cover.volume_count == 5
    assert doc.cover.created_utc == "2026-10-01 06:30 UTC"
    assert doc.cover.source == plan.source
    assert [v.volser for v in doc.volumes] == [v.volser for v in plan.volumes_required]
    assert doc.volumes[0].series == "series 1042 · full · vol. 1"
    assert doc.volumes[4].series == "COPYPOOL1" and doc.volumes[4].state == "Vault"
    assert [s.stanza for s in doc.instructions][:5] == [s for s, _ in plan_pdf.INSTRUCTIONS]
    assert doc.instructions[0].lines == plan.instructions["RECOVERY.INSTRUCTIONS.GENERAL"]
    assert doc.instructions[2].lines == ()  # not entered: the PDF says so
    assert [(s.name, s.lines, s.executable) for s in doc.scripts] == [
        (s.name, s.lines, s.executable) for s in plan.stanzas
    ]
    assert doc.machines[0].title == "TSMSRV01 (storage server)"
    assert ("Location", "building B2, floor 1, room 114") in doc.machines[0].facts
    assert doc.machines[0].media[0].volumes == "CD0001, CD0002"
    assert doc.starter_kit == plan.starter_kit
    assert doc.last_test == "2026-03-04 (211 days before this plan)" and not doc.test_overdue
    keys = [e.key for e in doc.toc]
    assert "problems" not in keys and len(keys) == len(set(keys))
    assert {"instructions", "volumes", "machines", "starter-kit", "scripts"} <= set(keys)
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.title = "changed"  # type: ignore[misc]


def test_document_of_a_plan_with_a_tape_in_courier() -> None:
    doc = plan_document(plans.plan(1200, courier=40))
    assert not doc.cover.ready and doc.cover.verdict == "NOT READY"
    assert doc.cover.summary == "Not ready: 40 required volume(s) not yet in the vault."
    assert len(doc.problems) == 40
    assert doc.problems[0] == (
        "A00003L8",
        "Courier, in transit to the vault (Courier: Iron Mountain van)",
    )
    assert len(doc.cover.problems) == plan_pdf.COVER_PROBLEMS
    assert doc.cover.more_problems == 40 - plan_pdf.COVER_PROBLEMS
    assert doc.volumes[3].state == "Courier: NOT in the vault"
    assert doc.toc[0].key == "problems"
    assert doc.toc[doc.toc.index(plan_pdf.TocEntry("volumes", "Volumes required (1,200)"))]


def test_recovery_test_over_a_year_old_or_missing_is_overdue() -> None:
    old = plan_document(plans.plan(5, tested=dt.date(2025, 9, 1)))
    assert old.test_overdue and old.last_test.startswith("2025-09-01 (395 days")
    never = plan_document(dataclasses.replace(plans.plan(5), last_recovery_test=None))
    assert never.test_overdue and never.last_test == "never recorded"


# Rendered PDFs -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("plans")
    return {
        "ready": render_plan_pdf(plans.plan(5), folder / "ready.pdf", invariant=True),
        "courier": render_plan_pdf(
            plans.plan(1200, courier=40), folder / "courier.pdf", invariant=True
        ),
    }


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


@pytest.mark.parametrize(("name", "count"), [("ready", 5), ("courier", 1200)])
def test_every_required_volser_is_text(pdfs: dict[str, Path], name: str, count: int) -> None:
    text = "\n".join(page_texts(pdfs[name]))
    volsers = [v.volser for v in plans.volumes(count)]
    assert [v for v in volsers if v not in text] == []
    if shutil.which("pdftotext"):
        layout_text = subprocess.run(
            ["pdftotext", "-layout", str(pdfs[name]), "-"], capture_output=True, text=True
        ).stdout
        assert [v for v in volsers if v not in layout_text] == []


@pytest.mark.parametrize("name", ["ready", "courier"])
def test_page_x_of_y_on_every_page(pdfs: dict[str, Path], name: str) -> None:
    texts = page_texts(pdfs[name])
    total = len(texts)
    assert total > (2 if name == "ready" else 40)
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text, f"page {number}"


def test_cover_shows_the_verdict_in_words(pdfs: dict[str, Path]) -> None:
    ready = page_texts(pdfs["ready"])[0]
    assert READY_MARK in ready and "NOT READY" not in ready
    assert "SERVER1" in ready and "database full series 1042 (newest)" in ready
    assert "2026-10-01" in ready and "(local time)" in ready
    courier = page_texts(pdfs["courier"])[0]
    assert NOT_READY_MARK in courier
    assert "A00003L8: Courier, in transit to the vault" in courier
    assert "and 25 more" in courier


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils' pdftotext is absent")
def test_table_of_contents_points_at_the_right_pages(pdfs: dict[str, Path]) -> None:
    # The page numbers are drawn when the file is saved, out of reading order: read the
    # contents page by position.
    texts = page_texts(pdfs["courier"])
    toc = subprocess.run(
        ["pdftotext", "-layout", "-f", "2", "-l", "2", str(pdfs["courier"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Contents" in toc
    for title, marker in (
        ("Volumes required (1,200)", "Volumes required (1,200)"),
        ("Starter kit and recovery test", "Starter kit and recovery test"),
        ("RECOVERY.VOLUMES.REQUIRED", "RECOVERY.VOLUMES.REQUIRED"),
    ):
        found = re.search(re.escape(title) + r" +(\d+)$", toc, re.MULTILINE)
        assert found, title
        page = int(found.group(1))
        first = next(n for n, t in enumerate(texts[2:], start=3) if marker in t)
        assert page == first, title


def test_sections_and_long_script_lines(pdfs: dict[str, Path]) -> None:
    text = "\n".join(page_texts(pdfs["ready"]))
    for expected in (
        "DR coordinator: Anna Muster, +41 44 555 12 12",
        "(no text entered",
        "TSMSRV01 (storage server)",
        "CD0001, CD0002",
        "☐ OS boot media (BOOTCD)",
        "Last recovery test: 2026-03-04",
        "RECOVERY.SCRIPT.DISASTER.RECOVERY.MODE (executable script)",
        "dsmadmc -id=$1 -pa=$2 macro RECOVERY.DEVICES.REQUIRED",
    ):
        assert expected in text, expected
    # The 280-character line is wrapped, never cut: every character is there.
    assert "END-OF-LINE" in text and "↪" in text
    assert re.sub(r"[\s↪]", "", text).count("x" * 230) == 1


def _pixels(pdf: Path, folder: Path) -> tuple[int, int, bytes]:
    """Page 1 at 50 dpi as raw RGB (pdftoppm's PPM: a short header, then the bytes)."""
    subprocess.run(
        ["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(folder / "p")],
        check=True,
    )
    data = (folder / "p.ppm").read_bytes()
    magic, width, height, maxval, body = data.split(maxsplit=4)
    assert magic == b"P6" and maxval == b"255"
    return int(width), int(height), body


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils' pdftoppm is absent")
@pytest.mark.parametrize(("name", "colour"), [("ready", (0, 122, 77)), ("courier", (213, 94, 0))])
def test_cover_renders_with_the_verdict_colour(
    pdfs: dict[str, Path], tmp_path: Path, name: str, colour: tuple[int, int, int]
) -> None:
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "50",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(pdfs[name]),
            str(tmp_path / "c"),
        ],
        check=True,
    )
    png = next(tmp_path.glob("c*.png"))
    assert png.stat().st_size > 5_000  # a blank A4 page at 50 dpi is about 1 kB
    width, height, body = _pixels(pdfs[name], tmp_path)
    pixels = [tuple(body[i : i + 3]) for i in range(0, width * height * 3, 3)]
    dark = sum(1 for p in pixels if sum(p) < 300)
    assert dark > 0.005 * len(pixels)  # text was drawn
    near = sum(1 for p in pixels if all(abs(a - b) < 40 for a, b in zip(p, colour, strict=True)))
    assert near > 200  # the verdict in its colour (besides its words)


def test_barcodes_decode(pdfs: dict[str, Path], tmp_path: Path) -> None:
    if not shutil.which("zbarimg"):
        pytest.fail("zbarimg is not installed: run `make test`, which installs zbar-tools")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "300",
            "-png",
            "-f",
            "6",
            "-l",
            "6",
            str(pdfs["courier"]),
            str(tmp_path / "v"),
        ],
        check=True,
    )
    image = next(tmp_path.glob("v*.png"))
    out = subprocess.run(["zbarimg", "-q", str(image)], capture_output=True, text=True).stdout
    assert "CODE-128:A00003L8" in out


def test_code128_bars_match_reportlabs_symbol() -> None:
    for value in ("A00003L8", "DB0000L8", "CLN001L7", "000123"):
        bars = layout.code128_bars(value)
        end = bars[-1][0] + bars[-1][1]
        assert end == Code128(value, barWidth=1, quiet=0, humanReadable=0).width


def test_the_file_is_readable_by_the_owner_only(pdfs: dict[str, Path]) -> None:
    for path in pdfs.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_another_mode_on_request(tmp_path: Path) -> None:
    path = render_plan_pdf(plans.plan(5), tmp_path / "p.pdf", invariant=True, mode=0o644)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_invariant_output_is_byte_identical(tmp_path: Path) -> None:
    one = render_plan_pdf(plans.plan(5), tmp_path / "1.pdf", invariant=True)
    two = render_plan_pdf(plans.plan(5), tmp_path / "2.pdf", invariant=True)
    assert one.read_bytes() == two.read_bytes()


def test_no_partial_file_when_rendering_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.pdf"
    target.write_bytes(b"the previous plan")

    def broken(doc: object, width: float) -> list[object]:
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(plan_pdf, "story_of", broken)
    with pytest.raises(RuntimeError, match="drawing failed"):
        render_plan_pdf(plans.plan(5), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.pdf"]
    assert target.read_bytes() == b"the previous plan"


def test_chunked_tables_repeat_the_header() -> None:
    rows = [[f"V{n}", "x"] for n in range(650)]
    tables = layout.chunked_tables(["Volser", "State"], rows, [60, 60], chunk=300)
    assert [t._nrows for t in tables] == [301, 301, 51]
    assert all(t.repeatRows == 1 for t in tables)
    assert all(t._cellvalues[0] == ["Volser", "State"] for t in tables)


def test_fonts_fall_back_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setattr(layout, "_fonts", None)
    with caplog.at_level(logging.WARNING, logger=layout.__name__):
        fonts = layout.register_fonts(tmp_path / "no-fonts")
    assert (fonts.sans, fonts.mono, fonts.unicode) == ("Helvetica", "Courier", False)
    assert "fonts-dejavu-core" in caplog.text
    assert fonts.symbol("✓", "[OK]") == "[OK]"


def test_wrap_text_keeps_every_character() -> None:
    from drm_gui.reports.blocks import wrap_text

    text = "Courier: " + "Z" * 120 + " and a long tail of words to wrap"
    lines = wrap_text(text, "Helvetica", 8.5, 80)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert len(lines) > 3
