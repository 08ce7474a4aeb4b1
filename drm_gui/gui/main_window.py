"""The main window: toolbar and filter, the board, the detail pane, the status bar."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QObject, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QToolButton,
    QWidget,
)

from drm_gui import APP_NAME, __version__
from drm_gui.core import roles
from drm_gui.core.actor import current_actor
from drm_gui.core.manifest import moved_to_courier_today
from drm_gui.core.media import MoveResult
from drm_gui.core.models import ManifestDirection
from drm_gui.core.reports import ReportName
from drm_gui.core.states import (
    DrmState,
    VolumeKind,
    default_target,
    refusal_summary,
    why_no_moves,
)
from drm_gui.gui import style
from drm_gui.gui.audit_view import AuditDialog
from drm_gui.gui.board import BoardWidget
from drm_gui.gui.board_model import BoardFilter, BoardStore
from drm_gui.gui.controller import BoardController
from drm_gui.gui.detail import DetailPane, local_time
from drm_gui.gui.keyboard import NAVIGATION_KEYS, give_mnemonics
from drm_gui.gui.log_view import LogDialog, log_path
from drm_gui.gui.plan_view import (
    PlanController,
)
from drm_gui.gui.window_backup import BackupWindowMixin
from drm_gui.gui.window_library import LibraryWindowMixin
from drm_gui.gui.window_plan import PlanWindowMixin
from drm_gui.gui.window_server import ServerWindowMixin
from drm_gui.gui.window_shipments import ShipmentsWindowMixin

log = logging.getLogger(__name__)

NOTICE_MS = 12000


class NoticeBar(QFrame):
    """A short, non-modal message floating over the bottom of the board, that goes away by
    itself. It floats so that the board never shifts under the operator's pointer."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        parent.installEventFilter(self)
        self.setObjectName("notice")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout.addWidget(close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_message(self, text: str, level: str) -> None:
        sign = style.WARNING_SIGN if level == "warning" else "ℹ"
        colour = "#FBE3D6" if level == "warning" else "#DCEEF9"
        border = style.WARNING_COLOUR.name() if level == "warning" else style.BLUE.name()
        self.setStyleSheet(
            f"QFrame#notice {{ background: {colour}; border: 1px solid {border}; "
            "border-radius: 4px; }"
        )
        self.label.setText(f"{sign}  {text}")
        self._place()
        self.show()
        self.raise_()
        self._timer.start(NOTICE_MS)

    def _place(self) -> None:
        parent = self.parentWidget()
        width = max(200, min(parent.width() - 40, 900))
        self.setFixedWidth(width)
        layout = self.layout()
        self.setFixedHeight(
            max(32, layout.heightForWidth(width) if layout.hasHeightForWidth() else 32)
        )
        self.move((parent.width() - self.width()) // 2, parent.height() - self.height() - 16)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False


class MainWindow(
    LibraryWindowMixin,
    ShipmentsWindowMixin,
    PlanWindowMixin,
    ServerWindowMixin,
    BackupWindowMixin,
    QMainWindow,
):
    """Signals:
    open_database_requested(): the user chose File → Open database…
    connect_database_requested(): the user chose File → Connect to a shared database…
    """

    open_database_requested = Signal()
    connect_database_requested = Signal()

    def __init__(self, store: BoardStore, controller: BoardController, settings: QSettings):
        super().__init__()
        self.store = store
        self.controller = controller
        self.settings = settings
        # "document — application", as desktops show it; ending with the application's
        # display name keeps Qt from adding it a second time on X11.
        self.setWindowTitle(f"{controller.db_info.display_name} — {APP_NAME}")
        self.resize(1400, 860)

        # The board is built inside the splitter: moving it there afterwards restyles every
        # column, and each restyle lays out all of its rows again (~0.4 s at 100,000 tapes).
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.board = BoardWidget(store, self.splitter)
        controller.connect_drops(self.board)
        self.notice = NoticeBar(self.board)
        self.detail = DetailPane(self)

        self.splitter.addWidget(self.board)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)

        self._build_actions()
        self.build_server_part()
        self._build_toolbar()
        self._build_menus()
        self._build_status_bar()

        self.board.selection_changed.connect(self.detail.show_record)
        self.board.selection_changed.connect(self._update_action_state)
        self.board.hover_refused.connect(self._on_hover_refused)
        self.board.drop_refused.connect(self._on_drop_refused)
        self.board.context_menu_requested.connect(self._show_move_menu)
        controller.notice.connect(self.show_notice)
        self.plan.notice.connect(self.show_notice)
        self.plan.status_changed.connect(lambda text: self.plan_label.setText(f"  {text}  "))
        controller.moves_done.connect(self._on_moves_done)
        controller.undo_available.connect(self.undo_action.setEnabled)
        controller.expiry_evaluated.connect(lambda _r: self._update_status())
        controller.board_reloaded.connect(self._on_reloaded)
        controller.changed_elsewhere.connect(
            lambda _ids: self.detail.show_record(self.board.current_record())
        )
        store.reset.connect(self._update_status)
        self.open_documents = True  # open PDFs once written (tests turn it off)
        self.last_document: Path | None = None
        self._restore_geometry()
        self._on_reloaded()
        self._show_waiting(self.server.waiting())

    # Building ------------------------------------------------------------------------
    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.open_action = self._action(
            "&Open database…",
            self.open_database_requested.emit,
            QKeySequence.StandardKey.Open,
            "Open another drm-gui database file",
        )
        self.audit_action = self._action(
            "&Audit trail…",
            lambda: AuditDialog(self).exec(),
            tip="Check the tamper-evident audit trail; export a period or a tape as PDF or CSV",
        )
        self.connect_action = self._action(
            "&Connect to a shared database…",
            self.connect_database_requested.emit,
            tip="The site's PostgreSQL database, shared by every workstation",
        )
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.undo_action = self._action(
            "&Undo last move",
            self.controller.undo,
            QKeySequence.StandardKey.Undo,
            "Put the tapes of the last move back where they were (recorded as a correction)",
        )
        self.undo_action.setEnabled(False)
        self.move_action = self._action(
            "&Move to…",
            self._move_menu_for_selection,
            "Ctrl+M",
            "Move the selected tapes to another state",
        )
        self.next_action = self._action(
            "Move to &next state",
            self._move_to_next_state,
            "Ctrl+Return",
            "Move the selected tapes to the usual next state",
        )
        self.receive_vault_action = self._action(
            "Receive at the &vault (scan)…",
            lambda: self.scan_receive(DrmState.COURIER, DrmState.VAULT, "Receipt at the vault"),
            tip="Scan the tapes the vault received: each scanned tape moves COURIER → VAULT",
        )
        self.receive_returned_action = self._action(
            "Receive returned &tapes (scan)…",
            lambda: self.scan_receive(
                DrmState.COURIERRETRIEVE, DrmState.ONSITERETRIEVE, "Returned tapes"
            ),
            tip="Scan the tapes back on site: each moves COURIERRETRIEVE → ONSITERETRIEVE",
        )
        self.manifest_selection_action = self._action(
            "New &manifest for the selected tapes",
            lambda: self.new_manifest(ManifestDirection.OUT, self.board.selected_ids()),
            "Ctrl+Shift+M",
            "Record an outbound courier manifest of the selected tapes and open its PDF",
        )
        self.manifest_today_action = self._action(
            "New manifest: tapes moved to the &courier today",
            lambda: self.new_manifest(ManifestDirection.OUT, moved_to_courier_today()),
        )
        self.manifest_in_action = self._action(
            "New &inbound manifest (tapes being recalled)",
            lambda: self.new_manifest(ManifestDirection.IN, None),
        )
        self.manifests_action = self._action("Manifests…", self._manifests)
        self.reconcile_action = self._action(
            "&Reconcile with the vault's list…",
            self._reconcile,
            tip="Compare the vault company's inventory list (CSV or plain list) with the records",
        )
        self.expiry_action = self._action(
            "&Evaluate expiry",
            self.controller.evaluate_expiry,
            "Ctrl+E",
            "Mark vaulted tapes whose data has expired VAULTRETRIEVE",
        )
        self.filter_action = self._action(
            "&Filter…", self._focus_filter, QKeySequence.StandardKey.Find, "Filter the board"
        )
        self.clear_filter_action = self._action(
            "C&lear filter", self._clear_filter, "Ctrl+Shift+F", "Show every tape again"
        )
        self.refresh_action = self._action(
            "&Refresh",
            self.controller.reload,
            QKeySequence.StandardKey.Refresh,
            "Read the board again from the database",
        )
        self.copy_action = self._action(
            "&Copy volsers",
            self._copy_volsers,
            QKeySequence.StandardKey.Copy,
            "Copy the selected volsers to the clipboard",
        )
        self.shortcuts_action = self._action(
            "&Keyboard shortcuts", self._show_shortcuts, QKeySequence.StandardKey.HelpContents
        )
        self.about_action = self._action(f"&About {APP_NAME}", self._show_about)
        self.log_action = self._action(
            "Show &log", lambda: LogDialog(self).exec(), tip="The end of this workstation's log"
        )
        self.plan = PlanController(self)
        self.export_plan_action = self._action(
            "&Export recovery plan",
            self.plan.export,
            "Ctrl+Shift+E",
            "Write the recovery plan file and its PDF now, then open the PDF",
        )
        self.plan_versions_action = self._action("Plan &versions…", self._plan_versions)
        self.plan_source_action = self._action(
            "Export a plan for an &older backup…",
            self._plan_from_older_series,
            tip="A point-in-time recovery from a series still in the vault, or some pools only",
        )
        self.plan_schedule_action = self._action("&Daily schedule…", self._plan_schedule)
        self.site_action = self._action(
            "&Site data and contacts…",
            self._site_editor,
            tip="Server, recovery instructions, machines, recovery media, starter kit, tests",
        )
        self.column_actions = [
            self._action(
                f"&{n} {state.label}",
                lambda _s=state: self.board.focus_column(_s),
                f"Alt+{n}",
                f"Go to the {state.label} column",
            )
            for n, state in enumerate(self.board.columns, start=1)
        ]
        for action, state in zip(self.column_actions, self.board.columns, strict=True):
            action.setIcon(style.state_icon(state))

    def _build_toolbar(self) -> None:
        bar = self.addToolBar("Main")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addAction(self.export_plan_action)
        bar.addAction(self.expiry_action)
        bar.addAction(self.move_action)
        bar.addAction(self.undo_action)
        bar.addSeparator()
        bar.addWidget(QLabel(" Filter: "))
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("filterEdit")
        self.filter_edit.setPlaceholderText("volser, or a pattern like A00*L8")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setFixedWidth(230)
        self.filter_edit.setAccessibleName("Volser filter")
        self.filter_edit.textChanged.connect(self._apply_filter)
        self.filter_edit.returnPressed.connect(self._leave_filter)
        leave = QAction("Back to the board", self.filter_edit)
        leave.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        leave.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        leave.triggered.connect(self._leave_filter)
        self.filter_edit.addAction(leave)
        bar.addWidget(self.filter_edit)
        bar.addWidget(QLabel("  Pool: "))
        self.pool_combo = QComboBox(self)
        self.pool_combo.setObjectName("poolCombo")
        self.pool_combo.setMinimumWidth(130)
        self.pool_combo.setAccessibleName("Pool filter")
        self.pool_combo.currentIndexChanged.connect(self._apply_filter)
        bar.addWidget(self.pool_combo)
        bar.addWidget(QLabel("  Kind: "))
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("kindCombo")
        self.kind_combo.setAccessibleName("Kind filter")
        self.kind_combo.addItem("All kinds", None)
        for kind in VolumeKind:
            self.kind_combo.addItem(kind.label, kind)
        self.kind_combo.currentIndexChanged.connect(self._apply_filter)
        bar.addWidget(self.kind_combo)

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.open_action)
        file_menu.addAction(self.connect_action)
        self.add_backup_menu(file_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self.add_import_menu(file_menu, self.quit_action)
        edit = menu.addMenu("&Edit")
        edit.addAction(self.undo_action)
        edit.addSeparator()
        edit.addAction(self.copy_action)
        edit.addAction(self.filter_action)
        edit.addAction(self.clear_filter_action)
        view = menu.addMenu("Vie&w")  # Alt+V is the Server menu's
        view.addAction(self.refresh_action)
        go_to = view.addMenu("&Go to column")
        for action in self.column_actions:
            go_to.addAction(action)
        tapes = menu.addMenu("&Tapes")
        tapes.addAction(self.move_action)
        tapes.addAction(self.next_action)
        tapes.addSeparator()
        tapes.addAction(self.receive_vault_action)
        tapes.addAction(self.receive_returned_action)
        tapes.addSeparator()
        tapes.addAction(self.expiry_action)
        shipments = menu.addMenu("&Shipments")
        shipments.addAction(self.manifest_selection_action)
        shipments.addAction(self.manifest_today_action)
        shipments.addAction(self.manifest_in_action)
        shipments.addSeparator()
        shipments.addAction(self.manifests_action)
        shipments.addAction(self.reconcile_action)
        shipments.addSeparator()
        shipments.addAction(self.receive_vault_action)
        shipments.addAction(self.receive_returned_action)
        reports = menu.addMenu("&Reports")
        for name in ReportName:
            reports.addAction(self._action(f"{name.title}…", lambda _n=name: self._save_report(_n)))
        reports.addSeparator()
        reports.addAction(self.audit_action)
        plan_menu = menu.addMenu("&Plan")
        plan_menu.addAction(self.export_plan_action)
        plan_menu.addAction(self.plan_source_action)
        plan_menu.addAction(self.plan_versions_action)
        plan_menu.addAction(self.plan_schedule_action)
        plan_menu.addSeparator()
        plan_menu.addAction(self.site_action)
        self.add_server_menu()
        help_menu = menu.addMenu("&Help")
        self.help_menu = help_menu
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.log_action)
        help_menu.addAction(self.about_action)
        give_mnemonics(menu)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.db_label = QLabel()
        self.db_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.count_label = QLabel()
        self.expiry_label = QLabel()
        self.library_label = QLabel()
        self.plan_label = QLabel()
        self.server_label = QLabel()
        labels = (
            self.db_label,
            self.library_label,
            self.server_label,
            self.count_label,
            self.plan_label,
            self.expiry_label,
        )
        for label in labels:
            status.addPermanentWidget(label)

    # State ---------------------------------------------------------------------------
    def apply_role(self) -> None:
        """Administrators' actions are greyed for an operator, saying why (the core refuses
        them anyway; this spares the operator a dialog that cannot be saved)."""
        admin_actions = {
            self.plan_schedule_action: roles.Action.SETTINGS,
            self.site_action: roles.Action.SITE,
            self.server_settings_action: roles.Action.SETTINGS,
            self.sync_action: roles.Action.SERVER,
            **{action: roles.Action.SERVER for action in self.import_actions.values()},
        }
        user = current_actor().os_user
        administrator = roles.role_of(user) is roles.Role.ADMINISTRATOR  # read once
        for action, what in admin_actions.items():
            ok = administrator or what not in roles.ADMINISTRATOR_ACTIONS
            action.setEnabled(ok)
            if not ok:
                action.setStatusTip(f"For administrators: {user} is an operator")

    def _on_reloaded(self) -> None:
        current = self.pool_combo.currentData()
        self.pool_combo.blockSignals(True)
        self.pool_combo.clear()
        self.pool_combo.addItem("All pools", "")
        for pool in self.store.pools():
            self.pool_combo.addItem(pool, pool)
        index = self.pool_combo.findData(current) if current else 0
        self.pool_combo.setCurrentIndex(max(0, index))
        self.pool_combo.blockSignals(False)
        self.setWindowTitle(f"{self.controller.db_info.display_name} — {APP_NAME}")
        self.apply_role()
        self._update_status()
        self._update_action_state()

    def _update_status(self) -> None:
        info = self.controller.db_info
        self.db_label.setText(f"DB: {info.display_name} ({info.backend})")
        self.db_label.setToolTip(info.url)
        self.count_label.setText(f"  {len(self.store):,} tapes  ")
        library = getattr(self, "library", None)
        text = self._library_text()
        if text != "none":
            text += " working" if library.busy() else " ready"
        self.library_label.setText(f"  Library: {text}  ")
        last = self.controller.last_evaluation
        self.expiry_label.setText(
            f"Expiry evaluated: {local_time(last)}" if last else "Expiry: not evaluated yet"
        )

    def _update_action_state(self, *_args: object) -> None:
        has_selection = bool(self.board.selected_ids())
        self.move_action.setEnabled(has_selection)
        self.next_action.setEnabled(has_selection)
        self.copy_action.setEnabled(has_selection)

    # Filter --------------------------------------------------------------------------
    def _apply_filter(self) -> None:
        self.store.set_filter(
            BoardFilter(
                text=self.filter_edit.text(),
                pool=self.pool_combo.currentData() or "",
                kind=self.kind_combo.currentData(),
            )
        )

    def _focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def _leave_filter(self) -> None:
        """Enter or Esc in the filter field: to the board, in the column that was in use,
        else the first that shows tapes (the filter stays)."""
        state = self.board.active_state()
        if state is None or not self.board.columns[state].model.rowCount():
            shown = [s for s, c in self.board.columns.items() if c.model.rowCount()]
            state = shown[0] if shown else next(iter(self.board.columns))
        self.board.focus_column(state)

    def _clear_filter(self) -> None:
        self.filter_edit.clear()
        self.pool_combo.setCurrentIndex(0)
        self.kind_combo.setCurrentIndex(0)

    # Moves ---------------------------------------------------------------------------
    def build_move_menu(self, ids: list[int]) -> QMenu:
        """The 'Move to' menu for the given tapes: legal targets enabled, the others
        disabled with the reason as their tip. The columns in board order, each with its
        number as access key (as in Alt+number)."""
        menu = QMenu(self)
        sources = self.store.states_of(ids)
        title = menu.addAction(f"Move {len(ids):,} tape(s) to:")
        title.setEnabled(False)
        for n, state in enumerate(self.board.columns, start=1):
            action = menu.addAction(
                style.state_icon(state), f"&{n} {style.STATE_GROUP[state].value} › {state.label}"
            )
            action.setData(state)
            why = refusal_summary(sources, state) if sources else "nothing selected"
            if why is not None or sources == {state}:
                action.setEnabled(False)
                action.setToolTip(why or f"already {state.value}")
                action.setStatusTip(why or f"already {state.value}")
            else:
                action.triggered.connect(
                    lambda _c=False, s=state, i=list(ids): self.controller.move(i, s)
                )
        menu.setToolTipsVisible(True)
        return menu

    def _show_move_menu(self, state: DrmState, pos: QPoint) -> None:
        ids = self.board.selected_ids()
        if not ids:
            return
        menu = self.build_move_menu(ids)
        menu.addSeparator()
        menu.addAction(self.copy_action)
        menu.exec(pos)

    def _move_menu_for_selection(self) -> None:
        ids = self.board.selected_ids()
        state = self.board.active_state()
        if not ids or state is None:
            self.show_notice("Select one or more tapes first.", "warning")
            return
        view = self.board.columns[state].view
        rect = view.visualRect(view.currentIndex())
        self._show_move_menu(state, view.viewport().mapToGlobal(rect.center()))

    def _move_to_next_state(self) -> None:
        ids = self.board.selected_ids()
        state = self.board.active_state()
        if not ids or state is None:
            self.show_notice("Select one or more tapes first.", "warning")
            return
        target = default_target(state)
        if target is None:
            self.show_notice(f"{state.value}: {why_no_moves(state)}.", "warning")
            return
        self.controller.move(ids, target)

    def _on_moves_done(self, result: MoveResult, _target: DrmState | None) -> None:
        self.board.select_ids([m.volume_id for m in result.moved])
        self.detail.show_record(self.board.current_record())

    def _on_hover_refused(self, reason: str) -> None:
        if reason:
            self.statusBar().showMessage(f"{style.WARNING_SIGN} Cannot drop here: {reason}")
        else:
            self.statusBar().clearMessage()

    def _on_drop_refused(self, reason: str) -> None:
        self.show_notice(f"Not moved: {reason}.", "warning")

    def show_notice(self, text: str, level: str = "info") -> None:
        self.notice.show_message(text, level)
        self.statusBar().showMessage(text, NOTICE_MS)

    def _copy_volsers(self) -> None:
        ids = self.board.selected_ids()
        volsers = [r.volser for i in ids if (r := self.store.get(i)) is not None]
        QGuiApplication.clipboard().setText("\n".join(volsers))
        self.statusBar().showMessage(f"Copied {len(volsers):,} volser(s).", 4000)

    # Help ----------------------------------------------------------------------------
    def shortcut_lines(self) -> list[tuple[str, str]]:
        actions = [a for a in self.actions() if not a.shortcut().isEmpty()]
        return [
            (
                a.shortcut().toString(QKeySequence.SequenceFormat.NativeText),
                a.text().replace("&", ""),
            )
            for a in actions
        ]

    def _show_shortcuts(self) -> None:
        def rows(lines: list[tuple[str, str]]) -> str:
            return "".join(
                f"<tr><td><b>{keys}</b></td><td>&nbsp;&nbsp;{text}</td></tr>"
                for keys, text in lines
            )

        QMessageBox.information(
            self,
            "Keyboard shortcuts",
            f"<table>{rows(self.shortcut_lines())}</table>"
            f"<p><b>Moving around</b></p><table>{rows(NAVIGATION_KEYS)}</table>"
            "<p>Drag tapes onto another column to move them; right-click, the Menu key or "
            "Ctrl+M for the same moves.</p>",
        )

    def _show_about(self) -> None:
        info = self.controller.db_info
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<h3>{APP_NAME} {__version__}</h3>"
            "<p>Off-site tape management and disaster recovery plans.</p>"
            f"<p>Database: {info.display_name} ({info.backend})<br>"
            f"Tape library: {self._library_text()}<br>"
            f"You: {current_actor().os_user} on {current_actor().workstation}, "
            f"{roles.current_role().value}<br>"
            f"Log: {log_path()}</p>",
        )

    def _library_text(self) -> str:
        library = getattr(self, "library", None)
        if library is None or library.device is None or library.config is None:
            return "none"
        return f"{library.device.name} ({library.config.backend.value})"

    # Geometry ------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        elif (screen := QGuiApplication.primaryScreen()) is not None:
            available = screen.availableGeometry()
            self.resize(int(available.width() * 0.92), int(available.height() * 0.9))
        splitter = self.settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.plan.timer.stop()
        self.controller.stop_following()
        library = getattr(self, "library", None)
        if library is not None:
            library.close()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        super().closeEvent(event)
