"""What the windows remember between runs, in the user's settings file: the size and place
of each dialog, and each table's column widths and order.

A table's columns fit their contents until the user resizes or moves one; from then on the
user's widths are kept, for that table, on this workstation."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QHeaderView, QTableView, QTreeView, QWidget

from drm_gui.paths import config_dir


def app_settings() -> QSettings:
    return QSettings(str(config_dir() / "drm-gui.ini"), QSettings.Format.IniFormat)


def _layout(header: QHeaderView) -> tuple[int, ...]:
    """The sections' widths and visual order: what a user can change with the mouse."""
    count = header.count()
    return tuple(header.sectionSize(i) for i in range(count)) + tuple(
        header.visualIndex(i) for i in range(count)
    )


class ColumnMemory(QObject):
    """Keeps *view*'s column widths and order under *key*.

    The columns fit their contents (again after each model reset) until the user changes
    them with the mouse: dragging a divider, double-clicking it or moving a column. That
    layout is saved at once and restored the next time the table is made. With *fit*
    False, the widths the view was given are kept until the user changes them."""

    def __init__(self, view: QTableView | QTreeView, key: str, *, fit: bool = True) -> None:
        super().__init__(view)
        self.view = view
        self.header = view.horizontalHeader() if isinstance(view, QTableView) else view.header()
        self.settings = app_settings()
        self.settings.setParent(self)
        self.key = f"columns/{key}"
        self._pressed: tuple[int, ...] | None = None
        self.header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.header.setSectionsMovable(True)
        self.user_set = self._restore()
        if fit:
            self.fit()
            model = view.model()
            if model is not None:
                model.modelReset.connect(self.fit)
        self.header.viewport().installEventFilter(self)

    def _restore(self) -> bool:
        state = self.settings.value(f"{self.key}.state")
        count = self.settings.value(f"{self.key}.count")
        if not isinstance(state, QByteArray) or str(count) != str(self.header.count()):
            return False  # never saved, or the table has other columns now
        # Widths and order only: the view's own stretch and sort order stay as they are.
        stretch = self.header.stretchLastSection()
        sort = (self.header.sortIndicatorSection(), self.header.sortIndicatorOrder())
        restored = self.header.restoreState(state)
        self.header.setStretchLastSection(stretch)
        self.header.setSortIndicator(*sort)
        return restored

    def fit(self) -> None:
        """Sizes the columns to their contents, unless the user has set them."""
        if self.user_set:
            return
        if isinstance(self.view, QTableView):
            self.view.resizeColumnsToContents()
        else:
            for column in range(self.header.count()):
                self.view.resizeColumnToContents(column)

    def save(self) -> None:
        self.user_set = True
        self.settings.setValue(f"{self.key}.state", self.header.saveState())
        self.settings.setValue(f"{self.key}.count", self.header.count())
        self.settings.sync()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            self._pressed = _layout(self.header)
        elif kind == QEvent.Type.MouseButtonRelease:
            # After the header has handled the release (a column move ends there).
            QTimer.singleShot(0, self._save_if_changed)
        return False

    def _save_if_changed(self) -> None:
        before, self._pressed = self._pressed, None
        if before is not None and _layout(self.header) != before:
            self.save()


class GeometryMemory(QObject):
    """Keeps a dialog's size and place under *key*: restored when made, saved when hidden."""

    def __init__(self, widget: QWidget, key: str) -> None:
        super().__init__(widget)
        self.widget = widget
        self.settings = app_settings()
        self.settings.setParent(self)
        self.key = f"geometry/{key}"
        geometry = self.settings.value(self.key)
        if isinstance(geometry, QByteArray):
            widget.restoreGeometry(geometry)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget and event.type() == QEvent.Type.Hide:
            self.settings.setValue(self.key, self.widget.saveGeometry())
            self.settings.sync()
        return False
