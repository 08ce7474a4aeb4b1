"""The fake mt and dd themselves: mt-st's texts and dd's behaviour, from the shared state."""

from __future__ import annotations

import subprocess
from pathlib import Path

from drm_gui.library.label import decode_label, parse_mt_status
from tests.fake_mtx import DD, MT, drive_history, fake_env, make_state, read_state, set_faults


def run(state_path: Path, tool: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(tool), *args], env=fake_env(state_path), capture_output=True, timeout=30, check=False
    )


def test_mt_status_of_an_empty_and_a_loaded_drive(state_path: Path) -> None:
    make_state(state_path, drives=2, slots=2, loaded={1: ("A00001L8", 1)})
    empty = run(state_path, MT, "-f", "/dev/nst0", "status")
    assert empty.returncode == 0
    assert b"General status bits on (50000):\n DR_OPEN IM_REP_EN\n" in empty.stdout
    loaded = run(state_path, MT, "-f", "/dev/nst1", "status")
    assert parse_mt_status(loaded.stdout.decode()).online
    assert b"Density code 0x5e (LTO-8)." in loaded.stdout


def test_mt_errors(state_path: Path) -> None:
    make_state(state_path, drives=1, slots=2)
    missing = run(state_path, MT, "-f", "/dev/nst5", "status")
    assert (missing.returncode, missing.stderr) == (1, b"/dev/nst5: No such file or directory\n")
    no_tape = run(state_path, MT, "-f", "/dev/nst0", "rewind")
    assert (no_tape.returncode, no_tape.stderr) == (2, b"/dev/nst0: No medium found\n")
    set_faults(state_path, drive_busy=[0])
    busy = run(state_path, MT, "-f", "/dev/nst0", "status")
    assert busy.stderr == b"/dev/nst0: Device or resource busy\n"


def test_dd_prints_the_first_block(state_path: Path) -> None:
    make_state(
        state_path,
        drives=1,
        slots=2,
        loaded={0: ("A00001L8", 1)},
        drive_devices=["/dev/tape/by-id/drive0-nst"],
    )
    done = run(state_path, DD, "if=/dev/tape/by-id/drive0-nst", "bs=262144", "count=1")
    assert done.returncode == 0 and len(done.stdout) == 80
    assert decode_label(done.stdout).name == "A00001"
    assert done.stderr.startswith(b"0+1 records in\n0+1 records out\n80 bytes copied")
    short = run(state_path, DD, "if=/dev/tape/by-id/drive0-nst", "bs=16", "count=1")
    assert short.stdout == b"VOL1A00001      " and short.stderr.startswith(b"1+0 records in")


def test_dd_on_a_blank_tape_an_empty_drive_and_no_device(state_path: Path) -> None:
    make_state(
        state_path,
        drives=2,
        slots=2,
        loaded={0: ("B00001L8", 1)},
        labels={"B00001L8": None},
    )
    blank = run(state_path, DD, "if=/dev/nst0", "bs=262144", "count=1")
    assert blank.returncode == 1 and blank.stdout == b""
    assert blank.stderr.startswith(b"dd: error reading '/dev/nst0': Input/output error\n")
    empty = run(state_path, DD, "if=/dev/nst1")
    assert empty.stderr == b"dd: failed to open '/dev/nst1': No medium found\n"
    missing = run(state_path, DD, "if=/dev/nst9")
    assert missing.stderr == b"dd: failed to open '/dev/nst9': No such file or directory\n"
    assert [call[0] for call in drive_history(state_path)] == ["dd", "dd", "dd"]


def test_mt_offline_lets_the_robot_take_the_tape(state_path: Path) -> None:
    make_state(
        state_path, drives=1, slots=2, loaded={0: ("A1", 1)}, faults={"drive_needs_offline": [0]}
    )
    assert run(state_path, MT, "-f", "/dev/nst0", "offline").returncode == 0
    assert read_state(state_path)["faults"]["drive_needs_offline"] == []
