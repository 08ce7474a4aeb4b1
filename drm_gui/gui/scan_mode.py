"""Scan mode: the operator checks tapes with a barcode scanner (a keyboard that types the
volser and Enter). Large type, the expected tapes ticked as scanned, a green flash for a
good scan and a red one with a beep for a wrong or duplicate one, counters always visible;
the keys are taken wherever the focus is in the window."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from drm_gui.core.scan import ScanKind, ScanResult, ScanSession
from drm_gui.core.states import DrmError
from drm_gui.gui import style
from drm_gui.gui.memory import GeometryMemory
from drm_gui.gui.sound import Tones

GOOD = QColor("#009E73")  # bluish green (Okabe-Ito)
BAD = QColor("#D55E00")  # vermillion
FLASH_MS = 700


def _big(widget: QWidget, scale: float, bold: bool = False) -> None:
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    widget.setFont(font)


class ScanWindow(QDialog):
    """Signals:
    finished_check(str, list): the summary of a finished check and the volsers scanned.
    """

    finished_check = Signal(str, list)

    def __init__(self, title: str, session: ScanSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._buffer = ""
        self.setWindowTitle(title)
        self.resize(900, 700)
        GeometryMemory(self, "scan")
        layout = QVBoxLayout(self)
        heading = QLabel(f"{title}: scan each tape")
        _big(heading, 1.5, bold=True)
        layout.addWidget(heading)
        self.counters = QLabel()
        self.counters.setObjectName("scanCounters")
        _big(self.counters, 1.6, bold=True)
        layout.addWidget(self.counters)
        self.feedback = QLabel("Ready: scan the first tape.")
        self.feedback.setObjectName("scanFeedback")
        self.feedback.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.feedback.setMinimumHeight(70)
        _big(self.feedback, 1.8, bold=True)
        layout.addWidget(self.feedback)

        lists = QHBoxLayout()
        self.expected_list = QListWidget()
        self.expected_list.setAccessibleName("Expected tapes")
        _big(self.expected_list, 1.3)
        self.surplus_list = QListWidget()
        self.surplus_list.setAccessibleName("Tapes not on the list")
        _big(self.surplus_list, 1.3)
        left = QVBoxLayout()
        left.addWidget(QLabel("Expected"))
        left.addWidget(self.expected_list)
        right = QVBoxLayout()
        right.addWidget(QLabel("Not on the list"))
        right.addWidget(self.surplus_list)
        lists.addLayout(left, 2)
        lists.addLayout(right, 1)
        layout.addLayout(lists, 1)
        self._items: dict[str, QListWidgetItem] = {}
        for volser in session.expected:
            item = QListWidgetItem(f"☐  {volser}")
            self.expected_list.addItem(item)
            self._items[volser] = item

        bottom = QHBoxLayout()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why the lists disagree (needed to finish early)")
        self.reason.textChanged.connect(self._update)
        bottom.addWidget(self.reason, 1)
        self.finish_button = QPushButton("Finish")
        self.finish_button.clicked.connect(self.finish)
        bottom.addWidget(self.finish_button)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        bottom.addWidget(cancel)
        layout.addLayout(bottom)

        self.tones = Tones()
        self._flash = QTimer(self)
        self._flash.setSingleShot(True)
        self._flash.timeout.connect(lambda: self.feedback.setStyleSheet(""))
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
        self.finished.connect(self._stop_listening)
        self._update()

    # Keys from the scanner, wherever the focus is -------------------------------------
    def _stop_listening(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if watched is self.reason or not self.isActiveWindow():
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self:
            return False
        return self.take_key(event)

    def take_key(self, event: QKeyEvent) -> bool:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._buffer:
                text, self._buffer = self._buffer, ""
                self.scan(text)
            return True
        text = event.text()
        if text and text.isprintable():
            self._buffer += text
            return True
        return False

    # Scans -----------------------------------------------------------------------------
    def scan(self, text: str) -> ScanResult:
        result = self.session.scan(text)
        if result.kind is ScanKind.EXPECTED and result.volser in self._items:
            item = self._items[result.volser]
            item.setText(f"✓  {result.volser}")
            item.setBackground(QColor(0, 158, 115, 60))
            self.expected_list.scrollToItem(item)
        elif result.kind in (ScanKind.NOT_ON_LIST, ScanKind.UNKNOWN):
            self.surplus_list.addItem(f"{style.WARNING_SIGN}  {result.volser}")
        self._show(result)
        self._update()
        return result

    def _show(self, result: ScanResult) -> None:
        good = result.kind.good
        sign = "✓" if good else "✗"
        colour = GOOD if good else BAD
        self.feedback.setText(f"{sign}  {result.message}")
        self.feedback.setStyleSheet(
            f"background: {colour.name()}; color: white; border-radius: 6px;"
        )
        self._flash.start(FLASH_MS)
        self.tones.play("good" if good else "bad")

    def _update(self) -> None:
        session = self.session
        self.counters.setText(
            f"Scanned {len(session.scanned)} of {len(session.expected)}   ·   "
            f"Missing {len(session.missing)}   ·   Surplus {len(session.surplus)}"
        )
        self.finish_button.setEnabled(session.complete or bool(self.reason.text().strip()))

    def finish(self) -> None:
        try:
            summary = self.session.finish(self.reason.text())
        except DrmError as exc:
            self.feedback.setText(f"{style.WARNING_SIGN}  {exc}")
            return
        self.finished_check.emit(summary, list(self.session.scanned))
        self.accept()
