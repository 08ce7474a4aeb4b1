"""The library drawn as it is: drives, the I/O station and the storage slots, each with its
tape's barcode and DRM state colour; the places a job is working on are highlighted."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from drm_gui.core.states import DrmState
from drm_gui.gui import style
from drm_gui.gui.fonts import fixed_font
from drm_gui.library.base import Element, Inventory

CELL_W = 92
CELL_H = 38
GAP = 4
SECTION_TITLE_H = 20

StateLookup = Callable[[str], DrmState | None]


def element_problem(element: Element, state: DrmState | None) -> str:
    """Why a full element disagrees with the records ('' when it does not)."""
    if element.empty or element.volume_tag is None or element.is_cleaning:
        return ""
    if state is None:
        return "not in the database"
    if element.import_export:
        return ""  # the I/O station holds tapes on their way in or out
    if state is not DrmState.MOUNTABLE:
        return f"the records say {state.value}, but the library holds it"
    return ""


class LibraryGrid(QWidget):
    """Paints an inventory; `lookup(volser)` gives each tape's DRM state (None: unknown)."""

    def __init__(self, lookup: StateLookup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lookup = lookup
        self._inventory: Inventory | None = None
        self._highlight: set[str] = set()
        self._cells: list[tuple[QRect, Element]] = []
        self._titles: list[tuple[QRect, str]] = []
        self._mono = fixed_font()
        self._mono.setPointSizeF(max(8.5, self._mono.pointSizeF() - 0.5))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMouseTracking(True)
        self.setAccessibleName("Tape library")

    # Data ------------------------------------------------------------------------------
    def set_inventory(self, inventory: Inventory | None) -> None:
        self._inventory = inventory
        self._relayout()

    def set_highlight(self, volume_tags: set[str]) -> None:
        """The tapes a job is moving now, drawn with a thick outline."""
        self._highlight = set(volume_tags)
        self.update()

    def inventory(self) -> Inventory | None:
        return self._inventory

    # Layout ----------------------------------------------------------------------------
    def _columns(self) -> int:
        return max(1, (self.width() - GAP) // (CELL_W + GAP))

    def _relayout(self) -> None:
        self._cells = []
        self._titles = []
        inventory = self._inventory
        if inventory is None:
            self.setMinimumHeight(40)
            self.update()
            return
        per_row = self._columns()
        y = GAP
        sections = (
            ("Drives", inventory.drives),
            ("I/O station", inventory.io_slots),
            ("Storage slots", inventory.storage_slots),
        )
        for title, elements in sections:
            self._titles.append((QRect(GAP, y, self.width() - 2 * GAP, SECTION_TITLE_H), title))
            y += SECTION_TITLE_H
            for i, element in enumerate(elements):
                row, col = divmod(i, per_row)
                x = GAP + col * (CELL_W + GAP)
                self._cells.append((QRect(x, y + row * (CELL_H + GAP), CELL_W, CELL_H), element))
            rows = (len(elements) + per_row - 1) // per_row if elements else 1
            y += rows * (CELL_H + GAP) + GAP
        self.setMinimumHeight(y)
        self.updateGeometry()
        self.update()

    def resizeEvent(self, event: QEvent) -> None:  # type: ignore[override]
        self._relayout()

    def sizeHint(self) -> QSize:
        return QSize(8 * (CELL_W + GAP), max(self.minimumHeight(), 200))

    def element_at(self, pos: QPoint) -> Element | None:
        for rect, element in self._cells:
            if rect.contains(pos):
                return element
        return None

    def cell_of(self, volume_tag: str) -> QRect | None:
        for rect, element in self._cells:
            if element.volume_tag == volume_tag:
                return rect
        return None

    # Painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._inventory is None:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No inventory yet")
            return
        bold = painter.font()
        bold.setBold(True)
        for rect, title in self._titles:
            painter.setFont(bold)
            painter.setPen(QColor("#333333"))
            painter.drawText(
                rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, title
            )
        clip = event.rect()
        for rect, element in self._cells:
            if rect.intersects(clip):
                self._paint_cell(painter, rect, element)

    def _paint_cell(self, painter: QPainter, rect: QRect, element: Element) -> None:
        tag = element.volume_tag
        state = self._lookup(tag) if tag else None
        problem = element_problem(element, state)
        if element.empty:
            painter.setPen(QPen(QColor("#B0B0B0"), 1, Qt.PenStyle.DashLine))
            painter.setBrush(QColor("#F7F7F7"))
        else:
            painter.setPen(QPen(QColor("#9A9A9A"), 1))
            painter.setBrush(QColor("#FFFFFF"))
        painter.drawRoundedRect(rect, 3, 3)
        if element.full:
            stripe = style.state_colour(state) if state is not None else style.GREY
            painter.fillRect(QRect(rect.left() + 1, rect.top() + 1, 4, rect.height() - 2), stripe)
        if tag in self._highlight:
            painter.setPen(QPen(style.BLUE, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 3, 3)
        inner = rect.adjusted(8, 2, -3, -2)
        small = painter.font()
        small.setBold(False)
        small.setPointSizeF(max(7.0, small.pointSizeF() - 2))
        painter.setFont(small)
        painter.setPen(QColor("#666666"))
        number = f"{element.label}"
        if element.is_drive and element.loaded_from is not None:
            number += f" ← {element.loaded_from}"
        top = QRect(inner.left(), inner.top(), inner.width(), inner.height() // 2)
        painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, number)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if state is not None and element.full:
            painter.setPen(style.state_colour(state))  # and its sign: not colour alone
            painter.drawText(top, right, style.STATE_SIGNS[state])
            top.setRight(top.right() - painter.fontMetrics().horizontalAdvance("●") - 3)
        if problem:
            painter.setPen(style.WARNING_COLOUR)
            painter.drawText(top, right, "⚠")
        bottom = QRect(
            inner.left(), inner.top() + inner.height() // 2, inner.width(), inner.height() // 2
        )
        painter.setFont(self._mono)
        painter.setPen(QColor("#1A1A1A"))
        text = tag or ("(no label)" if element.full else "empty")
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)

    # Tooltips --------------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            element = self.element_at(event.pos())
            if element is None:
                QToolTip.hideText()
                event.ignore()
                return True
            QToolTip.showText(event.globalPos(), self.describe(element), self)
            return True
        return super().event(event)

    def describe(self, element: Element) -> str:
        if element.empty:
            return f"{element.label}: empty"
        tag = element.volume_tag or "(no barcode)"
        state = self._lookup(element.volume_tag) if element.volume_tag else None
        lines = [f"{element.label}: {tag}"]
        lines.append(f"DRM state: {state.value}" if state else "Not in the database")
        problem = element_problem(element, state)
        if problem:
            lines.append(f"⚠ {problem}")
        return "\n".join(lines)
