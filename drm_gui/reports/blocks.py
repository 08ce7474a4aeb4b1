"""Flowables for very long content, drawn straight on the canvas: a row table with a Code 128
column (100,000 rows in seconds, where ReportLab's Table takes minutes) and a monospace block
that wraps long lines visibly. Both split across pages in constant time per page, repeat the
table header on every page, and draw real text (extractable, searchable).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from drm_gui.reports.layout import (
    HEADER_FILL,
    INK,
    MUTED,
    RULE,
    SHADE,
    code128_bars,
    register_fonts,
)

PAD = 3.0  # points of padding in a cell, each side


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """*text* in lines no wider than *width*: at blanks where possible, else anywhere.
    Nothing is dropped."""
    if not text or stringWidth(text, font, size) <= width:
        return [text]
    lines: list[str] = []
    for line in simpleSplit(text, font, size, width) or [text]:
        while stringWidth(line, font, size) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and stringWidth(line[:cut], font, size) > width:
                cut = max(1, int(cut * width / stringWidth(line[:cut], font, size)))
                cut = min(cut, len(line) - 1)
            while cut < len(line) and stringWidth(line[: cut + 1], font, size) <= width:
                cut += 1
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return lines


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # points
    mono: bool = False
    bold: bool = False
    barcode_of: int | None = None  # a Code 128 of that column's text instead of text


class _RowData:
    """The rows of a RowTable, laid out once and shared by the pieces it splits into."""

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        size: float,
        leading: float,
        module: float,
        bar_height: float,
    ) -> None:
        fonts = register_fonts()
        self.columns = tuple(columns)
        self.rows = rows
        self.size = size
        self.leading = leading
        self.module = module
        self.bar_height = bar_height
        self.fonts = [
            (fonts.mono_bold if c.bold else fonts.mono)
            if c.mono
            else (fonts.sans_bold if c.bold else fonts.sans)
            for c in columns
        ]
        self.header_font = fonts.sans_bold
        self.wrapped: dict[int, list[list[str]]] = {}  # row -> lines per cell, when wrapping
        has_barcode = any(c.barcode_of is not None for c in columns)
        base = max(leading + 2 * PAD, bar_height + 2 * PAD if has_barcode else 0)
        text_columns = [
            (i, c.width - 2 * PAD, self.fonts[i])
            for i, c in enumerate(columns)
            if c.barcode_of is None
        ]
        # Cell texts repeat (locations, pools, kinds): measure each once. Monospace cells are
        # measured by their length alone.
        per_char = {fonts.mono: stringWidth("M", fonts.mono, size)}
        per_char[fonts.mono_bold] = stringWidth("M", fonts.mono_bold, size)
        widths: dict[tuple[str, str], float] = {}
        heights = []
        for n, row in enumerate(rows):
            height = base
            for i, avail, font in text_columns:
                text = row[i]
                if not text:
                    continue
                if font in per_char:
                    width = len(text) * per_char[font]
                else:
                    width = widths.get((font, text), -1.0)
                    if width < 0:
                        width = widths[font, text] = stringWidth(text, font, size)
                if width > avail:
                    cells = self.wrapped.setdefault(n, [[str(t)] for t in row])
                    cells[i] = wrap_text(text, font, size, avail)
                    height = max(height, len(cells[i]) * leading + 2 * PAD)
            heights.append(height)
        self.offsets = [0.0, *itertools.accumulate(heights)]  # top of row n = offsets[n]
        self.header_lines = [
            wrap_text(c.title, self.header_font, size, c.width - 2 * PAD) for c in columns
        ]
        self.header_height = max(len(h) for h in self.header_lines) * leading + 2 * PAD


class RowTable(Flowable):
    """A table drawn directly: fixed column widths, a header repeated on every page, zebra
    rows, long cell text wrapped (never cut), and Code 128 columns as vector bars."""

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        *,
        size: float = 8.5,
        leading: float = 10.5,
        module: float = 0.55,
        bar_height: float = 13.0,
        _data: _RowData | None = None,
        _start: int = 0,
        _end: int | None = None,
    ) -> None:
        super().__init__()
        self.data = _data or _RowData(columns, rows, size, leading, module, bar_height)
        self.start = _start
        self.end = len(self.data.rows) if _end is None else _end
        self.width = sum(c.width for c in self.data.columns)
        self.height = self._height(self.start, self.end)

    def _height(self, start: int, end: int) -> float:
        offsets = self.data.offsets
        return self.data.header_height + offsets[end] - offsets[start]

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        offsets = self.data.offsets
        room = avail_height - self.data.header_height
        cut = bisect.bisect_right(offsets, offsets[self.start] + room, self.start, self.end + 1)
        cut -= 1  # the last row boundary that fits
        if cut >= self.end:
            return [self]
        if cut <= self.start:
            return []  # not even one row here: the next frame
        return [self._piece(self.start, cut), self._piece(cut, self.end)]

    def _piece(self, start: int, end: int) -> RowTable:
        return RowTable((), (), _data=self.data, _start=start, _end=end)

    def draw(self) -> None:
        data = self.data
        canv = self.canv
        size, leading = data.size, data.leading
        top = self.height
        # Header and zebra fills first, then one text object, then all bars in one literal.
        canv.saveState()
        canv.setFillColor(HEADER_FILL)
        canv.rect(0, top - data.header_height, self.width, data.header_height, stroke=0, fill=1)
        canv.setFillColor(SHADE)
        offsets = data.offsets
        base = offsets[self.start]
        body_top = top - data.header_height
        for n in range(self.start, self.end):
            if n % 2:
                y = body_top - (offsets[n + 1] - base)
                canv.rect(0, y, self.width, offsets[n + 1] - offsets[n], stroke=0, fill=1)
        canv.setStrokeColor(MUTED)
        canv.setLineWidth(0.8)
        canv.line(0, body_top, self.width, body_top)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.25)
        canv.line(0, 0, self.width, 0)

        text = canv.beginText()
        text.setFillColor(INK)
        font = data.header_font
        text.setFont(font, size, leading)
        x = 0.0
        for column, lines in zip(data.columns, data.header_lines, strict=True):
            for k, line in enumerate(lines):
                text.setTextOrigin(x + PAD, top - PAD - size - k * leading)
                text.textOut(line)
            x += column.width
        barcodes: list[str] = []
        starts = list(itertools.accumulate((c.width for c in data.columns), initial=0.0))
        for n in range(self.start, self.end):
            row_top = body_top - (offsets[n] - base)
            cells = data.wrapped.get(n)
            for i, column in enumerate(data.columns):
                if column.barcode_of is not None:
                    value = data.rows[n][column.barcode_of]
                    quiet = max(PAD, 10 * data.module)  # the symbol's quiet zone
                    barcodes.append(self._bars(value, starts[i] + quiet, row_top - PAD))
                    continue
                if data.fonts[i] != font:
                    font = data.fonts[i]
                    text.setFont(font, size, leading)
                lines = cells[i] if cells else (data.rows[n][i],)
                for k, line in enumerate(lines):
                    if line:
                        text.setTextOrigin(starts[i] + PAD, row_top - PAD - size - k * leading)
                        text.textOut(line)
        canv.drawText(text)
        if barcodes:
            canv.addLiteral("q 0 g\n" + "\n".join(barcodes) + "\nQ")
        canv.restoreState()

    def _bars(self, value: str, x: float, top: float) -> str:
        """PDF operators for the bars of *value*: a local scale of one module per unit, so
        that each bar is a short integer rectangle (cheap to write for 100,000 rows)."""
        data = self.data
        y = top - data.bar_height
        bars = " ".join(f"{s} 0 {w} 1 re" for s, w in code128_bars(value))
        return f"q {data.module:.3f} 0 0 {data.bar_height:.2f} {x:.2f} {y:.2f} cm {bars} f Q"


class MonoBlock(Flowable):
    """Monospace lines on a light background. Lines wider than the frame are wrapped and the
    continuation marked with ↪ in the gutter: nothing is cut off."""

    GUTTER = 12.0

    def __init__(
        self,
        lines: Sequence[str],
        *,
        size: float = 7.5,
        leading: float = 9.2,
        _visual: list[tuple[bool, str]] | None = None,
        _width: float = 0.0,
        _start: int = 0,
        _end: int | None = None,
    ) -> None:
        super().__init__()
        self.source = lines
        self.size = size
        self.leading = leading
        self.visual = _visual  # (continuation?, text); laid out on the first wrap
        self.layout_width = _width
        self.start = _start
        self.end = _end

    def _layout(self, avail_width: float) -> None:
        if self.visual is not None:  # pieces share their whole's layout
            return
        font = register_fonts().mono
        per_char = stringWidth("M", font, self.size)
        columns = max(10, int((avail_width - self.GUTTER - 2 * PAD) / per_char))
        visual: list[tuple[bool, str]] = []
        for line in self.source or ("",):
            line = line.expandtabs(8).rstrip("\n")
            visual.append((False, line[:columns]))
            for at in range(columns, len(line), columns):
                visual.append((True, line[at : at + columns]))
        self.visual = visual
        self.layout_width = avail_width
        self.start = 0
        self.end = len(visual)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._layout(avail_width)
        assert self.end is not None
        self.width = avail_width
        self.height = (self.end - self.start) * self.leading + 2 * PAD
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self._layout(avail_width)
        assert self.end is not None
        fit = int((avail_height - 2 * PAD) // self.leading)
        if fit >= self.end - self.start:
            return [self]
        if fit < 2:
            return []
        return [self._piece(self.start, self.start + fit), self._piece(self.start + fit, self.end)]

    def _piece(self, start: int, end: int) -> MonoBlock:
        return MonoBlock(
            self.source,
            size=self.size,
            leading=self.leading,
            _visual=self.visual,
            _width=self.layout_width,
            _start=start,
            _end=end,
        )

    def draw(self) -> None:
        assert self.visual is not None and self.end is not None
        fonts = register_fonts()
        canv = self.canv
        canv.saveState()
        canv.setFillColor(colors.HexColor("#F6F6F2"))
        canv.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(1.5)
        canv.line(0, 0, 0, self.height)
        text = canv.beginText()
        text.setFont(fonts.mono, self.size, self.leading)
        text.setFillColor(INK)
        marker = fonts.symbol("↪", ">")
        y = self.height - PAD - self.size
        for continued, line in self.visual[self.start : self.end]:
            if continued:
                text.setFillColor(MUTED)
                text.setTextOrigin(2, y)
                text.textOut(marker)
                text.setFillColor(INK)
            if line:
                text.setTextOrigin(self.GUTTER + PAD, y)
                text.textOut(line)
            y -= self.leading
        canv.drawText(text)
        canv.restoreState()
