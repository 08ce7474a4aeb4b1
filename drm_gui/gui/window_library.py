"""The main window's tape library part: its dock, its menu, its prompts and settings."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QMenu,
    QMessageBox,
)

from drm_gui.core.library_ops import RemoveMode
from drm_gui.core.media import load_settings
from drm_gui.gui.keyboard import give_mnemonics
from drm_gui.gui.library_controller import LibraryController
from drm_gui.gui.library_panel import LibraryPanel
from drm_gui.gui.library_settings import LibrarySettingsDialog
from drm_gui.library.config import save_config

REMOVE_MODE_TEXT = {
    RemoveMode.YES: "Eject them to the I/O station (REMOVE=YES)",
    RemoveMode.UNTILEEFULL: "Eject until the I/O station is full (REMOVE=UNTILEEFULL)",
    RemoveMode.NO: "Leave them in their slots, records only (REMOVE=NO)",
}


class LibraryWindowMixin:
    """Mixed into MainWindow: the Library dock and menu."""

    # The tape library ----------------------------------------------------------------
    def attach_library(self, library: LibraryController) -> None:
        """Adds the library panel (a dock) and the Library menu."""
        self.library = library
        self.library_panel = LibraryPanel(library.device, self.store.state_of_volser, self)
        self.library_dock = QDockWidget("Tape library", self)
        self.library_dock.setObjectName("libraryDock")
        self.library_dock.setWidget(self.library_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.library_dock)
        self.library_dock.hide()
        panel = self.library_panel
        panel.refresh_requested.connect(library.refresh)
        panel.import_requested.connect(library.import_io_station)
        panel.settings_requested.connect(self._library_settings)
        panel.resolve_requested.connect(library.resolve)
        panel.label_check_requested.connect(library.check_label)
        library.device_changed.connect(panel.set_device)
        library.inventory_changed.connect(panel.set_inventory)
        library.discrepancies_changed.connect(panel.set_discrepancies)
        library.operator_needed.connect(self._operator_needed)
        library.retry_offered.connect(self._offer_retry)
        library.busy_changed.connect(lambda _b: self._update_status())
        if library.inventory is not None:
            panel.set_inventory(library.inventory)
            panel.set_discrepancies(library.discrepancies)

        library_menu = self._library_menu()
        show = self.library_dock.toggleViewAction()
        show.setText("Show the library &panel")
        show.setShortcut(QKeySequence("F9"))
        self.addAction(show)
        library_menu.addAction(show)
        library_menu.addSeparator()
        library_menu.addAction(
            self._action("&Refresh inventory", library.refresh, "F6", "Read the library again")
        )
        library_menu.addAction(
            self._action(
                "&Import the I/O station",
                library.import_io_station,
                "Ctrl+I",
                "Check in the returned tapes waiting in the I/O station",
            )
        )
        remove = library_menu.addMenu("Tapes leaving the library")
        group = QActionGroup(self)
        for mode, text in REMOVE_MODE_TEXT.items():
            action = remove.addAction(text)
            action.setCheckable(True)
            action.setChecked(library.remove_mode is mode)
            action.setData(mode)
            group.addAction(action)
            action.triggered.connect(lambda _c=False, m=mode: library.set_remove_mode(m))
        library_menu.addSeparator()
        library_menu.addAction(self._action("Library &settings…", self._library_settings))
        give_mnemonics(library_menu)

    def _library_menu(self) -> QMenu:
        menu = QMenu("&Library", self)
        menu.setObjectName("libraryMenu")
        self.menuBar().insertMenu(self.help_menu.menuAction(), menu)
        return menu

    def _offer_retry(self, message: str, retry: Callable[[], object]) -> None:
        """A library problem a person can fix: say what to do, and offer Retry."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("The tape library")
        box.setText(message)
        box.setStandardButtons(QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.button(QMessageBox.StandardButton.Retry).clicked.connect(lambda: retry())
        self.retry_box = box
        box.open()

    def _operator_needed(self, job_id: int, prompt: str, count: int) -> None:
        self.library_dock.show()
        self.operator_prompt = self.library_panel.ask_operator(job_id, prompt, count)

    def _library_settings(self) -> None:
        library = self.library
        if library.config is None:
            return
        dialog = LibrarySettingsDialog(library.config, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_config is None:
            return
        if library.busy():
            self.show_notice("Wait until the library's jobs have ended, then try again.", "warning")
            return
        save_config(dialog.result_config)
        library.open(dialog.result_config, self.library_name())
        self.show_notice("Library settings saved; the inventory is read again.", "info")

    def library_name(self) -> str:
        return str(load_settings()["library_name"])
