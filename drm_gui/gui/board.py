"""The board: one column per DRM state, grouped on site / in transit / vault / back.

Columns take drops of volume ids; while a drag is under way, columns that would refuse it
grey out and legal ones are outlined, and a refused drop says why.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QCursor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from drm_gui.core.media import VolumeRow
from drm_gui.core.models import utcnow
from drm_gui.core.states import STATE_GROUPS, DrmState, StateGroup, refusal_summary
from drm_gui.gui import style
from drm_gui.gui.board_model import (
    BoardStore,
    DiscrepancyRole,
    RecordRole,
    StateColumnModel,
    decode_ids,
)
from drm_gui.gui.fonts import fixed_font

CARD_HEIGHT = 42


class CardDelegate(QStyledItemDelegate):
    """Paints a tape as a compact card: volser, kind badge, pool, days in state, warnings."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._mono = fixed_font()
        self._mono.setBold(True)
        self._mono.setPointSizeF(max(9.5, self._mono.pointSizeF()))
        self._small = QFont()
        self._small.setPointSizeF(max(8.0, self._small.pointSizeF() - 1))
        self._badge = QFont(self._small)
        self._badge.setBold(True)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        return QSize(150, CARD_HEIGHT)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        record: VolumeRow | None = index.data(RecordRole)
        if record is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if getattr(option.widget, "drop_hint", "") == "refused":  # type: ignore[attr-defined]
            painter.setOpacity(0.35)
        rect = option.rect.adjusted(3, 2, -3, -2)  # type: ignore[attr-defined]
        palette: QPalette = option.palette  # type: ignore[attr-defined]
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        background = palette.color(QPalette.ColorRole.Highlight) if selected else QColor("#FFFFFF")
        text_colour = (
            palette.color(QPalette.ColorRole.HighlightedText) if selected else QColor("#1A1A1A")
        )
        painter.setPen(QPen(QColor("#C8C8C8"), 1))
        painter.setBrush(background)
        painter.drawRoundedRect(rect, 4, 4)
        painter.fillRect(
            QRect(rect.left(), rect.top(), 4, rect.height()), style.state_colour(record.state)
        )

        inner = rect.adjusted(9, 2, -5, -2)
        half = inner.height() // 2
        # Line 1: volser, and the kind badge on the right.
        badge_text, badge_bg, badge_fg = style.KIND_BADGES[record.kind]
        painter.setFont(self._badge)
        fm = QFontMetrics(self._badge)
        badge_w = fm.horizontalAdvance(badge_text) + 8
        badge = QRect(inner.right() - badge_w, inner.top() + 2, badge_w, half - 3)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(badge_bg)
        painter.drawRoundedRect(badge, 3, 3)
        painter.setPen(badge_fg)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, badge_text)
        if record.worm:
            worm = QRect(badge.left() - fm.horizontalAdvance("WORM") - 12, badge.top(), 0, 0)
            worm.setSize(QSize(fm.horizontalAdvance("WORM") + 8, badge.height()))
            painter.setPen(QPen(text_colour, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(worm, 3, 3)
            painter.drawText(worm, Qt.AlignmentFlag.AlignCenter, "WORM")
        painter.setFont(self._mono)
        painter.setPen(text_colour)
        painter.drawText(
            QRect(inner.left(), inner.top(), inner.width() - badge_w - 4, half),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            record.volser,
        )
        # Line 2: pool (or kind) and days in state; a warning sign on the right.
        now = utcnow()
        days = max(0, (now - record.updated_at).days)
        painter.setFont(self._small)
        line2 = QRect(inner.left(), inner.top() + half, inner.width(), inner.height() - half)
        warnings = record.warnings(now)
        if index.data(DiscrepancyRole):
            warnings.append("library disagrees")
        if warnings:
            sign = f"{style.WARNING_SIGN} {len(warnings)}" if len(warnings) > 1 else "⚠"
            painter.setPen(text_colour if selected else style.WARNING_COLOUR)
            painter.drawText(
                line2, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, sign
            )
            line2.setRight(line2.right() - QFontMetrics(self._small).horizontalAdvance(sign) - 4)
        painter.setPen(text_colour if selected else QColor("#555555"))
        what = "scratch" if record.scratch else (record.pool or record.kind.label)
        text = f"{what} · {days} d"
        elided = QFontMetrics(self._small).elidedText(
            text, Qt.TextElideMode.ElideRight, line2.width()
        )
        painter.drawText(line2, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elided)
        painter.restore()


class BoardListView(QListView):
    """A column's list of cards: a drag source and a drop target for volume ids.

    Signals:
        drag_started(list): the ids of the tapes this view started dragging.
        drag_ended(): the drag this view started has ended (dropped or not).
        drop_hover_refused(str): a drag hovers here but would be refused; why.
        drop_hover_cleared(): the refused drag left this view.
    """

    drag_started = Signal(list)
    drag_ended = Signal()
    drop_hover_refused = Signal(str)
    drop_hover_cleared = Signal()

    def __init__(self, model: StateColumnModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Before setModel: with a model, changing the scroll mode lays out every row at once
        # (a Python rowCount() call or two per row: ~0.2 s for 100,000 tapes).
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # The view sees the column through a pass-through proxy: laying out the rows asks
        # rowCount() a couple of times per row, and the proxy answers those in C++ instead
        # of calling Python each time (showing 100,000 tapes: ~0.18 s less per reset).
        # Rows are the same in both models: the proxy neither sorts nor filters.
        self._column_model = model
        self._proxy = QSortFilterProxyModel(self)
        self._proxy.setDynamicSortFilter(False)
        self._proxy.setSourceModel(model)
        self.setModel(self._proxy)
        self.setObjectName(f"column-{model.state.value}")
        self.setItemDelegate(CardDelegate(self))
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setAccessibleName(f"{model.state.label} tapes")
        self._refused_reason: str | None = None
        self.drop_hint = ""  # '', 'legal' or 'refused' while a drag is under way

    def set_drop_hint(self, hint: str) -> None:
        self.drop_hint = hint
        colours = {"legal": "#E3F4EE", "refused": "#D9D9D9"}
        # The palette, not a style sheet: a style sheet change lays out every row of the
        # column again, at the start and at the end of each drag (~0.15 s at 100,000 tapes).
        palette = QPalette()  # nothing set: the viewport inherits its palette again
        if hint:
            palette.setColor(QPalette.ColorRole.Base, QColor(colours[hint]))
        self.viewport().setPalette(palette)
        self.viewport().update()

    def column_model(self) -> StateColumnModel:
        return self._column_model

    def view_index(self, row: int) -> QModelIndex:
        """The view's index of a row of the column model."""
        return self._proxy.index(row, 0)

    def selected_ids(self) -> list[int]:
        model = self.column_model()
        # selection().indexes(), not selectedRows(): the latter tests every row against
        # every range (quadratic; 0.14 s for 7,000 tapes just moved).
        rows = sorted({i.row() for i in self.selectionModel().selection().indexes()})
        return [model.record(r).id for r in rows]

    def startDrag(self, supported_actions: Qt.DropAction) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        self.drag_started.emit(ids)
        try:
            super().startDrag(supported_actions)
        finally:
            self.drag_ended.emit()

    def _judge(self, event: QDragEnterEvent | QDragMoveEvent) -> None:
        reason = self.column_model().refusal(event.mimeData())
        if reason is None:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            self._set_refused(None)
        else:
            event.ignore()
            self._set_refused(reason if decode_ids(event.mimeData()) else None)

    def _set_refused(self, reason: str | None) -> None:
        if reason == self._refused_reason:
            return
        self._refused_reason = reason
        if reason is None:
            self.drop_hover_cleared.emit()
        else:
            self.drop_hover_refused.emit(reason)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._judge(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._judge(event)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_refused(None)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_refused(None)
        model = self.column_model()
        data = event.mimeData()
        if model.refusal(data) is not None:
            event.ignore()
            return
        model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()


class StateColumn(QFrame):
    """A column: its title with the live count, and the list of cards."""

    def __init__(self, model: StateColumnModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = model.state
        self.model = model
        self.setObjectName("stateColumn")
        self.setProperty("drop", "")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        self.title = QLabel()
        self.title.setObjectName("columnTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.title)
        self.view = BoardListView(model, self)
        layout.addWidget(self.view, 1)
        model.modelReset.connect(self.update_title)
        self.update_title()

    def update_title(self) -> None:
        shown = self.model.rowCount()
        store_total = self.model._store.total(self.state)
        count = f"{shown:,}" if shown == store_total else f"{shown:,} of {store_total:,}"
        self.title.setText(
            f"{style.state_sign_html(self.state)} <b>{self.state.label}</b>"
            f"<br><span style='color:#555'>({count})</span>"
        )
        self.title.setAccessibleName(f"{self.state.label}: {count} tapes")

    def count_text(self) -> str:
        return self.title.text()

    def set_drop_hint(self, hint: str) -> None:
        """'' (no drag), 'legal' or 'refused': restyles the column."""
        if self.property("drop") == hint:
            return
        self.setProperty("drop", hint)
        self.view.set_drop_hint(hint)
        self.style().unpolish(self)
        self.style().polish(self)
        self.update()


BOARD_STYLESHEET = f"""
QFrame#stateColumn {{ border: 2px solid transparent; border-radius: 4px; }}
QFrame#stateColumn[drop="legal"] {{
    border: 2px solid {style.BLUISH_GREEN.name()};
    background: rgba(0, 158, 115, 30);
}}
QFrame#stateColumn[drop="refused"] {{ background: rgba(120, 120, 120, 60); }}
QFrame#stateGroup {{ border-top: 4px solid palette(mid); }}
"""


class BoardWidget(QWidget):
    """Every column, grouped; relays the columns' requests to the controller.

    Signals:
        move_requested(list, object): ids and the target DrmState of a drop.
        drop_refused(str): a drag ended over a column that refused it; why.
        hover_refused(str): a drag hovers over a refusing column ('' when it left).
        selection_changed(object): the VolumeRow now selected, or None.
        context_menu_requested(object, QPoint): a column's state and the global position.
    """

    move_requested = Signal(list, object)
    drop_refused = Signal(str)
    hover_refused = Signal(str)
    selection_changed = Signal(object)
    context_menu_requested = Signal(object, QPoint)

    def __init__(self, store: BoardStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.columns: dict[DrmState, StateColumn] = {}
        self._active: DrmState | None = None
        self._dragged: set[DrmState] = set()
        self.setStyleSheet(BOARD_STYLESHEET)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.setSpacing(6)
        for group, states in STATE_GROUPS.items():
            outer.addWidget(self._group_frame(group, states), len(states))

    def _group_frame(self, group: StateGroup, states: tuple[DrmState, ...]) -> QFrame:
        frame = QFrame(self)
        frame.setObjectName("stateGroup")
        colour = style.GROUP_COLOURS[group].name()
        frame.setStyleSheet(f"QFrame#stateGroup {{ border-top: 4px solid {colour}; }}")
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(2, 4, 2, 2)
        title = QLabel(f"{style.GROUP_SIGNS[group]}  {group.value.upper()}")
        title.setStyleSheet(f"font-weight: bold; color: {colour}; letter-spacing: 1px;")
        layout.addWidget(title)
        row = QHBoxLayout()
        row.setSpacing(4)
        for state in states:
            model = StateColumnModel(state, self.store, self)
            column = StateColumn(model, frame)
            self.columns[state] = column
            model.move_requested.connect(self.move_requested)
            view = column.view
            view.drag_started.connect(self._on_drag_started)
            view.drag_ended.connect(self._on_drag_ended)
            view.drop_hover_refused.connect(self._on_hover_refused)
            view.drop_hover_cleared.connect(lambda: self._on_hover_refused(""))
            view.selectionModel().selectionChanged.connect(
                lambda *_a, s=state: self._on_selection(s)
            )
            view.customContextMenuRequested.connect(
                lambda pos, s=state, v=view: self.context_menu_requested.emit(
                    s, v.viewport().mapToGlobal(pos)
                )
            )
            row.addWidget(column, 1)
        layout.addLayout(row, 1)
        return frame

    # Selection -------------------------------------------------------------------------
    def _on_selection(self, state: DrmState) -> None:
        view = self.columns[state].view
        if view.selectionModel().hasSelection() and self._active is not state:
            previous = self._active
            self._active = state
            if previous is not None:
                self.columns[previous].view.clearSelection()
        self.selection_changed.emit(self.current_record())

    def focus_column(self, state: DrmState) -> None:
        """Puts the keyboard in *state*'s column, on its current tape or its first."""
        view = self.columns[state].view
        view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if view.model().rowCount() and not view.selectionModel().hasSelection():
            first = view.model().index(0, 0)
            view.selectionModel().setCurrentIndex(
                first, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def active_state(self) -> DrmState | None:
        return self._active

    def selected_ids(self) -> list[int]:
        if self._active is None:
            return []
        return self.columns[self._active].view.selected_ids()

    def current_record(self) -> VolumeRow | None:
        if self._active is None:
            return None
        view = self.columns[self._active].view
        index = view.currentIndex()
        if not index.isValid() or not view.selectionModel().isSelected(index):
            rows = view.selectionModel().selection().indexes()  # see selected_ids()
            if not rows:
                return None
            index = rows[0]
        return index.data(RecordRole)

    def select_ids(self, ids: list[int]) -> None:
        """Selects the given tapes where they now are (e.g. after a move or undo)."""
        wanted = set(ids)
        states = self.store.states_of(wanted)
        if len(states) != 1:
            return
        state = next(iter(states))
        view = self.columns[state].view
        model = view.column_model()
        rows = [row for row in range(model.rowCount()) if model.record(row).id in wanted]
        # One selection of contiguous ranges, set at once: selecting row by row emits
        # selectionChanged per row, and its handlers read the whole selection (O(n²):
        # 1,000 tapes took 12 s).
        ranges = QItemSelection()
        start = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or rows[i] != rows[i - 1] + 1:
                ranges.select(view.view_index(rows[start]), view.view_index(rows[i - 1]))
                start = i
        selection = view.selectionModel()
        selection.select(ranges, selection.SelectionFlag.ClearAndSelect)
        first = view.view_index(rows[0]) if rows else None
        if first is not None:
            selection.setCurrentIndex(first, selection.SelectionFlag.NoUpdate)
            view.scrollTo(first)
            view.setFocus()

    # Drag feedback -------------------------------------------------------------------
    def _on_drag_started(self, ids: list[int]) -> None:
        sources = self.store.states_of(ids)
        self._dragged = sources
        for state, column in self.columns.items():
            if sources == {state}:
                column.set_drop_hint("")
            elif refusal_summary(sources, state) is None:
                column.set_drop_hint("legal")
            else:
                column.set_drop_hint("refused")

    def _on_drag_ended(self) -> None:
        for column in self.columns.values():
            column.set_drop_hint("")
        self.hover_refused.emit("")
        # Released over a column that refuses these tapes: say why (Qt sends no drop).
        target = self.column_at(QCursor.pos())
        if target is not None and self._dragged and self._dragged != {target.state}:
            reason = refusal_summary(self._dragged, target.state)
            if reason:
                self.drop_refused.emit(reason)
        self._dragged = set()

    def column_at(self, global_pos: QPoint) -> StateColumn | None:
        for column in self.columns.values():
            if column.isVisible() and column.rect().contains(column.mapFromGlobal(global_pos)):
                return column
        return None

    def _on_hover_refused(self, reason: str) -> None:
        self.hover_refused.emit(reason)
