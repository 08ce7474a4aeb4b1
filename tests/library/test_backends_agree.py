"""The simulated library answers as the mtx backend does: same results, same errors.

Each case runs on the mtx backend through the fake mtx and on the simulator, both holding
the same tapes; the caller must not be able to tell them apart.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from drm_gui.library.base import Inventory, LibraryError, Location, TapeLibrary
from drm_gui.library.mtx import MtxLibrary
from drm_gui.library.simulated import SimulatedLibrary
from tests.fake_mtx import MTX, fake_env, make_state, set_faults

TAGS = {1: "A00001L8", 2: "A00002L8", 4: "A00004L8", 5: "A00005L8", 9: "R00009L8"}
LOADED = {0: ("A00003L8", 3)}


def mtx_library(state_path: Path) -> MtxLibrary:
    make_state(state_path, drives=2, slots=8, io_slots=2, tags=TAGS, loaded=LOADED)
    return MtxLibrary("/dev/sg3", str(MTX), env=fake_env(state_path))


def simulated_library() -> SimulatedLibrary:
    return SimulatedLibrary(2, 8, 2, move_delay=0, tags=TAGS, loaded=LOADED)


def picture(inventory: Inventory) -> list[tuple[str, str | None]]:
    return [(e.label, e.volume_tag) for e in inventory.elements]


Call = Callable[[TapeLibrary], object]

CASES: dict[str, Call] = {
    "eject too many": lambda lib: lib.eject(["A00001L8", "A00002L8"]),
    "eject unknown": lambda lib: lib.eject(["ZZZ"]),
    "move from an empty slot": lambda lib: lib.move(Location.of_slot(3), Location.of_slot(6)),
    "move to a full slot": lambda lib: lib.move(Location.of_slot(1), Location.of_slot(2)),
    "move to a full I/O slot": lambda lib: lib.move(Location.of_slot(1), Location.of_slot(9)),
    "load into a full drive": lambda lib: lib.load(1, 0),
    "no such slot": lambda lib: lib.move(Location.of_slot(11), Location.of_slot(6)),
    "no such drive": lambda lib: lib.unload(4),
    "unload into a full slot": lambda lib: lib.unload(0, 1),
    "same place": lambda lib: lib.move(Location.of_slot(1), Location.of_slot(1)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_same_error_for_the_same_mistake(case: str, state_path: Path) -> None:
    errors: list[LibraryError] = []
    for lib in (mtx_library(state_path), simulated_library()):
        with pytest.raises(LibraryError) as caught:
            CASES[case](lib)
        errors.append(caught.value)
    real, simulated = errors
    assert type(real) is type(simulated)
    assert real.message == simulated.message


FAULTS = {
    "offline": ({"offline": True}, {"offline": True}, lambda lib: lib.inventory()),
    "door open": ({"door_open": True}, {"door_open": True}, lambda lib: lib.load(1, 1)),
    "I/O station open": (
        {"ie_open": True},
        {"io_station_open": True},
        lambda lib: lib.eject(["A00001L8"]),
    ),
    "hardware error": (
        {"hardware_error_on": ["transfer"]},
        {"hardware_error_on_move": 1},
        lambda lib: lib.eject(["A00001L8"]),
    ),
    "lie": ({"lie_on_move": 1}, {"lie_on_move": 1}, lambda lib: lib.load(1, 1)),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_same_error_for_the_same_fault(fault: str, state_path: Path) -> None:
    fake_faults, simulated_faults, call = FAULTS[fault]
    real = mtx_library(state_path)
    set_faults(state_path, **fake_faults)
    simulated = simulated_library()
    simulated.inject(**simulated_faults)
    kinds = []
    for lib in (real, simulated):
        with pytest.raises(LibraryError) as caught:
            call(lib)
        kinds.append(type(caught.value))
    assert kinds[0] is kinds[1]
    set_faults(state_path, **{name: None for name in fake_faults})
    simulated.inject(**{name: type(value)() for name, value in simulated_faults.items()})
    assert picture(real.inventory()) == picture(simulated.inventory())  # nothing moved


def test_same_results_for_a_day_of_work(state_path: Path) -> None:
    pictures = []
    for lib in (mtx_library(state_path), simulated_library()):
        lib.eject(["A00004L8"])
        lib.import_from_io({"R00009L8": 6})
        lib.eject(["A00003L8"])  # from the drive
        lib.load(1, 1)
        lib.move(Location.of_drive(1), Location.of_drive(0))
        lib.unload(0, 7)
        pictures.append(picture(lib.inventory()))
    assert pictures[0] == pictures[1]
