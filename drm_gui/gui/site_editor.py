"""The site editor: what the storage administrator keeps up to date for the recovery plan
(server identity and files, instruction texts, machines, recovery media, the starter kit and
the recovery tests). Reads and writes through drm_gui.core.site only, on the main thread;
each save is one core call. A refused entry is explained next to its form, and the form
keeps what the user typed."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from drm_gui.gui.memory import GeometryMemory
from drm_gui.gui.site_editor_kit import StarterKitTab
from drm_gui.gui.site_editor_lists import MachinesTab, MediaTab
from drm_gui.gui.site_editor_server import InstructionsTab, ServerTab

log = logging.getLogger(__name__)


class SiteEditorDialog(QDialog):
    """Tabs: Server, Instructions, Machines, Recovery media, Starter kit & tests.

    Attributes: server_tab, instructions_tab, machines_tab, media_tab, kit_tab (the tab
    widgets), tabs (the QTabWidget), status (the status line).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("site_editor")
        self.setWindowTitle("Site data for the recovery plan")
        self.resize(900, 640)
        GeometryMemory(self, "site-editor")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "What the recovery plan needs besides the tapes. Each part is saved with its own "
            "Save button."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("site_tabs")
        self.tabs.setAccessibleName("Site data")
        self.server_tab = ServerTab()
        self.instructions_tab = InstructionsTab()
        self.machines_tab = MachinesTab()
        self.media_tab = MediaTab()
        self.kit_tab = StarterKitTab(today=dt.date.today)
        self.tabs.addTab(self.server_tab, "&Server")
        self.tabs.addTab(self.instructions_tab, "&Instructions")
        self.tabs.addTab(self.machines_tab, "&Machines")
        self.tabs.addTab(self.media_tab, "&Recovery media")
        self.tabs.addTab(self.kit_tab, "Starter &kit && tests")
        layout.addWidget(self.tabs, 1)

        self.status = QLabel()
        self.status.setObjectName("site_status")
        self.status.setAccessibleName("Status")
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        for tab in (
            self.server_tab,
            self.instructions_tab,
            self.machines_tab,
            self.media_tab,
            self.kit_tab,
        ):
            tab.saved.connect(self.show_status)
        # The machines tab links recovery media by name: show it the current list.
        self.media_tab.changed.connect(self._media_changed)

    @property
    def today(self) -> Callable[[], dt.date]:
        """The clock of the recovery-test warning (replaceable in tests)."""
        return self.kit_tab.today

    @today.setter
    def today(self, clock: Callable[[], dt.date]) -> None:
        self.kit_tab.today = clock
        self.kit_tab.reload_tests()

    def show_status(self, message: str) -> None:
        stamp = QTime.currentTime().toString("HH:mm")
        self.status.setText(f"✓ {message} ({stamp})")
        log.info("%s", message)

    def _media_changed(self) -> None:
        # A renamed or deleted media changes the machines' links: read them again.
        self.machines_tab.reload(select=self.machines_tab.old_name)

    def reload(self) -> None:
        """Reads every tab again from the database (unsaved input is lost)."""
        for tab in (
            self.server_tab,
            self.instructions_tab,
            self.machines_tab,
            self.media_tab,
            self.kit_tab,
        ):
            tab.reload()
        self.status.clear()
