"""The Starter kit & tests tab of the site editor: the checklist kept at the vault and the
record of the annual recovery tests, with the warning when the last success is too old."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from drm_gui.core import site
from drm_gui.core.models import RecoveryOutcome
from drm_gui.core.site import RecoveryTestRecord, SiteError
from drm_gui.gui.memory import ColumnMemory
from drm_gui.gui.site_editor_common import ErrorLabel, confirm, lines_editor, non_blank_lines
from drm_gui.gui.style import WARNING_COLOUR, WARNING_SIGN
from drm_gui.gui.table_model import RowTableModel

ModelIndex = QModelIndex | QPersistentModelIndex

OUTCOME_TEXT: dict[RecoveryOutcome, str] = {
    RecoveryOutcome.SUCCESS: "✓ Success",
    RecoveryOutcome.PARTIAL: f"{WARNING_SIGN} Partial",
    RecoveryOutcome.FAILED: f"{WARNING_SIGN} Failed",
}


class RecoveryTestModel(RowTableModel[RecoveryTestRecord]):
    """The recorded recovery tests, newest first: date, outcome, notes."""

    HEADERS = ("Date", "Outcome", "Notes")
    ID_ROLE = Qt.ItemDataRole.UserRole

    def set_records(self, records: Sequence[RecoveryTestRecord]) -> None:
        self.set_rows(records)

    def record(self, row: int) -> RecoveryTestRecord:
        return self.row_value(row)

    def cell(self, value: RecoveryTestRecord, column: int) -> str:
        if column == 0:
            return value.tested_on.isoformat()
        if column == 1:
            return OUTCOME_TEXT[value.outcome]
        return value.notes.replace("\n", " ")

    def extra(self, value: RecoveryTestRecord, column: int, role: int) -> Any:
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == 1
            and value.outcome is not RecoveryOutcome.SUCCESS
        ):
            return WARNING_COLOUR
        if role == self.ID_ROLE:
            return value.id
        return None


class RecordTestDialog(QDialog):
    """Records one recovery test: its date, outcome and notes. Stays open, with the reason
    next to the form, when the core refuses the entry.

    Signals:
        recorded(int): the test was stored; its id.
    """

    recorded = Signal(int)

    def __init__(self, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record a recovery test")
        self.today = today
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.date = QDateEdit(QDate(today.year, today.month, today.day))
        self.date.setObjectName("test_date")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.outcome = QComboBox()
        self.outcome.setObjectName("test_outcome")
        for outcome, text in OUTCOME_TEXT.items():
            self.outcome.addItem(text, outcome.value)
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("test_notes")
        self.notes.setAccessibleName("Notes on the test")
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText("What was restored, how long it took, what went wrong")
        form.addRow("&Date:", self.date)
        form.addRow("&Outcome:", self.outcome)
        form.addRow("&Notes:", self.notes)
        layout.addLayout(form)
        self.error = ErrorLabel("test_error")
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Record")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        tested_on = self.date.date().toPython()
        outcome = RecoveryOutcome(self.outcome.currentData())
        try:
            test_id = site.record_recovery_test(
                tested_on, outcome, self.notes.toPlainText().strip(), today=self.today
            )
        except SiteError as exc:
            self.error.show_error(str(exc))
            return
        self.recorded.emit(test_id)
        super().accept()


class StarterKitTab(QWidget):
    """The starter-kit checklist and the recovery tests.

    Signals:
        saved(str): something was stored or deleted; the argument says what.
    """

    saved = Signal(str)

    def __init__(
        self, today: Callable[[], dt.date] = dt.date.today, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.today = today
        self.record_dialog: RecordTestDialog | None = None
        layout = QHBoxLayout(self)

        kit = QGroupBox("Starter kit (kept at the vault, printed with the plan)")
        kit_layout = QVBoxLayout(kit)
        self.kit = lines_editor("starter_kit", "Starter kit checklist", "One item a line")
        kit_layout.addWidget(QLabel("One item a line: documents, boot media, hardware notes…"))
        kit_layout.addWidget(self.kit, 1)
        self.kit_error = ErrorLabel("starter_kit_error")
        kit_layout.addWidget(self.kit_error)
        row = QHBoxLayout()
        row.addStretch(1)
        self.kit_save = QPushButton("Sa&ve checklist")
        self.kit_save.setObjectName("starter_kit_save")
        self.kit_save.clicked.connect(self.save_kit)
        row.addWidget(self.kit_save)
        kit_layout.addLayout(row)
        layout.addWidget(kit, 1)

        tests = QGroupBox("Recovery tests (once a year)")
        tests_layout = QVBoxLayout(tests)
        self.warning = QLabel()
        self.warning.setObjectName("test_warning")
        self.warning.setWordWrap(True)
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        tests_layout.addWidget(self.warning)
        self.model = RecoveryTestModel(self)
        self.table = QTableView()
        self.table.setObjectName("test_table")
        self.table.setAccessibleName("Recovery tests")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        ColumnMemory(self.table, "recovery-tests")
        tests_layout.addWidget(self.table, 1)
        self.test_error = ErrorLabel("test_list_error")
        tests_layout.addWidget(self.test_error)
        buttons = QHBoxLayout()
        self.record_button = QPushButton("Record a &test…")
        self.record_button.setObjectName("test_record")
        self.record_button.clicked.connect(self.open_record_dialog)
        self.delete_button = QPushButton("&Delete test")
        self.delete_button.setObjectName("test_delete")
        self.delete_button.clicked.connect(self.delete_test)
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        tests_layout.addLayout(buttons)
        layout.addWidget(tests, 1)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.reload()

    def reload(self) -> None:
        self.kit.setPlainText("\n".join(site.get_starter_kit()))
        self.kit_error.clear_error()
        self.reload_tests()

    def reload_tests(self) -> None:
        self.model.set_records(site.list_recovery_tests())
        self._selection_changed()
        today = self.today()
        warning = site.recovery_test_warning(today)
        if warning is not None:
            self.warning.setText(f"{WARNING_SIGN} {warning}")
            self.warning.setStyleSheet(f"color: {WARNING_COLOUR.name()}; font-weight: bold;")
        else:
            last = site.last_successful_test()
            days = (today - last).days if last is not None else 0
            self.warning.setText(f"✓ Last successful recovery test: {last} ({days} days ago).")
            self.warning.setStyleSheet("")

    def _selection_changed(self, *_args: object) -> None:
        self.delete_button.setEnabled(self.selected_test_id() is not None)

    def selected_test_id(self) -> int | None:
        record = self.selected_record()
        return None if record is None else record.id

    def selected_record(self) -> RecoveryTestRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return None if not rows else self.model.record(rows[0].row())

    def save_kit(self) -> bool:
        items = non_blank_lines(self.kit.toPlainText())
        try:
            site.set_starter_kit(items)
        except SiteError as exc:
            self.kit_error.show_error(str(exc))
            return False
        self.kit_error.clear_error()
        self.saved.emit(f"Saved the starter-kit checklist ({len(items)} items).")
        return True

    def open_record_dialog(self) -> RecordTestDialog:
        """Opens the window-modal dialog that records a test (returns at once)."""
        dialog = RecordTestDialog(self.today(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.recorded.connect(self._recorded)
        dialog.destroyed.connect(self._record_dialog_gone)
        self.record_dialog = dialog
        dialog.open()
        return dialog

    def _record_dialog_gone(self) -> None:
        self.record_dialog = None

    def _recorded(self, _test_id: int) -> None:
        self.test_error.clear_error()
        self.reload_tests()
        self.saved.emit("Recorded the recovery test.")

    def delete_test(self) -> bool:
        record = self.selected_record()
        if record is None:
            return False
        test_id = record.id
        question = f"Delete the recovery test of {record.tested_on.isoformat()}?"
        if not confirm(self, "Delete recovery test", question):
            return False
        try:
            site.delete_recovery_test(test_id)
        except SiteError as exc:
            self.test_error.show_error(str(exc))
            return False
        self.test_error.clear_error()
        self.reload_tests()
        self.saved.emit(f"Deleted the recovery test of {record.tested_on.isoformat()}.")
        return True
