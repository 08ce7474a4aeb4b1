"""The simulated library: every job, every fault, cancel between steps, threads."""

from __future__ import annotations

import threading
import time

import pytest

from drm_gui.library.base import (
    CancelledError,
    DestinationFullError,
    DoorOpenError,
    HardwareError,
    InvalidElementError,
    IOStationFullError,
    IOStationOpenError,
    LibraryTimeoutError,
    Location,
    MoveNotVerifiedError,
    NotReadyError,
    SourceEmptyError,
    TapeLibrary,
)
from drm_gui.library.simulated import SimulatedLibrary


@pytest.fixture
def lib() -> SimulatedLibrary:
    """2 drives, 8 slots, I/O slots 9 and 10; the same layout as the mtx backend's tests."""
    return SimulatedLibrary(
        2,
        8,
        2,
        move_delay=0,
        tags={1: "A00001L8", 2: "A00002L8", 4: "A00004L8", 5: "A00005L8"},
        loaded={0: ("A00003L8", 3)},
    )


def tags(lib: SimulatedLibrary) -> dict[str, str]:
    """Element label → barcode of every full element."""
    return {e.label: e.volume_tag or "" for e in lib.inventory().elements if e.full}


def test_is_a_tape_library(lib: SimulatedLibrary) -> None:
    assert isinstance(lib, TapeLibrary)
    assert repr(lib) == "SimulatedLibrary(2 drives, 8 slots, 2 I/O)"


def test_inventory(lib: SimulatedLibrary) -> None:
    lines: list[str] = []
    inv = lib.inventory(lines.append)
    assert lines == ["Reading the library's inventory…"]
    assert inv.changer == "simulated"
    assert [s.number for s in inv.io_slots] == [9, 10]
    assert inv.drive(0).volume_tag == "A00003L8" and inv.drive(0).loaded_from == 3
    assert [s.number for s in inv.full_slots()] == [1, 2, 4, 5]
    assert lib.inventory(rescan=True) == inv


def test_load_unload_and_moves(lib: SimulatedLibrary) -> None:
    inv = lib.load(1, 1)
    assert inv.drive(1).volume_tag == "A00001L8" and inv.drive(1).loaded_from == 1
    assert lib.unload(1).slot(1).volume_tag == "A00001L8"
    assert lib.unload(0).slot(3).volume_tag == "A00003L8"  # back to its source slot
    lines: list[str] = []
    lib.move(Location.of_slot(2), Location.of_slot(9), lines.append)
    assert lines == ["Moving A00002L8 from Slot 2 to I/O slot 9…"]
    lib.load(4, 0)
    inv = lib.move(Location.of_drive(0), Location.of_drive(1))  # through a free slot
    assert inv.drive(1).volume_tag == "A00004L8" and inv.drive(0).empty
    assert lib.moves == 7


def test_unload_without_a_free_home(lib: SimulatedLibrary) -> None:
    lib.move(Location.of_slot(1), Location.of_slot(3))  # fills drive 0's home
    assert lib.unload(0).slot(1).volume_tag == "A00003L8"  # the lowest free slot


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
    source: Location, destination: Location, kind: type, lib: SimulatedLibrary
) -> None:
    with pytest.raises(kind):
        lib.move(source, destination)
    assert lib.moves == 0


def test_eject_and_import(lib: SimulatedLibrary) -> None:
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
    lib.move(Location.of_slot(5), Location.of_slot(4))  # someone took A00004L8's home
    inv = lib.import_from_io({"A00004L8": 4, "A00003L8": 6})
    assert inv.slot(3).volume_tag == "A00004L8"  # the lowest free slot instead
    assert inv.slot(6).volume_tag == "A00003L8"  # home
    assert inv.full_io_slots() == []


def test_eject_checks_room_before_moving(lib: SimulatedLibrary) -> None:
    with pytest.raises(IOStationFullError, match="2 free, 3 requested"):
        lib.eject(["A00001L8", "A00002L8", "A00004L8"])
    with pytest.raises(SourceEmptyError, match="ZZZ is not in the library"):
        lib.eject(["ZZZ"])
    assert lib.moves == 0
    lib.eject(["A00001L8"])
    inv = lib.eject(["A00001L8", "A00002L8"])  # already out: only one moves
    assert [s.volume_tag for s in inv.full_io_slots()] == ["A00001L8", "A00002L8"]


def test_import_without_room() -> None:
    lib = SimulatedLibrary(1, 1, 1, move_delay=0, tags={1: "A", 2: "B"})
    with pytest.raises(DestinationFullError, match="no free storage slot for B"):
        lib.import_from_io()


def test_the_operators_hands(lib: SimulatedLibrary) -> None:
    lib.eject(["A00001L8", "A00002L8"])
    assert lib.take_io_station() == ["A00001L8", "A00002L8"]
    assert lib.take_io_station() == []
    assert lib.insert_io(["R00001L8"]) == [9]
    with pytest.raises(ValueError, match="already in the library"):
        lib.insert_io(["A00004L8"])
    with pytest.raises(IOStationFullError, match="1 free, 2 requested"):
        lib.insert_io(["X1", "X2"])
    assert tags(lib)["I/O slot 9"] == "R00001L8"


# -- faults -----------------------------------------------------------------------------------


def test_offline_answers_nothing(lib: SimulatedLibrary) -> None:
    lib.inject(offline=True)
    for call in (
        lib.inventory,
        lambda: lib.load(1, 1),
        lambda: lib.eject(["A00001L8"]),
        lambda: lib.import_from_io(),
        lambda: lib.check_label("A00001L8", 1),
        lambda: lib.unload(0),
    ):
        with pytest.raises(NotReadyError, match="offline"):
            call()
    lib.inject(offline=False)
    assert lib.moves == 0 and tags(lib)["Slot 1"] == "A00001L8"


def test_door_and_io_station_open(lib: SimulatedLibrary) -> None:
    lib.inject(door_open=True)
    lib.inventory()  # reading works with a door open
    with pytest.raises(DoorOpenError):
        lib.load(1, 1)
    lib.inject(door_open=False, io_station_open=True)
    lib.load(1, 1)  # not through the I/O station: fine
    with pytest.raises(IOStationOpenError):
        lib.eject(["A00002L8"])
    assert tags(lib)["Slot 2"] == "A00002L8"
    with pytest.raises(AttributeError):
        lib.inject(no_such_fault=True)


def test_hardware_error_on_the_nth_move(lib: SimulatedLibrary) -> None:
    lib.inject(hardware_error_on_move=2)
    with pytest.raises(HardwareError) as caught:
        lib.eject(["A00001L8", "A00002L8"])
    assert "hardware" in caught.value.message and caught.value.raw
    assert [s.volume_tag for s in lib.inventory().full_io_slots()] == ["A00001L8"]
    lib.eject(["A00002L8"])  # the fault fired once
    assert lib.faults.hardware_error_on_move == 0


def test_timeout_on_a_move(lib: SimulatedLibrary) -> None:
    lib.inject(timeout_on_move=1)
    with pytest.raises(LibraryTimeoutError, match="did not answer in time"):
        lib.load(1, 1)
    assert tags(lib)["Slot 1"] == "A00001L8"


def test_a_move_that_did_not_happen_is_caught(lib: SimulatedLibrary) -> None:
    lib.inject(lie_on_move=2)
    with pytest.raises(MoveNotVerifiedError, match="A00002L8 is still in Slot 2"):
        lib.eject(["A00001L8", "A00002L8"])
    assert [s.volume_tag for s in lib.inventory().full_io_slots()] == ["A00001L8"]


def test_check_label(lib: SimulatedLibrary) -> None:
    lines: list[str] = []
    check = lib.check_label("A00001L8", 1, lines.append)
    assert check.matches and check.label == "A00001L8"
    assert lines == [
        "Moving A00001L8 from Slot 1 to Drive 1…",
        "Reading the label of A00001L8 in drive 1…",
        "Moving A00001L8 from Drive 1 to Slot 1…",
    ]
    assert tags(lib)["Slot 1"] == "A00001L8"
    lib.inject(labels={"A00002L8": "OTHER1"}, blank={"A00004L8"})
    assert lib.check_label("A00002L8", 1).problem == (
        "A00002L8: the tape is labelled 'OTHER1', not A00002L8"
    )
    blank = lib.check_label("A00004L8", 1)
    assert blank.blank and not blank.matches
    assert lib.check_label("A00003L8", 1).matches  # read where it is: drive 0
    assert tags(lib)["Drive 0"] == "A00003L8"
    with pytest.raises(DestinationFullError, match="Drive 0 already holds a tape"):
        lib.check_label("A00005L8", 0)
    with pytest.raises(SourceEmptyError):
        lib.check_label("ZZZ", 1)


# -- cancel -----------------------------------------------------------------------------------


def test_cancel_between_moves(lib: SimulatedLibrary) -> None:
    stop = threading.Event()

    def progress(text: str) -> None:
        if "A00002L8" in text:
            stop.set()  # pressed while the second tape is about to move

    with pytest.raises(CancelledError, match="after 1 of 2 tapes"):
        lib.eject(["A00001L8", "A00002L8"], progress, stop)
    assert tags(lib)["I/O slot 9"] == "A00001L8" and tags(lib)["Slot 2"] == "A00002L8"
    with pytest.raises(CancelledError):
        lib.inventory(cancel=stop)


def test_cancel_during_a_slow_move_stops_before_it_is_made() -> None:
    lib = SimulatedLibrary(1, 4, 2, move_delay=5.0, tags={1: "A1", 2: "A2"})
    stop = threading.Event()
    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    with pytest.raises(CancelledError, match="after 0 of 2 tapes"):
        lib.eject(["A1", "A2"], cancel=stop)
    assert time.monotonic() - started < 1.0  # small steps, not the whole delay
    assert lib.moves == 0 and tags(lib) == {"Slot 1": "A1", "Slot 2": "A2"}


def test_cancel_while_reading_a_label_puts_the_tape_back() -> None:
    lib = SimulatedLibrary(1, 4, 1, move_delay=0.2, tags={1: "A1"})
    stop = threading.Event()

    def progress(text: str) -> None:
        if text.startswith("Reading the label"):
            stop.set()

    with pytest.raises(CancelledError):
        lib.check_label("A1", 0, progress, stop)
    assert tags(lib) == {"Slot 1": "A1"}


def test_delays_are_real_and_the_lock_is_free_meanwhile() -> None:
    lib = SimulatedLibrary(1, 4, 2, move_delay=0.3, tags={1: "A1"})
    worker = threading.Thread(target=lib.eject, args=(["A1"],))
    started = time.monotonic()
    worker.start()
    time.sleep(0.05)
    looked = time.monotonic()
    lib.inventory()  # the main thread is never held up by a move in progress
    assert time.monotonic() - looked < 0.1
    worker.join(5)
    assert time.monotonic() - started >= 0.3
    assert tags(lib) == {"I/O slot 5": "A1"}


def test_threads_never_lose_or_double_a_tape() -> None:
    names = [f"T{n:05d}L8" for n in range(1, 21)]
    lib = SimulatedLibrary(2, 30, 4, move_delay=0.001, tags=dict(enumerate(names, start=1)))
    errors: list[BaseException] = []
    stop = threading.Event()

    def robot() -> None:
        while not stop.is_set():
            inv = lib.inventory()
            try:
                if inv.free_io_slots() and inv.full_slots():
                    lib.eject([inv.full_slots()[-1].volume_tag or ""])
                elif inv.full_io_slots():
                    lib.import_from_io()
            except (IOStationFullError, SourceEmptyError, DestinationFullError):
                pass  # the operator's hands got there first: the inventory was stale
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

    def operator() -> None:
        taken: list[str] = []
        for _ in range(40):
            taken += lib.take_io_station()
            if taken:
                try:
                    lib.insert_io(taken[:1])
                    taken = taken[1:]
                except IOStationFullError:
                    pass
            time.sleep(0.002)
        while taken:
            try:
                lib.insert_io(taken[:1])
                taken = taken[1:]
            except IOStationFullError:
                time.sleep(0.002)

    threads = [threading.Thread(target=robot) for _ in range(2)]
    hands = threading.Thread(target=operator)
    for t in threads:
        t.start()
    hands.start()
    hands.join(30)
    stop.set()
    for t in threads:
        t.join(30)
    assert not errors
    everything = sorted(e.volume_tag or "" for e in lib.inventory().elements if e.full)
    assert everything == sorted(names)


# -- filled from the records ------------------------------------------------------------------


def test_with_tapes_puts_each_tape_home_or_in_the_next_free_slot() -> None:
    lib = SimulatedLibrary.with_tapes(
        {"A": 3, "B": None, "C": 3, "D": 99, "E": 1},
        in_io_station=["R1", "R2", "R3"],
        drives=1,
        slots=5,
        io_slots=2,
        move_delay=0,
    )
    assert tags(lib) == {
        "Slot 1": "E",
        "Slot 2": "B",
        "Slot 3": "A",
        "Slot 4": "C",
        "Slot 5": "D",
        "I/O slot 6": "R1",
        "I/O slot 7": "R2",
    }
    full = SimulatedLibrary.with_tapes([("A", None), ("B", None)], slots=1, io_slots=1)
    assert tags(full) == {"Slot 1": "A"}  # the rest is left out


def test_a_bad_layout_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        SimulatedLibrary(1, 2, 1, tags={9: "A"})
    with pytest.raises(ValueError, match="only once"):
        SimulatedLibrary(1, 2, 1, tags={1: "A", 2: "A"})
    with pytest.raises(ValueError):
        SimulatedLibrary(0, 2, 1)
