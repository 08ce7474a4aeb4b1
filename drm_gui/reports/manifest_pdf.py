"""A courier manifest as a PDF: `render_manifest_pdf(manifest, path)`.

Two steps (STYLE.md rule 5): `manifest_document()` turns a recorded ManifestInfo into a
ManifestDocument of plain texts (what the paper says, tested on its own), and
`render_document()` draws it: the header facts, one line per tape with a Code 128 barcode of
the volser, the totals per pool and kind, and the signature blocks kept together on the last
page. Every page carries "Page X of Y", the manifest number and the SHA-256 of its tape list
in the footer, so a single returned sheet can be matched to the record.

Nothing on the paper depends on when or where it is printed: a reprint with invariant=True
is byte-identical. The file is written 0644: a manifest holds volsers and locations, no
passwords or contact details (unlike the recovery plan, 0600).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    NextPageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from drm_gui.core.manifest import ManifestInfo
from drm_gui.core.models import ManifestDirection
from drm_gui.reports.blocks import Column, RowTable
from drm_gui.reports.layout import (
    INK,
    MUTED,
    RULE,
    chunked_tables,
    code128_width,
    stylesheet,
    table_style,
    write_report,
)

MANIFEST_FILE_MODE = 0o644  # no secrets on a manifest: the courier and the vault read it
TAPE_COLUMNS = ("Barcode", "Volser", "Pool", "Kind", "From → to", "Container")
DIRECTION_TEXT = {
    ManifestDirection.OUT: "Outbound: to the vault",
    ManifestDirection.IN: "Inbound: recalled from the vault",
}
BARCODE_MODULE = 0.6  # points per module: decodes from a 300 dpi scan and a 150 dpi render
SIGNATURE_ROLES = ("Released by", "Received by")


# The data step -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ManifestDocument:
    title: str
    number: str  # as printed: zero-padded to six digits
    direction: str
    facts: tuple[tuple[str, str], ...]  # the header's label, value pairs
    tapes: tuple[tuple[str, str, str, str, str], ...]  # cells of TAPE_COLUMNS[1:]
    totals: tuple[tuple[str, str, str], ...]  # pool, kind, count
    total: int
    sha256: str
    footer: str
    signatures: tuple[str, ...]


def number_text(number: int) -> str:
    return f"{number:06d}"


def _utc(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def manifest_document(manifest: ManifestInfo) -> ManifestDocument:
    """What the paper says about *manifest*; times in UTC so a reprint anywhere matches."""
    number = number_text(manifest.number)
    direction = DIRECTION_TEXT[manifest.direction]
    tapes = tuple(
        (
            t.volser,
            t.pool or "–",
            t.kind.label,
            f"{t.from_location or '–'} → {t.to_location or '–'}",
            t.container,
        )
        for t in manifest.tapes
    )
    totals = tuple((t.pool or "–", t.kind.label, str(t.count)) for t in manifest.totals)
    facts = (
        ("Manifest", f"{number} ({manifest.direction.value})"),
        ("Direction", direction),
        ("Courier", manifest.courier),
        ("Vault", manifest.vault),
        ("Created", _utc(manifest.created_at)),
        ("Created by", f"{manifest.os_user} on {manifest.workstation}"),
        ("Tapes", str(len(manifest.tapes))),
        ("SHA-256", manifest.sha256),
    )
    return ManifestDocument(
        title=f"Courier manifest {number} · {manifest.direction.value}",
        number=number,
        direction=direction,
        facts=facts,
        tapes=tapes,
        totals=totals,
        total=len(manifest.tapes),
        sha256=manifest.sha256,
        footer=f"Manifest {number} · SHA-256 {manifest.sha256}",
        signatures=SIGNATURE_ROLES,
    )


# The render step ---------------------------------------------------------------------------
def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(text), stylesheet()[style])


def _facts(doc: ManifestDocument, width: float) -> Table:
    label = 28 * mm
    rows = [
        [_p(k, "cell_head"), _p(v, "cell_mono" if k == "SHA-256" else "cell")] for k, v in doc.facts
    ]
    table = Table(rows, colWidths=[label, width - label])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _tape_table(doc: ManifestDocument, width: float) -> RowTable:
    longest = max((len(t[0]) for t in doc.tapes), default=8)
    barcode = code128_width("W" * max(longest, 6), BARCODE_MODULE) + 20 * BARCODE_MODULE + 6
    volser, pool, kind, container = 22 * mm, 24 * mm, 26 * mm, 22 * mm
    route = width - barcode - volser - pool - kind - container
    columns = (
        Column(TAPE_COLUMNS[0], barcode, barcode_of=0),
        Column(TAPE_COLUMNS[1], volser, mono=True, bold=True),
        Column(TAPE_COLUMNS[2], pool),
        Column(TAPE_COLUMNS[3], kind),
        Column(TAPE_COLUMNS[4], route),
        Column(TAPE_COLUMNS[5], container),
    )
    # Column 0 draws the barcode of column 1's text: each row carries the volser twice.
    rows = [(t[0], *t) for t in doc.tapes]
    return RowTable(columns, rows, module=BARCODE_MODULE, bar_height=16.0)


def _signatures(doc: ManifestDocument, width: float) -> list[Flowable]:
    sheet = stylesheet()
    half = (width - 8 * mm) / 2
    blocks = []
    for role in doc.signatures:
        rows = [
            [_p(role, "heading2")],
            [_p("Name", "small")],
            [_p("Signature", "small")],
            [_p("Date and time", "small")],
        ]
        block = Table(rows, colWidths=[half], rowHeights=[None, 12 * mm, 16 * mm, 12 * mm])
        block.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.8, INK),
                    ("LINEBELOW", (0, 1), (-1, -2), 0.25, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        blocks.append(block)
    pair = Table([blocks], colWidths=[half + 8 * mm, half])
    pair.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    note = (
        f"Signed for {doc.total} tape(s) on manifest {doc.number}. Check the SHA-256 in the "
        "footer against the record before signing."
    )
    return [
        KeepTogether(
            [
                Paragraph("Signatures", sheet["heading1"]),
                _p(note, "small"),
                Spacer(1, 3 * mm),
                pair,
            ]
        )
    ]


def story_of(doc: ManifestDocument, width: float) -> list[Flowable]:
    sheet = stylesheet()
    story: list[Flowable] = [
        NextPageTemplate("body"),
        Paragraph(escape(f"Courier manifest {doc.number}"), sheet["title"]),
        _p(doc.direction, "subtitle"),
        Spacer(1, 3 * mm),
        _facts(doc, width),
        Spacer(1, 6 * mm),
        # Not heading1's keepWithNext: that would push a one-page tape list off page 1.
        CondPageBreak(40 * mm),
        Paragraph("Tapes", ParagraphStyle("tapes", sheet["heading1"], keepWithNext=False)),
        _tape_table(doc, width),
        Spacer(1, 6 * mm),
        Paragraph("Totals per pool and kind", sheet["heading2"]),
    ]
    rows = [*doc.totals, ("All", "", str(doc.total))]
    style = table_style()
    style.add("FONTNAME", (0, -1), (-1, -1), stylesheet()["cell_head"].fontName)
    style.add("TEXTCOLOR", (0, -1), (-1, -1), INK)
    style.add("LINEABOVE", (0, -1), (-1, -1), 0.8, MUTED)
    widths = (50 * mm, 50 * mm, 25 * mm)
    for table in chunked_tables(("Pool", "Kind", "Tapes"), rows, widths, style=style):
        table.hAlign = "LEFT"
        story.append(table)
    story.append(Spacer(1, 8 * mm))
    story.extend(_signatures(doc, width))
    return story


def render_document(
    doc: ManifestDocument, path: Path, *, invariant: bool = False, mode: int = MANIFEST_FILE_MODE
) -> Path:
    return write_report(
        Path(path),
        lambda width: story_of(doc, width),
        title=doc.title,
        footer=doc.footer,
        subject=f"SHA-256 {doc.sha256}",
        mode=mode,
        invariant=invariant,
    )


def render_manifest_pdf(
    manifest: ManifestInfo, path: Path | str, *, invariant: bool = False
) -> Path:
    """Writes *manifest* as a PDF at *path* (through a temporary name); returns the path."""
    return render_document(manifest_document(manifest), Path(path), invariant=invariant)
