"""MtxLibrary.check_label through the fake mtx, mt and dd: real subprocesses all the way."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from drm_gui.library.base import (
    CancelledError,
    CommandFailedError,
    DeviceMissingError,
    DriveNeedsUnloadError,
    LibraryTimeoutError,
    NotReadyError,
    SourceEmptyError,
)
from drm_gui.library.mtx import MtxLibrary
from tests.fake_mtx import (
    DD,
    MT,
    MTX,
    drive_history,
    drive_tags,
    fake_env,
    make_state,
    read_state,
    set_faults,
    slot_tags,
)

DEV = "/dev/sg3"
HOME = {1: "A00001L8", 2: "A00002L8", 3: "A00003L8"}


def library(state_path: Path, **options: object) -> MtxLibrary:
    settings: dict[str, object] = {
        "drive_devices": ["/dev/nst0", "/dev/nst1"],
        "mt_path": str(MT),
        "label_command": [str(DD), "if={device}", "bs=262144", "count=1"],
        "ready_poll": 0.01,
        "ready_timeout": 2.0,
    }
    settings.update(options)
    return MtxLibrary(DEV, str(MTX), env=fake_env(state_path), **settings)  # type: ignore[arg-type]


def commands(state_path: Path) -> list[str]:
    return [" ".join(argv[2:]) for argv in read_state(state_path)["history"]]


def tools(state_path: Path) -> list[str]:
    return [" ".join(call) for call in drive_history(state_path)]


@pytest.fixture
def lib(state_path: Path) -> MtxLibrary:
    make_state(
        state_path,
        drives=2,
        slots=6,
        io_slots=1,
        tags=HOME,
        loaded={1: ("A00004L8", 4)},
        labels={
            "A00002L8": {"format": "bareos", "name": "OTHER-0001"},
            "A00003L8": {"format": "blank"},
        },
    )
    return library(state_path)


def test_reads_the_label_and_puts_the_tape_back(lib: MtxLibrary, state_path: Path) -> None:
    lines: list[str] = []
    check = lib.check_label("A00001L8", 0, lines.append)
    assert (check.volume_tag, check.label, check.format, check.blank) == (
        "A00001L8",
        "A00001",
        "ANSI",
        False,
    )
    assert check.matches
    assert slot_tags(state_path) == HOME and drive_tags(state_path) == {1: "A00004L8"}
    assert lines == [
        "Moving A00001L8 from Slot 1 to Drive 0…",
        "Reading the label of A00001L8 in drive 0…",
        "Moving A00001L8 from Drive 0 to Slot 1…",
    ]
    assert commands(state_path) == [
        "status",
        "load 1 0",
        "status",
        "status",
        "unload 1 0",
        "status",
    ]
    assert tools(state_path) == [
        "mt -f /dev/nst0 status",
        "mt -f /dev/nst0 rewind",
        "dd if=/dev/nst0 bs=262144 count=1",
        "mt -f /dev/nst0 offline",
    ]


def test_a_label_of_another_tape(lib: MtxLibrary, state_path: Path) -> None:
    check = lib.check_label("A00002L8")
    assert (check.label, check.format, check.matches) == ("OTHER-0001", "Bareos", False)
    assert check.problem == "A00002L8: the tape is labelled 'OTHER-0001', not A00002L8"
    assert slot_tags(state_path) == HOME


def test_a_blank_tape(lib: MtxLibrary, state_path: Path) -> None:
    check = lib.check_label("A00003L8")
    assert check.blank and check.label is None and not check.matches
    assert slot_tags(state_path) == HOME


@pytest.mark.parametrize(
    ("label", "name", "kind"),
    [
        ({"format": "ltfs", "name": "A00005"}, "A00005", "LTFS"),
        ({"format": "ibm_sl", "name": "A00005"}, "A00005", "IBM SL"),
        ({"format": "amanda", "name": "Daily-05"}, "Daily-05", "Amanda"),
        ({"format": "bacula", "name": "A00005L8"}, "A00005L8", "Bacula"),
    ],
)
def test_label_formats(label: dict[str, str], name: str, kind: str, state_path: Path) -> None:
    make_state(state_path, drives=1, slots=2, tags={1: "A00005L8"}, labels={"A00005L8": label})
    check = library(state_path).check_label("A00005L8")
    assert (check.label, check.format) == (name, kind)


def test_a_tape_already_in_a_drive_is_read_there(lib: MtxLibrary, state_path: Path) -> None:
    check = lib.check_label("A00004L8", 0)
    assert check.label == "A00004"
    assert drive_tags(state_path) == {1: "A00004L8"}
    assert commands(state_path) == ["status"]
    assert tools(state_path)[0] == "mt -f /dev/nst1 status"


def test_waits_until_the_drive_is_ready(lib: MtxLibrary, state_path: Path) -> None:
    set_faults(state_path, drive_not_ready=2)
    lines: list[str] = []
    assert lib.check_label("A00001L8", 0, lines.append).matches
    assert "Waiting for drive 0 to be ready…" in lines
    assert tools(state_path)[:3] == ["mt -f /dev/nst0 status"] * 3


def test_a_drive_that_never_gets_ready(lib: MtxLibrary, state_path: Path) -> None:
    set_faults(state_path, drive_never_ready=[0])
    lib.tape_drives.ready_timeout = 0.2
    with pytest.raises(LibraryTimeoutError, match=r"Drive 0 .*not ready within 0\.2 s"):
        lib.check_label("A00001L8")
    assert slot_tags(state_path) == HOME and drive_tags(state_path) == {1: "A00004L8"}


def test_a_busy_drive(lib: MtxLibrary, state_path: Path) -> None:
    set_faults(state_path, drive_busy=[0])
    with pytest.raises(NotReadyError, match="in use by another program") as caught:
        lib.check_label("A00001L8")
    assert "Device or resource busy" in caught.value.raw
    assert slot_tags(state_path) == HOME  # the robot took it back even so


def test_a_wrong_drive_device(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=2, tags={1: "A00001L8"})
    lib = library(state_path, drive_devices=["/dev/nst7"])
    with pytest.raises(DeviceMissingError, match="/dev/nst7 was not found"):
        lib.check_label("A00001L8")
    assert slot_tags(state_path) == {1: "A00001L8"}


def test_without_drive_devices_nothing_moves(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=2, tags={1: "A00001L8"})
    with pytest.raises(CommandFailedError, match="No tape drive devices are set"):
        library(state_path, drive_devices=[]).check_label("A00001L8")
    assert commands(state_path) == []


def test_mt_missing(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=2, tags={1: "A00001L8"})
    lib = library(state_path, mt_path=str(state_path.parent / "no-such-mt"))
    with pytest.raises(CommandFailedError, match="no-such-mt was not found"):
        lib.check_label("A00001L8")


def test_offline_before_the_robot_takes_the_tape(lib: MtxLibrary, state_path: Path) -> None:
    set_faults(state_path, drive_needs_offline=[0])
    assert lib.check_label("A00001L8").matches  # "mt offline" ejected it for the robot
    set_faults(state_path, drive_needs_offline=[0])
    lib.tape_drives.offline_before_unload = False
    with pytest.raises(DriveNeedsUnloadError):
        lib.check_label("A00001L8")
    assert drive_tags(state_path)[0] == "A00001L8"  # left in the drive: the message says so


def test_cancel_while_waiting_puts_the_tape_back(lib: MtxLibrary, state_path: Path) -> None:
    set_faults(state_path, drive_never_ready=[0])
    stop = threading.Event()

    def progress(text: str) -> None:
        if text.startswith("Waiting"):
            stop.set()

    with pytest.raises(CancelledError):
        lib.check_label("A00001L8", 0, progress, stop)
    assert slot_tags(state_path) == HOME


def test_a_tape_that_is_not_there(lib: MtxLibrary, state_path: Path) -> None:
    with pytest.raises(SourceEmptyError, match="ZZZ is not in the library"):
        lib.check_label("ZZZ")
    assert commands(state_path) == ["status"]
