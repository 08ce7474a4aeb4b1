"""The library panel's drawing and job list, fed with plain inventories and a device."""

from __future__ import annotations

from drm_gui.core.states import DrmState
from drm_gui.gui.device import JobContext, LibraryDevice
from drm_gui.gui.library_grid import LibraryGrid, element_problem
from drm_gui.gui.library_panel import LibraryPanel
from drm_gui.library.base import Element, ElementKind, Inventory

STATES = {"A00001L8": DrmState.MOUNTABLE, "B00003L8": DrmState.VAULT}


def inventory() -> Inventory:
    return Inventory(
        "/dev/sg3",
        drives=(Element(ElementKind.DRIVE, 0, True, "A00001L8", loaded_from=2),),
        slots=(
            Element(ElementKind.STORAGE, 1, True, "B00003L8"),
            Element(ElementKind.STORAGE, 2, False),
            Element(ElementKind.STORAGE, 3, True, "ZZZ999L8"),
            Element(ElementKind.IMPORT_EXPORT, 4, True, "B00003L8X"),
        ),
    )


def test_problems_are_found_where_records_and_library_disagree():
    inv = inventory()
    assert element_problem(inv.drives[0], DrmState.MOUNTABLE) == ""
    assert "records say VAULT" in element_problem(inv.slots[0], DrmState.VAULT)
    assert element_problem(inv.slots[1], None) == ""  # empty
    assert element_problem(inv.slots[2], None) == "not in the database"


def test_grid_lays_out_every_element_and_describes_it(qtbot):
    grid = LibraryGrid(STATES.get)
    qtbot.addWidget(grid)
    grid.resize(500, 300)
    grid.set_inventory(inventory())
    grid.show()
    qtbot.waitExposed(grid)
    rect = grid.cell_of("B00003L8")
    assert rect is not None
    element = grid.element_at(rect.center())
    assert element is not None and element.number == 1
    assert "records say VAULT" in grid.describe(element)
    assert grid.minimumHeight() > 3 * 38
    grid.set_highlight({"A00001L8"})
    image = grid.grab()
    assert not image.isNull()


def test_panel_lists_jobs_and_their_states(qtbot):
    device = LibraryDevice(object(), "LIB1")  # type: ignore[arg-type]
    panel = LibraryPanel(device, STATES.get)
    qtbot.addWidget(panel)

    def job(_library: object, ctx: JobContext) -> str:
        ctx.progress("moved A00001L8 to I/O slot 4")
        return "ok"

    try:
        with qtbot.waitSignal(device.job_finished, timeout=5000):
            device.submit("Eject 1 tape", job)
        item = panel.job_list.topLevelItem(0)
        assert item.text(0) == "Eject 1 tape"
        assert item.text(1) == "Done"
        assert "I/O slot 4" in item.text(2)
        assert "moved A00001L8" in panel.log.toPlainText()
        assert "ready" in panel.title.text()
    finally:
        device.shutdown()


def test_settings_dialog_checks_fields_as_the_administrator_types(qtbot):
    from PySide6.QtWidgets import QDialogButtonBox

    from drm_gui.gui.library_settings import LibrarySettingsDialog
    from drm_gui.library.config import Backend, LibraryConfig

    dialog = LibrarySettingsDialog(LibraryConfig())
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled()
    dialog.fields["simulated.io_slots"].setText("lots")
    assert not ok.isEnabled()
    assert dialog.errors["simulated.io_slots"].isVisibleTo(dialog)
    assert dialog.errors["simulated.io_slots"].text()
    dialog.fields["simulated.io_slots"].setText("3")
    assert ok.isEnabled()
    dialog.backend.setCurrentIndex(dialog.backend.findData(Backend.MTX.value))
    dialog.fields["changer_device"].setText("/dev/sg3")
    dialog.fields["io_slots"].setText("41, 42")
    assert ok.isEnabled(), [e.text() for e in dialog.errors.values() if e.text()]
    config = dialog.result_config
    assert config is not None
    assert config.backend is Backend.MTX
    assert config.io_slots == (41, 42)
    assert config.simulated.io_slots == 3
