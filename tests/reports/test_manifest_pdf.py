"""The courier manifest PDF: the data step on its own, then rendered PDFs read back by text
extraction (pypdf), a page rendered to pixels (pdftoppm) and its barcodes decoded (zbarimg)."""

from __future__ import annotations

import dataclasses
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from drm_gui.core.models import ManifestDirection
from drm_gui.reports.manifest_pdf import (
    MANIFEST_FILE_MODE,
    TAPE_COLUMNS,
    manifest_document,
    render_manifest_pdf,
)
from tests.reports import manifests


# The data step -----------------------------------------------------------------------------
def test_document_of_a_manifest() -> None:
    info = manifests.manifest(6)
    doc = manifest_document(info)
    assert doc.number == "000042" and doc.title == "Courier manifest 000042 · OUT"
    assert doc.direction == "Outbound: to the vault"
    facts = dict(doc.facts)
    assert facts["Courier"] == "SAFE TRANSIT" and facts["Vault"] == "IRON MOUNTAIN"
    assert facts["Created"] == "2026-10-01 06:30 UTC"
    assert facts["Created by"] == "alice on ws-07"
    assert facts["SHA-256"] == info.sha256 == doc.sha256
    assert doc.footer == f"Manifest 000042 · SHA-256 {info.sha256}"
    assert [t[0] for t in doc.tapes] == list(info.volsers)
    assert doc.tapes[0] == ("A00000L8", "COPYPOOL", "Copy pool", "LIB1 → IRON MOUNTAIN", "CASE-01")
    assert doc.tapes[2][1] == "–"  # a database backup belongs to no pool
    assert doc.totals == (("–", "DB backup", "2"), ("COPYPOOL", "Copy pool", "2"),
                          ("OFFSITE", "Copy pool", "2"))  # fmt: skip
    assert doc.total == 6 and doc.signatures == ("Released by", "Received by")
    assert len(TAPE_COLUMNS) == len(doc.tapes[0]) + 1  # the barcode column
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.number = "1"  # type: ignore[misc]


def test_document_of_an_inbound_manifest() -> None:
    doc = manifest_document(manifests.manifest(2, number=7, direction=ManifestDirection.IN))
    assert doc.direction == "Inbound: recalled from the vault"
    assert doc.title.endswith("000007 · IN")


# Rendered PDFs -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("manifests")
    return {
        n: render_manifest_pdf(manifests.manifest(n), folder / f"m{n}.pdf", invariant=True)
        for n in (3, 400)
    }


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


@pytest.mark.parametrize("count", [3, 400])
def test_every_volser_is_text(pdfs: dict[int, Path], count: int) -> None:
    text = "\n".join(page_texts(pdfs[count]))
    missing = [v for v in manifests.manifest(count).volsers if v not in text]
    assert missing == []


@pytest.mark.parametrize("count", [3, 400])
def test_page_x_of_y_number_and_hash_on_every_page(pdfs: dict[int, Path], count: int) -> None:
    texts = page_texts(pdfs[count])
    digest = manifests.manifest(count).sha256
    assert len(texts) > (1 if count == 400 else 0)
    for i, text in enumerate(texts, start=1):
        assert f"Page {i} of {len(texts)}" in text
        assert f"Manifest 000042 · SHA-256 {digest}" in text


@pytest.mark.parametrize("count", [3, 400])
def test_signatures_and_totals_on_the_last_page(pdfs: dict[int, Path], count: int) -> None:
    texts = page_texts(pdfs[count])
    last = texts[-1]
    for words in ("Released by", "Received by", "Date and time", "Signature", "Name"):
        assert words in last
        assert all(words not in t for t in texts[:-1]) or words == "Name"
    assert "Totals per pool and kind" in "\n".join(texts[-2:])
    assert re.search(rf"All\s+{count}\b", "\n".join(texts[-2:]))


def test_header_facts_on_page_one(pdfs: dict[int, Path]) -> None:
    first = page_texts(pdfs[400])[0]
    for words in ("Courier manifest 000042", "SAFE TRANSIT", "IRON MOUNTAIN", "alice on ws-07"):
        assert words in first
    assert "2026-10-01 06:30 UTC" in first
    assert "A00000L8" in first  # the tape list starts on page 1


def test_barcodes_decode_to_the_volsers(pdfs: dict[int, Path], tmp_path: Path) -> None:
    if not shutil.which("zbarimg"):
        pytest.fail("zbarimg is not installed: run `make test`, which installs zbar-tools")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "300",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(pdfs[400]),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    image = next(tmp_path.glob("p*.png"))
    out = subprocess.run(["zbarimg", "-q", str(image)], capture_output=True, text=True).stdout
    decoded = {line.split(":", 1)[1] for line in out.splitlines() if line.startswith("CODE-128:")}
    text = page_texts(pdfs[400])[0]
    on_page = {v for v in manifests.manifest(400).volsers if v in text}
    assert len(on_page) >= 10
    assert decoded == on_page  # every barcode on the page, and nothing else


def test_reprint_is_byte_identical(tmp_path: Path) -> None:
    info = manifests.manifest(50)
    one = render_manifest_pdf(info, tmp_path / "1.pdf", invariant=True)
    two = render_manifest_pdf(info, tmp_path / "2.pdf", invariant=True)
    assert one.read_bytes() == two.read_bytes()
    other = render_manifest_pdf(
        manifests.manifest(50, number=43), tmp_path / "3.pdf", invariant=True
    )
    assert other.read_bytes() != one.read_bytes()


def test_the_file_is_world_readable_and_written_atomically(pdfs: dict[int, Path]) -> None:
    for path in pdfs.values():
        assert stat.S_IMODE(path.stat().st_mode) == MANIFEST_FILE_MODE == 0o644
        assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []
