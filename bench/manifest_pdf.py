"""A 1,000-tape courier manifest as a PDF (the ManifestInfo built directly, no database):
render_manifest_pdf against drawing the same text and barcodes with a bare ReportLab canvas.

`python -m bench.manifest_pdf` runs this area alone and prints its figures.
"""

from __future__ import annotations

import datetime as dt
import gc
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import Figure, Results, workdir

if TYPE_CHECKING:  # drm_gui is imported once the environment is set up
    from drm_gui.core.manifest import ManifestInfo

AREA = "manifest_pdf"
TAPES = 1_000
ROWS_PER_PAGE = 30  # the bare baseline's pages: about what the manifest's tape list holds
RUNS = 3


def big_manifest(count: int = TAPES) -> ManifestInfo:
    from drm_gui.core.manifest import ManifestInfo, ManifestTapeInfo, manifest_hash
    from drm_gui.core.models import ManifestDirection
    from drm_gui.core.states import VolumeKind

    tapes = tuple(
        ManifestTapeInfo(
            n + 1,
            f"C{n:05d}L8",
            f"COPYPOOL{n % 4}",
            VolumeKind.COPY_POOL,
            "LIB1",
            "Iron Mountain, vault 3",
            f"CASE-{n // 20:03d}",
        )
        for n in range(count)
    )
    direction = ManifestDirection.OUT
    return ManifestInfo(
        number=1042,
        direction=direction,
        courier="SAFE TRANSIT",
        vault="Iron Mountain, vault 3",
        created_at=dt.datetime(2026, 10, 1, 6, 0),
        os_user="operator",
        workstation="ws-01",
        sha256=manifest_hash(1042, direction, (t.volser for t in tapes)),
        tapes=tapes,
    )


def bare_canvas(manifest: ManifestInfo, path: Path) -> float:
    """Seconds to draw the same tape lines (every cell's text and a Code 128 of each volser)
    with a bare canvas at fixed places, a new page every so many rows: no layout, no
    header facts, totals, signatures or page numbers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from drm_gui.reports.layout import draw_code128, register_fonts
    from drm_gui.reports.manifest_pdf import BARCODE_MODULE, manifest_document

    fonts = register_fonts()
    start = time.perf_counter()
    doc = manifest_document(manifest)
    canv = Canvas(str(path), pagesize=A4, pageCompression=1)
    xs = (140, 210, 280, 350, 500)
    for n, row in enumerate(doc.tapes):
        if n % ROWS_PER_PAGE == 0:
            if n:
                canv.showPage()
            canv.setFont(fonts.sans, 8.5)
        y = 790 - (n % ROWS_PER_PAGE) * 24
        draw_code128(canv, row[0], 56, y - 4, BARCODE_MODULE, 16)
        for x, cell in zip(xs, row, strict=True):
            canv.drawString(x, y, cell)
    canv.showPage()
    canv.save()
    return time.perf_counter() - start


def run(results: Results) -> None:
    from pypdf import PdfReader

    from drm_gui.reports.manifest_pdf import render_manifest_pdf

    folder = workdir() / "manifest_pdf"
    folder.mkdir(exist_ok=True)
    manifest = big_manifest()
    render_manifest_pdf(manifest, folder / "warm.pdf")  # fonts and imports: not timed
    bare_canvas(manifest, folder / "warm-bare.pdf")
    ours, bare = [], []
    for _ in range(RUNS):
        gc.collect()
        bare.append(bare_canvas(manifest, folder / "bare.pdf"))
        gc.collect()
        start = time.perf_counter()
        path = render_manifest_pdf(manifest, folder / "manifest.pdf")
        ours.append(time.perf_counter() - start)
    pages = len(PdfReader(path).pages)
    bare_pages = len(PdfReader(folder / "bare.pdf").pages)
    results.add(
        Figure(
            "manifest_pdf_1k",
            statistics.median(ours),
            "s",
            statistics.median(bare),
            "< 2 s",
            how=(
                f"render_manifest_pdf of {TAPES:,} tapes (data step included), median of "
                f"{RUNS} after a warm-up: {pages} pages, {path.stat().st_size / 1e3:.0f} kB, "
                f"one Code 128 per tape, totals, signature blocks, Page X of Y and the "
                f"SHA-256 footer; baseline: the same cells and barcodes with drawString and "
                f"draw_code128 on a bare canvas ({bare_pages} pages), median of {RUNS}"
            ),
        )
    )


if __name__ == "__main__":
    import bench  # noqa: F401 - the isolated environment first

    figures = Results()
    run(figures)
    print(figures.table())
