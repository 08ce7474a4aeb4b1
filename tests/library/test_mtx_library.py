"""MtxLibrary against the fake mtx: real subprocesses, timeouts, verification, workflows."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from drm_gui.library.base import (
    CancelledError,
    CommandFailedError,
    DestinationFullError,
    DeviceMissingError,
    DoorOpenError,
    HardwareError,
    InvalidElementError,
    IOStationFullError,
    LibraryTimeoutError,
    Location,
    MoveNotVerifiedError,
    NoPermissionError,
    NotReadyError,
    ParseError,
    SourceEmptyError,
    TapeLibrary,
    UnitAttentionError,
)
from drm_gui.library.mtx import MtxLibrary
from tests.fake_mtx import (
    MTX,
    drive_tags,
    expected_inventory,
    fake_env,
    make_state,
    read_state,
    set_faults,
    slot_tags,
)

DEV = "/dev/sg3"


def library(state_path: Path, **options: object) -> MtxLibrary:
    return MtxLibrary(DEV, str(MTX), env=fake_env(state_path), **options)  # type: ignore[arg-type]


def commands(state_path: Path) -> list[str]:
    """The mtx commands the library ran, without "-f DEVICE"."""
    return [" ".join(argv[2:]) for argv in read_state(state_path)["history"]]


@pytest.fixture
def lib(state_path: Path) -> MtxLibrary:
    make_state(
        state_path,
        drives=2,
        slots=8,
        io_slots=2,
        tags={1: "A00001L8", 2: "A00002L8", 4: "A00004L8", 5: "A00005L8"},
        loaded={0: ("A00003L8", 3)},
    )
    return library(state_path)


def test_is_a_tape_library(lib: MtxLibrary) -> None:
    assert isinstance(lib, TapeLibrary)


def test_inventory(lib: MtxLibrary, state_path: Path) -> None:
    lines: list[str] = []
    inv = lib.inventory(lines.append)
    assert inv == expected_inventory(read_state(state_path), DEV)
    assert lib.last_inventory == inv
    assert lines == ["Reading the library's inventory…"]
    assert commands(state_path) == ["status"]


def test_inventory_with_a_rescan(lib: MtxLibrary, state_path: Path) -> None:
    lib.inventory(rescan=True)
    assert commands(state_path) == ["inventory", "status"]


def test_flags_go_on_every_command(state_path: Path) -> None:
    make_state(state_path, tags={1: "A1"})
    lib = library(state_path, altres=True, nobarcode=True)
    inv = lib.inventory()
    assert inv.slot(1).full and inv.slot(1).volume_tag is None
    assert commands(state_path) == ["altres nobarcode status"]


def test_the_environment_is_pinned(state_path: Path) -> None:
    env = fake_env(state_path, TAPE="/dev/nst0", CHANGER="/dev/sg9", LANG="de_DE.UTF-8")
    lib = MtxLibrary(DEV, str(MTX), env=env)
    pinned = lib._environment()
    assert "TAPE" not in pinned and "CHANGER" not in pinned
    assert pinned["LC_ALL"] == "C" and pinned["LANG"] == "C"
    assert lib.command_line("status") == [str(MTX), "-f", DEV, "status"]


# -- moves, verified --------------------------------------------------------------------------


def test_load_and_unload_back_home(lib: MtxLibrary, state_path: Path) -> None:
    inv = lib.load(1, 1)
    assert inv.drive(1).volume_tag == "A00001L8" and inv.slot(1).empty
    assert drive_tags(state_path) == {0: "A00003L8", 1: "A00001L8"}
    inv = lib.unload(1)
    assert inv.slot(1).volume_tag == "A00001L8"
    inv = lib.unload(0)
    assert inv.slot(3).volume_tag == "A00003L8"
    assert commands(state_path) == [
        "status",
        "load 1 1",
        "status",
        "status",
        "unload 1 1",
        "status",
        "status",
        "unload 3 0",
        "status",
    ]


def test_unload_without_a_free_home_goes_to_the_lowest_free_slot(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=4, tags={1: "A1", 2: "A2"}, loaded={0: ("D", 2)})
    inv = library(state_path).unload(0)
    assert inv.slot(3).volume_tag == "D"


def test_move_between_any_two_places(lib: MtxLibrary, state_path: Path) -> None:
    lines: list[str] = []
    lib.move(Location.of_slot(2), Location.of_slot(9), lines.append)
    assert lines == ["Moving A00002L8 from Slot 2 to I/O slot 9…"]
    lib.move(Location.of_drive(0), Location.of_drive(1))  # through the lowest free slot
    assert drive_tags(state_path) == {1: "A00003L8"}
    assert commands(state_path)[-4:] == ["unload 2 0", "status", "load 2 1", "status"]


@pytest.mark.parametrize(
    ("source", "destination", "kind"),
    [
        (Location.of_slot(3), Location.of_slot(6), SourceEmptyError),
        (Location.of_slot(1), Location.of_slot(2), DestinationFullError),
        (Location.of_slot(1), Location.of_drive(0), DestinationFullError),
        (Location.of_slot(1), Location.of_slot(1), InvalidElementError),
        (Location.of_slot(11), Location.of_slot(6), InvalidElementError),
        (Location.of_drive(4), Location.of_slot(6), InvalidElementError),
    ],
)
def test_refused_before_the_robot_moves(
    source: Location, destination: Location, kind: type, lib: MtxLibrary, state_path: Path
) -> None:
    with pytest.raises(kind):
        lib.move(source, destination)
    assert commands(state_path) == ["status"]


def test_a_full_mail_slot_is_an_io_station_error(lib: MtxLibrary, state_path: Path) -> None:
    lib.move(Location.of_slot(1), Location.of_slot(9))
    with pytest.raises(IOStationFullError, match="I/O slot 9"):
        lib.move(Location.of_slot(2), Location.of_slot(9))


def test_a_move_that_did_not_happen_is_caught(lib: MtxLibrary, state_path: Path) -> None:
    set_faults(state_path, lie_on_move=True)
    with pytest.raises(MoveNotVerifiedError, match="A00001L8 is still in Slot 1"):
        lib.load(1, 1)


def test_unit_attention_on_a_move_is_retried_once(lib: MtxLibrary, state_path: Path) -> None:
    set_faults(state_path, unit_attention_on_move=1)
    inv = lib.load(1, 1)
    assert inv.drive(1).volume_tag == "A00001L8"
    assert commands(state_path) == ["status", "load 1 1", "status", "load 1 1", "status"]
    set_faults(state_path, unit_attention_on_move=2)
    with pytest.raises(UnitAttentionError):
        lib.unload(1)


def test_status_after_a_unit_attention_is_read_again(lib: MtxLibrary, state_path: Path) -> None:
    set_faults(state_path, unit_attention=1)
    inv = lib.inventory()
    assert [s.number for s in inv.io_slots] == [9, 10]
    assert commands(state_path) == ["status", "status"]


def test_a_vanished_io_station_is_read_again(lib: MtxLibrary, state_path: Path) -> None:
    lib.inventory()
    set_faults(state_path, mode_sense_fails=True)
    inv = lib.inventory()  # still without I/O slots after the second read: reported as is
    assert inv.io_slots == () and commands(state_path) == ["status", "status", "status"]


@pytest.mark.parametrize(
    ("faults", "kind"),
    [
        ({"offline": True}, NotReadyError),
        ({"becoming_ready": 5}, NotReadyError),
        ({"hardware_error_on": ["status"]}, HardwareError),
        ({"open_error": "Permission denied"}, NoPermissionError),
        ({"not_sg": True}, DeviceMissingError),
    ],
)
def test_status_faults(
    faults: dict[str, object], kind: type, lib: MtxLibrary, state_path: Path
) -> None:
    set_faults(state_path, **faults)
    with pytest.raises(kind) as caught:
        lib.inventory()
    assert caught.value.raw  # the device's words, for the log


def test_move_faults(lib: MtxLibrary, state_path: Path) -> None:
    set_faults(state_path, door_open=True)
    with pytest.raises(DoorOpenError) as caught:
        lib.load(1, 1)
    assert "MOVE MEDIUM from Element Address 1000 to 257 Failed" in caught.value.raw
    assert slot_tags(state_path)[1] == "A00001L8"


def test_a_hang_becomes_a_timeout(lib: MtxLibrary, state_path: Path) -> None:
    lib.move_timeout = 1.0
    set_faults(state_path, hang_on=["transfer"])
    started = time.monotonic()
    with pytest.raises(LibraryTimeoutError, match=r"within 1 s \(transfer 1 6\)"):
        lib.move(Location.of_slot(1), Location.of_slot(6))
    assert time.monotonic() - started < 10
    set_faults(state_path, hang_on=None)
    assert lib.inventory().slot(1).full  # the killed fake left the robot free


def test_mtx_missing(state_path: Path) -> None:
    make_state(state_path)
    lib = MtxLibrary(DEV, str(state_path.parent / "no-such-mtx"), env=fake_env(state_path))
    with pytest.raises(CommandFailedError, match="mtx program was not found"):
        lib.inventory()


def test_garbage_from_mtx_is_a_parse_error(tmp_path: Path) -> None:
    script = tmp_path / "mtx"
    script.write_text(
        "#!/bin/sh\n"
        "echo '  Storage Changer /dev/sg3:1 Drives, 1 Slots ( 0 Import/Export )'\n"
        "echo nonsense\n"
    )
    script.chmod(0o755)
    with pytest.raises(ParseError) as caught:
        MtxLibrary(DEV, str(script)).inventory()
    assert caught.value.line_number == 2 and caught.value.line == "nonsense"
    assert "nonsense" in caught.value.raw


# -- workflows: export for the courier, import from the I/O station ---------------------------


def test_eject_to_the_io_station(lib: MtxLibrary, state_path: Path) -> None:
    lines: list[str] = []
    inv = lib.eject(["A00004L8", "A00003L8"], lines.append)
    assert [(s.number, s.volume_tag) for s in inv.full_io_slots()] == [
        (9, "A00004L8"),
        (10, "A00003L8"),
    ]
    assert lines == [
        "Moving A00004L8 from Slot 4 to I/O slot 9…",
        "Moving A00003L8 from Drive 0 to I/O slot 10…",
    ]
    assert "unload 10 0" in commands(state_path)


def test_eject_checks_room_before_touching_the_robot(lib: MtxLibrary, state_path: Path) -> None:
    with pytest.raises(IOStationFullError, match="2 free, 3 requested"):
        lib.eject(["A00001L8", "A00002L8", "A00004L8"])
    assert commands(state_path) == ["status"]


def test_eject_unknown_and_already_ejected_tapes(lib: MtxLibrary, state_path: Path) -> None:
    with pytest.raises(SourceEmptyError, match="ZZZ is not in the library"):
        lib.eject(["ZZZ"])
    lib.eject(["A00001L8"])
    inv = lib.eject(["A00001L8", "A00002L8"])  # A00001L8 is already out: only one moves
    assert [s.volume_tag for s in inv.full_io_slots()] == ["A00001L8", "A00002L8"]


def test_cancel_between_moves(lib: MtxLibrary, state_path: Path) -> None:
    stop = threading.Event()

    def progress(text: str) -> None:
        stop.set()  # the operator presses Stop while the first tape moves

    with pytest.raises(CancelledError, match="after 1 of 2 tapes"):
        lib.eject(["A00001L8", "A00002L8"], progress, stop)
    assert slot_tags(state_path)[9] == "A00001L8" and slot_tags(state_path)[2] == "A00002L8"
    with pytest.raises(CancelledError):
        lib.inventory(cancel=stop)


def test_import_goes_home_when_it_can(lib: MtxLibrary, state_path: Path) -> None:
    lib.eject(["A00001L8", "A00002L8"])
    lib.move(Location.of_slot(4), Location.of_slot(2))  # someone took A00002L8's home
    inv = lib.import_from_io({"A00001L8": 1, "A00002L8": 2})
    assert inv.slot(1).volume_tag == "A00001L8"
    assert inv.slot(4).volume_tag == "A00002L8"  # the lowest free slot instead
    assert inv.full_io_slots() == []


def test_import_without_room(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=1, io_slots=1, tags={1: "A", 2: "B"})
    with pytest.raises(DestinationFullError, match="no free storage slot for B"):
        library(state_path).import_from_io()


# -- an I/O station the library does not report -----------------------------------------------


def test_io_slots_named_in_the_settings(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=10, io_slots=0, tags={1: "A00001L8"})
    lib = library(state_path, io_slots=(9, 10))
    inv = lib.inventory()
    assert [s.number for s in inv.io_slots] == [9, 10]
    assert [s.number for s in inv.storage_slots] == list(range(1, 9))
    inv = lib.eject(["A00001L8"])
    assert [(s.number, s.volume_tag) for s in inv.full_io_slots()] == [(9, "A00001L8")]
    assert commands(state_path)[-2:] == ["transfer 1 9", "status"]


def test_io_slots_the_library_does_not_have(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=4, io_slots=0)
    with pytest.raises(InvalidElementError, match="name I/O slots 9, but the library has slots 1"):
        library(state_path, io_slots=(4, 9)).inventory()
