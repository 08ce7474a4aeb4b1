"""Vault reconciliation in the window: read the vault company's inventory list, show where
it and the records disagree, and settle each difference with a logged resolution."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from drm_gui.core.media import MoveResult
from drm_gui.core.reconcile import Difference, Reconciliation, Resolution, reconcile, resolve
from drm_gui.core.states import DrmError
from drm_gui.core.vault_list import VaultList, csv_columns, read_vault_file
from drm_gui.gui import style
from drm_gui.gui.memory import ColumnMemory, GeometryMemory
from drm_gui.gui.table_model import RowTableModel


def read_list(path: Path, volser_column: str | None) -> VaultList:
    """The vault's list: a CSV read by the chosen column, or a plain list of volsers."""
    return read_vault_file(path.read_bytes(), volser_column=volser_column, source=path.name)


def columns_of(path: Path) -> tuple[str, ...]:
    """The CSV header of *path*, or () for a plain list (one field per line)."""
    columns = csv_columns(path.read_bytes())
    return columns if len(columns) > 1 else ()


class DifferencesModel(RowTableModel[Difference]):
    HEADERS = ("Tape", "Difference", "Records say", "Suggested", "Line")

    def cell(self, value: Difference, column: int) -> str:
        state = f"{value.state.value} at {value.location}" if value.state else "—"
        suggested = value.resolutions[0].value if value.resolutions else ""
        values = (
            value.volser,
            value.kind.value + (f" ({value.note})" if value.note else ""),
            state,
            suggested,
            str(value.line) if value.line else "",
        )
        return values[column]

    def remove(self, difference: Difference) -> None:
        self.set_rows([d for d in self._rows if d is not difference])


class ReconcileDialog(QDialog):
    """The differences between the vault's list and the records, each with its resolutions.

    Signals:
        resolved(object): the MoveResult of a resolution (for the board).
    """

    resolved = Signal(object)

    def __init__(self, result: Reconciliation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result = result
        self.setWindowTitle(f"Vault reconciliation: {result.source}")
        self.resize(950, 480)
        layout = QVBoxLayout(self)
        summary = (
            f"{result.listed} tape(s) on the vault's list, {result.agreed} agree with the "
            f"records, {len(result.differences)} difference(s)."
        )
        if result.found:
            summary += f" Found again: {', '.join(result.found)}."
        if result.skipped:
            summary += f" {len(result.skipped)} bad line(s) left out."
        layout.addWidget(QLabel(summary))
        self.model = DifferencesModel(self)
        self.model.set_rows(result.differences)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._menu)
        self.table.setAccessibleName("Differences")
        ColumnMemory(self.table, "reconcile")
        GeometryMemory(self, "reconcile")
        layout.addWidget(self.table, 1)
        self.message = QLabel()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.resolve_button = QPushButton("Resolve as suggested")
        self.resolve_button.setToolTip("Right-click a difference for the other resolutions")
        buttons.addButton(self.resolve_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.resolve_button.clicked.connect(self._resolve_suggested)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if self.model.rowCount():
            self.table.selectRow(0)

    def selected(self) -> Difference | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_value(rows[0].row()) if rows else None

    def apply(self, difference: Difference, resolution: Resolution) -> MoveResult | None:
        try:
            result = resolve(difference, resolution)
        except DrmError as exc:
            self.message.setText(f"{style.WARNING_SIGN} {difference.volser}: {exc}")
            return None
        self.model.remove(difference)
        self.message.setText(f"{difference.volser}: {resolution.value} (logged).")
        self.resolved.emit(result)
        if self.model.rowCount():
            self.table.selectRow(0)
        return result

    def _resolve_suggested(self) -> None:
        difference = self.selected()
        if difference is not None and difference.resolutions:
            self.apply(difference, difference.resolutions[0])

    def _menu(self, pos: object) -> None:
        difference = self.selected()
        if difference is None:
            return
        menu = QMenu(self)
        for resolution in difference.resolutions:
            action = menu.addAction(resolution.value)
            action.triggered.connect(lambda _c=False, r=resolution: self.apply(difference, r))
        menu.exec(self.table.viewport().mapToGlobal(pos))  # type: ignore[arg-type]


def reconcile_file(path: Path, volser_column: str | None, *, accept_valid: bool) -> Reconciliation:
    """Reads the vault's list and compares it with the records (raises DrmError)."""
    return reconcile(read_list(path, volser_column), accept_valid=accept_valid)
