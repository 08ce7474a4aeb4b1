"""Help → Show log: the end of this workstation's log file (drm-gui.log in the user data
folder), for an operator who reports a problem or an administrator who looks for one."""

from __future__ import annotations

from collections import deque
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from drm_gui.gui.fonts import fixed_font
from drm_gui.gui.memory import GeometryMemory
from drm_gui.paths import data_dir

LOG_NAME = "drm-gui.log"
SHOWN_LINES = 2000


def log_path() -> Path:
    return data_dir() / LOG_NAME


def tail(path: Path, lines: int = SHOWN_LINES) -> str:
    """The last *lines* lines of *path*, or a sentence when there is no log yet."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return "".join(deque(handle, maxlen=lines))
    except FileNotFoundError:
        return f"No log yet: {path} is written once drm-gui has something to say."
    except OSError as exc:
        return f"The log {path} cannot be read: {exc.strerror or exc}"


class LogDialog(QDialog):
    """The end of the log, newest last, with a button that opens its folder."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("drm-gui log")
        self.resize(900, 600)
        GeometryMemory(self, "log")
        path = log_path()
        layout = QVBoxLayout(self)
        where = QLabel(f"The last {SHOWN_LINES:,} lines of {path}")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)
        self.text = QPlainTextEdit(tail(path))
        self.text.setReadOnly(True)
        self.text.setFont(fixed_font())
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.text)
        self.text.moveCursor(self.text.textCursor().MoveOperation.End)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        folder = QPushButton("Open the folder")
        folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))
        )
        buttons.addButton(folder, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
