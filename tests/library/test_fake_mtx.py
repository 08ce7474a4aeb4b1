"""The fake mtx through real subprocesses: its output against MTX.md and the shared captures,
the round trip through parse_status, every command, and every fault it can inject."""

from __future__ import annotations

import random
import subprocess
import threading
import time
from pathlib import Path

import pytest

from drm_gui.library.base import (
    CommandFailedError,
    DestinationFullError,
    DeviceMissingError,
    DoorOpenError,
    DriveNeedsUnloadError,
    HardwareError,
    IOStationOpenError,
    NoPermissionError,
    NotReadyError,
    Sense,
    SourceEmptyError,
    UnitAttentionError,
)
from drm_gui.library.mtx import classify_error, find_error, parse_sense, parse_status
from tests.fake_mtx import (
    FAKE_MTX_PY,
    MTX,
    barcodes,
    drive_tags,
    expected_inventory,
    fake_env,
    make_state,
    read_state,
    run_mtx,
    set_faults,
    slot_tags,
    update_state,
    write_state,
)
from tests.library.conftest import ERROR_FIXTURES, shared_fixture

DEV = "/dev/sg3"


def mtx(path: Path, *args: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    return run_mtx(path, "-f", DEV, *args, timeout=timeout)


def transcript(case: str) -> tuple[int, str, str]:
    folder = ERROR_FIXTURES / case
    return (
        int((folder / "returncode").read_text()),
        (folder / "stdout").read_text(),
        (folder / "stderr").read_text(),
    )


def assert_transcript(done: subprocess.CompletedProcess[str], case: str) -> None:
    rc, stdout, stderr = transcript(case)
    assert (done.returncode, done.stdout, done.stderr) == (rc, stdout, stderr)


# -- the executable itself --------------------------------------------------------------------


def test_the_wrapper_is_an_executable_script() -> None:
    assert MTX.is_file() and MTX.stat().st_mode & 0o111
    assert MTX.read_text().startswith("#!/bin/sh\n")
    assert FAKE_MTX_PY.is_file()


def test_found_on_path_as_mtx(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=2, io_slots=0)
    done = subprocess.run(
        ["mtx", "-f", DEV, "status"],
        env=fake_env(state_path),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith(
        f"  Storage Changer {DEV}:1 Drives, 2 Slots ( 0 Import/Export )\n"
    )


# -- byte for byte: MTX.md's transcripts ---------------------------------------------------------


def test_s4a_load_from_an_empty_slot(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=8, io_slots=1, tags={1: "A00001L8"})
    assert_transcript(mtx(state_path, "load", "5", "0"), "source_empty")


def test_s4b_load_into_a_full_drive(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=8, tags={5: "A5"}, loaded={0: ("A3", 3)})
    assert_transcript(mtx(state_path, "load", "5", "0"), "drive_full")


def test_s4c_unload_an_empty_drive(state_path: Path) -> None:
    make_state(state_path, drives=2, slots=8, tags={1: "A1"})
    assert_transcript(mtx(state_path, "unload", "3", "1"), "drive_empty")


def test_s4d_unload_into_a_full_slot(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=8, tags={2: "A2"}, loaded={0: ("A3", 3)})
    assert_transcript(mtx(state_path, "unload", "2", "0"), "slot_full")


def test_s4e_export_to_an_occupied_mail_slot(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=8, io_slots=1, tags={4: "A4", 9: "A9"})
    assert_transcript(mtx(state_path, "transfer", "4", "9"), "destination_full")


def test_s4f_export_while_the_mail_slot_is_open(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=8, io_slots=1, tags={4: "A4"}, faults={"ie_open": True})
    done = mtx(state_path, "transfer", "4", "9")
    assert_transcript(done, "mailslot_open")
    assert isinstance(classify_error(done.returncode, done.stdout, done.stderr), IOStationOpenError)
    assert slot_tags(state_path) == {4: "A4"}


def test_s4g_status_while_offline(state_path: Path) -> None:
    make_state(state_path, faults={"offline": True})
    assert_transcript(mtx(state_path, "status"), "status_offline")


def test_s4h_move_failed_without_sense_data(state_path: Path) -> None:
    make_state(
        state_path, drives=1, slots=8, tags={4: "A4"}, faults={"next_move_sense": [0, 0, 0, 0]}
    )
    assert_transcript(mtx(state_path, "load", "4", "0"), "no_sense_move")
    assert mtx(state_path, "load", "4", "0").returncode == 0  # once only


def test_e1_hardware_error_on_load(state_path: Path) -> None:
    make_state(
        state_path,
        drives=3,
        slots=8,
        tags={2: "A2"},
        addresses={"transport": 1, "drive_base": 500, "slot_base": 1000, "ie_base": 10},
        faults={"hardware_error_on": ["load"]},
    )
    done = run_mtx(state_path, "-f", "/dev/tape/by-id/scsi-SSTK_L700_XYZZY_A", "load", "2", "2")
    assert_transcript(done, "hardware_load")


def test_e2_e3_no_such_device(state_path: Path) -> None:
    env = fake_env(state_path)  # the state file does not exist: nothing answers
    done = run_mtx(state_path, "-f", "/dev/sg9", "status", env=env)
    assert_transcript(done, "open_enoent")
    done = run_mtx(state_path, "status", env=env)
    assert_transcript(done, "open_default_changer")


def test_e4_not_an_sg_device(state_path: Path) -> None:
    make_state(state_path, faults={"not_sg": True})
    assert_transcript(run_mtx(state_path, "-f", "/dev/null", "status"), "not_sg")


def test_e5_version(state_path: Path) -> None:
    assert_transcript(run_mtx(state_path, "--version"), "version")


# -- byte for byte: the shared captures ----------------------------------------------------------


def test_reproduces_the_mhvtl_capture(state_path: Path) -> None:
    expected = shared_fixture("mhvtl_spectra_4drives_37slots.status")
    inv = parse_status(expected)
    make_state(
        state_path,
        drives=4,
        slots=33,
        io_slots=4,
        tags={s.number: s.volume_tag for s in inv.slots if s.full},
        pad_tags=False,  # mhVTL pads its tags with NULs: nothing after the tag
    )
    assert run_mtx(state_path, "-f", "/dev/sg6", "status").stdout == expected


def test_reproduces_the_proxmox_capture(state_path: Path) -> None:
    expected = shared_fixture("proxmox_fixture_2drives_24slots.status")
    inv = parse_status(expected)
    make_state(
        state_path,
        drives=2,
        slots=20,
        io_slots=4,
        tags={s.number: s.volume_tag for s in inv.slots if s.full},
        pad_tags=False,
        header_indent=1,  # the capture lost one of mtx's two blanks
    )
    done = run_mtx(state_path, "-f", "/dev/tape/by-id/scsi-387408F60F0000", "status")
    assert done.stdout == expected


def test_reproduces_the_nobarcode_capture(state_path: Path) -> None:
    make_state(
        state_path,
        drives=2,
        slots=3,
        io_slots=1,
        tags={1: "A1", 2: "A2"},
        loaded={0: ("A3", 3)},
        barcode_reader=False,
    )
    assert mtx(state_path, "status").stdout == shared_fixture("synth_nobarcode.status")
    # and a reader switched off by the nobarcode flag prints the same
    update_state(state_path, barcode_reader=True)
    assert mtx(state_path, "nobarcode", "status").stdout == shared_fixture("synth_nobarcode.status")


def test_the_synthetic_unknown_source_is_not_what_mtx_prints(state_path: Path) -> None:
    """mtx gives a drive without a known source the first empty storage slot (mtxl.c pass 2);
    "Unknown Storage Element Loaded" only appears when no storage slot is empty."""
    expected = shared_fixture("synth_loaded_alt_innerblank.status")
    make_state(
        state_path,
        drives=3,
        slots=8,
        io_slots=2,
        tags={1: "A00001L8", 2: "A00002L8", 4: None, 5: "A00005L9", 6: "DG 001L8", 9: "A00009L8"},
        alternate_tags={5: "ALT00005"},
        loaded={0: ("A00003L8", 3), 2: ("CLN001CU", None)},
    )
    done = run_mtx(state_path, "-f", "/dev/tape/by-id/scsi-3500110a00123abcd", "status")
    assert done.stdout == expected.replace(
        "Full (Unknown Storage Element Loaded)", "Full (Storage Element 3 Loaded)"
    )
    # with every storage slot full, the same drive is "Unknown"
    make_state(
        state_path, drives=1, slots=2, io_slots=1, tags={1: "A", 2: "B"}, loaded={0: ("C", None)}
    )
    assert "Data Transfer Element 0:Full (Unknown Storage Element Loaded):VolumeTag = C" in (
        mtx(state_path, "status").stdout
    )


def test_a_source_slot_refilled_since_is_no_source(state_path: Path) -> None:
    """The library says slot 1, but slot 1 is full now: mtx names the first empty slot."""
    make_state(state_path, drives=1, slots=4, tags={1: "X", 2: "Y"}, loaded={0: ("A", 1)})
    inv = parse_status(mtx(state_path, "status").stdout)
    assert inv.drive(0).loaded_from == 3


# -- the round trip: the fake's state, printed by the fake, read by parse_status -----------------


def layout_autoloader(path: Path) -> str:
    make_state(
        path, drives=1, slots=8, io_slots=0, tags=barcodes(8), loaded={0: ("A00009L8", None)}
    )
    state = read_state(path)
    state["slots"][1]["tape"] = None  # slot 2 empty, the drive's tape came from there
    state["drives"][0]["src"] = 2
    write_state(path, state)
    return "/dev/sg3"


def layout_midrange(path: Path) -> str:
    make_state(
        path,
        drives=3,
        slots=10,
        io_slots=2,
        tags={1: "A00001L8", 2: None, 4: "DG 001L8", 5: "A00005L9", 7: "CLN001CU", 11: "A00011L8"},
        alternate_tags={5: "ALT00005", 11: "ALT00011"},
        loaded={0: ("A00003L8", 3), 2: ("A00006L8", 6)},
    )
    return "/dev/tape/by-id/scsi-3500110a00123abcd"


def layout_unpadded_colons(path: Path) -> str:
    make_state(
        path,
        drives=2,
        slots=6,
        io_slots=1,
        tags={1: "test1", 2: "test22L1", 7: "IMPORT1"},
        loaded={1: ("test3", 3)},
        pad_tags=False,
        header_indent=1,
    )
    return "/dev/tape/by-path/pci-0000:00:1f.2-scsi-0:0:3:0-changer"


def layout_large(path: Path) -> str:
    tags = dict(enumerate(barcodes(250, suffix="L9"), start=1))
    for n in range(1, 6):
        del tags[n]
    loaded = {d: (f"D{d:05d}L9", d + 1) for d in range(5)}
    make_state(path, drives=20, slots=300, io_slots=4, tags=tags, loaded=loaded)
    return "/dev/sg7"


def layout_no_reader(path: Path) -> str:
    make_state(path, drives=2, slots=5, io_slots=1, tags={1: "A", 4: "B"}, loaded={0: ("C", 2)})
    update_state(path, barcode_reader=False)
    return "/dev/sg3"


def layout_many_mail_slots(path: Path) -> str:
    make_state(path, drives=1, slots=2, io_slots=36, tags={1: "A1", 3: "IO3", 38: "IO38"})
    return "/dev/sg4"


LAYOUTS = {
    "autoloader": layout_autoloader,
    "midrange": layout_midrange,
    "unpadded_colons": layout_unpadded_colons,
    "large": layout_large,
    "no_reader": layout_no_reader,
    "many_mail_slots": layout_many_mail_slots,
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_round_trip(layout: str, state_path: Path) -> None:
    device = LAYOUTS[layout](state_path)
    done = run_mtx(state_path, "-f", device, "status")
    assert done.returncode == 0 and done.stderr == ""
    assert parse_status(done.stdout) == expected_inventory(read_state(state_path), device)


@pytest.mark.parametrize("layout", ["midrange", "many_mail_slots"])
def test_round_trip_without_barcodes(layout: str, state_path: Path) -> None:
    device = LAYOUTS[layout](state_path)
    done = run_mtx(state_path, "-f", device, "altres", "nobarcode", "status")
    expected = expected_inventory(read_state(state_path), device, barcodes=False)
    assert parse_status(done.stdout) == expected


def test_round_trip_over_many_random_moves(state_path: Path) -> None:
    """A small property test: legal moves keep the fake and what it prints in agreement."""
    rng = random.Random(20240611)
    layout_midrange(state_path)
    device = DEV
    tags_before = sorted(
        t or "" for t in [*slot_tags(state_path).values(), *drive_tags(state_path).values()]
    )
    for _ in range(30):
        inv = parse_status(run_mtx(state_path, "-f", device, "status").stdout)
        assert inv == expected_inventory(read_state(state_path), device)
        full = [e for e in inv if e.full]
        empty = [e for e in inv if e.empty]
        src, dst = rng.choice(full), rng.choice(empty)
        if src.is_drive and dst.is_drive:
            continue
        if src.is_drive:
            args = ["unload", str(dst.number), str(src.number)]
        elif dst.is_drive:
            args = ["load", str(src.number), str(dst.number)]
        else:
            args = ["transfer", str(src.number), str(dst.number)]
        done = run_mtx(state_path, "-f", device, *args)
        assert done.returncode == 0, done.stderr
        after = parse_status(run_mtx(state_path, "-f", device, "status").stdout)
        assert after.at(dst.location).full and after.at(src.location).empty
        assert after.at(dst.location).volume_tag == src.volume_tag
    tags_after = sorted(
        t or "" for t in [*slot_tags(state_path).values(), *drive_tags(state_path).values()]
    )
    assert tags_after == tags_before


# -- commands ---------------------------------------------------------------------------------


def test_load_and_unload_print_what_mtx_prints(state_path: Path) -> None:
    make_state(state_path, drives=2, slots=5, tags={5: "A5"})
    done = mtx(state_path, "load", "5", "0")
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "Loading media from Storage Element 5 into drive 0...done\n",
        "",
    )
    assert drive_tags(state_path) == {0: "A5"}
    assert read_state(state_path)["drives"][0]["src"] == 5
    done = mtx(state_path, "unload", "5", "0")
    assert done.stdout == "Unloading drive 0 into Storage Element 5...done\n"
    assert slot_tags(state_path) == {5: "A5"}
    assert read_state(state_path)["drives"][0] == {"tape": None, "src": None}
    # the shared transcript is these two runs
    assert shared_fixture("synth_load_unload.stdout") == (
        "Loading media from Storage Element 5 into drive 0...done\n"
        "Unloading drive 0 into Storage Element 5...done\n"
    )


def test_load_defaults_to_drive_0_and_unload_to_the_source_slot(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=4, tags={3: "A3"})
    assert mtx(state_path, "load", "3").returncode == 0
    done = mtx(state_path, "unload")
    assert done.stdout == "Unloading drive 0 into Storage Element 3...done\n"
    assert slot_tags(state_path) == {3: "A3"}


def test_transfer_prints_nothing(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=4, io_slots=1, tags={1: "A1"})
    done = mtx(state_path, "transfer", "1", "5")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert slot_tags(state_path) == {5: "A1"}


def test_chained_commands_run_left_to_right(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=4, tags={4: "A4"}, loaded={0: ("A3", 3)})
    done = mtx(state_path, "unload", "3", "0", "load", "4", "0")
    assert done.stdout == (
        "Unloading drive 0 into Storage Element 3...done\n"
        "Loading media from Storage Element 4 into drive 0...done\n"
    )
    assert slot_tags(state_path) == {3: "A3"} and drive_tags(state_path) == {0: "A4"}


def test_argument_and_precheck_errors(state_path: Path) -> None:
    make_state(state_path, drives=2, slots=4, io_slots=1, tags={1: "A1"})
    cases = [
        (("load",), "No source specified\n"),
        (("load", "9"), "Invalid <storage-element-number> argument '9' to 'load' command\n"),
        (("load", "1", "5"), "illegal <drive-number> argument '5' to 'load' command\n"),
        (
            ("unload", "9", "0"),
            "illegal <storage-element-number> argument '9' to 'unload' command\n",
        ),
        (("unload", "2", "7"), "illegal <drive-number> argument '7' to 'unload' command\n"),
        (("unload", "2", "1"), "Data Transfer Element 1 is Empty\n"),
        (("transfer",), "No source specified\n"),
        (("transfer", "1"), "No destination specified\n"),
        (("transfer", "9", "1"), "Invalid source\n"),
        (("transfer", "1", "9"), "Invalid destination\n"),
        (("eepos", "4", "transfer", "1", "2"), "eepos equires argument between 0 and 3.\n"),
    ]
    for args, stderr in cases:
        done = mtx(state_path, *args)
        assert (done.returncode, done.stdout, done.stderr) == (1, "", stderr), args
        assert find_error(done.returncode, done.stdout, done.stderr) is not None
    assert slot_tags(state_path) == {1: "A1"}


def test_unload_without_a_known_source(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=2, tags={1: "A", 2: "B"}, loaded={0: ("C", None)})
    done = mtx(state_path, "unload")
    assert (done.returncode, done.stderr) == (1, "No Source for tape in drive 0!\n")
    assert isinstance(classify_error(done.returncode, done.stdout, done.stderr), CommandFailedError)


def test_first_next_previous_last(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=5, io_slots=1, tags={1: "A1", 2: "A2", 4: "A4", 6: "IO"})
    assert (
        mtx(state_path, "first").stdout
        == "Loading media from Storage Element 1 into drive 0...done\n"
    )
    assert mtx(state_path, "first").stdout == "loading...done.\n"
    done = mtx(state_path, "next", "0")
    assert done.stdout == (
        "Unloading drive 0 into Storage Element 1...done\n"
        "Loading media from Storage Element 2 into drive 0...done\n"
    )
    mtx(state_path, "next")
    assert drive_tags(state_path) == {0: "A4"}
    done = mtx(state_path, "next")  # the mail slot does not count
    assert done.returncode == 1 and done.stderr == "No More Media\n"
    assert isinstance(classify_error(done.returncode, done.stdout, done.stderr), SourceEmptyError)
    assert drive_tags(state_path) == {}  # like mtx, the tape went home first
    mtx(state_path, "load", "2")
    done = mtx(state_path, "previous")
    assert done.stdout.endswith("Loading media from Storage Element 1 into drive 0...done\n")
    assert (mtx(state_path, "previous").stderr) == "No More Media\n"
    mtx(state_path, "unload", "1")
    assert mtx(state_path, "last").returncode == 1  # slot 5 is empty: the library refuses
    assert "Source Element Address 1004 is Empty" in mtx(state_path, "last").stderr


def test_eepos_and_the_tray(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=2, io_slots=1, tags={3: "IO"})
    assert mtx(state_path, "eepos", "1", "transfer", "3", "3").returncode == 0
    done = mtx(state_path, "transfer", "3", "3")
    assert done.stderr == "Destination Element Address 10 is Already Full\n"
    assert ["-f", DEV, "eepos", "1", "transfer", "3", "3"] in read_state(state_path)["history"]


def test_inquiry(state_path: Path) -> None:
    make_state(state_path, inquiry={"vendor": "IBM", "product": "03584L32", "revision": "F080"})
    done = mtx(state_path, "inquiry")
    assert done.stdout == (
        "Product Type: Medium Changer\n"
        "Vendor ID: 'IBM     '\n"
        "Product ID: '03584L32        '\n"
        "Revision: 'F080'\n"
        "Attached Changer API: No\n"
    )


def test_inventory_eject_position_erase(state_path: Path) -> None:
    make_state(state_path)
    assert (mtx(state_path, "inventory").returncode, mtx(state_path, "inventory").stdout) == (0, "")
    done = mtx(state_path, "eject")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert mtx(state_path, "position", "3").returncode == 0
    done = mtx(state_path, "erase")
    assert done.returncode == 1 and parse_sense(done.stderr)[0] == Sense(
        "Illegal Request", 0x20, 0x00, "70 (Current)"
    )


def test_exchange(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=3, tags={1: "A", 2: "B"})
    done = mtx(state_path, "exchange", "1", "2")
    assert done.returncode == 1
    assert done.stderr.endswith("EXCHANGE MEDIUM from Element Address 1000 to 1001 Failed\n")
    update_state(state_path, exchange_supported=True)
    assert mtx(state_path, "exchange", "1", "2").returncode == 0
    assert slot_tags(state_path) == {1: "B", 2: "A"}


def test_device_from_changer_tape_or_default(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=1, io_slots=0)
    header = "  Storage Changer {}:1 Drives, 1 Slots ( 0 Import/Export )\n"
    for extra, device in (
        ({"CHANGER": "/dev/sg7", "TAPE": "/dev/nst0"}, "/dev/sg7"),
        ({"TAPE": "/dev/sg8"}, "/dev/sg8"),
        ({}, "/dev/changer"),
    ):
        done = run_mtx(state_path, "status", env=fake_env(state_path, **extra))
        assert done.stdout.startswith(header.format(device)), extra


def test_usage_and_empty_command_line(state_path: Path) -> None:
    make_state(state_path)
    rc, _, usage = transcript("usage")
    for args in (("-f", DEV, "frobnicate"), ("-f",), ("status", "--help")):
        done = run_mtx(state_path, *args)
        assert (done.returncode, done.stderr) == (rc, usage), args
    done = run_mtx(state_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_every_invocation_is_recorded(state_path: Path) -> None:
    make_state(state_path)
    mtx(state_path, "status")
    mtx(state_path, "altres", "nobarcode", "status")
    assert read_state(state_path)["history"] == [
        ["-f", DEV, "status"],
        ["-f", DEV, "altres", "nobarcode", "status"],
    ]


def test_a_broken_state_file_is_the_fakes_own_error(state_path: Path) -> None:
    make_state(state_path, slots=1, io_slots=1)
    state = read_state(state_path)
    state["slots"].reverse()  # an I/O slot before a storage slot
    write_state(state_path, state)
    done = mtx(state_path, "status")
    assert done.returncode == 99 and done.stderr.startswith("fake mtx: bad state file")


def test_one_robot_two_invocations_wait_for_each_other(state_path: Path) -> None:
    make_state(state_path, faults={"delay_s": {"status": 0.8}})
    slow = subprocess.Popen(
        [str(MTX), "-f", DEV, "status"],
        env=fake_env(state_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.3)
        set_faults(state_path, delay_s=None)
        started = time.monotonic()
        assert mtx(state_path, "inquiry").returncode == 0
        assert time.monotonic() - started > 0.2  # it waited for the lock
    finally:
        slow.wait(timeout=30)


# -- faults, each observed through a subprocess -------------------------------------------------


def test_offline(state_path: Path) -> None:
    make_state(state_path, tags={1: "A1"}, faults={"offline": True})
    for args in (("status",), ("load", "1", "0"), ("transfer", "1", "2")):
        done = mtx(state_path, *args)
        assert (done.returncode, done.stdout) == (1, "")
        assert done.stderr == transcript("status_offline")[2]
        error = classify_error(done.returncode, done.stdout, done.stderr)
        assert isinstance(error, NotReadyError) and "offline" in error.message
    assert mtx(state_path, "inquiry").returncode == 0  # INQUIRY still answers
    done = mtx(state_path, "inventory")
    assert done.stderr.endswith("Initialize Element Status (0x07) failed\nmtx:inventory failed\n")
    done = mtx(state_path, "eject")
    assert (done.returncode, done.stderr) == (0, "mtx:eject failed\n")
    assert isinstance(find_error(done.returncode, done.stdout, done.stderr), CommandFailedError)
    assert slot_tags(state_path) == {1: "A1"}


def test_becoming_ready_then_ready(state_path: Path) -> None:
    make_state(state_path, faults={"becoming_ready": 2})
    for _ in range(2):
        done = mtx(state_path, "status")
        error = classify_error(done.returncode, done.stdout, done.stderr)
        assert isinstance(error, NotReadyError) and "becoming ready" in error.message
    assert mtx(state_path, "status").returncode == 0


def test_door_open(state_path: Path) -> None:
    make_state(state_path, tags={1: "A1"}, faults={"door_open": True})
    assert mtx(state_path, "status").returncode == 0
    done = mtx(state_path, "load", "1", "0")
    assert done.stdout == "Loading media from Storage Element 1 into drive 0..."
    assert done.stderr.endswith("MOVE MEDIUM from Element Address 1000 to 256 Failed\n")
    error = classify_error(done.returncode, done.stdout, done.stderr)
    assert isinstance(error, DoorOpenError) and str(error.sense) == "Not Ready 04/03"
    assert slot_tags(state_path) == {1: "A1"}
    assert mtx(state_path, "position", "1").stderr == "Could not position transport\n"


def test_io_station_open_only_stops_moves_through_it(state_path: Path) -> None:
    make_state(state_path, slots=4, io_slots=2, tags={1: "A1", 6: "IO"}, faults={"ie_open": True})
    done = mtx(state_path, "transfer", "1", "5")
    assert isinstance(classify_error(done.returncode, done.stdout, done.stderr), IOStationOpenError)
    done = mtx(state_path, "load", "6", "0")
    assert isinstance(classify_error(done.returncode, done.stdout, done.stderr), IOStationOpenError)
    assert mtx(state_path, "transfer", "1", "2").returncode == 0
    assert slot_tags(state_path) == {2: "A1", 6: "IO"}


def test_unit_attention_once_makes_status_forget_the_io_station(state_path: Path) -> None:
    make_state(
        state_path, slots=4, io_slots=1, tags={1: "A1", 5: "IO"}, faults={"unit_attention": 1}
    )
    done = mtx(state_path, "status")
    assert done.returncode == 0
    assert parse_sense(done.stderr) == [Sense("Unit Attention", 0x28, 0x00, "70 (Current)")]
    assert done.stderr.endswith("Mode sense (0x1A) for Page 0x1D failed\n")
    assert find_error(done.returncode, done.stdout, done.stderr) is None  # only a warning
    fallback = parse_status(done.stdout)
    assert done.stdout.startswith(f"  Storage Changer {DEV}:2 Drives, 4 Slots ( 0 Import/Export )")
    again = mtx(state_path, "status")
    assert again.stderr == ""
    full = parse_status(again.stdout)
    assert [s.number for s in full.io_slots] == [5]
    assert fallback.lost_io_slots(full) and not full.lost_io_slots(fallback)
    assert fallback.io_slots == () and full.io_slots


def test_two_unit_attentions_also_cost_the_barcodes(state_path: Path) -> None:
    """The second one fails the storage READ ELEMENT STATUS, which mtx retries without tags."""
    make_state(
        state_path, slots=3, tags={1: "A1"}, loaded={0: ("D0", 2)}, faults={"unit_attention": 2}
    )
    inv = parse_status(mtx(state_path, "status").stdout)
    assert inv.slot(1).full and inv.slot(1).volume_tag is None
    assert inv.drive(0).volume_tag == "D0"


def test_unit_attention_on_a_move_once_then_ok(state_path: Path) -> None:
    make_state(state_path, tags={1: "A1"}, faults={"unit_attention_on_move": 1})
    done = mtx(state_path, "load", "1", "0")
    error = classify_error(done.returncode, done.stdout, done.stderr)
    assert isinstance(error, UnitAttentionError) and error.retry_automatically
    assert drive_tags(state_path) == {}
    assert mtx(state_path, "load", "1", "0").returncode == 0
    assert drive_tags(state_path) == {0: "A1"}


@pytest.mark.parametrize(
    ("command", "args"),
    [("load", ("load", "1", "0")), ("transfer", ("transfer", "1", "2")), ("status", ("status",))],
)
def test_hardware_error(command: str, args: tuple[str, ...], state_path: Path) -> None:
    make_state(state_path, tags={1: "A1"}, faults={"hardware_error_on": [command]})
    done = mtx(state_path, *args)
    error = classify_error(done.returncode, done.stdout, done.stderr)
    assert isinstance(error, HardwareError)
    assert "Valid Residual=yes" in done.stderr and "Residual = 00 00 00 00" in done.stderr
    assert slot_tags(state_path) == {1: "A1"}


def test_hardware_error_on_inventory(state_path: Path) -> None:
    make_state(state_path, faults={"hardware_error_on": ["inventory"]})
    done = mtx(state_path, "inventory")
    assert done.returncode == 1
    assert isinstance(classify_error(done.returncode, done.stdout, done.stderr), HardwareError)


@pytest.mark.parametrize(
    ("command", "args"), [("transfer", ("transfer", "1", "2")), ("status", ("status",))]
)
def test_hang_is_killed_by_the_callers_timeout(
    command: str, args: tuple[str, ...], state_path: Path
) -> None:
    make_state(state_path, tags={1: "A1"}, faults={"hang_on": [command]})
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        mtx(state_path, *args, timeout=1.0)
    assert time.monotonic() - started < 10
    # the hung fake was killed with its lock: the robot answers again at once
    set_faults(state_path, hang_on=None)
    started = time.monotonic()
    assert mtx(state_path, "status", timeout=10).returncode == 0
    assert time.monotonic() - started < 5
    assert slot_tags(state_path) == {1: "A1"}


def test_a_move_that_lies(state_path: Path) -> None:
    make_state(state_path, tags={1: "A1"}, faults={"lie_on_move": True})
    done = mtx(state_path, "load", "1", "0")
    assert (done.returncode, done.stdout) == (
        0,
        "Loading media from Storage Element 1 into drive 0...done\n",
    )
    assert drive_tags(state_path) == {} and slot_tags(state_path) == {1: "A1"}
    set_faults(state_path, lie_on_move=1)
    assert mtx(state_path, "transfer", "1", "2").returncode == 0
    assert slot_tags(state_path) == {1: "A1"}
    assert mtx(state_path, "transfer", "1", "2").returncode == 0
    assert slot_tags(state_path) == {2: "A1"}


@pytest.mark.parametrize(
    ("faults", "device", "stderr", "kind"),
    [
        (
            {"open_error": "Permission denied"},
            DEV,
            f"cannot open SCSI device '{DEV}' - Permission denied\n",
            NoPermissionError,
        ),
        (
            {"open_error": "Device or resource busy"},
            DEV,
            f"cannot open SCSI device '{DEV}' - Device or resource busy\n",
            NotReadyError,
        ),
        (
            {},
            "/dev/sg4",
            "cannot open SCSI device '/dev/sg4' - No such file or directory\n",
            DeviceMissingError,
        ),
        (
            {"not_sg": True},
            DEV,
            f"{DEV} is not an sg device, or old sg driver\n",
            DeviceMissingError,
        ),
    ],
)
def test_device_open_faults(
    faults: dict[str, object], device: str, stderr: str, kind: type, state_path: Path
) -> None:
    make_state(state_path, device=DEV, faults=faults)
    done = run_mtx(state_path, "-f", device, "status")
    assert (done.returncode, done.stdout, done.stderr) == (1, "", stderr)
    assert type(classify_error(done.returncode, done.stdout, done.stderr)) is kind


def test_drive_that_did_not_eject(state_path: Path) -> None:
    make_state(state_path, loaded={0: ("A3", 3)}, faults={"drive_needs_offline": [0]})
    done = mtx(state_path, "unload")
    assert done.stdout == "Unloading drive 0 into Storage Element 3..."
    assert done.stderr == "Drive needs offline before move\n"
    assert isinstance(
        classify_error(done.returncode, done.stdout, done.stderr), DriveNeedsUnloadError
    )


def test_mode_sense_that_always_fails(state_path: Path) -> None:
    make_state(state_path, slots=3, io_slots=1, faults={"mode_sense_fails": True})
    for _ in range(2):
        done = mtx(state_path, "status")
        assert "( 0 Import/Export )" in done.stdout
        assert parse_sense(done.stderr)[0].key == "Illegal Request"
    # the I/O slot is out of mtx's reach then
    assert mtx(state_path, "transfer", "1", "4").stderr.endswith(
        "Mode sense (0x1A) for Page 0x1D failed\nInvalid destination\n"
    )


def test_cleaning_cartridge_sense(state_path: Path) -> None:
    make_state(state_path, tags={1: "CLN001CU"}, faults={"next_move_sense": [2, 0x30, 0x03]})
    done = mtx(state_path, "load", "1", "0")
    assert done.stderr == "Cleaning Cartridge Installed and Ejected\n"
    assert isinstance(classify_error(done.returncode, done.stdout, done.stderr), NotReadyError)


def test_library_side_errors_follow_the_state(state_path: Path) -> None:
    """The fake's own checks at MOVE MEDIUM time, when mtx's cached status is stale."""
    make_state(state_path, drives=1, slots=3, tags={1: "A1", 2: "A2"})
    # "load 1 0 load 2 0": mtx thinks drive 0 is full after the first load and refuses
    done = mtx(state_path, "load", "1", "0", "load", "2", "0")
    assert done.stderr == "Drive 0 Full (Storage Element 1 loaded)\n"
    error = classify_error(done.returncode, done.stdout, done.stderr)
    assert isinstance(error, DestinationFullError)
    # transfer into a full slot: the library refuses with the element address
    done = mtx(state_path, "transfer", "2", "3")
    assert done.returncode == 0
    done = mtx(state_path, "transfer", "3", "3")
    assert done.stderr == "Destination Element Address 1002 is Already Full\n"


def test_delay(state_path: Path) -> None:
    make_state(state_path, tags={1: "A1"}, faults={"delay_s": {"move": 0.4}})
    started = time.monotonic()
    assert mtx(state_path, "transfer", "1", "2").returncode == 0
    assert time.monotonic() - started >= 0.4


def test_runs_in_process_too(state_path: Path) -> None:
    """fake_mtx.main() can be called directly (faster for wide sweeps)."""
    import io

    from tests.fake_mtx import fake_mtx

    make_state(state_path, drives=1, slots=1, io_slots=0)
    out, err = io.StringIO(), io.StringIO()
    rc = fake_mtx.main(["mtx", "-f", DEV, "status"], {"FAKE_MTX_STATE": str(state_path)}, out, err)
    assert rc == 0 and out.getvalue().startswith("  Storage Changer /dev/sg3:1 Drives")


def test_threads_do_not_corrupt_the_state(state_path: Path) -> None:
    make_state(
        state_path, drives=1, slots=12, io_slots=0, tags=dict(enumerate(barcodes(6), start=1))
    )
    errors: list[str] = []

    def mover(src: int, dst: int) -> None:
        done = mtx(state_path, "transfer", str(src), str(dst))
        if done.returncode:
            errors.append(done.stderr)

    threads = [threading.Thread(target=mover, args=(n, n + 6)) for n in range(1, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert slot_tags(state_path) == dict(enumerate(barcodes(6), start=7))
