#!/usr/bin/env python3
"""Fake ``mt`` (mt-st 1.7) and ``dd`` for tests: the drives of the fake mtx's library.

The same JSON state file as the fake mtx (``$FAKE_MTX_STATE``), locked the same way (one
library). A drive's device is ``state["drive_devices"][n]`` (default ``/dev/nstN``); what
is written on a cartridge is its ``"label"`` (see label_images.py; a cartridge without one
carries a standard label with its barcode's VOLSER). Output follows MTX.md §3.1: ``mt
status`` prints mt-st's report, errors are perror() lines; ``dd`` prints the first block on
stdout and its record counts on stderr, and a blank tape fails the first read with EIO.

Faults (in ``"faults"``, all optional):

``drive_busy: [n]``           opening drive n's device answers EBUSY
``drive_not_ready: n``        the next n ``mt status`` of a loaded drive do not show ONLINE
``drive_never_ready: [n]``    drive n never shows ONLINE
``read_error: [n]``           reading drive n fails with EIO even on a labelled tape
``hang_on: ["mt", "dd"]``     the tool never finishes (the caller kills it)

``mt offline`` clears the drive from the fake mtx's ``drive_needs_offline`` fault: the tape
is ejected, so the robot can take it. Calls are logged in ``"drive_history"``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO

sys.path.insert(0, str(Path(__file__).resolve().parent))
from label_images import default_label, image

EMPTY_STATUS = (
    "SCSI 2 tape drive:\n"
    "File number=-1, block number=-1, partition=0.\n"
    "Tape block size 0 bytes. Density code 0x0 (default).\n"
    "Soft error count since last status=0\n"
    "General status bits on (50000):\n"
    " DR_OPEN IM_REP_EN\n"
)
LOADING_STATUS = (
    "SCSI 2 tape drive:\n"
    "File number=-1, block number=-1, partition=0.\n"
    "Tape block size 0 bytes. Density code 0x0 (default).\n"
    "Soft error count since last status=0\n"
    "General status bits on (10000):\n"
    " IM_REP_EN\n"
)
READY_STATUS = (
    "SCSI 2 tape drive:\n"
    "File number=0, block number=0, partition=0.\n"
    "Tape block size 0 bytes. Density code 0x5e (LTO-8).\n"
    "Soft error count since last status=0\n"
    "General status bits on (41010000):\n"
    " BOT ONLINE IM_REP_EN\n"
)


class Drives:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        self.data.setdefault("faults", {})
        self.data.setdefault("drive_history", [])

    @property
    def faults(self) -> dict[str, Any]:
        faults: dict[str, Any] = self.data["faults"]
        return faults

    def save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)

    def drive_of(self, device: str) -> int | None:
        count = len(self.data.get("drives", []))
        devices = self.data.get("drive_devices") or [f"/dev/nst{n}" for n in range(count)]
        return devices.index(device) if device in devices else None

    def tape(self, drive: int) -> dict[str, Any] | None:
        tape: dict[str, Any] | None = self.data["drives"][drive].get("tape")
        return tape


def mt(argv: list[str], drives: Drives, err: BinaryIO, out: BinaryIO) -> int:
    if len(argv) < 3 or argv[0] != "-f":
        err.write(b"usage: mt [-v] [--version] [-h] [ -f device ] command [ count ]\n")
        return 1
    device, operation = argv[1], argv[2]
    drive = drives.drive_of(device)
    if drive is None:
        err.write(f"{device}: No such file or directory\n".encode())
        return 1
    if drive in drives.faults.get("drive_busy", []):
        err.write(f"{device}: Device or resource busy\n".encode())
        return 1
    tape = drives.tape(drive)
    if operation == "status":
        if tape is None:
            out.write(EMPTY_STATUS.encode())
        elif drive in drives.faults.get("drive_never_ready", []):
            out.write(LOADING_STATUS.encode())
        elif drives.faults.get("drive_not_ready", 0) > 0:
            drives.faults["drive_not_ready"] -= 1
            drives.save()
            out.write(LOADING_STATUS.encode())
        else:
            out.write(READY_STATUS.encode())
        return 0
    if operation in ("rewind", "offline", "rewoffl", "eject", "setblk"):
        if tape is None:
            err.write(f"{device}: No medium found\n".encode())
            return 2
        if operation in ("offline", "rewoffl", "eject"):
            waiting = drives.faults.get("drive_needs_offline", [])
            if drive in waiting:
                waiting.remove(drive)
                drives.save()
        return 0
    err.write(f"mt: unrecognized command '{operation}'\n".encode())
    return 1


def dd(argv: list[str], drives: Drives, err: BinaryIO, out: BinaryIO) -> int:
    options = dict(a.split("=", 1) for a in argv if "=" in a)
    device = options.get("if", "")
    size = int(options.get("bs", "512"))
    drive = drives.drive_of(device)
    if drive is None:
        err.write(f"dd: failed to open '{device}': No such file or directory\n".encode())
        return 1
    if drive in drives.faults.get("drive_busy", []):
        err.write(f"dd: failed to open '{device}': Device or resource busy\n".encode())
        return 1
    tape = drives.tape(drive)
    if tape is None:
        err.write(f"dd: failed to open '{device}': No medium found\n".encode())
        return 1
    label = tape["label"] if "label" in tape else default_label(tape.get("tag"))
    block = image(label)
    if block is None or drive in drives.faults.get("read_error", []):
        err.write(
            f"dd: error reading '{device}': Input/output error\n"
            "0+0 records in\n0+0 records out\n0 bytes copied, 0.0101 s, 0.0 kB/s\n".encode()
        )
        return 1
    block = block[:size]
    out.write(block)
    whole = "1+0" if len(block) == size else "0+1"
    err.write(
        f"{whole} records in\n{whole} records out\n"
        f"{len(block)} bytes copied, 0.0102 s, 6.4 MB/s\n".encode()
    )
    return 0


def main(tool: str, argv: list[str]) -> int:
    err, out = sys.stderr.buffer, sys.stdout.buffer
    state = os.environ.get("FAKE_MTX_STATE", "")
    if not state or not Path(state).is_file():
        err.write(f"fake {tool}: FAKE_MTX_STATE names no state file\n".encode())
        return 99
    lock = os.open(state + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        drives = Drives(Path(state))
        drives.data["drive_history"].append([tool, *argv])
        drives.save()
        if tool in drives.faults.get("hang_on", []):
            time.sleep(3600)
        code = (mt if tool == "mt" else dd)(argv, drives, err, out)
    finally:
        os.close(lock)
    out.flush()
    err.flush()
    return code


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main(sys.argv[1], sys.argv[2:]))
