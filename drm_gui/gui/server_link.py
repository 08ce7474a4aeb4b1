"""The storage server link in the window: the settings dialog, the password kept in memory,
sending the waiting moves in the background after each move, and the synchronisation.

The password is asked for when the link first needs it and lives in this object only: never
in QSettings, the database, a log line or an error text. A rejected password is forgotten.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from drm_gui.core import server_moves
from drm_gui.core.media import load_settings, set_setting
from drm_gui.core.models import CommandStatus
from drm_gui.core.settings import SETTINGS_BY_NAME, SettingError
from drm_gui.core.states import DrmError
from drm_gui.gui.tasks import BackgroundTask
from drm_gui.server import AdminClient, AuthenticationFailed, ServerProfile
from drm_gui.server.link import SendReport, profile_from_settings, send_pending

log = logging.getLogger(__name__)

PasswordPrompt = Callable[[ServerProfile], str | None]


def ask_password(parent: QWidget | None, profile: ServerProfile) -> str | None:
    """The administrator's password, typed into a masked field; None when cancelled."""
    text, ok = QInputDialog.getText(
        parent,
        "Storage server password",
        f"Password of administrator {profile.admin_id} on {profile.server_label}\n"
        "(kept in memory until drm-gui closes, never written anywhere):",
        QLineEdit.EchoMode.Password,
    )
    return text if ok and text else None


class ServerLinkController(QObject):
    """Signals:
    notice(str, str): a message and its level for the window.
    records_changed(): the database changed behind the board (a rollback, a sync).
    waiting_changed(int): the number of moves waiting for the server.
    """

    notice = Signal(str, str)
    records_changed = Signal()
    waiting_changed = Signal(int)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._window = parent
        self._password: str | None = None
        self.password_prompt: PasswordPrompt = lambda p: ask_password(self._window, p)
        self.task: BackgroundTask | None = None
        self._send_again = False
        # Variables the client needs beyond this process's own (DSM_DIR, DSM_CONFIG...).
        self.extra_env: dict[str, str] = {}

    # Settings and the client ------------------------------------------------------------
    def link_on(self) -> bool:
        return bool(load_settings()["server_link"])

    def profile(self) -> ServerProfile:
        return replace(profile_from_settings(load_settings()), extra_env=dict(self.extra_env))

    def client(self) -> AdminClient | None:
        """A client for the configured server, asking for the password once; None when the
        operator cancels or no administrator is set."""
        profile = self.profile()
        if not profile.admin_id:
            self.notice.emit(
                "No administrator id is set for the storage server: Server → Link settings.",
                "warning",
            )
            return None
        if profile.use_stored_password:
            return AdminClient(profile, None)
        if self._password is None:
            self._password = self.password_prompt(profile)
        if self._password is None:
            return None
        return AdminClient(profile, self._password)

    def forget_password(self) -> None:
        self._password = None

    def waiting(self) -> int:
        return server_moves.command_counts()[CommandStatus.PENDING]

    # Moves ----------------------------------------------------------------------------
    def after_moves(self) -> None:
        """A batch was recorded: send its commands, or write them for the administrator."""
        try:
            written = server_moves.deliver_without_link(load_settings())
        except DrmError as exc:
            self.notice.emit(
                f"The server commands were not written (kept for later): {exc}", "warning"
            )
        else:
            if written is None:
                self.send()
                return
            if written.written:
                log.info("%s", written.summary())
        self.waiting_changed.emit(self.waiting())

    def send(self) -> None:
        """Sends the waiting moves in the background (one run at a time)."""
        if self.task is not None and self.task.running:
            self._send_again = True
            return
        if not self.waiting():
            self.waiting_changed.emit(0)
            return
        client = self.client()
        if client is None:
            self.notice.emit(
                f"{self.waiting():,} move(s) wait for the storage server: Server → Send "
                "waiting moves when it can be reached.",
                "warning",
            )
            self.waiting_changed.emit(self.waiting())
            return
        task = BackgroundTask(
            "Sending moves to the server",
            lambda: send_pending(client),
            self._window,
            show_progress=False,
        )
        task.done.connect(self._sent)
        task.error.connect(self._send_failed)
        self.task = task
        task.start()

    def _sent(self, report: SendReport) -> None:
        if report.error and "password" in report.error.lower():
            self.forget_password()
        level = "warning" if report.refused or report.error else "info"
        self.notice.emit(f"Storage server: {report.summary()}.", level)
        if report.rolled_back:
            self.records_changed.emit()
        self.waiting_changed.emit(self.waiting())
        if self._send_again:
            self._send_again = False
            self.send()

    def _send_failed(self, error: Exception) -> None:
        if isinstance(error, AuthenticationFailed):
            self.forget_password()
        self.notice.emit(f"The moves were not sent (they wait): {error}", "warning")
        self.waiting_changed.emit(self.waiting())


# --- The settings dialog -------------------------------------------------------------------


class ServerSettingsDialog(QDialog):
    """The link's settings: the client command, server stanza, administrator, where the
    password comes from, the timeout; the command file and its template for sites without
    a link. Each value is checked by the setting's own rule before anything is saved."""

    FIELDS = (
        "server_command",
        "server_name",
        "server_admin",
        "server_options_file",
        "cmd_file_name",
        "cmd_template",
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Storage server link")
        settings = load_settings()
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.link = QCheckBox("Send each move to the server, and synchronise from it")
        self.link.setChecked(bool(settings["server_link"]))
        form.addRow("Link:", self.link)
        self.edits: dict[str, QLineEdit] = {}
        labels = {
            "server_command": "Client command:",
            "server_name": "Server stanza:",
            "server_admin": "Administrator id:",
            "server_options_file": "Options file:",
            "cmd_file_name": "Command file (no link):",
            "cmd_template": "Command line template:",
        }
        for name in self.FIELDS:
            edit = QLineEdit(SETTINGS_BY_NAME[name].format(settings[name]))
            edit.setObjectName(name)
            edit.setToolTip(SETTINGS_BY_NAME[name].description)
            self.edits[name] = edit
            form.addRow(labels[name], edit)
        self.stored = QCheckBox("The client keeps the password itself (PASSWORDACCESS GENERATE)")
        self.stored.setChecked(bool(settings["server_stored_password"]))
        form.addRow("Password:", self.stored)
        self.timeout = QSpinBox()
        self.timeout.setRange(5, 3600)
        self.timeout.setSuffix(" s")
        self.timeout.setValue(int(settings["server_timeout"]))  # type: ignore[call-overload]
        form.addRow("Answer timeout:", self.timeout)
        layout.addLayout(form)
        note = QLabel(
            "Otherwise the password is asked for when the link first needs it and kept in "
            "memory only. Template variables: &VOL, &LOC, &FROM, &TO, &TOLOC."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.error = QLabel("")
        self.error.setObjectName("settingsError")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def values(self) -> dict[str, str]:
        values = {name: edit.text() for name, edit in self.edits.items()}
        values["server_link"] = "YES" if self.link.isChecked() else "NO"
        values["server_stored_password"] = "YES" if self.stored.isChecked() else "NO"
        values["server_timeout"] = str(self.timeout.value())
        return values

    def save(self) -> None:
        """Checks every value first; saves them all, or none and says what is wrong."""
        values = self.values()
        try:
            for name, text in values.items():
                SETTINGS_BY_NAME[name].parse(text)
        except SettingError as exc:
            self.error.setText(f"Not saved: {name}: {exc}")
            return
        if (
            values["server_link"] == "YES"
            and not values["server_admin"].strip()
            and (values["server_stored_password"] == "NO")
        ):
            self.error.setText("Not saved: the link needs an administrator id.")
            return
        for name, text in values.items():
            set_setting(name, text)
        self.accept()
