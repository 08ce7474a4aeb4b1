"""The import preview: real previews built by the core over a real SQLite file, shown in the
dialog; what the operator sees and chooses there (counts, rows, conflicts and their
resolutions, bad lines, nothing to import), and the stored device configuration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QStyleOptionViewItem

from drm_gui.core import media
from drm_gui.core.db import close_database, open_database
from drm_gui.core.import_history import (
    apply_devconfig,
    preview_devconfig,
    preview_volhist,
)
from drm_gui.core.import_server import PoolInfo, VolumeUsage, preview_sync
from drm_gui.core.import_volumes import (
    LocalVolume,
    Resolution,
    Status,
    VolumeDiff,
    VolumePreview,
    preview_volumes,
)
from drm_gui.core.media import Actor
from drm_gui.core.models import PoolType
from drm_gui.core.states import DrmState, VolumeKind
from drm_gui.core.tsm_formats import DrmediaForm, DrmediaRecord, ParseProblem, parse_drmedia
from drm_gui.core.tsm_formats_files import parse_volhist
from drm_gui.gui.import_view import (
    ACCEPT_TEXT,
    NO_DEVCONFIG,
    NOTHING_FROM_FILE,
    NOTHING_FROM_SERVER,
    ImportPreviewDialog,
    ResolutionDelegate,
    Section,
    ServerConfigDialog,
    VolumeDiffModel,
)
from tests.helpers.factories import NOW, make_pool, make_volume
from tests.helpers.server_files import DEVCONFIG, VOLHIST

ACTOR = Actor("alice", "ws1")
WHEN = dt.datetime(2024, 6, 14, 9, 30)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[None]:
    open_database(f"sqlite:///{tmp_path / 'import.db'}")
    yield
    close_database()


def record(volser: str, state: DrmState, line: int, **kw: object) -> DrmediaRecord:
    return DrmediaRecord(volser, state, WHEN, line_number=line, **kw)  # type: ignore[arg-type]


def open_dialog(qtbot, preview, title: str = "Import") -> ImportPreviewDialog:
    dialog = ImportPreviewDialog(preview, title)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def column(dialog: ImportPreviewDialog, section: Section, col: int = 0) -> list[str]:
    view = dialog.views[section]
    return [view.proxy.index(r, col).data() for r in range(view.proxy.rowCount())]


@pytest.fixture
def volume_preview(db) -> VolumePreview:
    """One volume in each category: new, changed, conflicting, unchanged, only here."""
    pool = make_pool("COPYPOOL")
    make_volume("CHG001L8", DrmState.COURIER, pool=pool, location="COURIER")
    make_volume("SAME01L8", DrmState.VAULT, pool=pool, location="VAULT")
    make_volume("HERE01L8", DrmState.VAULT, pool=pool, location="VAULT")
    for volser in ("CON001L8", "CON002L8"):
        vol = make_volume(volser, DrmState.MOUNTABLE, pool=pool, location="LIB1")
        assert media.move_volumes([vol.id], DrmState.COURIER, actor=ACTOR, now=NOW).ok
    records = [
        record("NEW001L8", DrmState.VAULT, 1, location="VAULT", pool="COPYPOOL"),
        record("CHG001L8", DrmState.VAULT, 2, location="VAULT", pool="COPYPOOL"),
        record("CON001L8", DrmState.MOUNTABLE, 3, location="LIB1", pool="COPYPOOL"),
        record("CON002L8", DrmState.MOUNTABLE, 4, location="LIB1", pool="COPYPOOL"),
        record("SAME01L8", DrmState.VAULT, 5, location="VAULT", pool="COPYPOOL"),
    ]
    return preview_volumes(records, source="drmedia.txt", form=DrmediaForm.SELECT_COMMA)


def test_a_volume_preview_shows_each_category(qtbot, qtmodeltester, volume_preview):
    dialog = open_dialog(qtbot, volume_preview, "Import QUERY DRMEDIA")
    assert dialog.windowTitle() == "Import QUERY DRMEDIA"
    assert dialog.summary_label.text() == volume_preview.summary()
    assert dialog.counts_label.text() == (
        "New 1 · Changed 1 · Conflicts 2 · Unchanged 1 · Only here 1"
    )
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles == [
        "New (1)",
        "Changed (1)",
        "Conflicts (2)",
        "Unchanged (1)",
        "Only here (1)",
    ]
    assert Section.PROBLEMS not in dialog.views and not dialog.banner.isVisible()
    for model in dialog.models.values():
        qtmodeltester.check(model)
    for view in dialog.views.values():
        qtmodeltester.check(view.proxy)
    # What the operator reads in each table.
    assert column(dialog, Section.NEW) == ["NEW001L8"]
    assert column(dialog, Section.CHANGED, 3) == ["COURIER → VAULT; location 'COURIER' → 'VAULT'"]
    assert column(dialog, Section.CHANGED, 4) == ["2"]
    assert column(dialog, Section.UNCHANGED) == ["SAME01L8"]
    assert column(dialog, Section.ONLY_HERE) == ["HERE01L8"]
    assert column(dialog, Section.CONFLICTS) == ["CON001L8", "CON002L8"]
    assert column(dialog, Section.CONFLICTS, 1) == ["⚠ Conflict"] * 2
    assert "not yet confirmed by the server" in column(dialog, Section.CONFLICTS, 5)[0]
    assert column(dialog, Section.CONFLICTS, 2) == ["Keep the local move"] * 2
    # The conflicts need a decision: their tab is shown first, highlighted, with the
    # resolution column only there.
    assert dialog.tabs.currentWidget() is dialog.sections.paths[Section.CONFLICTS][0][1]
    conflicts = dialog.models[Section.CONFLICTS]
    assert conflicts.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    changed = dialog.models[Section.CHANGED]
    assert changed.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert not dialog.views[Section.CONFLICTS].isColumnHidden(VolumeDiffModel.RESOLUTION)
    assert dialog.views[Section.NEW].isColumnHidden(VolumeDiffModel.RESOLUTION)
    assert dialog.can_apply() and dialog.reason_label.text() == ""
    assert not dialog.accept_problems()


def test_conflicts_keep_the_local_move_until_the_operator_takes_the_servers(qtbot, volume_preview):
    dialog = open_dialog(qtbot, volume_preview)
    keep, take = Resolution.KEEP_LOCAL, Resolution.TAKE_SERVER
    assert dialog.resolutions() == {"CON001L8": keep, "CON002L8": keep}
    assert "2 keep the local move" in dialog.conflict_summary.text()
    model = dialog.models[Section.CONFLICTS]
    view = dialog.views[Section.CONFLICTS]
    # Through the model (what the combo box delegate does).
    index = model.index(0, VolumeDiffModel.RESOLUTION)
    assert model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    with qtbot.waitSignal(dialog.resolutions_changed):
        assert model.setData(index, Resolution.TAKE_SERVER.value)
    assert dialog.resolutions() == {"CON001L8": take, "CON002L8": keep}
    assert index.data() == "Take the server's record"
    assert "1 take the server's record" in dialog.conflict_summary.text()
    assert not model.setData(index, "no such resolution")
    # The buttons act on the selected conflicts only, and only with a selection.
    assert not dialog.take_button.isEnabled()
    view.selectRow(1)
    assert dialog.take_button.isEnabled()
    qtbot.mouseClick(dialog.take_button, Qt.MouseButton.LeftButton)
    assert dialog.resolutions() == {"CON001L8": take, "CON002L8": take}
    view.selectAll()
    qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
    assert dialog.resolutions() == {"CON001L8": keep, "CON002L8": keep}


def test_the_resolution_combo_box_edits_through_the_model(qtbot, volume_preview):
    dialog = open_dialog(qtbot, volume_preview)
    view = dialog.views[Section.CONFLICTS]
    delegate = view.itemDelegateForColumn(VolumeDiffModel.RESOLUTION)
    assert isinstance(delegate, ResolutionDelegate)
    index = view.proxy.index(1, VolumeDiffModel.RESOLUTION)
    editor = delegate.createEditor(view.viewport(), QStyleOptionViewItem(), index)
    assert isinstance(editor, QComboBox)
    delegate.setEditorData(editor, index)
    assert editor.currentText() == "Keep the local move"
    editor.setCurrentIndex(editor.findData(Resolution.TAKE_SERVER.value))
    delegate.setModelData(editor, view.proxy, index)
    assert dialog.resolutions()["CON002L8"] is Resolution.TAKE_SERVER
    editor.deleteLater()
    # Editing in the view opens the same editor, for conflict rows only.
    view.setCurrentIndex(index)
    assert view.edit(index, view.EditTrigger.EditKeyPressed, None)  # type: ignore[call-arg]
    view.closePersistentEditor(index)


def test_bad_lines_keep_apply_off_until_the_valid_lines_are_accepted(qtbot, qtmodeltester, db):
    text = (
        "VOL001L8,Vault,06/14/2024 09:30:00,VAULT,CopyStgPool,COPYPOOL,,LIB1\n"
        "BAD VOLUME,Vault,06/14/2024 09:30:00,X,CopyStgPool,P,,L\n"
        "VOL009L8,Elsewhere,06/14/2024 09:30:00,X,CopyStgPool,P,,L\n"
    )
    parsed = parse_drmedia(text)
    preview = preview_volumes(parsed.records, parsed.problems, source="d.txt", form=parsed.form)
    dialog = open_dialog(qtbot, preview)
    assert dialog.banner.isVisible() and dialog.accept_box.isVisible()
    assert dialog.banner.text() == (
        "⚠ 2 bad lines: nothing is imported unless you accept the valid lines"
    )
    assert dialog.accept_box.text() == ACCEPT_TEXT
    assert dialog.counts_label.text().endswith(" · Only here 0 · 2 bad lines")
    problems = dialog.models[Section.PROBLEMS]
    qtmodeltester.check(problems)
    assert column(dialog, Section.PROBLEMS) == ["2", "3"]
    assert column(dialog, Section.PROBLEMS, 2)[0].startswith("BAD VOLUME,Vault")
    assert column(dialog, Section.PROBLEMS, 1)[1]  # the reason, in words
    assert dialog.views[Section.PROBLEMS].isColumnHidden(3)  # where from: sync only
    assert not dialog.apply_button.isEnabled() and not dialog.accept_problems()
    assert ACCEPT_TEXT in dialog.reason_label.text()
    dialog.accept()  # Enter or a stray call cannot bypass the rule
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    dialog.accept_box.setChecked(True)
    assert dialog.apply_button.isEnabled() and dialog.accept_problems()
    assert dialog.reason_label.text() == ""
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_apply_is_off_when_the_database_already_agrees(qtbot, db):
    make_volume("SAME01L8", DrmState.VAULT, location="VAULT")
    preview = preview_volumes([record("SAME01L8", DrmState.VAULT, 1)], source="d.txt")
    assert not preview.has_changes
    dialog = open_dialog(qtbot, preview)
    assert not dialog.apply_button.isEnabled()
    assert dialog.reason_label.text() == NOTHING_FROM_FILE
    assert dialog.apply_button.toolTip() == NOTHING_FROM_FILE
    assert dialog.cancel_button.isEnabled()
    assert dialog.tabs.currentWidget() is dialog.sections.paths[Section.NEW][0][1]
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_find_and_sort_in_the_tables(qtbot, db):
    records = [
        record(f"A{n:05d}L8", DrmState.VAULT, line=30 - n, location="VAULT") for n in range(20)
    ]
    records.append(record("B00001L8", DrmState.VAULT, line=100, location="VAULT"))
    dialog = open_dialog(qtbot, preview_volumes(records, source="d.txt"))
    view = dialog.views[Section.NEW]
    assert view.proxy.rowCount() == 21
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    dialog.find_action.trigger()  # Ctrl+F
    qtbot.waitUntil(dialog.find.hasFocus)
    dialog.find.setText("b0000")  # contains, any case
    dialog.apply_find()
    assert column(dialog, Section.NEW) == ["B00001L8"]
    dialog.find.setText("A0001?L8")  # a pattern, as on the board
    qtbot.waitUntil(lambda: view.proxy.rowCount() == 10)
    dialog.find.clear()
    dialog.apply_find()
    # The line column sorts as numbers (100 after 30, not before); the selection follows.
    view.selectRow(0)
    view.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    lines = column(dialog, Section.NEW, 4)
    assert lines[0] == "11" and lines[-1] == "100"
    assert view.selected_text().startswith(
        "A00000L8\tNew\tnew Copy pool volume, VAULT at VAULT\t30\tno volume type"
    )
    view.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    assert column(dialog, Section.NEW, 4)[0] == "100"
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # back to the core's order
    assert column(dialog, Section.NEW)[:2] == ["A00000L8", "A00001L8"]


def test_a_sorted_conflict_table_still_settles_the_right_volumes(qtbot, volume_preview):
    dialog = open_dialog(qtbot, volume_preview)
    view = dialog.views[Section.CONFLICTS]
    view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert column(dialog, Section.CONFLICTS) == ["CON002L8", "CON001L8"]
    view.selectRow(0)
    qtbot.mouseClick(dialog.take_button, Qt.MouseButton.LeftButton)
    assert dialog.resolutions()["CON002L8"] is Resolution.TAKE_SERVER
    assert column(dialog, Section.CONFLICTS, 2) == [
        "Take the server's record",
        "Keep the local move",
    ]
    # Filtered, the selection maps through the proxy.
    dialog.find.setText("CON001")
    dialog.apply_find()
    view.selectAll()
    qtbot.mouseClick(dialog.take_button, Qt.MouseButton.LeftButton)
    assert set(dialog.resolutions().values()) == {Resolution.TAKE_SERVER}


@pytest.fixture
def history_db(db) -> None:
    for volser in ("DB0041L8", "DB0042L8", "DB0043L8", "SN0007L8", "CP0001L8"):
        make_volume(volser, DrmState.VAULT, kind=VolumeKind.COPY_POOL)


def test_a_volume_history_preview(qtbot, qtmodeltester, history_db):
    preview = preview_volhist(VOLHIST, source="volhist.out")
    dialog = open_dialog(qtbot, preview, "Import volume history")
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles == [
        "Backup series (3)",
        "Volumes to update (4)",
        "Storage volumes (1)",
        "Not tracked here (1)",
    ]
    for model in dialog.models.values():
        qtmodeltester.check(model)
    series = dialog.models[Section.SERIES]
    rows = [[series.index(r, c).data() for c in range(4)] for r in range(series.rowCount())]
    assert rows == [
        ["Full", "41", "2024-06-10 04:00", "3"],
        ["Snapshot", "7", "2024-06-12 05:00", "1"],
        ["Full", "42", "2024-06-12 06:00", "1"],
    ]
    assert column(dialog, Section.SERIES, 5) == ["New"] * 3
    assert column(dialog, Section.HISTORY_VOLUMES) == [
        "DB0041L8",
        "DB0042L8",
        "DB0043L8",
        "SN0007L8",
    ]
    assert column(dialog, Section.HISTORY_VOLUMES, 6)[-1] == "DB snapshot"
    assert column(dialog, Section.STORAGE) == ["CP0001L8"]
    assert column(dialog, Section.STORAGE, 3) == ["empty since 2024-06-13 10:00"]
    assert column(dialog, Section.UNTRACKED) == ["GONE01L8"]
    page = dialog.sections.paths[Section.UNTRACKED][0][1]
    assert any(
        "File → Import → QUERY DRMEDIA" in label.text() for label in page.findChildren(QLabel)
    )
    assert dialog.counts_label.text() == (
        "3 backup series (3 new) · 4 volumes to update (0 unchanged) · 1 storage volume "
        "emptied or reused · 1 volume not tracked here; the file is kept for the recovery plan"
    )
    assert dialog.tabs.currentIndex() == 0 and dialog.can_apply()


def test_a_device_configuration_preview(qtbot, qtmodeltester, db):
    preview = preview_devconfig(DEVCONFIG + "FROBNICATE THE LIBRARY\n", source="devconfig.out")
    dialog = open_dialog(qtbot, preview, "Import device configuration")
    for model in dialog.models.values():
        qtmodeltester.check(model)
    assert not dialog.find.isVisible()  # no volumes to find
    assert column(dialog, Section.DEVICE_CLASSES) == ["LTOCLASS"]
    assert column(dialog, Section.DEVICE_CLASSES, 1) == ["LTO"]
    assert column(dialog, Section.DEVICE_CLASSES, 2) == ["LIB1"]
    assert column(dialog, Section.LIBRARIES, 1) == ["SCSI"]
    assert column(dialog, Section.DRIVES, 1) == ["DRIVE01"]
    assert column(dialog, Section.DRIVES, 2) == ["256"]
    assert column(dialog, Section.PATHS, 1) == ["LIB1", "DRIVE01"]
    assert column(dialog, Section.PATHS, 4) == ["/dev/smc0", "/dev/rmt0"]
    assert dialog.counts_label.text().startswith(
        "Server SERVER1 · 1 device class · 1 library · 1 drive · 2 paths"
    )
    assert len(preview.problems) == 1 and not dialog.can_apply()
    dialog.accept_box.setChecked(True)
    assert dialog.can_apply()
    # Stored, the same file again has nothing to import.
    apply_devconfig(preview_devconfig(DEVCONFIG, source="devconfig.out"))
    again = open_dialog(qtbot, preview_devconfig(DEVCONFIG, source="devconfig.out"))
    assert not again.can_apply() and again.reason_label.text() == NOTHING_FROM_FILE
    assert "the stored copy is the same" in again.counts_label.text()


def test_a_synchronisation_preview(qtbot, qtmodeltester, db):
    pool = make_pool("COPYPOOL", reuse_delay_days=2)
    make_volume("CHG001L8", DrmState.COURIER, pool=pool, location="COURIER", pct_used=40.0)
    make_volume("DB0041L8", DrmState.VAULT, kind=VolumeKind.DB_BACKUP, location="VAULT")
    records = [
        record("CHG001L8", DrmState.VAULT, 1, location="VAULT", pool="COPYPOOL"),
        record("DB0042L8", DrmState.VAULT, 2, location="VAULT", kind=VolumeKind.DB_BACKUP),
    ]
    history = parse_volhist(VOLHIST).entries
    preview = preview_sync(
        server="SERVER1",
        records=records,
        history=history,
        usage=[VolumeUsage("CHG001L8", "COPYPOOL", "FILLING", 75.0)],
        pools=[
            PoolInfo("COPYPOOL", PoolType.COPY, "LTOCLASS", 5),
            PoolInfo("NEWPOOL", PoolType.ACTIVEDATA, "LTOCLASS", 0),
        ],
        problems=[ParseProblem(9, "garbage", "not a DRMEDIA row")],
    )
    dialog = open_dialog(qtbot, preview, "Synchronise with SERVER1")
    top = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert top == [
        "Volumes",
        "Volume history",
        "Utilisation (1)",
        "Storage pools (2)",
        "Bad lines (1)",
    ]
    for model in dialog.models.values():
        qtmodeltester.check(model)
    assert column(dialog, Section.NEW) == ["DB0042L8"]
    assert column(dialog, Section.CHANGED) == ["CHG001L8"]
    assert column(dialog, Section.USAGE, 3) == ["40.0 %"]
    assert column(dialog, Section.USAGE, 4) == ["75.0 %"]
    assert column(dialog, Section.POOLS) == ["COPYPOOL", "NEWPOOL"]
    assert column(dialog, Section.POOLS, 5) == ["device class, reuse delay", "new pool"]
    # A DB volume new in this synchronisation is not yet tracked by its history.
    untracked = dict(
        zip(column(dialog, Section.UNTRACKED), column(dialog, Section.UNTRACKED, 1), strict=True)
    )
    assert "next one" in untracked["DB0042L8"]
    assert "not created" in untracked["GONE01L8"]
    assert column(dialog, Section.PROBLEMS, 3) == ["DRMEDIA"]
    lines = dialog.counts_label.text().splitlines()
    assert lines[0].startswith("Volumes: New 1 · Changed 1")
    assert lines[1].startswith("Volume history: ")
    assert lines[2] == "1 utilisation to update · 2 storage pools new or changed · 1 bad line"
    # The new volume is shown first; show_section reaches a nested tab.
    inner, page = dialog.sections.paths[Section.NEW][1]
    assert dialog.tabs.currentWidget() is inner and inner.currentWidget() is page
    dialog.show_section(Section.POOLS)
    assert dialog.tabs.currentWidget() is dialog.sections.paths[Section.POOLS][0][1]
    assert not dialog.can_apply()
    dialog.accept_box.setChecked(True)
    assert dialog.can_apply()


def test_a_synchronisation_that_changes_nothing(qtbot, db):
    preview = preview_sync(server="SERVER1", records=[], history=[], usage=[], pools=[])
    dialog = open_dialog(qtbot, preview)
    assert not dialog.can_apply() and dialog.reason_label.text() == NOTHING_FROM_SERVER
    assert dialog.resolutions() == {}


def test_a_preview_of_100000_volumes_opens(qtbot, qtmodeltester, db):
    local = LocalVolume(1, "X", DrmState.MOUNTABLE, "LIB1", VolumeKind.COPY_POOL, "COPYPOOL")
    statuses = (Status.NEW, Status.CHANGED, Status.CONFLICT, Status.UNCHANGED)
    diffs = []
    for n in range(100_000):
        status = statuses[n % 4]
        rec = record(f"V{n:05d}L8", DrmState.COURIER, n + 1, location="COURIER")
        fields = ("state", "location") if status in (Status.CHANGED, Status.CONFLICT) else ()
        diffs.append(VolumeDiff(status, rec, None if status is Status.NEW else local, fields, ""))
    preview = VolumePreview("big.txt", DrmediaForm.SELECT_COMMA, tuple(diffs), ())
    dialog = open_dialog(qtbot, preview)
    assert dialog.counts_label.text() == (
        "New 25,000 · Changed 25,000 · Conflicts 25,000 · Unchanged 25,000 · Only here 0"
    )
    assert len(dialog.resolutions()) == 25_000
    view = dialog.views[Section.CONFLICTS]
    assert view.proxy.rowCount() == 25_000
    view.scrollToBottom()
    view.selectAll()
    qtbot.mouseClick(dialog.take_button, Qt.MouseButton.LeftButton)
    assert set(dialog.resolutions().values()) == {Resolution.TAKE_SERVER}
    assert view.proxy.index(24_999, VolumeDiffModel.RESOLUTION).data() == (
        "Take the server's record"
    )


def test_the_stored_device_configuration(qtbot, qtmodeltester, db):
    dialog = ServerConfigDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.message.text() == NO_DEVCONFIG
    assert "File → Import → Device configuration" in NO_DEVCONFIG
    assert dialog.config is None and not dialog.tabs.isVisible() and not dialog.models
    apply_devconfig(preview_devconfig(DEVCONFIG, source="/srv/tsm/devconfig.out"))
    dialog.reload()
    assert dialog.message.text() == "Server SERVER1" and dialog.tabs.isVisible()
    assert "from /srv/tsm/devconfig.out" in dialog.details.text()
    for model in dialog.models.values():
        qtmodeltester.check(model)
    classes = dialog.models[Section.DEVICE_CLASSES]
    assert [classes.index(0, c).data() for c in range(3)] == ["LTOCLASS", "LTO", "LIB1"]
    libraries = dialog.models[Section.LIBRARIES]
    assert [libraries.index(0, c).data() for c in range(2)] == ["LIB1", "SCSI"]
    assert dialog.models[Section.DRIVES].rowCount() == 1
    assert dialog.models[Section.PATHS].rowCount() == 2
    assert dialog.tabs.count() == 4
