"""The site editor: each tab edits and saves through drm_gui.core.site; refusals are shown
next to the form and save nothing; the recovery-test warning follows the record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)

from drm_gui.core import site
from drm_gui.core.db import close_database, open_database
from drm_gui.core.media import set_setting
from drm_gui.core.models import RecoveryOutcome
from drm_gui.core.plan_model import Machine, MediaType, RecoveryMedia
from drm_gui.core.site import ServerFile, ServerIdentity
from drm_gui.gui.site_editor import SiteEditorDialog
from drm_gui.gui.site_editor_kit import RecoveryTestModel
from drm_gui.gui.style import WARNING_SIGN

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[None]:
    open_database(f"sqlite:///{tmp_path / 'x.db'}")
    yield
    close_database()


@pytest.fixture
def dialog(qtbot, db) -> SiteEditorDialog:
    editor = SiteEditorDialog()
    qtbot.addWidget(editor)
    editor.today = lambda: TODAY
    editor.show()
    qtbot.waitExposed(editor)
    return editor


@pytest.fixture
def answer_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes
    )


def reveal(widget: QWidget) -> None:
    """Brings the tabs holding *widget* to the front, as a user would."""
    chain: list[QWidget] = []
    current: QWidget | None = widget
    while current is not None:
        if isinstance(current, QTabWidget):
            for page in chain:
                if current.indexOf(page) >= 0:
                    current.setCurrentWidget(page)
        chain.append(current)
        current = current.parentWidget()


def click(qtbot, dialog: SiteEditorDialog, name: str) -> None:
    button = dialog.findChild(QWidget, name)
    assert button is not None, name
    reveal(button)
    assert button.isVisible() and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_into(dialog: SiteEditorDialog, name: str, text: str) -> None:
    widget = dialog.findChild(QWidget, name)
    assert widget is not None, name
    if isinstance(widget, QPlainTextEdit):
        widget.setPlainText(text)
    else:
        assert isinstance(widget, QLineEdit)
        widget.setText(text)


def error_text(dialog: SiteEditorDialog, name: str) -> str:
    label = dialog.findChild(QWidget, name)
    assert label is not None, name
    return "" if label.isHidden() else label.text()


# --- The model ---------------------------------------------------------------------------


def test_recovery_test_model(qtmodeltester, db) -> None:
    site.record_recovery_test(dt.date(2025, 1, 2), RecoveryOutcome.SUCCESS, "all good", today=TODAY)
    site.record_recovery_test(dt.date(2026, 1, 2), RecoveryOutcome.FAILED, "drive\nbroken")
    model = RecoveryTestModel()
    model.set_records(site.list_recovery_tests())
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert model.index(0, 0).data() == "2026-01-02"
    assert model.index(0, 1).data() == f"{WARNING_SIGN} Failed"
    assert model.index(0, 2).data() == "drive broken"
    assert model.index(1, 1).data() == "✓ Success"
    model.set_records([])
    qtmodeltester.check(model)


# --- Server --------------------------------------------------------------------------------


def test_server_identity_saved(qtbot, dialog: SiteEditorDialog) -> None:
    type_into(dialog, "server_name", "SERVER1")
    type_into(dialog, "server_address", "tsm1.example.com:1500")
    type_into(dialog, "server_os", "Linux x86_64")
    type_into(dialog, "server_db_space", "400 GB")
    type_into(dialog, "server_log_space", "200 GB")
    type_into(dialog, "server_options", "COMMMETHOD TCPIP\nTCPPORT 1500")
    type_into(dialog, "server_db_paths", "/tsmdb/db1\n\n/tsmdb/db2\n")
    type_into(dialog, "server_licenses", "tsmee.lic")
    click(qtbot, dialog, "server_save")
    assert site.get_server_identity() == ServerIdentity(
        name="SERVER1",
        address="tsm1.example.com:1500",
        operating_system="Linux x86_64",
        options=("COMMMETHOD TCPIP", "TCPPORT 1500"),
        db_space="400 GB",
        log_space="200 GB",
        db_storage_paths=("/tsmdb/db1", "/tsmdb/db2"),
        licenses=("tsmee.lic",),
    )
    assert "SERVER1" in dialog.status.text()
    assert error_text(dialog, "server_error") == ""


def test_server_identity_refused(qtbot, dialog: SiteEditorDialog) -> None:
    site.set_server_identity(ServerIdentity(name="OLD"))
    dialog.reload()
    type_into(dialog, "server_name", "SERVER 1")
    click(qtbot, dialog, "server_save")
    assert (
        error_text(dialog, "server_error") == f"{WARNING_SIGN} server name: may not contain blanks"
    )
    assert dialog.server_tab.name.text() == "SERVER 1"  # the input is kept
    assert site.get_server_identity().name == "OLD"
    assert dialog.status.text() == ""


def test_import_server_file(
    qtbot, dialog: SiteEditorDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status = dialog.server_tab.file_status[ServerFile.DEVCONFIG]
    assert "Not imported" in status.text()
    source = tmp_path / "devconfig.out"
    source.write_text("DEFINE DEVCLASS LTO8 DEVTYPE=LTO\nDEFINE LIBRARY LIB1\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(source), ""))
    click(qtbot, dialog, "import_DEVCONFIG")
    copy = site.get_server_file(ServerFile.DEVCONFIG)
    assert copy is not None
    assert copy.text.startswith("DEFINE DEVCLASS LTO8")
    assert copy.source == str(source.resolve())
    assert str(source.resolve()) in status.text()
    assert "2 lines" in status.text()
    assert "device configuration" in dialog.status.text()
    assert site.get_server_file(ServerFile.VOLHIST) is None


def test_import_server_file_refused_or_cancelled(
    qtbot, dialog: SiteEditorDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nope" / "volhist.out"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(missing), ""))
    click(qtbot, dialog, "import_VOLHIST")
    assert error_text(dialog, "file_error").startswith(f"{WARNING_SIGN} VOLUME.HISTORY.FILE:")
    assert site.get_server_file(ServerFile.VOLHIST) is None
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    assert dialog.server_tab.import_file(ServerFile.VOLHIST) is False
    assert site.get_server_file(ServerFile.VOLHIST) is None


# --- Instructions --------------------------------------------------------------------------


def test_instructions_saved_one_by_one(qtbot, dialog: SiteEditorDialog) -> None:
    tab = dialog.instructions_tab
    for index, name in enumerate(site.INSTRUCTION_NAMES):
        part = name.rsplit(".", 1)[1]
        tab.tabs.setCurrentIndex(index)
        editor = dialog.findChild(QPlainTextEdit, f"instructions_{part}")
        assert editor is not None and not editor.isReadOnly()
        editor.setPlainText(f"{part}: call Jane Doe, +41 22 555 01 0{index}")
        editor.document().setModified(True)
        assert tab.tabs.tabText(index).endswith("•")  # unsaved, shown by a sign
        click(qtbot, dialog, f"instructions_save_{part}")
        assert not tab.tabs.tabText(index).endswith("•")
        assert name in dialog.status.text()
    for index, name in enumerate(site.INSTRUCTION_NAMES):
        part = name.rsplit(".", 1)[1]
        assert site.get_instructions(name) == (f"{part}: call Jane Doe, +41 22 555 01 0{index}",)


def test_instructions_override_file(qtbot, db, tmp_path: Path) -> None:
    prefix = tmp_path / "instr."
    set_setting("instr_prefix", str(prefix))
    Path(f"{prefix}RECOVERY.INSTRUCTIONS.GENERAL").write_text("From the file\n")
    site.set_instructions("OFFSITE", "Stored vault text")
    editor = SiteEditorDialog()
    qtbot.addWidget(editor)
    general = editor.instructions_tab.pages["GENERAL"]
    offsite = editor.instructions_tab.pages["OFFSITE"]
    assert general.editor.isReadOnly()
    assert general.editor.toPlainText() == "From the file"
    assert not general.save_button.isEnabled()
    assert general.override_path.isReadOnly()
    assert general.override_path.text() == f"{prefix}RECOVERY.INSTRUCTIONS.GENERAL"
    assert "edit that file" in general.override.text()
    assert not offsite.editor.isReadOnly()
    assert offsite.editor.toPlainText() == "Stored vault text"
    assert "does not exist" in offsite.override.text()
    assert offsite.override_path.text() == f"{prefix}RECOVERY.INSTRUCTIONS.OFFSITE"


def test_no_override_without_prefix(dialog: SiteEditorDialog) -> None:
    page = dialog.instructions_tab.pages["GENERAL"]
    assert page.override.isHidden() and page.override_path.isHidden()


# --- Machines and recovery media -----------------------------------------------------------


def test_media_created_renamed_deleted(qtbot, dialog: SiteEditorDialog, answer_yes) -> None:
    dialog.tabs.setCurrentWidget(dialog.media_tab)
    click(qtbot, dialog, "media_add")
    type_into(dialog, "media_name", "BOOTAIX")
    dialog.media_tab.media_type.setCurrentIndex(dialog.media_tab.media_type.findData("BOOT"))
    type_into(dialog, "media_volumes", "BOOT01\nBOOT02\n\n")
    type_into(dialog, "media_location", "Vault shelf 3")
    type_into(dialog, "media_product", "AIX 7.3 mksysb")
    click(qtbot, dialog, "media_save")
    assert site.list_recovery_media() == [
        RecoveryMedia(
            "BOOTAIX", MediaType.BOOT, ("BOOT01", "BOOT02"), "Vault shelf 3", "AIX 7.3 mksysb"
        )
    ]
    assert "Created recovery media BOOTAIX" in dialog.status.text()
    # The machines tab offers the new media at once.
    assert dialog.machines_tab.media.count() == 1

    type_into(dialog, "media_name", "BOOTAIX2")
    dialog.media_tab.media_type.setCurrentIndex(dialog.media_tab.media_type.findData("OTHER"))
    click(qtbot, dialog, "media_save")
    assert [(m.name, m.media_type) for m in site.list_recovery_media()] == [
        ("BOOTAIX2", MediaType.OTHER)
    ]
    media_list = dialog.findChild(QListWidget, "media_list")
    assert media_list.currentItem().data(Qt.ItemDataRole.UserRole) == "BOOTAIX2"

    click(qtbot, dialog, "media_delete")
    assert site.list_recovery_media() == []
    assert media_list.count() == 0
    assert dialog.machines_tab.media.count() == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("BAD NAME", "recovery media name: may not contain blanks"),
        ("", "recovery media name: may not be empty"),
        ("OLD", "recovery media name: 'OLD' already exists"),
    ],
)
def test_media_refused_keeps_input(
    qtbot, dialog: SiteEditorDialog, name: str, message: str
) -> None:
    old = RecoveryMedia("OLD", MediaType.OTHER, ("X1",))
    site.save_recovery_media(old)
    dialog.reload()
    click(qtbot, dialog, "media_add")
    type_into(dialog, "media_name", name)
    type_into(dialog, "media_volumes", "V1")
    click(qtbot, dialog, "media_save")
    assert error_text(dialog, "media_error") == f"{WARNING_SIGN} {message}"
    assert dialog.media_tab.name.text() == name
    assert dialog.media_tab.volumes.toPlainText() == "V1"
    assert site.list_recovery_media() == [old]


def test_renamed_media_stays_linked(qtbot, dialog: SiteEditorDialog) -> None:
    site.save_recovery_media(RecoveryMedia("BOOT1", MediaType.BOOT, ("B1",)))
    site.save_machine(Machine("SRV", media=(RecoveryMedia("BOOT1", MediaType.BOOT, ()),)))
    dialog.reload()
    type_into(dialog, "media_name", "BOOT2")
    click(qtbot, dialog, "media_save")
    assert [m.name for m in site.list_machines()[0].media] == ["BOOT2"]
    assert dialog.machines_tab.ticked_media() == ["BOOT2"]


def test_machine_created_edited_deleted(qtbot, dialog: SiteEditorDialog, answer_yes) -> None:
    site.save_recovery_media(RecoveryMedia("BOOTAIX", MediaType.BOOT, ("BOOT01",)))
    site.save_recovery_media(RecoveryMedia("TOOLS", MediaType.OTHER, ("T1",)))
    dialog.reload()
    dialog.tabs.setCurrentWidget(dialog.machines_tab)
    tab = dialog.machines_tab
    click(qtbot, dialog, "machine_add")
    assert tab.name.hasFocus() or not dialog.isActiveWindow()
    type_into(dialog, "machine_name", "TSMSRV")
    type_into(dialog, "machine_building", "B1")
    type_into(dialog, "machine_floor", "2")
    type_into(dialog, "machine_room", "2.14")
    tab.priority.setValue(3)
    type_into(dialog, "machine_description", "Storage server")
    tab.server.setChecked(True)
    type_into(dialog, "machine_instructions", "Restore the mksysb\nThen run the script\n\n")
    type_into(dialog, "machine_characteristics", "Power9, 64 GB")
    type_into(dialog, "machine_nodes", "NODE1\n NODE2 \n")
    tab.set_ticked_media(["BOOTAIX"])
    click(qtbot, dialog, "machine_save")
    [machine] = site.list_machines()
    assert machine == Machine(
        name="TSMSRV",
        building="B1",
        floor="2",
        room="2.14",
        priority=3,
        description="Storage server",
        server=True,
        recovery_instructions=("Restore the mksysb", "Then run the script"),
        characteristics=("Power9, 64 GB",),
        nodes=("NODE1", "NODE2"),
        media=(RecoveryMedia("BOOTAIX", MediaType.BOOT, ("BOOT01",)),),
    )
    assert "Created machine TSMSRV" in dialog.status.text()

    # Edit: rename, change the priority and the linked media.
    type_into(dialog, "machine_name", "TSMSRV1")
    tab.priority.setValue(1)
    tab.set_ticked_media(["TOOLS"])
    click(qtbot, dialog, "machine_save")
    [machine] = site.list_machines()
    assert (machine.name, machine.priority) == ("TSMSRV1", 1)
    assert [m.name for m in machine.media] == ["TOOLS"]
    assert "Saved machine TSMSRV1" in dialog.status.text()
    assert tab.list.count() == 1

    click(qtbot, dialog, "machine_delete")
    assert site.list_machines() == []
    assert tab.list.count() == 0
    assert "Deleted machine TSMSRV1" in dialog.status.text()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "machine name: may not be empty"),
        ("MAIL 01", "machine name: may not contain blanks"),
        ("EXISTING", "machine name: 'EXISTING' already exists"),
    ],
)
def test_machine_refused_saves_nothing(
    qtbot, dialog: SiteEditorDialog, name: str, message: str
) -> None:
    site.save_machine(Machine("EXISTING", priority=5))
    dialog.reload()
    click(qtbot, dialog, "machine_add")
    type_into(dialog, "machine_name", name)
    type_into(dialog, "machine_room", "Room 9")
    dialog.machines_tab.priority.setValue(7)
    click(qtbot, dialog, "machine_save")
    assert error_text(dialog, "machine_error") == f"{WARNING_SIGN} {message}"
    assert dialog.machines_tab.name.text() == name  # the user's input stays
    assert dialog.machines_tab.room.text() == "Room 9"
    assert dialog.machines_tab.priority.value() == 7
    assert site.list_machines() == [Machine("EXISTING", priority=5)]
    assert dialog.status.text() == ""


def test_machine_priority_bounds(dialog: SiteEditorDialog) -> None:
    spin = dialog.machines_tab.priority
    assert (spin.minimum(), spin.maximum()) == (1, 99)
    spin.setValue(0)
    assert spin.value() == 1


def test_machine_priority_refused_by_core(qtbot, dialog: SiteEditorDialog, monkeypatch) -> None:
    # The spin box cannot show 0, so the core's own check is reached through the form value.
    tab = dialog.machines_tab
    click(qtbot, dialog, "machine_add")
    type_into(dialog, "machine_name", "MAIL01")
    monkeypatch.setattr(tab.priority, "value", lambda: 120)
    click(qtbot, dialog, "machine_save")
    assert error_text(dialog, "machine_error") == (
        f"{WARNING_SIGN} priority: 120 is out of range: use 1 (highest) to 99"
    )
    assert site.list_machines() == []


def test_machine_list_selects_form(dialog: SiteEditorDialog) -> None:
    site.save_machine(Machine("A1", priority=2, room="R1"))
    site.save_machine(Machine("B1", priority=1, room="R2"))
    dialog.reload()
    tab = dialog.machines_tab
    assert tab.list.accessibleName() == "Machines"
    assert tab.name.text() == "B1"  # highest priority first
    tab.list.setCurrentRow(1)
    assert (tab.name.text(), tab.room.text(), tab.priority.value()) == ("A1", "R1", 2)


def test_delete_cancelled_keeps_machine(
    qtbot, dialog: SiteEditorDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.save_machine(Machine("KEEP"))
    dialog.reload()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    click(qtbot, dialog, "machine_delete")
    assert [m.name for m in site.list_machines()] == ["KEEP"]


# --- Starter kit and recovery tests --------------------------------------------------------


def test_starter_kit_saved(qtbot, dialog: SiteEditorDialog) -> None:
    assert dialog.kit_tab.kit.toPlainText().splitlines() == list(site.DEFAULT_STARTER_KIT)
    type_into(dialog, "starter_kit", "Printed plan\n\nBoot DVD of the server\n")
    click(qtbot, dialog, "starter_kit_save")
    assert site.get_starter_kit() == ("Printed plan", "Boot DVD of the server")
    assert "2 items" in dialog.status.text()


def record(qtbot, dialog: SiteEditorDialog, day: dt.date, outcome: RecoveryOutcome) -> None:
    click(qtbot, dialog, "test_record")
    sub = dialog.kit_tab.record_dialog
    assert sub is not None and sub.isVisible()
    sub.date.setDate(QDate(day.year, day.month, day.day))
    sub.outcome.setCurrentIndex(sub.outcome.findData(outcome.value))
    sub.notes.setPlainText("Restored the database in 4 h")
    qtbot.mouseClick(
        sub.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )


def test_recording_a_test_updates_the_warning(qtbot, dialog: SiteEditorDialog) -> None:
    warning = dialog.kit_tab.warning
    assert warning.text().startswith(WARNING_SIGN)
    assert "No successful recovery test" in warning.text()
    assert "#d55e00" in warning.styleSheet().lower()  # vermillion, with the sign

    record(qtbot, dialog, TODAY - dt.timedelta(days=400), RecoveryOutcome.SUCCESS)
    assert warning.text().startswith(WARNING_SIGN)
    assert "400 days ago" in warning.text()

    record(qtbot, dialog, TODAY - dt.timedelta(days=10), RecoveryOutcome.FAILED)
    assert "400 days ago" in warning.text()  # a failed test does not count

    record(qtbot, dialog, TODAY - dt.timedelta(days=3), RecoveryOutcome.SUCCESS)
    assert not warning.text().startswith(WARNING_SIGN)
    assert "3 days ago" in warning.text()
    assert warning.styleSheet() == ""
    tests = site.list_recovery_tests()
    assert [(t.tested_on, t.outcome) for t in tests] == [
        (TODAY - dt.timedelta(days=3), RecoveryOutcome.SUCCESS),
        (TODAY - dt.timedelta(days=10), RecoveryOutcome.FAILED),
        (TODAY - dt.timedelta(days=400), RecoveryOutcome.SUCCESS),
    ]
    assert tests[0].notes == "Restored the database in 4 h"
    assert dialog.kit_tab.model.rowCount() == 3
    assert "Recorded" in dialog.status.text()


def test_future_test_refused_in_the_dialog(qtbot, dialog: SiteEditorDialog) -> None:
    record(qtbot, dialog, TODAY + dt.timedelta(days=1), RecoveryOutcome.SUCCESS)
    sub = dialog.kit_tab.record_dialog
    assert sub is not None and sub.isVisible()  # stays open with the reason
    assert sub.error.text() == f"{WARNING_SIGN} test date: 2026-06-16 is in the future"
    assert site.list_recovery_tests() == []
    sub.reject()


def test_delete_a_test(qtbot, dialog: SiteEditorDialog, answer_yes) -> None:
    site.record_recovery_test(TODAY - dt.timedelta(days=30), RecoveryOutcome.SUCCESS, today=TODAY)
    dialog.kit_tab.reload_tests()
    assert not dialog.kit_tab.warning.text().startswith(WARNING_SIGN)
    assert not dialog.kit_tab.delete_button.isEnabled()
    dialog.kit_tab.table.selectRow(0)
    click(qtbot, dialog, "test_delete")
    assert site.list_recovery_tests() == []
    assert dialog.kit_tab.warning.text().startswith(WARNING_SIGN)
    assert dialog.kit_tab.model.rowCount() == 0


# --- Keyboard and accessibility ------------------------------------------------------------


def test_editors_reachable_by_keyboard(dialog: SiteEditorDialog) -> None:
    names = [
        "server_name",
        "server_options",
        "server_db_paths",
        "server_licenses",
        "server_save",
        "import_VOLHIST",
        "instructions_GENERAL",
        "machine_list",
        "machine_name",
        "machine_priority",
        "machine_server",
        "machine_media",
        "machine_save",
        "media_list",
        "media_type",
        "media_volumes",
        "starter_kit",
        "test_table",
        "test_record",
    ]
    for name in names:
        widget = dialog.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, name
        if isinstance(widget, QPlainTextEdit):
            assert widget.tabChangesFocus(), name
    for name in ("machine_list", "media_list", "machine_media", "test_table"):
        assert dialog.findChild(QWidget, name).accessibleName(), name
