"""The Server and Instructions tabs of the site editor: the server's identity, the copies of
its own files, and the five RECOVERY.INSTRUCTIONS.* texts."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from drm_gui.core import site
from drm_gui.core.site import ServerFile, ServerIdentity, SiteError
from drm_gui.gui.site_editor_common import ErrorLabel, lines_editor, non_blank_lines, text_lines

log = logging.getLogger(__name__)

FILE_LABELS: dict[ServerFile, tuple[str, str]] = {
    ServerFile.VOLHIST: ("Volume history", "volhist.out"),
    ServerFile.DEVCONFIG: ("Device configuration", "devconfig.out"),
    ServerFile.DSMSERV_OPT: ("Server options", "dsmserv.opt"),
}

INSTRUCTION_HINTS: dict[str, str] = {
    "GENERAL": "General recovery instructions: who to call first, the people of the recovery "
    "team with their telephone numbers, and where the administrator passwords are kept.",
    "OFFSITE": "The vault: its address and telephone number, who may collect tapes, how to "
    "get access out of hours, and the courier's contacts.",
    "INSTALL": "Installing the storage server on the replacement machine: where the "
    "installation media and license files are, and the steps to follow.",
    "DATABASE": "Restoring the server database: the requirements and any step the recovery "
    "scripts do not cover.",
    "STGPOOL": "Restoring the storage pools: which pools come first, and any known "
    "problem volumes.",
}


class ServerTab(QWidget):
    """The server's identity and the copies of volhist, devconfig and dsmserv.opt.

    Signals:
        saved(str): something was stored; the argument says what, for the status line.
    """

    saved = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)

        identity = QGroupBox("Server identity")
        form = QFormLayout(identity)
        self.name = self._line("server_name", "Storage server name, e.g. SERVER1 (no blanks)")
        self.address = self._line("server_address", "Host name or IP address and port")
        self.operating_system = self._line("server_os", "e.g. AIX 7.3, Linux x86_64")
        self.db_space = self._line("server_db_space", "e.g. 400 GB")
        self.log_space = self._line("server_log_space", "Active + archive log, e.g. 200 GB")
        self.options = lines_editor(
            "server_options", "Server options and installation notes", "One note a line"
        )
        self.db_storage_paths = lines_editor(
            "server_db_paths", "Database storage paths", "One directory a line"
        )
        self.licenses = lines_editor("server_licenses", "License files", "One file a line")
        for editor in (self.options, self.db_storage_paths, self.licenses):
            editor.setMaximumHeight(70)
        form.addRow("&Name:", self.name)
        form.addRow("&Address:", self.address)
        form.addRow("&Operating system:", self.operating_system)
        form.addRow("&Database space:", self.db_space)
        form.addRow("&Log space:", self.log_space)
        form.addRow("O&ptions:", self.options)
        form.addRow("DB &storage paths:", self.db_storage_paths)
        form.addRow("L&icences:", self.licenses)
        self.error = ErrorLabel("server_error")
        form.addRow(self.error)
        self.save_button = QPushButton("Sa&ve server identity")
        self.save_button.setObjectName("server_save")
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        form.addRow(buttons)
        layout.addWidget(identity)

        files = QGroupBox("Copies of the server's files (printed in the plan)")
        grid = QGridLayout(files)
        self.file_status: dict[ServerFile, QLabel] = {}
        self.import_buttons: dict[ServerFile, QPushButton] = {}
        for row, kind in enumerate(ServerFile):
            title, example = FILE_LABELS[kind]
            grid.addWidget(QLabel(f"<b>{title}</b> ({example})"), row, 0)
            status = QLabel()
            status.setObjectName(f"file_status_{kind.name}")
            status.setWordWrap(True)
            status.setTextFormat(Qt.TextFormat.PlainText)
            status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(status, row, 1)
            button = QPushButton("Import from file…")
            button.setObjectName(f"import_{kind.name}")
            button.setAccessibleName(f"Import the {title.lower()} from a file")
            button.clicked.connect(lambda _checked=False, k=kind: self.import_file(k))
            grid.addWidget(button, row, 2)
            self.file_status[kind] = status
            self.import_buttons[kind] = button
        grid.setColumnStretch(1, 1)
        self.file_error = ErrorLabel("file_error")
        grid.addWidget(self.file_error, len(ServerFile), 0, 1, 3)
        layout.addWidget(files)
        layout.addStretch(1)
        self.reload()

    @staticmethod
    def _line(name: str, tip: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setToolTip(tip)
        edit.setPlaceholderText(tip)
        return edit

    def reload(self) -> None:
        ident = site.get_server_identity()
        self.name.setText(ident.name)
        self.address.setText(ident.address)
        self.operating_system.setText(ident.operating_system)
        self.db_space.setText(ident.db_space)
        self.log_space.setText(ident.log_space)
        self.options.setPlainText("\n".join(ident.options))
        self.db_storage_paths.setPlainText("\n".join(ident.db_storage_paths))
        self.licenses.setPlainText("\n".join(ident.licenses))
        self.error.clear_error()
        for kind in ServerFile:
            self._show_file(kind)

    def identity(self) -> ServerIdentity:
        """The identity as typed in the form."""
        return ServerIdentity(
            name=self.name.text(),
            address=self.address.text(),
            operating_system=self.operating_system.text(),
            options=text_lines(self.options.toPlainText()),
            db_space=self.db_space.text(),
            log_space=self.log_space.text(),
            db_storage_paths=non_blank_lines(self.db_storage_paths.toPlainText()),
            licenses=non_blank_lines(self.licenses.toPlainText()),
        )

    def save(self) -> bool:
        try:
            site.set_server_identity(self.identity())
        except SiteError as exc:
            self.error.show_error(str(exc))
            return False
        self.error.clear_error()
        self.saved.emit(f"Saved the identity of server {self.name.text().strip()}.")
        return True

    def _show_file(self, kind: ServerFile) -> None:
        copy = site.get_server_file(kind)
        label = self.file_status[kind]
        if copy is None:
            label.setText("Not imported yet: the plan will have no copy of this file.")
            return
        when = copy.updated_at.strftime("%Y-%m-%d %H:%M UTC")
        lines = len(copy.text.splitlines())
        origin = f"from {copy.source}" if copy.source else "typed in"
        label.setText(f"Imported {when} {origin} ({lines} lines).")

    def import_file(self, kind: ServerFile) -> bool:
        title, example = FILE_LABELS[kind]
        path, _filter = QFileDialog.getOpenFileName(
            self, f"Import the {title.lower()}", "", f"{example} (*);;All files (*)"
        )
        if not path:
            return False
        try:
            site.import_server_file(kind, path)
        except SiteError as exc:
            self.file_error.show_error(str(exc))
            return False
        self.file_error.clear_error()
        self._show_file(kind)
        self.saved.emit(f"Imported the {title.lower()} from {path}.")
        return True


class InstructionPage(QWidget):
    """One RECOVERY.INSTRUCTIONS.* text, its hint, and the file that overrides it if any."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.part = name.rsplit(".", 1)[1]
        layout = QVBoxLayout(self)
        hint = QLabel(INSTRUCTION_HINTS[self.part])
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.override = QLabel()
        self.override.setObjectName(f"instructions_override_{self.part}")
        self.override.setWordWrap(True)
        self.override_path = QLineEdit()
        self.override_path.setObjectName(f"instructions_file_{self.part}")
        self.override_path.setReadOnly(True)
        self.override_path.setAccessibleName(f"Instruction file for {self.part}")
        layout.addWidget(self.override)
        layout.addWidget(self.override_path)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName(f"instructions_{self.part}")
        self.editor.setAccessibleName(f"{name} text")
        self.editor.setTabChangesFocus(True)
        layout.addWidget(self.editor, 1)
        self.error = ErrorLabel(f"instructions_error_{self.part}")
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addStretch(1)
        self.save_button = QPushButton(f"Sa&ve {self.part.lower()} instructions")
        self.save_button.setObjectName(f"instructions_save_{self.part}")
        row.addWidget(self.save_button)
        layout.addLayout(row)

    def reload(self) -> None:
        path = site.instruction_file(self.name)
        from_file = path is not None and path.is_file()
        if path is None:
            self.override.hide()
            self.override_path.hide()
        elif from_file:
            self.override.setText(
                "The plan takes this text from the file below (setting instr_prefix); edit "
                "that file. The text stored here is used only when the file is missing."
            )
        else:
            self.override.setText(
                "The plan would take this text from the file below (setting instr_prefix), "
                "which does not exist: the text stored here is used."
            )
        if path is not None:
            self.override_path.setText(str(path))
            self.override.show()
            self.override_path.show()
        self.editor.setReadOnly(from_file)
        self.save_button.setEnabled(not from_file)
        self.editor.setPlainText("\n".join(site.get_instructions(self.name)))
        self.editor.document().setModified(False)
        self.error.clear_error()


class InstructionsTab(QWidget):
    """The five RECOVERY.INSTRUCTIONS.* texts, one sub-tab each; each saves on its own.

    Signals:
        saved(str): a text was stored; the argument says which, for the status line.
    """

    saved = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("instruction_tabs")
        self.tabs.setAccessibleName("Recovery instruction texts")
        self.pages: dict[str, InstructionPage] = {}
        for name in site.INSTRUCTION_NAMES:
            page = InstructionPage(name)
            page.save_button.clicked.connect(lambda _checked=False, p=page: self.save(p.part))
            page.editor.modificationChanged.connect(lambda changed, p=page: self._mark(p, changed))
            self.pages[page.part] = page
            self.tabs.addTab(page, page.part.title())
        layout.addWidget(self.tabs)
        self.reload()

    def _mark(self, page: InstructionPage, changed: bool) -> None:
        # A sign beside the title, not a colour: this text has unsaved changes.
        title = page.part.title() + (" •" if changed else "")
        self.tabs.setTabText(self.tabs.indexOf(page), title)

    def reload(self) -> None:
        for page in self.pages.values():
            page.reload()
            # setPlainText("") reports a modification it then does not undo: mark afresh.
            self._mark(page, False)

    def save(self, part: str) -> bool:
        page = self.pages[part]
        try:
            site.set_instructions(page.name, page.editor.toPlainText())
        except SiteError as exc:
            page.error.show_error(str(exc))
            return False
        page.error.clear_error()
        page.editor.document().setModified(False)
        self._mark(page, False)
        self.saved.emit(f"Saved {page.name}.")
        return True
