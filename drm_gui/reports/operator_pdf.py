"""The operators' daily lists as a PDF: `render_report_pdf(report, path)`.

The data step is drm_gui.core.reports (a frozen Report of text tables); this is the render
step: a title, what the list holds and when it was made, then each table with its header
repeated on every page, and "Page X of Y" in the footer.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, Paragraph, Spacer

from drm_gui.core.reports import Report, ReportTable, utc_text
from drm_gui.reports.blocks import Column, RowTable
from drm_gui.reports.layout import document_heading, stylesheet, write_report

REPORT_FILE_MODE = 0o644  # daily lists are handed round; they hold no secrets
MONO_COLUMNS = frozenset({"Volser", "Batch", "Tapes", "Hours"})
# Relative column widths by title; unknown titles weigh 1.
WEIGHTS = {
    "Volser": 1.1,
    "Kind": 1.0,
    "Pool": 1.0,
    "State": 1.25,
    "Location": 1.5,
    "Since": 1.35,
    "When": 1.35,
    "Note": 2.0,
    "Reason": 1.8,
    "Who": 1.2,
    "Tapes": 0.6,
    "Hours": 0.6,
    "Batch": 0.6,
    "Name": 1.4,
}


def columns_for(table: ReportTable, width: float) -> list[Column]:
    weights = [WEIGHTS.get(title, 1.0) for title in table.columns]
    total = sum(weights)
    return [
        Column(title, width * w / total, mono=title in MONO_COLUMNS, bold=title == "Volser")
        for title, w in zip(table.columns, weights, strict=True)
    ]


def report_story(report: Report, width: float) -> list[Flowable]:
    styles = stylesheet()
    story: list[Flowable] = [
        *document_heading(report.title, report.description, utc_text(report.generated_at)),
        Spacer(1, 6),
    ]
    for table in report.tables:
        if len(report.tables) > 1:
            story.append(Paragraph(escape(table.title), styles["heading2"]))
        if table.rows:
            story.append(RowTable(columns_for(table, width), table.rows))
        else:
            story.append(Paragraph("None.", styles["body"]))
        story.append(Spacer(1, 8))
    return story


def render_report_pdf(report: Report, path: Path, *, invariant: bool = False) -> Path:
    """Writes *report* as a PDF to *path* (through a temporary name)."""
    return write_report(
        path,
        lambda width: report_story(report, width),
        title=report.title,
        footer=f"{report.title} · {utc_text(report.generated_at)}",
        subject=f"drm-gui report {report.name.value}",
        mode=REPORT_FILE_MODE,
        invariant=invariant,
    )
