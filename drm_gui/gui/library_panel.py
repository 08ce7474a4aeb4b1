"""The library panel: the library's geometry, the job queue with progress and Cancel, and
the log of device commands; plus the large prompt when the robot needs a person."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from drm_gui.core.library_ops import Discrepancy
from drm_gui.gui.device import LibraryDevice
from drm_gui.gui.library_grid import LibraryGrid, StateLookup
from drm_gui.gui.memory import ColumnMemory
from drm_gui.library.base import Inventory

STATE_TEXT = {
    "queued": "Queued",
    "running": "Running",
    "waiting": "Waiting for you",
    "done": "Done",
    "failed": "Failed",
    "cancelled": "Cancelled",
}
LOG_LINES = 2000


class OperatorPrompt(QDialog):
    """A large, clear request to the operator ('Empty the I/O station (3 tapes)…') with
    Continue and Stop. Window-modal but not blocking: the board keeps working."""

    answered = Signal(int, bool)

    def __init__(self, job_id: int, prompt: str, count: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.job_id = job_id
        self.setWindowTitle("The tape library needs you")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        text = QLabel(prompt)
        text.setWordWrap(True)
        font = QFont(text.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        text.setFont(font)
        layout.addWidget(text)
        if count:
            detail = QLabel(f"{count} tape(s) are waiting in the I/O station.")
            layout.addWidget(detail)
        buttons = QDialogButtonBox(self)
        self.continue_button = buttons.addButton("Continue", QDialogButtonBox.ButtonRole.AcceptRole)
        self.stop_button = buttons.addButton("Stop here", QDialogButtonBox.ButtonRole.RejectRole)
        self.continue_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.accepted.connect(lambda: self.answered.emit(self.job_id, True))
        self.rejected.connect(lambda: self.answered.emit(self.job_id, False))
        self.setMinimumWidth(480)


class LibraryPanel(QWidget):
    """Signals:
    refresh_requested(): read the inventory again.
    import_requested(): move everything in the I/O station into the library.
    settings_requested(): open the library settings (administrators).
    resolve_requested(object, object): settle a Discrepancy with a Resolution.
    label_check_requested(str): read the label written on this tape.
    """

    refresh_requested = Signal()
    import_requested = Signal()
    settings_requested = Signal()
    resolve_requested = Signal(object, object)  # Discrepancy, Resolution
    label_check_requested = Signal(str)

    def __init__(
        self, device: LibraryDevice | None, lookup: StateLookup, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.device: LibraryDevice | None = None
        self._items: dict[int, QTreeWidgetItem] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)

        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        top.addWidget(self.title, 1)
        self.refresh_button = QPushButton("Refresh inventory")
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.import_button = QPushButton("Import I/O station")
        self.import_button.setToolTip("Check in every returned tape waiting in the I/O station")
        self.import_button.clicked.connect(self.import_requested)
        self.settings_button = QPushButton("Settings…")
        self.settings_button.clicked.connect(self.settings_requested)
        for button in (self.refresh_button, self.import_button, self.settings_button):
            top.addWidget(button)
        layout.addLayout(top)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.grid = LibraryGrid(lookup)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._grid_menu)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid)
        splitter.addWidget(scroll)

        jobs = QWidget()
        jobs_layout = QVBoxLayout(jobs)
        jobs_layout.setContentsMargins(0, 0, 0, 0)
        self.job_list = QTreeWidget()
        self.job_list.setHeaderLabels(["Job", "State", "Last step"])
        self.job_list.setRootIsDecorated(False)
        self.job_list.setAccessibleName("Library jobs")
        self.job_list.setColumnWidth(0, 220)
        self.job_list.setColumnWidth(1, 110)
        ColumnMemory(self.job_list, "library-jobs", fit=False)
        jobs_layout.addWidget(self.job_list)
        self.cancel_button = QPushButton("Cancel job")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self._cancel_selected)
        self.job_list.itemSelectionChanged.connect(self._update_cancel)
        jobs_layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
        splitter.addWidget(jobs)

        problems = QWidget()
        problems_layout = QVBoxLayout(problems)
        problems_layout.setContentsMargins(0, 0, 0, 0)
        self.problem_list = QTreeWidget()
        self.problem_list.setHeaderLabels(["Tape", "Records and library disagree", "Suggested"])
        self.problem_list.setRootIsDecorated(False)
        self.problem_list.setAccessibleName("Discrepancies")
        self.problem_list.setColumnWidth(0, 100)
        self.problem_list.setColumnWidth(1, 330)
        ColumnMemory(self.problem_list, "library-discrepancies", fit=False)
        self.problem_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.problem_list.customContextMenuRequested.connect(self._problem_menu)
        self.problem_list.itemDoubleClicked.connect(lambda _i, _c: self._resolve_selected())
        problems_layout.addWidget(self.problem_list)
        self.resolve_button = QPushButton("Resolve as suggested")
        self.resolve_button.setToolTip("Apply the suggested resolution; right-click for others")
        self.resolve_button.clicked.connect(self._resolve_selected)
        problems_layout.addWidget(self.resolve_button, 0, Qt.AlignmentFlag.AlignRight)
        splitter.addWidget(problems)
        self._problems: list[Discrepancy] = []

        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(LOG_LINES)
        self.log.setPlaceholderText("Device commands and answers appear here.")
        self.log.setAccessibleName("Library log")
        splitter.addWidget(self.log)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 1)
        splitter.setStretchFactor(3, 1)
        layout.addWidget(splitter, 1)
        self.set_device(device)

    def set_device(self, device: LibraryDevice | None) -> None:
        if self.device is not None:
            for signal, slot in self._connections():
                signal.disconnect(slot)
        self.device = device
        self._items.clear()
        self.job_list.clear()
        if device is not None:
            for signal, slot in self._connections():
                signal.connect(slot)
        self.set_status("ready" if device else "not configured")

    def _connections(self) -> list:
        assert self.device is not None
        return [
            (self.device.queue_changed, self._refresh_jobs),
            (self.device.log_line, self.append_log),
            (self.device.job_progress, self._on_progress),
        ]

    # Display ---------------------------------------------------------------------------
    def set_status(self, status: str) -> None:
        name = self.device.name if self.device else "—"
        self.title.setText(f"<b>Library {name}</b> · {status}")

    def set_inventory(self, inventory: Inventory | None) -> None:
        self.grid.set_inventory(inventory)

    def append_log(self, line: str) -> None:
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        self.log.appendPlainText(f"{stamp}  {line}")

    def _on_progress(self, job_id: int, text: str) -> None:
        item = self._items.get(job_id)
        if item is not None:
            item.setText(2, text)
        # Highlight the tapes this step names: the slot being worked on.
        inventory = self.grid.inventory()
        if inventory is not None:
            words = {w.strip(".,:;()").upper() for w in text.split()}
            self.grid.set_highlight({t for t in inventory.volume_tags() if t.upper() in words})

    def _refresh_jobs(self) -> None:
        assert self.device is not None
        running = None
        for job_id, job in self.device.jobs.items():
            item = self._items.get(job_id)
            if item is None:
                item = QTreeWidgetItem([job.title, "", ""])
                item.setData(0, Qt.ItemDataRole.UserRole, job_id)
                self.job_list.insertTopLevelItem(0, item)
                self._items[job_id] = item
            item.setText(1, STATE_TEXT.get(job.state, job.state))
            if job.state in ("failed",) and job.error is not None:
                item.setText(2, str(job.error))
                item.setToolTip(2, str(job.error))
            elif job.last_progress:
                item.setText(2, job.last_progress)
            if job.state in ("running", "waiting"):
                running = job
        if running is None:
            self.grid.set_highlight(set())
        self.set_status(f"working: {running.title}" if running else "ready")
        self._update_cancel()

    def selected_job(self) -> int | None:
        items = self.job_list.selectedItems()
        if not items:
            return None
        return int(items[0].data(0, Qt.ItemDataRole.UserRole))

    def _update_cancel(self) -> None:
        job_id = self.selected_job()
        job = self.device.jobs.get(job_id) if (self.device and job_id) else None
        self.cancel_button.setEnabled(
            job is not None and job.state in ("queued", "running", "waiting")
        )

    def _cancel_selected(self) -> None:
        job_id = self.selected_job()
        if job_id is not None and self.device is not None:
            self.device.cancel(job_id)

    def _grid_menu(self, pos: QPoint) -> None:
        element = self.grid.element_at(pos)
        if element is None or element.empty or not element.volume_tag or element.is_drive:
            return
        tag = element.volume_tag
        menu = QMenu(self)
        action = menu.addAction(f"Check the label of {tag}")
        action.triggered.connect(lambda _c=False: self.label_check_requested.emit(tag))
        menu.exec(self.grid.mapToGlobal(pos))

    # Discrepancies -------------------------------------------------------------------
    def set_discrepancies(self, problems: list[Discrepancy]) -> None:
        self._problems = list(problems)
        self.problem_list.clear()
        for index, problem in enumerate(self._problems):
            suggested = problem.resolutions[0].label if problem.resolutions else ""
            item = QTreeWidgetItem([problem.volser, problem.description, suggested])
            item.setToolTip(1, problem.description)
            item.setData(0, Qt.ItemDataRole.UserRole, index)
            self.problem_list.addTopLevelItem(item)
        self.resolve_button.setEnabled(bool(self._problems))

    def _selected_problem(self) -> Discrepancy | None:
        items = self.problem_list.selectedItems()
        if not items:
            return None
        return self._problems[int(items[0].data(0, Qt.ItemDataRole.UserRole))]

    def _resolve_selected(self) -> None:
        problem = self._selected_problem()
        if problem is not None and problem.resolutions:
            self.resolve_requested.emit(problem, problem.resolutions[0])

    def _problem_menu(self, pos: QPoint) -> None:
        problem = self._selected_problem()
        if problem is None:
            return
        menu = QMenu(self)
        for resolution in problem.resolutions:
            action = menu.addAction(resolution.label)
            action.triggered.connect(
                lambda _c=False, r=resolution: self.resolve_requested.emit(problem, r)
            )
        menu.exec(self.problem_list.viewport().mapToGlobal(pos))

    def ask_operator(self, job_id: int, prompt: str, count: int) -> OperatorPrompt:
        """Shows the large prompt; its answer goes straight to the device."""
        dialog = OperatorPrompt(job_id, prompt, count, self.window())
        if self.device is not None:
            dialog.answered.connect(self.device.answer_operator)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        QApplication.beep()
        dialog.open()
        return dialog
