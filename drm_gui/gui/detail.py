"""The detail pane: the selected tape and its whole movement history."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from drm_gui.core.media import HistoryRow, VolumeRow, history
from drm_gui.core.models import utcnow
from drm_gui.gui import style
from drm_gui.gui.memory import ColumnMemory
from drm_gui.gui.table_model import RowTableModel


def local_time(at: dt.datetime) -> str:
    return at.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


class HistoryModel(RowTableModel[HistoryRow]):
    """A tape's movements, newest first."""

    HEADERS = ("When", "Kind", "From", "To", "Location", "Who", "Workstation", "Reason")

    def set_rows(self, rows: Sequence[HistoryRow]) -> None:
        super().set_rows(list(reversed(rows)))

    def cell(self, value: HistoryRow, column: int) -> str:
        values = (
            local_time(value.at),
            value.kind.value.title(),
            value.from_state.value if value.from_state else "—",
            value.to_state.value,
            value.to_location,
            value.os_user,
            value.workstation,
            value.reason,
        )
        return values[column]


class DetailPane(QWidget):
    """Shows the selected tape: what, where, since when, warnings, and its history."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.summary = QLabel("Select a tape to see its details and history.")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.history_model = HistoryModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.history_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAccessibleName("Movement history")
        ColumnMemory(self.table, "history")
        layout.addWidget(self.table, 1)
        self.record: VolumeRow | None = None

    def show_record(self, record: VolumeRow | None) -> None:
        self.record = record
        if record is None:
            self.summary.setText("Select a tape to see its details and history.")
            self.history_model.set_rows([])
            return
        now = utcnow()
        days = max(0, (now - record.updated_at).days)
        parts = [
            f"<span style='font-family:monospace; font-size:large'><b>"
            f"{html.escape(record.volser)}</b></span>",
            html.escape(record.pool) if record.pool else "",
            html.escape(record.kind.label),
            f"{style.state_sign_html(record.state)} <b>{record.state.value}</b> at "
            f"{html.escape(record.location)} since {local_time(record.updated_at)} "
            f"({days} d)",
            f"{html.escape(record.media_type)}, {record.pct_used:g}% used",
        ]
        if record.worm:
            parts.append("<b>WORM</b>")
        text = " · ".join(p for p in parts if p)
        warnings = record.warnings(now)
        if warnings:
            text += "<br>" + "<br>".join(
                f"<span style='color:{style.WARNING_COLOUR.name()}'>{style.WARNING_SIGN}</span> "
                f"{html.escape(w)}"
                for w in warnings
            )
        self.summary.setText(text)
        self.history_model.set_rows(history(record.id))
