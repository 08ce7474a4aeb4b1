"""The plain values of drm_gui.library.base: elements, inventories, locations, errors."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from drm_gui.library.base import (
    CancelledError,
    Element,
    ElementKind,
    Inventory,
    IOStationFullError,
    LabelCheck,
    LibraryError,
    Location,
    ParseError,
    Sense,
    cancelled,
    report,
)

DRIVE, STORAGE, IE = ElementKind.DRIVE, ElementKind.STORAGE, ElementKind.IMPORT_EXPORT


@pytest.fixture
def inv() -> Inventory:
    return Inventory(
        changer="/dev/sg3",
        drives=(
            Element(DRIVE, 0, True, "A00003L8", loaded_from=3),
            Element(DRIVE, 1, False),
        ),
        slots=(
            Element(STORAGE, 1, True, "A00001L8"),
            Element(STORAGE, 2, True, None),
            Element(STORAGE, 3, False),
            Element(STORAGE, 4, False),
            Element(STORAGE, 5, True, "CLN001CU"),
            Element(IE, 6, True, "A00001L8"),
            Element(IE, 7, False),
        ),
    )


def test_values_are_frozen(inv: Inventory) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        inv.drives[0].full = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        inv.changer = "x"  # type: ignore[misc]
    assert hash(inv.slot(1)) == hash(Element(STORAGE, 1, True, "A00001L8"))


def test_element_properties(inv: Inventory) -> None:
    assert inv.slot(6).import_export and not inv.slot(1).import_export
    assert inv.drive(0).is_drive and inv.drive(1).empty
    assert inv.slot(5).is_cleaning and not inv.slot(1).is_cleaning
    assert [e.label for e in (inv.drive(0), inv.slot(3), inv.slot(7))] == [
        "Drive 0",
        "Slot 3",
        "I/O slot 7",
    ]
    assert inv.drive(0).location == Location.of_drive(0)
    assert inv.slot(6).location == Location(6)


def test_shape(inv: Inventory) -> None:
    assert inv.max_drives == 2
    assert [s.number for s in inv.storage_slots] == [1, 2, 3, 4, 5]
    assert [s.number for s in inv.io_slots] == [6, 7]
    assert len(inv.elements) == len(list(inv)) == 9


def test_lookups(inv: Inventory) -> None:
    assert inv.at(Location.of_drive(0)) is inv.drives[0]
    assert inv.at(Location.of_slot(7)) is inv.slots[6]
    with pytest.raises(KeyError):
        inv.slot(8)
    with pytest.raises(KeyError):
        inv.drive(2)
    assert inv.find("A00003L8") == inv.drive(0)
    assert inv.find("A00001L8") == inv.slot(1)  # the first in element order
    assert inv.find("NOPE") is None
    assert inv.volume_tags() == ["A00003L8", "A00001L8", "CLN001CU", "A00001L8"]
    assert inv.duplicate_tags() == ["A00001L8"]


def test_free_and_full(inv: Inventory) -> None:
    assert [s.number for s in inv.free_slots()] == [3, 4]
    assert [s.number for s in inv.free_slots(keep_drive_homes=True)] == [4]
    assert [s.number for s in inv.full_slots()] == [1, 2, 5]
    assert [s.number for s in inv.free_io_slots()] == [7]
    assert [s.number for s in inv.full_io_slots()] == [6]
    assert [d.number for d in inv.empty_drives()] == [1]
    assert [d.number for d in inv.full_drives()] == [0]
    assert [e.label for e in inv.unlabelled()] == ["Slot 2"]


def test_inventory_keeps_drives_and_slots_apart() -> None:
    with pytest.raises(ValueError, match="drive"):
        Inventory("x", drives=(Element(STORAGE, 1, False),))
    with pytest.raises(ValueError, match="drive"):
        Inventory("x", slots=(Element(DRIVE, 0, False),))


def test_location_text() -> None:
    assert str(Location.of_drive(1)) == "drive 1"
    assert str(Location.of_slot(12)) == "slot 12"
    assert Location.of_slot(3) != Location.of_drive(3)


def test_label_check() -> None:
    assert LabelCheck("A00001L8", "A00001L8", "Bareos").matches
    assert not LabelCheck("A00001L8", "A00002L8").matches
    assert not LabelCheck("A00001L8", None, blank=True).matches


def test_sense_text() -> None:
    assert str(Sense("Not Ready", 0x3A, 0x02)) == "Not Ready 3A/02"
    assert str(Sense("Unit Attention")) == "Unit Attention"
    assert Sense("No Sense", 0, 0).all_zero and not Sense("Not Ready", 0, 0).all_zero


def test_errors_carry_message_raw_and_sense() -> None:
    error = LibraryError("Close the door.", raw="dump", returncode=1, sense=Sense("Not Ready"))
    assert str(error) == error.message == "Close the door."
    assert (error.raw, error.returncode, error.sense) == ("dump", 1, Sense("Not Ready"))
    assert "Not Ready" in repr(error)
    assert IOStationFullError.for_request(1, 3).message.startswith(
        "The I/O station is full: 1 free, 3 requested."
    )
    assert isinstance(CancelledError(), LibraryError)


def test_parse_error_names_the_line() -> None:
    error = ParseError(7, "junk", "not a line of mtx status", raw="all of it")
    assert (error.line_number, error.line, error.reason, error.raw) == (
        7,
        "junk",
        "not a line of mtx status",
        "all of it",
    )
    assert "line 7: 'junk'" in error.message


def test_cancel_and_progress_helpers() -> None:
    stop = threading.Event()
    assert not cancelled(stop) and not cancelled(None)
    stop.set()
    assert cancelled(stop)
    seen: list[str] = []
    report(seen.append, "step")
    report(None, "nobody listens")
    assert seen == ["step"]
