"""The recovery plan PDF for 100,000 required volumes (the RecoveryPlan built directly, no
database): render_plan_pdf against drawing the same text with a bare ReportLab canvas.

`python -m bench.plan_pdf` runs this area alone and prints its figures.
"""

from __future__ import annotations

import gc
import resource
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import Figure, Results, workdir

if TYPE_CHECKING:  # drm_gui is imported once the environment is set up
    from drm_gui.core.plan_model import RecoveryPlan

AREA = "plan_pdf"
VOLUMES = 100_000
ROWS_PER_PAGE = 45  # the bare baseline's pages: about what the volumes table holds
LINES_PER_PAGE = 80


def big_plan(count: int = VOLUMES) -> RecoveryPlan:
    """The PDF tests' hand-built plan (tests/reports/plans.py) with *count* required
    volumes, 20 of them still with the courier (so the readiness pages are drawn too), the
    others at a vault whose name takes most of its column."""
    from tests.reports.plans import plan

    return plan(count, courier=20, vault="Iron Mountain, vault 3")


def bare_canvas(plan: RecoveryPlan, path: Path) -> float:
    """Seconds to draw the same texts (every volume row's cells, every stanza line) with a
    bare canvas: drawString at fixed places, a new page every so many lines, no barcodes,
    no layout, no page numbers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from drm_gui.reports.layout import register_fonts
    from drm_gui.reports.plan_pdf import plan_document

    fonts = register_fonts()
    start = time.perf_counter()
    doc = plan_document(plan)
    canv = Canvas(str(path), pagesize=A4, pageCompression=1)
    xs = (50, 110, 170, 250, 330, 420, 500)
    for n, row in enumerate(doc.volumes):
        if n % ROWS_PER_PAGE == 0:
            if n:
                canv.showPage()
            canv.setFont(fonts.sans, 8)
        y = 800 - (n % ROWS_PER_PAGE) * 17
        for x, cell in zip(xs, row.cells()[1:], strict=False):
            canv.drawString(x, y, cell)
    for section in doc.scripts:
        for n, line in enumerate(section.lines):
            if n % LINES_PER_PAGE == 0:
                canv.showPage()
                canv.setFont(fonts.mono, 7.5)
            canv.drawString(50, 800 - (n % LINES_PER_PAGE) * 9.2, line)
    canv.showPage()
    canv.save()
    return time.perf_counter() - start


def run(results: Results) -> None:
    from pypdf import PdfReader

    from drm_gui.reports.plan_pdf import plan_document, render_plan_pdf

    folder = workdir() / "plan_pdf"
    folder.mkdir(exist_ok=True)
    build_start = time.perf_counter()
    plan = big_plan()
    print(f"  (plan of {VOLUMES:,} volumes built in {time.perf_counter() - build_start:.1f} s)")

    gc.collect()
    baseline = bare_canvas(plan, folder / "bare.pdf")
    gc.collect()
    data_start = time.perf_counter()
    plan_document(plan)
    data_step = time.perf_counter() - data_start
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    path = render_plan_pdf(plan, folder / "plan.pdf")
    seconds = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    pages = len(PdfReader(path).pages)
    bare_pages = len(PdfReader(folder / "bare.pdf").pages)
    results.add(
        Figure(
            "plan_pdf_100k",
            seconds,
            "s",
            baseline,
            "< 15 s",
            how=(
                f"render_plan_pdf of {VOLUMES:,} required volumes (data step "
                f"{data_step:.2f} s included): {pages:,} pages, "
                f"{path.stat().st_size / 1e6:.1f} MB, one Code 128 per volume, the "
                f"{VOLUMES:,}-line RECOVERY.VOLUMES.REQUIRED stanza in monospace; peak RSS "
                f"{rss_before / 1024:.0f} -> {rss_after / 1024:.0f} MB; baseline: the same "
                f"texts with drawString on a bare canvas ({bare_pages:,} pages, "
                f"{(folder / 'bare.pdf').stat().st_size / 1e6:.1f} MB, no barcodes)"
            ),
        )
    )


if __name__ == "__main__":
    import bench  # noqa: F401 - the isolated environment first

    figures = Results()
    run(figures)
    print(figures.table())
