"""Small pieces shared by the tabs of the site editor: the error label next to a form, line
lists typed one a line, and the confirmation before a deletion."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QPlainTextEdit, QWidget

from drm_gui.gui.style import WARNING_COLOUR, WARNING_SIGN


class ErrorLabel(QLabel):
    """Says what is wrong next to a form: the warning sign and the text in vermillion (never
    colour alone). Hidden while there is nothing to say."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWordWrap(True)
        self.setStyleSheet(f"color: {WARNING_COLOUR.name()}; font-weight: bold;")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.hide()

    def show_error(self, message: str) -> None:
        self.setText(f"{WARNING_SIGN} {message}")
        self.setAccessibleName(f"Error: {message}")
        self.show()

    def clear_error(self) -> None:
        self.clear()
        self.setAccessibleName("")
        self.hide()

    def message(self) -> str:
        """The message without the sign ('' when hidden)."""
        return self.text().removeprefix(f"{WARNING_SIGN} ")


def lines_editor(object_name: str, accessible_name: str, hint: str = "") -> QPlainTextEdit:
    """A plain text editor for a list typed one item a line; Tab leaves it (keyboard use)."""
    editor = QPlainTextEdit()
    editor.setObjectName(object_name)
    editor.setAccessibleName(accessible_name)
    editor.setTabChangesFocus(True)
    editor.setPlaceholderText(hint)
    return editor


def non_blank_lines(text: str) -> tuple[str, ...]:
    """The lines of *text* that hold something, stripped (lists: paths, volumes, nodes)."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def text_lines(text: str) -> tuple[str, ...]:
    """The lines of free text as typed, without trailing blank lines."""
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return tuple(lines)


def confirm(parent: QWidget, title: str, question: str) -> bool:
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
