"""Starting the GUI: the QApplication, the database (with clear messages when it cannot be
opened), the first-start choice, and the main window."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QSettings, QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMessageBox, QWidget

from drm_gui import APP_NAME
from drm_gui.core import demo
from drm_gui.core.db import DatabaseInfo, DatabaseOpenError, close_database, open_database
from drm_gui.core.states import DrmError
from drm_gui.gui.board_model import BoardStore
from drm_gui.gui.controller import BoardController
from drm_gui.gui.fonts import ensure_fonts
from drm_gui.gui.library_controller import LibraryController
from drm_gui.gui.main_window import MainWindow
from drm_gui.gui.memory import app_settings
from drm_gui.library.base import LibraryError
from drm_gui.library.config import ConfigError, LibraryConfig, load_config
from drm_gui.paths import data_dir, resource_path
from drm_gui.workstation import (
    WorkstationConfigError,
    check_url,
    set_workstation_database,
    workstation_database,
)

log = logging.getLogger(__name__)

DEMO_VOLUMES = 400


def ask_for_database_file(parent: QWidget | None) -> str | None:
    """A SQLite file chosen by the user (a new name creates a new database)."""
    path, _ = QFileDialog.getSaveFileName(
        parent,
        "Open or create a drm-gui database",
        str(data_dir()),
        "drm-gui databases (*.db);;All files (*)",
        options=QFileDialog.Option.DontConfirmOverwrite,
    )
    return path or None


def open_with_dialogs(url: str, parent: QWidget | None = None) -> DatabaseInfo | None:
    """Opens *url*; when it cannot be opened, says why and offers another database.
    None when the user gives up."""
    while True:
        try:
            return open_database(url)
        except DatabaseOpenError as exc:
            log.error("cannot open the database: %s", exc)
            box = QMessageBox(parent)
            box.setIcon(QMessageBox.Icon.Critical)
            box.setWindowTitle(f"{APP_NAME}: cannot open the database")
            box.setText(f"The database cannot be opened:\n\n{exc}")
            other = box.addButton("Open another database…", QMessageBox.ButtonRole.AcceptRole)
            box.addButton("Quit" if parent is None else "Cancel", QMessageBox.ButtonRole.RejectRole)
            box.exec()
            if box.clickedButton() is not other:
                return None
            path = ask_for_database_file(parent)
            if path is None:
                return None
            url = path


class GuiSession:
    """The window and what it works on; can switch to another database."""

    def __init__(self, info: DatabaseInfo, settings: QSettings) -> None:
        self.settings = settings
        self.store = BoardStore()
        self.controller = BoardController(self.store, info)
        self.controller.reload()
        self.window = MainWindow(self.store, self.controller, settings)
        self.window.open_database_requested.connect(self.switch_database)
        self.window.connect_database_requested.connect(self.connect_shared_database)
        self.library = LibraryController(self.controller, self.store, settings, self.window)
        self.controller.follow_others()

    def open_library_again(self) -> None:
        """After a switch of database: the simulated library holds the new site's tapes."""
        if self.library.config is not None:
            self.library.open(self.library.config, self.window.library_name())

    def open_library(self) -> None:
        """Starts the workstation's library (the simulated one unless configured)."""
        try:
            config = load_config()
        except ConfigError as exc:
            self.window.show_notice(
                f"The library settings cannot be used ({exc}); the library is off. "
                "Fix them under Library → Library settings.",
                "warning",
            )
            config = LibraryConfig()
        try:
            self.library.open(config, self.window.library_name())
        except (LibraryError, OSError) as exc:
            self.window.show_notice(f"The tape library cannot be opened: {exc}", "warning")
        self.window.attach_library(self.library)

    def first_start(self) -> None:
        """An empty database: offer the demo site or an empty site (asked once per database)."""
        key = f"first_start_done/{self.controller.db_info.url}"
        if len(self.store) or self.settings.value(key, False, type=bool):
            return
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(f"Welcome to {APP_NAME}")
        box.setText("This database holds no tapes yet.")
        box.setInformativeText(
            f"Load a demo site ({DEMO_VOLUMES} tapes spread over every state, with database backup "
            "series over several weeks) to try the board, or start with an empty site?"
        )
        demo_button = box.addButton("Load the demo site", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Start with an empty site", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        self.settings.setValue(key, True)
        if box.clickedButton() is demo_button:
            try:
                count = demo.create_demo_site(DEMO_VOLUMES)
            except DrmError as exc:
                self.window.show_notice(f"The demo site could not be created: {exc}", "warning")
                return
            self.controller.reload()
            self.window.show_notice(f"Demo site loaded: {count:,} tapes.", "info")

    def switch_database(self) -> None:
        path = ask_for_database_file(self.window)
        if path is not None:
            self.switch_to(path)

    def connect_shared_database(self) -> None:
        """File → Connect to a shared database: a PostgreSQL URL (no password: ~/.pgpass),
        opened now and, if the operator wants, at every start of this workstation."""
        current = workstation_database() or "postgresql://drm@dbhost:5432/drm"
        url, ok = QInputDialog.getText(
            self.window,
            "Connect to a shared database",
            "PostgreSQL URL (postgresql://user@host:port/database); the password comes from "
            "~/.pgpass:",
            text=current,
        )
        if not ok or not url.strip():
            return
        try:
            url = check_url(url)
        except WorkstationConfigError as exc:
            self.window.show_notice(f"Not connected: {exc}", "warning")
            return
        if not self.switch_to(url):
            return
        answer = QMessageBox.question(
            self.window,
            "Connect to a shared database",
            "Open this database at every start of this workstation?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            set_workstation_database(url)
            self.window.show_notice("This workstation now opens the shared database.", "info")

    def switch_to(self, url: str) -> bool:
        """Opens *url* instead of the current database; back to the old one if it cannot
        be opened. Whether the new one is open."""
        old_url = self.controller.db_info.url
        self.controller.stop_following()
        close_database()
        info = open_with_dialogs(url, self.window)
        switched = info is not None
        if info is None:
            info = open_with_dialogs(old_url, self.window)
            if info is None:
                self.window.close()
                return False
        self.controller.db_info = info
        self.controller.follow_others()
        self.controller.reload()
        self.first_start()
        self.open_library_again()
        self.controller.schedule_startup_evaluation()
        return switched


ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    """The application icon in every size the window manager may ask for."""
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(resource_path("icons", f"drm-gui-{size}.png")), QSize(size, size))
    return icon


def prepare_app() -> QApplication:
    """The QApplication, named as the .desktop file, with its icon and a font it can draw."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName(APP_NAME)
    app.setWindowIcon(app_icon())
    ensure_fonts(app)
    return app


def run_gui(url: str, explicit_db: bool = False) -> int:
    app = prepare_app()
    info = open_with_dialogs(url)
    if info is None:
        return 1
    session = GuiSession(info, app_settings())
    session.window.show()
    session.first_start()
    session.open_library()
    session.window.start_plan_schedule()
    session.controller.schedule_startup_evaluation()
    log.info("window open on %s (explicit --db: %s)", info.display_name, explicit_db)
    try:
        return app.exec()
    finally:
        session.library.close()
        close_database()
