"""Remembered column widths and dialog geometry, changed with real mouse events on the header."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QDialog, QHeaderView, QTableView, QTreeWidget

from drm_gui.gui.memory import ColumnMemory, GeometryMemory
from drm_gui.gui.shipments import ManifestsDialog


def _mouse(widget, kind: QEvent.Type, pos: QPoint, buttons: Qt.MouseButton) -> None:
    point = QPointF(pos)
    event = QMouseEvent(
        kind,
        point,
        widget.mapToGlobal(point),
        Qt.MouseButton.LeftButton,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


def drag_divider(qtbot, header: QHeaderView, section: int, by: int) -> None:
    """Drags the divider at the right of *section* by *by* pixels, as a user does."""
    viewport = header.viewport()
    x = header.sectionViewportPosition(section) + header.sectionSize(section) - 1
    y = header.height() // 2
    left = Qt.MouseButton.LeftButton
    _mouse(viewport, QEvent.Type.MouseButtonPress, QPoint(x, y), left)
    for step in range(1, 5):
        _mouse(viewport, QEvent.Type.MouseMove, QPoint(x + by * step // 4, y), left)
    _mouse(viewport, QEvent.Type.MouseButtonRelease, QPoint(x + by, y), Qt.MouseButton.NoButton)
    qtbot.wait(20)  # the release is looked at once the header has handled it


def table(qtbot, rows: list[list[str]], columns: int = 3) -> QTableView:
    model = QStandardItemModel(0, columns)
    model.setHorizontalHeaderLabels([f"Column {i}" for i in range(columns)])
    for row in rows:
        model.appendRow([QStandardItem(text) for text in row])
    view = QTableView()
    model.setParent(view)
    view.setModel(model)
    view.resize(700, 300)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


ROWS = [["A00001L8", "a rather long description of the tape", "x"]]


def test_columns_fit_their_contents_until_the_user_sets_them(qtbot) -> None:
    view = table(qtbot, ROWS)
    memory = ColumnMemory(view, "t")
    header = view.horizontalHeader()
    fitted = header.sectionSize(1)
    assert fitted > header.sectionSize(2)  # sized to the long text
    assert not memory.user_set

    # New contents fit again: nothing was set by the user.
    model = view.model()
    model.beginResetModel()
    model.setItem(0, 1, QStandardItem("short"))
    model.endResetModel()
    assert header.sectionSize(1) < fitted

    drag_divider(qtbot, header, 0, 70)
    assert memory.user_set
    width = header.sectionSize(0)
    model.beginResetModel()
    model.endResetModel()
    assert header.sectionSize(0) == width  # kept, not fitted again


def test_a_dragged_width_comes_back_in_the_next_table(qtbot) -> None:
    first = table(qtbot, ROWS)
    ColumnMemory(first, "t")
    header = first.horizontalHeader()
    before = header.sectionSize(0)
    drag_divider(qtbot, header, 0, 90)
    assert header.sectionSize(0) == before + 90
    first.close()

    second = table(qtbot, ROWS)
    memory = ColumnMemory(second, "t")
    assert memory.user_set
    assert second.horizontalHeader().sectionSize(0) == before + 90
    # Another table keeps its own widths.
    other = table(qtbot, ROWS)
    ColumnMemory(other, "other")
    assert other.horizontalHeader().sectionSize(0) == before


def test_a_moved_column_keeps_its_place(qtbot) -> None:
    first = table(qtbot, ROWS)
    memory = ColumnMemory(first, "t")
    header = first.horizontalHeader()
    viewport = header.viewport()
    left = Qt.MouseButton.LeftButton
    y = header.height() // 2
    start = QPoint(header.sectionViewportPosition(2) + 10, y)
    end = QPoint(header.sectionViewportPosition(0) + 5, y)
    _mouse(viewport, QEvent.Type.MouseButtonPress, start, left)
    for step in range(1, 9):
        point = start + (end - start) * step / 8
        _mouse(viewport, QEvent.Type.MouseMove, point, left)
    _mouse(viewport, QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)
    qtbot.wait(20)
    assert header.visualIndex(2) == 0
    assert memory.user_set

    second = table(qtbot, ROWS)
    ColumnMemory(second, "t")
    assert second.horizontalHeader().visualIndex(2) == 0


def test_a_click_that_changes_nothing_saves_nothing(qtbot) -> None:
    view = table(qtbot, ROWS)
    memory = ColumnMemory(view, "t")
    header = view.horizontalHeader()
    middle = QPoint(header.sectionViewportPosition(1) + 20, header.height() // 2)
    _mouse(header.viewport(), QEvent.Type.MouseButtonPress, middle, Qt.MouseButton.LeftButton)
    _mouse(header.viewport(), QEvent.Type.MouseButtonRelease, middle, Qt.MouseButton.NoButton)
    qtbot.wait(20)
    header.resizeSection(0, 300)  # by the program, not the user
    assert not memory.user_set
    assert memory.settings.value("columns/t.state") is None


def test_a_table_with_other_columns_is_not_given_old_widths(qtbot) -> None:
    first = table(qtbot, ROWS)
    ColumnMemory(first, "t")
    drag_divider(qtbot, first.horizontalHeader(), 0, 120)

    wider = table(qtbot, [[*ROWS[0], "more"]], columns=4)
    memory = ColumnMemory(wider, "t")
    assert not memory.user_set
    assert wider.horizontalHeader().sectionSize(0) < first.horizontalHeader().sectionSize(0)


def test_fixed_widths_stay_until_changed(qtbot) -> None:
    tree = QTreeWidget()
    qtbot.addWidget(tree)
    tree.setHeaderLabels(["Job", "State", "Last step"])
    tree.setColumnWidth(0, 222)
    tree.show()
    qtbot.waitExposed(tree)
    memory = ColumnMemory(tree, "jobs", fit=False)
    assert tree.columnWidth(0) == 222
    drag_divider(qtbot, tree.header(), 0, -50)
    assert memory.user_set

    again = QTreeWidget()
    qtbot.addWidget(again)
    again.setHeaderLabels(["Job", "State", "Last step"])
    again.setColumnWidth(0, 222)
    ColumnMemory(again, "jobs", fit=False)
    assert again.columnWidth(0) == 172


def test_a_dialog_reopens_with_its_last_size(qtbot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.resize(400, 300)
    GeometryMemory(dialog, "d")
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.resize(640, 480)
    qtbot.wait(10)
    dialog.close()

    again = QDialog()
    qtbot.addWidget(again)
    again.resize(400, 300)
    GeometryMemory(again, "d")
    assert (again.width(), again.height()) == (640, 480)


def test_the_manifest_list_remembers_its_columns_and_size(qtbot, site_db) -> None:
    dialog = ManifestsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    header = dialog.table.horizontalHeader()
    assert header.sectionResizeMode(0) is QHeaderView.ResizeMode.Interactive
    drag_divider(qtbot, header, 1, 40)
    width = header.sectionSize(1)
    dialog.resize(760, 500)  # within the offscreen 800×600 screen
    dialog.close()

    again = ManifestsDialog()
    qtbot.addWidget(again)
    assert again.table.horizontalHeader().sectionSize(1) == width
    assert (again.width(), again.height()) == (760, 500)
