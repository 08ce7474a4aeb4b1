"""What every PDF of drm-gui shares: fonts (registered once), one stylesheet, the page
templates, the numbered canvas ("Page X of Y" and a footer on every page), a table of
contents filled in without a second build, chunked tables, Code 128 barcodes, fast row
tables and monospace blocks for very long lists, and writing a PDF through a temporary name.

Documents are built in two steps (STYLE.md rule 5): a data step makes a frozen dataclass,
a render step turns it into flowables with the helpers here. No Qt in this package.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from drm_gui.core.files import write_atomically
from drm_gui.core.progress import current as current_progress
from drm_gui.paths import font_dir

logger = logging.getLogger(__name__)

FONT_DIR = font_dir()  # fonts-dejavu-core, or the bundle's copy
PAGE_SIZE = A4
MARGIN = 18 * mm
FOOTER_Y = 10 * mm
CHUNK_ROWS = 300  # rows per Table: ReportLab's Table costs grow faster than linearly

# Okabe-Ito colours: distinguishable with colour-blindness; never the only signal.
GREEN = colors.HexColor("#007A4D")  # a darker bluish green, readable on white
VERMILLION = colors.HexColor("#D55E00")
INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#5A5A5A")
RULE = colors.HexColor("#B0B0B0")
SHADE = colors.HexColor("#F0F0F0")
HEADER_FILL = colors.HexColor("#DDE3EA")


# Fonts -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fonts:
    sans: str
    sans_bold: str
    mono: str
    mono_bold: str
    unicode: bool  # False with the standard PDF fonts: no ✓, ✗, ↪ or ☐ glyphs

    def symbol(self, char: str, fallback: str) -> str:
        return char if self.unicode else fallback


_fonts: Fonts | None = None
_fonts_lock = threading.Lock()


def register_fonts(font_dir: Path = FONT_DIR) -> Fonts:
    """Registers DejaVu Sans and Sans Mono once per process; the standard Helvetica and
    Courier (no symbols outside Latin-1) with a warning when the files are absent."""
    global _fonts
    with _fonts_lock:
        if _fonts is not None:
            return _fonts
        files = {
            "DrmSans": "DejaVuSans.ttf",
            "DrmSans-Bold": "DejaVuSans-Bold.ttf",
            "DrmMono": "DejaVuSansMono.ttf",
            "DrmMono-Bold": "DejaVuSansMono-Bold.ttf",
        }
        try:
            for name, file in files.items():
                pdfmetrics.registerFont(TTFont(name, str(font_dir / file)))
        except Exception as error:  # TTFError, OSError: any unusable font file
            logger.warning(
                "DejaVu fonts not usable in %s (%s): using Helvetica and Courier; install "
                "fonts-dejavu-core for symbols and non-Latin-1 text",
                font_dir,
                error,
            )
            _fonts = Fonts("Helvetica", "Helvetica-Bold", "Courier", "Courier-Bold", False)
        else:
            pdfmetrics.registerFontFamily(
                "DrmSans",
                normal="DrmSans",
                bold="DrmSans-Bold",
                italic="DrmSans",
                boldItalic="DrmSans-Bold",
            )
            pdfmetrics.registerFontFamily(
                "DrmMono",
                normal="DrmMono",
                bold="DrmMono-Bold",
                italic="DrmMono",
                boldItalic="DrmMono-Bold",
            )
            _fonts = Fonts("DrmSans", "DrmSans-Bold", "DrmMono", "DrmMono-Bold", True)
        return _fonts


# The stylesheet ----------------------------------------------------------------------------
_styles: StyleSheet1 | None = None


def stylesheet() -> StyleSheet1:
    """The one stylesheet of every document: title, subtitle, heading1-2, body, small, mono,
    cell, cell_mono, cell_head, verdict."""
    global _styles
    if _styles is None:
        f = register_fonts()
        sheet = StyleSheet1()
        base = ParagraphStyle(
            "body",
            fontName=f.sans,
            fontSize=10,
            leading=13.5,
            textColor=INK,
            alignment=TA_LEFT,
            spaceAfter=4,
        )
        sheet.add(base)
        sheet.add(
            ParagraphStyle(
                "title", base, fontName=f.sans_bold, fontSize=24, leading=29, spaceAfter=10
            )
        )
        sheet.add(ParagraphStyle("subtitle", base, fontSize=13, leading=17, textColor=MUTED))
        sheet.add(
            ParagraphStyle(
                "heading1",
                base,
                fontName=f.sans_bold,
                fontSize=16,
                leading=20,
                spaceBefore=6,
                spaceAfter=8,
                keepWithNext=True,
            )
        )
        sheet.add(
            ParagraphStyle(
                "heading2",
                base,
                fontName=f.sans_bold,
                fontSize=12,
                leading=15,
                spaceBefore=8,
                spaceAfter=4,
                keepWithNext=True,
            )
        )
        sheet.add(ParagraphStyle("small", base, fontSize=8, leading=10, textColor=MUTED))
        sheet.add(ParagraphStyle("mono", base, fontName=f.mono, fontSize=8, leading=10))
        sheet.add(ParagraphStyle("cell", base, fontSize=8.5, leading=10.5, spaceAfter=0))
        sheet.add(
            ParagraphStyle(
                "cell_mono", base, fontName=f.mono, fontSize=8.5, leading=10.5, spaceAfter=0
            )
        )
        sheet.add(
            ParagraphStyle(
                "cell_head", base, fontName=f.sans_bold, fontSize=8.5, leading=10.5, spaceAfter=0
            )
        )
        sheet.add(
            ParagraphStyle(
                "verdict",
                base,
                fontName=f.sans_bold,
                fontSize=30,
                leading=36,
                spaceBefore=14,
                spaceAfter=8,
            )
        )
        sheet.add(ParagraphStyle("toc1", base, fontSize=11, leading=16))
        sheet.add(ParagraphStyle("toc2", base, fontSize=9.5, leading=13, leftIndent=14))
        _styles = sheet
    return _styles


def table_style() -> TableStyle:
    """The grid tables' look: a shaded header row, thin rules, zebra rows."""
    f = register_fonts()
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, 0), f.sans_bold),
            ("FONTNAME", (0, 1), (-1, -1), f.sans),
            ("FONTSIZE", (0, 0), (-1, -1), 8.5),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, SHADE]),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
    )


def chunked_tables(
    header: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    col_widths: Sequence[float],
    *,
    chunk: int = CHUNK_ROWS,
    style: TableStyle | None = None,
) -> list[Table]:
    """Tables of at most *chunk* rows each, every one repeating the header on each page."""
    style = style or table_style()
    tables = []
    for start in range(0, max(len(rows), 1), chunk):
        body = [list(r) for r in rows[start : start + chunk]]
        table = Table([list(header), *body], colWidths=list(col_widths), repeatRows=1)
        table.setStyle(style)
        tables.append(table)
    return tables


# The numbered canvas -----------------------------------------------------------------------
@dataclass
class _LateNumber:
    page: int
    x: float
    y: float
    key: str
    font: str
    size: float


class NumberedCanvas(Canvas):
    """Keeps every page until save(), then draws "Page X of Y", the footer text, and the
    page numbers the table of contents asked for (known only once every page is laid out):
    one build, not ReportLab's multiBuild."""

    def __init__(self, *args: Any, footer: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict[str, Any]] = []
        self.anchors: dict[str, int] = {}  # key -> page number (1-based)
        self._late: list[_LateNumber] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def mark_anchor(self, key: str) -> None:
        self.anchors.setdefault(key, self.getPageNumber())

    def late_page_number(self, key: str, x: float, y: float, font: str, size: float) -> None:
        """Right-aligns at (x, y), in this page's absolute coordinates, the page of *key*."""
        ax, ay = self.absolutePosition(x, y)
        self._late.append(_LateNumber(self.getPageNumber(), ax, ay, key, font, size))

    def save(self) -> None:
        total = len(self._pages)
        late = {
            page: list(group)
            for page, group in itertools.groupby(
                sorted(self._late, key=lambda n: n.page), key=lambda n: n.page
            )
        }
        fonts = register_fonts()
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total, fonts)
            for item in late.get(number, ()):
                self.setFont(item.font, item.size)
                self.setFillColor(INK)
                page = self.anchors.get(item.key)
                self.drawRightString(item.x, item.y, str(page) if page else "–")
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int, fonts: Fonts) -> None:
        width = self._pagesize[0]
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, FOOTER_Y + 10, width - MARGIN, FOOTER_Y + 10)
        self.setFont(fonts.sans, 8)
        self.setFillColor(MUTED)
        if self._footer:
            self.drawString(MARGIN, FOOTER_Y, self._footer)
        self.drawRightString(width - MARGIN, FOOTER_Y, f"Page {number} of {total}")
        self.restoreState()


# The document template ---------------------------------------------------------------------
class ReportDocument(BaseDocTemplate):
    """A4 with two named page templates: "cover" (no running header) and "body" (the
    document's title on top). The footer comes from the numbered canvas."""

    def __init__(
        self,
        filename: str,
        *,
        title: str,
        footer: str,
        invariant: bool = False,
        author: str = "drm-gui",
        subject: str = "",
    ) -> None:
        super().__init__(
            filename,
            pagesize=PAGE_SIZE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + 6 * mm,
            bottomMargin=MARGIN + 4 * mm,
            title=title,
            author=author,
            subject=subject,
            creator="drm-gui",
            invariant=int(invariant),
            pageCompression=1,
        )
        self.header_text = title
        self.footer_text = footer
        frame = Frame(
            self.leftMargin,
            self.bottomMargin,
            self.width,
            self.height,
            id="main",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        self.addPageTemplates(
            [
                PageTemplate(id="cover", frames=[frame], pagesize=PAGE_SIZE),
                PageTemplate(
                    id="body", frames=[frame], onPage=self._running_header, pagesize=PAGE_SIZE
                ),
            ]
        )

    def _running_header(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        fonts = register_fonts()
        width, height = PAGE_SIZE
        canv.saveState()
        canv.setFont(fonts.sans, 8)
        canv.setFillColor(MUTED)
        canv.drawString(MARGIN, height - MARGIN, self.header_text)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN, height - MARGIN - 4, width - MARGIN, height - MARGIN - 4)
        canv.restoreState()

    def build_story(self, story: list[Flowable]) -> None:
        """Lays out *story*, reporting the parts laid out to the current progress (where
        a cancel stops the build: the caller's temporary file is then removed)."""
        footer = self.footer_text
        progress = current_progress()
        total = len(story)

        def canvasmaker(*args: Any, **kwargs: Any) -> NumberedCanvas:
            return NumberedCanvas(*args, footer=footer, **kwargs)

        def on_progress(kind: str, value: int) -> None:
            if kind == "PROGRESS":
                progress.update(value, total)
            elif kind == "PAGE":
                progress.check()

        progress.update(0, total, "Laying out the PDF's pages")
        self.setProgressCallBack(on_progress)
        self.build(story, canvasmaker=canvasmaker)


# Headings and the table of contents --------------------------------------------------------
class Heading(Paragraph):
    """A heading that is a destination: a PDF bookmark, an outline entry, and the page the
    table of contents prints for *key*."""

    def __init__(self, text: str, key: str, level: int = 0, outline: str | None = None):
        super().__init__(text, stylesheet()["heading1" if level == 0 else "heading2"])
        self.key = key
        self.level = level
        self.outline = outline or text

    def draw(self) -> None:
        canv = self.canv
        canv.bookmarkPage(self.key)
        canv.addOutlineEntry(self.outline, self.key, level=self.level, closed=self.level > 0)
        if isinstance(canv, NumberedCanvas):
            canv.mark_anchor(self.key)
        super().draw()


class TocLine(Flowable):
    """One line of the table of contents; its page number is drawn when the document is
    saved (NumberedCanvas.late_page_number). The whole line links to the heading."""

    def __init__(self, key: str, text: str, level: int = 0) -> None:
        super().__init__()
        self.key = key
        self.text = text
        self.level = level
        self.style = stylesheet()["toc1" if level == 0 else "toc2"]

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.style.leading

    def draw(self) -> None:
        canv = self.canv
        font = self.style.fontName
        size = self.style.fontSize
        x = self.style.leftIndent
        y = (self.style.leading - size) / 2 + 1
        canv.setFont(font, size)
        canv.setFillColor(INK)
        canv.drawString(x, y, self.text)
        text_end = x + pdfmetrics.stringWidth(self.text, font, size) + 6
        canv.setStrokeColor(RULE)
        canv.setDash(1, 2)
        canv.line(text_end, y, self.width - 28, y)
        canv.setDash()
        if isinstance(canv, NumberedCanvas):
            canv.late_page_number(self.key, self.width, y, font, size)
        canv.linkRect("", self.key, (0, 0, self.width, self.style.leading), relative=1)


# Barcodes ----------------------------------------------------------------------------------
def code128_bars(value: str) -> tuple[tuple[int, int], ...]:
    """The bars of *value* in Code 128 (reportlab.graphics.barcode's encoder), as (start,
    width) in modules from the left edge; the last bar ends at the symbol's width."""
    symbol = Code128(value, quiet=0, humanReadable=0)
    symbol.validate()
    symbol.encode()
    pattern = symbol.decompose()
    bars = []
    position = 0
    for char in pattern:  # upper case: a bar of n modules, lower case: a space
        if "A" <= char <= "Z":
            width = ord(char) - ord("A") + 1
            bars.append((position, width))
        else:
            width = ord(char) - ord("a") + 1
        position += width
    return tuple(bars)


def code128_width(value: str, module: float) -> float:
    bars = code128_bars(value)
    return (bars[-1][0] + bars[-1][1]) * module if bars else 0.0


def draw_code128(
    canv: Canvas, value: str, x: float, y: float, module: float, height: float
) -> float:
    """Draws *value* as Code 128 bars at (x, y) as one filled path; returns its width.
    No quiet zone: the caller leaves 10 modules of white on both sides."""
    bars = code128_bars(value)
    path = canv.beginPath()
    for start, width in bars:
        path.rect(x + start * module, y, width * module, height)
    canv.drawPath(path, stroke=0, fill=1)
    return (bars[-1][0] + bars[-1][1]) * module if bars else 0.0


class Code128Cell(Flowable):
    """A Code 128 barcode for a table cell or a label, drawn directly (no Drawing)."""

    def __init__(self, value: str, module: float = 0.6, height: float = 14) -> None:
        super().__init__()
        self.value = value
        self.module = module
        self.bar_height = height
        self.width = code128_width(value, module)
        self.height = height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setFillColor(colors.black)
        draw_code128(self.canv, self.value, 0, 0, self.module, self.bar_height)


def write_report(
    path: Path,
    story: Callable[[float], list[Flowable]],
    *,
    title: str,
    footer: str,
    subject: str,
    mode: int,
    invariant: bool = False,
) -> Path:
    """A ReportDocument written to *path* through a temporary name; *story* makes its
    flowables for the frame's width."""

    def write(target: str) -> None:
        doc = ReportDocument(
            target, title=title, footer=footer, invariant=invariant, subject=subject
        )
        doc.build_story(story(doc.width))

    return write_atomically(Path(path), write, mode)


def document_heading(title: str, text: str, made: str) -> list[Flowable]:
    """The first lines of a list report: its title, what it holds, when it was made."""
    styles = stylesheet()
    return [
        NextPageTemplate("body"),  # pages after the first carry the title on top
        Paragraph(escape(title), styles["title"]),
        Paragraph(escape(text), styles["body"]),
        Paragraph(f"Made {escape(made)} by drm-gui.", styles["small"]),
    ]
