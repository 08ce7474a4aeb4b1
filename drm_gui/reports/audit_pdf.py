"""The audit trail as a PDF for an auditor: `render_audit_pdf(report, path)`.

The data step is drm_gui.core.audit_export.audit_report (a frozen AuditReport); this is the
render step: the title and which rows the document lists, the verdict on the whole chain
(intact, or the first row altered, removed or inserted) on the first page, then one line
per row with its header repeated on every page, and "Page X of Y" in the footer.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, Paragraph, Spacer

from drm_gui.core.audit_export import AUDIT_FILE_MODE, REPORT_COLUMNS, AuditReport
from drm_gui.core.reports import utc_text
from drm_gui.reports.blocks import Column, RowTable
from drm_gui.reports.layout import (
    GREEN,
    VERMILLION,
    document_heading,
    register_fonts,
    stylesheet,
    write_report,
)

# Relative column widths, in REPORT_COLUMNS order (points on A4): a time and the longest
# kind fit on one line, the description takes the rest.
WEIGHTS = (36, 97, 72, 63, 70, 155)
MONO_COLUMNS = frozenset({"#"})


def audit_columns(width: float) -> list[Column]:
    total = sum(WEIGHTS)
    return [
        Column(title, width * weight / total, mono=title in MONO_COLUMNS)
        for title, weight in zip(REPORT_COLUMNS, WEIGHTS, strict=True)
    ]


def verdict_story(report: AuditReport) -> list[Flowable]:
    """The chain's verdict: a word and a mark in colour, and the sentence that explains it
    (the words carry the meaning; the colour only repeats it)."""
    fonts = register_fonts()
    styles = stylesheet()
    ok = report.verdict.ok
    mark = fonts.symbol("✓", "[OK]") if ok else fonts.symbol("✗", "[!]")
    word = "CHAIN INTACT" if ok else "CHAIN BROKEN"
    colour = "#" + (GREEN if ok else VERMILLION).hexval()[2:]
    return [
        Paragraph(f'<font color="{colour}">{mark} {word}</font>', styles["verdict"]),
        Paragraph(escape(report.verdict.message), styles["body"]),
        Paragraph(
            f"The whole trail was checked ({report.verdict.checked:,} row(s)), not only the "
            "rows listed here.",
            styles["small"],
        ),
    ]


def audit_story(report: AuditReport, width: float) -> list[Flowable]:
    styles = stylesheet()
    story: list[Flowable] = [
        *document_heading(report.title, report.scope, utc_text(report.generated_at)),
        *verdict_story(report),
        Spacer(1, 6),
        # Not a heading style: keep-with-next would push the whole table to the next page.
        Paragraph(f"<b>{len(report.rows):,} row(s)</b>", styles["body"]),
    ]
    if report.rows:
        story.append(RowTable(audit_columns(width), report.rows))
    else:
        story.append(Paragraph("None.", styles["body"]))
    return story


def render_audit_pdf(report: AuditReport, path: Path, *, invariant: bool = False) -> Path:
    """Writes *report* as a PDF to *path* (through a temporary name)."""
    return write_report(
        path,
        lambda width: audit_story(report, width),
        title=report.title,
        footer=f"{report.title} · {utc_text(report.generated_at)}",
        subject="drm-gui audit trail",
        mode=AUDIT_FILE_MODE,
        invariant=invariant,
    )
