#!/usr/bin/env python3
"""A fake ``mtx`` 1.3.12 for tests: the real command line, the real output, a JSON library.

The state file named by ``$FAKE_MTX_STATE`` holds the library (drives, slots, cartridges,
element addresses) and the faults to inject; every invocation locks it (one robot), reads
it, and writes back what the robot did. Output follows mtx.c / mtxl.c of mtx 1.3.12 byte
for byte (MTX.md §1.2-§1.6): the same control flow (argument parsing left to right, the
status read once per invocation and patched after each load/unload, pre-checks against that
cached status, the library's own checks at MOVE MEDIUM time), the same stdout/stderr split,
the same exit codes, the lost "mtx: " prefix of fatal errors, and mtx's translation of a
drive's source slot (a slot that is full is no source; unknown sources get the first empty
storage slots).

Faults (``"faults"`` in the state file; every key optional):

``offline``                  every SCSI command but INQUIRY answers Not Ready 04/12
``becoming_ready: n``        the next n invocations answer Not Ready 04/01 (inventory running)
``door_open``                MOVE MEDIUM / POSITION answer Not Ready 04/03
``ie_open``                  moves from or to an I/O slot answer Not Ready 3A/02
``unit_attention: n``        n pending Unit Attentions (28/00), one per SCSI command after
                             INQUIRY: the first one fails MODE SENSE, so ``status`` falls back
                             and shows no I/O slots (as real mtx does)
``unit_attention_on_move: n`` the next n MOVE MEDIUMs answer Unit Attention 28/00
``mode_sense_fails``         MODE SENSE page 0x1D always fails (Illegal Request 24/00)
``hardware_error_on: [...]`` commands ("status", "load", "unload", "transfer", "inventory",
                             "exchange") that fail with Hardware Error 04/03
``next_move_sense: [k, asc, ascq(, error_code)]`` the next MOVE MEDIUM fails with this
                             sense (once); [0, 0, 0, 0] is a failure without sense data
``drive_needs_offline: [d]`` drives whose tape was not ejected: unloading them answers 3A/00
``lie_on_move: true | n``    moves print success but change nothing (always, or n times)
``hang_on: [...]``           commands that never finish (sleep for an hour); "status" hangs
                             the element status read, so every command that needs it
``delay_s: {cmd: s}``        seconds a command takes ("status", "move", "inventory")
``open_error: "text"``       opening the device fails with this strerror text
``not_sg: true``             the device is no SCSI generic node

The fake's own misconfiguration (a broken state file) exits 99 with "fake mtx:" on stderr.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

VERSION = "1.3.12"
HANG_SECONDS = 3600.0
BARCODE_LENGTH = 32
FAKE_ERROR_RC = 99

USAGE = (
    "Usage:\n"
    "\tmtx --version\n"
    "\tmtx [ -f <loader-dev> ] noattach <more commands>\n"
    "\tmtx [ -f <loader-dev> ] inquiry | inventory \n"
    "\tmtx [ -f <loader-dev> ] [altres] [nobarcode] status\n"
    "\tmtx [ -f <loader-dev> ] [altres] first [<drive#>]\n"
    "\tmtx [ -f <loader-dev> ] [altres] last [<drive#>]\n"
    "\tmtx [ -f <loader-dev> ] [altres] previous [<drive#>]\n"
    "\tmtx [ -f <loader-dev> ] [altres] next [<drive#>]\n"
    "\tmtx [ -f <loader-dev> ] [altres] [invert] load <storage-element-number> [<drive#>]\n"
    "\tmtx [ -f <loader-dev> ] [altres] [invert] unload [<storage-element-number>][<drive#>]\n"
    "\tmtx [ -f <loader-dev> ] [altres] [eepos eepos-number] transfer <storage-element-number> "
    "<storage-element-number>\n"
    "\tmtx [ -f <loader-dev> ] [altres] [eepos eepos-number][invert][invert2] exchange "
    "<storage-element-number> <storage-element-number>\n"
    "\tmtx [ -f <loader-dev> ] [altres] position <storage-element-number>\n"
    "\tmtx [ -f <loader-dev> ] eject\n"
)

SENSE_KEYS = (
    "No Sense",
    "Recovered Error",
    "Not Ready",
    "Medium Error",
    "Hardware Error",
    "Illegal Request",
    "Unit Attention",
    "Data Protect",
    "Blank Check",
    "0x09",
    "0x0a",
    "Aborted Command",
    "0x0c",
    "Volume Overflow",
    "Miscompare",
    "0x0f",
)
NOT_READY, HARDWARE_ERROR, ILLEGAL_REQUEST, UNIT_ATTENTION = 2, 4, 5, 6

DEFAULT_ADDRESSES = {"transport": 1, "drive_base": 256, "slot_base": 1000, "ie_base": 10}
DEFAULT_INQUIRY = {"vendor": "HP", "product": "MSL G3 Series", "revision": "3.00"}


@dataclass(frozen=True)
class Sense:
    """REQUEST SENSE data as PrintRequestSense() shows it."""

    key: int
    asc: int
    ascq: int
    valid: bool = False
    error_code: int = 0x70


def sense_dump(s: Sense) -> str:
    """PrintRequestSense() of mtxl.c, line for line (no Field-in-Error: SKSV is never set)."""
    kind = {0x70: "Current", 0x71: "Deferred"}.get(s.error_code, "Unknown?!")
    p = "mtx: Request Sense: "
    lines = [
        f"{p}Long Report=yes",
        f"{p}Valid Residual={'yes' if s.valid else 'no'}",
        f"{p}Error Code={s.error_code:x} ({kind})",
        f"{p}Sense Key={SENSE_KEYS[s.key]}",
        f"{p}FileMark=no",
        f"{p}EOM=no",
        f"{p}ILI=no",
    ]
    if s.valid:
        lines.append(f"{p}Residual = 00 00 00 00")
    lines += [
        f"{p}Additional Sense Code = {s.asc:02X}",
        f"{p}Additional Sense Qualifier = {s.ascq:02X}",
        f"{p}BPV=no",
        f"{p}Error in CDB=no",
        f"{p}SKSV=no",
    ]
    return "".join(line + "\n" for line in lines)


OFFLINE = Sense(NOT_READY, 0x04, 0x12)
BECOMING_READY = Sense(NOT_READY, 0x04, 0x01)
DOOR_OPEN = Sense(NOT_READY, 0x04, 0x03)
MAILSLOT_OPEN = Sense(NOT_READY, 0x3A, 0x02)
NEEDS_OFFLINE = Sense(NOT_READY, 0x3A, 0x00)
CHANGED = Sense(UNIT_ATTENTION, 0x28, 0x00)
HARDWARE = Sense(HARDWARE_ERROR, 0x04, 0x03, valid=True)
SOURCE_EMPTY = Sense(ILLEGAL_REQUEST, 0x3B, 0x0E)
DESTINATION_FULL = Sense(ILLEGAL_REQUEST, 0x3B, 0x0D)
BAD_ADDRESS = Sense(ILLEGAL_REQUEST, 0x21, 0x01)
BAD_OPCODE = Sense(ILLEGAL_REQUEST, 0x20, 0x00)
BAD_FIELD = Sense(ILLEGAL_REQUEST, 0x24, 0x00)


class StateError(Exception):
    """The state file is not a library the fake can play."""


def pad_tag(tag: str, pad: bool) -> str:
    """The tag as mtx prints it: the 32-byte field, blank-padded by most libraries."""
    tag = tag[:BARCODE_LENGTH]
    return tag.ljust(BARCODE_LENGTH) if pad else tag


def atoi(text: str) -> int:
    digits = ""
    for ch in text:
        if not ch.isdigit():
            break
        digits += ch
    return int(digits) if digits else 0


@dataclass
class View:
    """mtx's ElementStatus: the library as read once, patched after each load/unload."""

    slot_index: list[int] = field(default_factory=list)  # index into state["slots"]
    slot_address: list[int] = field(default_factory=list)
    slot_full: list[bool] = field(default_factory=list)
    slot_ie: list[bool] = field(default_factory=list)
    slot_tag: list[str] = field(default_factory=list)
    slot_alt: list[str] = field(default_factory=list)
    drive_address: list[int] = field(default_factory=list)
    drive_full: list[bool] = field(default_factory=list)
    drive_source: list[int] = field(default_factory=list)  # 0-based slot, or -1
    drive_tag: list[str] = field(default_factory=list)
    drive_alt: list[str] = field(default_factory=list)
    ie_count: int = 0

    @property
    def storage_count(self) -> int:
        """StorageElementCount: storage and I/O slots together."""
        return len(self.slot_index)


class Library:
    """The robot and its cartridges, kept in the JSON state file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        self._check()

    def _check(self) -> None:
        slots = self.data.setdefault("slots", [])
        drives = self.data.setdefault("drives", [])
        if not isinstance(slots, list) or not isinstance(drives, list):
            raise StateError("'slots' and 'drives' must be lists")
        seen_ie = False
        for n, slot in enumerate(slots, start=1):
            if slot.get("ie"):
                seen_ie = True
            elif seen_ie:
                raise StateError(f"slot {n}: storage slots must come before the I/O slots")
        self.data.setdefault("faults", {})
        self.data.setdefault("history", [])

    def save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)

    # -- plain accessors --------------------------------------------------------------

    @property
    def faults(self) -> dict[str, Any]:
        faults: dict[str, Any] = self.data["faults"]
        return faults

    @property
    def slots(self) -> list[dict[str, Any]]:
        slots: list[dict[str, Any]] = self.data["slots"]
        return slots

    @property
    def drives(self) -> list[dict[str, Any]]:
        drives: list[dict[str, Any]] = self.data["drives"]
        return drives

    def option(self, name: str, default: Any) -> Any:
        return self.data.get(name, default)

    def addresses(self) -> dict[str, int]:
        return {**DEFAULT_ADDRESSES, **self.data.get("addresses", {})}

    def take_count(self, name: str) -> bool:
        """Consumes one of a counted fault (``unit_attention: 2``); True if there was one."""
        left = self.faults.get(name, 0)
        if isinstance(left, bool) or not isinstance(left, int) or left <= 0:
            return False
        self.faults[name] = left - 1
        self.save()
        return True

    # -- element addresses ------------------------------------------------------------

    def slot_address(self, index: int) -> int:
        a = self.addresses()
        ie_before = sum(1 for s in self.slots[:index] if s.get("ie"))
        if self.slots[index].get("ie"):
            return a["ie_base"] + ie_before
        return a["slot_base"] + index - ie_before

    def drive_address(self, index: int) -> int:
        return self.addresses()["drive_base"] + index

    def resolve(self, address: int) -> tuple[str, int] | None:
        for i in range(len(self.drives)):
            if self.drive_address(i) == address:
                return ("drive", i)
        for i in range(len(self.slots)):
            if self.slot_address(i) == address:
                return ("slot", i)
        return None

    def element(self, where: tuple[str, int]) -> dict[str, Any]:
        kind, index = where
        return self.drives[index] if kind == "drive" else self.slots[index]


class Run:
    """One invocation of mtx: parse_args() of mtx.c, command by command."""

    def __init__(self, argv: list[str], env: dict[str, str], out: TextIO, err: TextIO) -> None:
        self.argv = argv
        self.env = env
        self.out = out
        self.err = err
        self.device: str | None = None
        self.library: Library | None = None
        self.lock: int | None = None
        self.view: View | None = None
        self.not_ready: Sense | None = None
        self.command = ""
        self.no_barcodes = False
        self.eepos = 0
        self.arg1 = self.arg2 = self.arg3 = -1

    # -- output -----------------------------------------------------------------------

    def print(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def eprint(self, text: str) -> None:
        self.err.write(text)
        self.err.flush()

    def fatal(self, message: str) -> SystemExit:
        """FatalError(): the message on stderr (its "mtx: " prefix is lost), exit 1."""
        self.eprint(message)
        return SystemExit(1)

    def usage(self) -> SystemExit:
        self.eprint(USAGE)
        return SystemExit(1)

    @property
    def lib(self) -> Library:
        assert self.library is not None
        return self.library

    def pause(self, name: str) -> None:
        """The time a step takes on this robot; a hang never ends (the caller kills us)."""
        if name in self.lib.faults.get("hang_on", []):
            time.sleep(HANG_SECONDS)
        delay = self.lib.faults.get("delay_s", {}).get(name, 0)
        if delay:
            time.sleep(float(delay))

    # -- the command table --------------------------------------------------------------

    def table(self) -> dict[str, tuple[int, Callable[[], None], bool, bool]]:
        """name: (number of arguments, function, needs the device, needs the status)."""
        return {
            "inquiry": (0, self.do_inquiry, True, False),
            "status": (0, self.do_status, True, True),
            "invert": (0, lambda: None, False, False),
            "noattach": (0, lambda: None, False, False),
            "eepos": (1, self.do_eepos, False, False),
            "load": (2, self.do_load, True, True),
            "unload": (2, self.do_unload, True, True),
            "transfer": (2, self.do_transfer, True, True),
            "first": (1, self.do_first, True, True),
            "last": (1, self.do_last, True, True),
            "previous": (1, self.do_previous, True, True),
            "next": (1, self.do_next, True, True),
            "--version": (0, self.do_version, False, False),
            "inventory": (0, self.do_inventory, True, False),
            "eject": (0, self.do_eject, True, False),
            "erase": (0, self.do_erase, True, False),
            "nobarcode": (0, self.do_nobarcode, False, False),
            "position": (1, self.do_position, True, True),
            "invert2": (0, lambda: None, False, False),
            "exchange": (3, self.do_exchange, True, True),
            "altres": (0, lambda: None, False, False),
        }

    def get_arg(self, idx: int) -> int:
        if idx >= len(self.argv):
            return -1
        arg = self.argv[idx]
        if not arg or not arg[0].isdigit():
            return -1
        return atoi(arg)

    def parse_args(self) -> None:
        table = self.table()
        i = 1
        while i < len(self.argv):
            if self.argv[i] == "-f":
                i += 1
                if i >= len(self.argv):
                    raise self.usage()
                self.device = self.argv[i]
                i += 1
                self.open_device()
                continue
            name = self.argv[i]
            if name not in table:
                raise self.usage()
            num_args, function, need_device, need_status = table[name]
            i += 1
            if num_args:
                self.arg1 = self.get_arg(i)
                if self.arg1 != -1:
                    i += 1
                if num_args >= 2 and self.arg1 != -1:
                    self.arg2 = self.get_arg(i)
                    if self.arg2 != -1:
                        i += 1
                    if num_args == 3 and self.arg2 != -1:
                        self.arg3 = self.get_arg(i)
                        if self.arg3 != -1:
                            i += 1
            self.execute(name, function, need_device, need_status)
            self.arg1 = self.arg2 = self.arg3 = -1

    def execute(
        self, name: str, function: Callable[[], None], need_device: bool, need_status: bool
    ) -> None:
        if self.device is None and need_device:
            self.device = self.env.get("CHANGER") or self.env.get("TAPE") or "/dev/changer"
            self.open_device()
        self.command = name
        if self.view is None and need_status:
            self.view = self.read_element_status()
        function()

    # -- the device -------------------------------------------------------------------

    def open_device(self) -> None:
        device = self.device or ""
        state = self.env.get("FAKE_MTX_STATE", "")
        if not state or not Path(state).is_file():
            raise self.fatal(f"cannot open SCSI device '{device}' - No such file or directory\n")
        if self.lock is None:
            self.lock = os.open(state + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self.lock, fcntl.LOCK_EX)
        self.library = lib = Library(Path(state))
        lib.data["history"].append(self.argv[1:])
        lib.save()
        open_error = lib.faults.get("open_error")
        expected = lib.option("device", None)
        if expected is not None and device != expected:
            open_error = "No such file or directory"
        if open_error:
            raise self.fatal(f"cannot open SCSI device '{device}' - {open_error}\n")
        if lib.faults.get("not_sg"):
            raise self.fatal(f"{device} is not an sg device, or old sg driver\n")
        self.view = None
        if lib.take_count("becoming_ready"):
            self.not_ready = BECOMING_READY
        elif lib.faults.get("offline"):
            self.not_ready = OFFLINE
        else:
            self.not_ready = None

    def close(self) -> None:
        if self.lock is not None:
            os.close(self.lock)
            self.lock = None

    def scsi(self, op: str) -> Sense | None:
        """The sense data of one SCSI command (not INQUIRY, which always answers)."""
        if self.not_ready is not None:
            return self.not_ready
        if self.lib.take_count("unit_attention"):
            return CHANGED
        if op == "res" and "status" in self.lib.faults.get("hardware_error_on", []):
            return HARDWARE
        return None

    # -- READ ELEMENT STATUS (mtxl.c ReadElementStatus) -----------------------------------

    def read_element_status(self) -> View:
        lib = self.lib
        fallback = False
        sense = self.scsi("modesense")
        if sense is None and lib.faults.get("mode_sense_fails"):
            sense = BAD_FIELD
        if sense is not None:
            self.eprint(sense_dump(sense))
            self.eprint("Mode sense (0x1A) for Page 0x1D failed\n")
            fallback = True  # built-in maxima: the I/O station is not asked for

        storage = [i for i, s in enumerate(lib.slots) if not s.get("ie")]
        ie = [i for i, s in enumerate(lib.slots) if s.get("ie")]
        parts: list[tuple[str, list[int]]] = [("storage", storage)]
        if not fallback and ie:
            parts.append(("ie", ie))
        parts += [("drives", list(range(len(lib.drives)))), ("transport", [])]

        self.pause("status")
        barcodes: dict[str, bool] = {}
        for name, _ in parts:
            wanted = not self.no_barcodes and bool(lib.option("barcode_reader", True))
            sense = self.scsi("res")
            if sense is not None and sense.key > 1:
                # mtx retries every failed READ ELEMENT STATUS once without barcodes
                wanted = False
                sense = self.scsi("res")
            if sense is not None:
                self.eprint(sense_dump(sense))
                raise self.fatal("READ ELEMENT STATUS Command Failed\n")
            barcodes[name] = wanted

        view = View()
        pad = bool(lib.option("pad_tags", True))
        for name, indexes in parts:
            if name not in ("storage", "ie"):
                continue
            for i in indexes:
                tape = lib.slots[i].get("tape")
                view.slot_index.append(i)
                view.slot_address.append(lib.slot_address(i))
                view.slot_full.append(tape is not None)
                view.slot_ie.append(name == "ie")
                tag, alt = _tags(tape, barcodes[name], pad)
                view.slot_tag.append(tag)
                view.slot_alt.append(alt)
        view.ie_count = sum(view.slot_ie)
        raw_sources: list[int] = []
        for d, drive in enumerate(lib.drives):
            tape = drive.get("tape")
            view.drive_address.append(lib.drive_address(d))
            view.drive_full.append(tape is not None)
            tag, alt = _tags(tape, barcodes["drives"], pad)
            view.drive_tag.append(tag)
            view.drive_alt.append(alt)
            src = drive.get("src")
            # the library's source element address; 0 when it does not know (SValid off)
            raw_sources.append(lib.slot_address(src - 1) if tape is not None and src else 0)

        if not view.drive_address:
            raise self.fatal("no Data Transfer Element reported\n")
        if not view.slot_index:
            raise self.fatal("no Storage Elements reported\n")
        view.drive_source = _translate_sources(view, raw_sources)
        return view

    # -- commands -----------------------------------------------------------------------

    def do_version(self) -> None:
        self.eprint(f"mtx version {VERSION}\n\n")
        raise self.usage()

    def do_nobarcode(self) -> None:
        self.no_barcodes = True

    def do_eepos(self) -> None:
        if self.arg1 < 0 or self.arg1 > 3:
            raise self.fatal("eepos equires argument between 0 and 3.\n")
        self.eepos = self.arg1

    def do_inquiry(self) -> None:
        info = {**DEFAULT_INQUIRY, **self.lib.option("inquiry", {})}
        self.print(
            "Product Type: Medium Changer\n"
            f"Vendor ID: '{info['vendor'][:8].ljust(8)}'\n"
            f"Product ID: '{info['product'][:16].ljust(16)}'\n"
            f"Revision: '{info['revision'][:4].ljust(4)}'\n"
            "Attached Changer API: No\n"
        )

    def do_status(self) -> None:
        v = self.view
        assert v is not None
        indent = " " * int(self.lib.option("header_indent", 2))
        text = [
            f"{indent}Storage Changer {self.device}:{len(v.drive_address)} Drives, "
            f"{v.storage_count} Slots ( {v.ie_count} Import/Export )\n"
        ]
        for d in range(len(v.drive_address)):
            line = f"Data Transfer Element {d}:"
            if v.drive_full[d]:
                if v.drive_source[d] > -1:
                    line += f"Full (Storage Element {v.drive_source[d] + 1} Loaded)"
                else:
                    line += "Full (Unknown Storage Element Loaded)"
                if v.drive_tag[d]:
                    line += f":VolumeTag = {v.drive_tag[d]}"
                if v.drive_alt[d]:
                    line += f":AlternateVolumeTag = {v.drive_alt[d]}"
                text.append(line + "\n")
            else:
                text.append(line + "Empty\n")
        for s in range(v.storage_count):
            line = (
                f"      Storage Element {s + 1}{' IMPORT/EXPORT' if v.slot_ie[s] else ''}:"
                f"{'Full ' if v.slot_full[s] else 'Empty'}"
            )
            if v.slot_tag[s]:
                line += f":VolumeTag={v.slot_tag[s]}"
            if v.slot_alt[s]:
                line += f":AlternateVolumeTag={v.slot_alt[s]}"
            text.append(line + "\n")
        self.print("".join(text))

    def do_load(self) -> None:
        v = self.view
        assert v is not None
        if self.arg1 < 1:
            raise self.fatal("No source specified\n")
        if self.arg2 < 0:
            self.arg2 = 0
        slot, drive = self.arg1 - 1, self.arg2
        if slot < 0 or slot >= v.storage_count:
            raise self.fatal(
                f"Invalid <storage-element-number> argument '{slot + 1}' to 'load' command\n"
            )
        if drive >= len(v.drive_address):
            raise self.fatal(f"illegal <drive-number> argument '{drive}' to 'load' command\n")
        if v.drive_full[drive]:
            raise self.fatal(
                f"Drive {drive} Full (Storage Element {v.drive_source[drive] + 1} loaded)\n"
            )
        self.print(f"Loading media from Storage Element {slot + 1} into drive {drive}...")
        self.move(v.slot_address[slot], v.drive_address[drive], "load")
        self.print("done\n")
        v.slot_full[slot] = False
        v.drive_full[drive] = True

    def do_unload(self) -> None:
        v = self.view
        assert v is not None
        if self.arg2 < 0:
            self.arg2 = 0
        drive = self.arg2
        if self.arg1 < 0:
            slot = v.drive_source[drive] if drive < len(v.drive_source) else 0
            if slot < 0:
                raise self.fatal(f"No Source for tape in drive {drive}!\n")
        else:
            slot = self.arg1 - 1
        if slot >= v.storage_count or slot < 0:
            raise self.fatal(
                f"illegal <storage-element-number> argument '{slot + 1}' to 'unload' command\n"
            )
        if drive >= len(v.drive_address):
            raise self.fatal(f"illegal <drive-number> argument '{drive}' to 'unload' command\n")
        if not v.drive_full[drive]:
            raise self.fatal(f"Data Transfer Element {drive} is Empty\n")
        if v.slot_full[slot]:
            raise self.fatal(f"Storage Element {slot + 1} is Already Full\n")
        self.print(f"Unloading drive {drive} into Storage Element {slot + 1}...")
        self.move(v.drive_address[drive], v.slot_address[slot], "unload")
        self.print("done\n")
        v.slot_full[slot] = True
        v.drive_full[drive] = False

    def _slot_pair_checks(self) -> tuple[int, int]:
        v = self.view
        assert v is not None
        if self.arg1 < 1:
            raise self.fatal("No source specified\n")
        if self.arg2 < 1:
            raise self.fatal("No destination specified\n")
        if self.arg1 > v.storage_count:
            raise self.fatal("Invalid source\n")
        if self.arg2 > v.storage_count:
            raise self.fatal("Invalid destination\n")
        return v.slot_address[self.arg1 - 1], v.slot_address[self.arg2 - 1]

    def do_transfer(self) -> None:
        src, dst = self._slot_pair_checks()
        self.move(src, dst, "transfer")

    def do_exchange(self) -> None:
        v = self.view
        assert v is not None
        src, dst = self._slot_pair_checks()
        if self.arg3 == -1:
            self.arg3 = self.arg1
        dst2 = v.slot_address[self.arg3 - 1]
        self.pause("exchange")
        sense = self.scsi("exchange") or self.library_exchange(src, dst, dst2)
        if sense is not None:
            self.move_failed(sense, src, dst, "EXCHANGE")

    def do_position(self) -> None:
        sense = self.scsi("position")
        if sense is not None or self.lib.faults.get("door_open"):
            raise self.fatal("Could not position transport\n")

    def do_inventory(self) -> None:
        self.pause("inventory")
        sense = self.scsi("init")
        if sense == CHANGED:
            sense = self.scsi("init")  # one Unit Attention retry
        if sense is None and "inventory" in self.lib.faults.get("hardware_error_on", []):
            sense = HARDWARE
        if sense is not None:
            self.eprint(sense_dump(sense))
            self.eprint("Initialize Element Status (0x07) failed\n")
            self.eprint("mtx:inventory failed\n")
            raise SystemExit(1)

    def do_eject(self) -> None:
        if self.scsi("loadunload") is not None:
            self.eprint("mtx:eject failed\n")  # and mtx exits 0

    def do_erase(self) -> None:
        sense = self.scsi("erase") or BAD_OPCODE  # ERASE means nothing to a changer
        self.eprint(sense_dump(sense))
        raise SystemExit(1)

    def _drive_number(self) -> int:
        v = self.view
        assert v is not None
        return self.arg1 if 0 <= self.arg1 < len(v.drive_address) else 0

    def do_first(self) -> None:
        v = self.view
        assert v is not None
        drive = self._drive_number()
        if v.drive_full[drive]:
            self.arg1 = v.drive_source[drive] + 1
            if self.arg1 == 1:
                self.print("loading...done.\n")
                return
            self.arg2 = drive
            self.do_unload()
        self.arg1, self.arg2 = 1, drive
        self.do_load()

    def do_last(self) -> None:
        v = self.view
        assert v is not None
        drive = self._drive_number()
        last = v.storage_count - v.ie_count
        if v.drive_full[drive]:
            self.arg1 = v.drive_source[drive] + 1
            if self.arg1 >= last:
                self.print("loading...done.\n")
                return
            self.arg2 = drive
            self.do_unload()
        self.arg1, self.arg2 = last, drive
        self.do_load()

    def do_previous(self) -> None:
        v = self.view
        assert v is not None
        drive = self._drive_number()
        current = v.storage_count - v.ie_count + 1
        if v.drive_full[drive]:
            current = v.drive_source[drive]
            if current == 0:
                raise self.fatal("No More Media\n")
            self.arg1, self.arg2 = current + 1, drive
            self.do_unload()
        current -= 1
        while current >= 0:
            if current < v.storage_count and v.slot_full[current]:
                self.arg1, self.arg2 = current + 1, drive
                self.do_load()
                return
            current -= 1
        raise self.fatal("No More Media\n")

    def do_next(self) -> None:
        v = self.view
        assert v is not None
        drive = self._drive_number()
        current = -1
        if v.drive_full[drive]:
            current = v.drive_source[drive]
            self.arg1, self.arg2 = current + 1, drive
            self.do_unload()
        current += 1
        while current < v.storage_count - v.ie_count:
            if v.slot_full[current]:
                self.arg1, self.arg2 = current + 1, drive
                self.do_load()
                return
            current += 1
        raise self.fatal("No More Media\n")

    # -- MOVE MEDIUM (mtx.c Move) -------------------------------------------------------

    def move(self, src: int, dst: int, name: str) -> None:
        self.pause(name)
        self.pause("move")
        sense = self.scsi("move") or self.library_move(src, dst, name)
        if sense is not None:
            self.move_failed(sense, src, dst, "MOVE")

    def move_failed(self, sense: Sense, src: int, dst: int, what: str) -> None:
        code = (sense.asc, sense.ascq)
        if code == (0x30, 0x03):
            raise self.fatal("Cleaning Cartridge Installed and Ejected\n")
        if code == (0x3A, 0x00):
            raise self.fatal("Drive needs offline before move\n")
        if code == (0x3B, 0x0D):
            raise self.fatal(f"Destination Element Address {dst} is Already Full\n")
        if code == (0x3B, 0x0E):
            raise self.fatal(f"Source Element Address {src} is Empty\n")
        self.eprint(sense_dump(sense))
        raise self.fatal(f"{what} MEDIUM from Element Address {src} to {dst} Failed\n")

    def _move_faults(
        self, source: tuple[str, int], target: tuple[str, int], name: str
    ) -> Sense | None:
        lib = self.lib
        faults = lib.faults
        if faults.get("door_open"):
            return DOOR_OPEN
        if faults.get("ie_open") and any(
            kind == "slot" and lib.slots[i].get("ie") for kind, i in (source, target)
        ):
            return MAILSLOT_OPEN
        if lib.take_count("unit_attention_on_move"):
            return CHANGED
        if faults.get("next_move_sense"):
            key, asc, ascq, *rest = faults.pop("next_move_sense")
            lib.save()
            code = int(rest[0]) if rest else 0x70
            return Sense(int(key), int(asc), int(ascq), error_code=code)
        if name in faults.get("hardware_error_on", []):
            return HARDWARE
        return None

    def library_move(self, src: int, dst: int, name: str) -> Sense | None:
        lib = self.lib
        source, target = lib.resolve(src), lib.resolve(dst)
        if source is None or target is None:
            return BAD_ADDRESS
        sense = self._move_faults(source, target, name)
        if sense is not None:
            return sense
        if lib.element(source).get("tape") is None:
            return SOURCE_EMPTY
        if source[0] == "drive" and source[1] in lib.faults.get("drive_needs_offline", []):
            return NEEDS_OFFLINE
        if source == target and self.eepos:
            return None  # "eepos 1 transfer N N": the tray moves, the cartridge stays
        if lib.element(target).get("tape") is not None:
            return DESTINATION_FULL
        if self._lie():
            return None
        tape = lib.element(source)["tape"]
        lib.element(source)["tape"] = None
        if source[0] == "drive":
            lib.element(source)["src"] = None
        lib.element(target)["tape"] = tape
        if target[0] == "drive":
            lib.element(target)["src"] = source[1] + 1 if source[0] == "slot" else None
        lib.save()
        return None

    def library_exchange(self, src: int, dst: int, dst2: int) -> Sense | None:
        lib = self.lib
        if not lib.option("exchange_supported", False):
            return BAD_OPCODE
        a, b, c = lib.resolve(src), lib.resolve(dst), lib.resolve(dst2)
        if a is None or b is None or c is None:
            return BAD_ADDRESS
        sense = self._move_faults(a, b, "exchange")
        if sense is not None:
            return sense
        if lib.element(a).get("tape") is None or lib.element(b).get("tape") is None:
            return SOURCE_EMPTY
        if c not in (a, b) and lib.element(c).get("tape") is not None:
            return DESTINATION_FULL
        if self._lie():
            return None
        first, second = lib.element(a)["tape"], lib.element(b)["tape"]
        lib.element(a)["tape"] = None
        lib.element(b)["tape"] = first
        lib.element(c)["tape"] = second
        lib.save()
        return None

    def _lie(self) -> bool:
        lie = self.lib.faults.get("lie_on_move", False)
        if lie is True:
            return True
        return self.lib.take_count("lie_on_move")


def _tags(tape: dict[str, Any] | None, barcodes: bool, pad: bool) -> tuple[str, str]:
    """The printed VolumeTag and AlternateVolumeTag ("" when there is none)."""
    if tape is None or not barcodes:
        return "", ""
    tag = tape.get("tag")
    alt = tape.get("alt")
    return (pad_tag(tag, pad) if tag else "", pad_tag(alt, pad) if alt else "")


def _translate_sources(view: View, raw: list[int]) -> list[int]:
    """ReadElementStatus()'s two passes over the drives' source element addresses.

    Pass 1 keeps a source only if it is the address of a slot that is empty now; pass 2
    hands every full drive still without a source the next empty *storage* slot in order
    (the same list for all drives), or -1 ("Unknown") when there is none left. Empty drives
    keep the raw address (0 when the library does not report one).
    """
    sources = list(raw)
    for d, full in enumerate(view.drive_full):
        if not full:
            continue
        found = -1
        for j, address in enumerate(view.slot_address):
            if raw[d] == address and not view.slot_full[j]:
                found = j
        sources[d] = found
    empty = [j for j in range(view.storage_count) if not view.slot_ie[j] and not view.slot_full[j]]
    next_empty = 0
    for d, full in enumerate(view.drive_full):
        if full and sources[d] < 0:
            sources[d] = empty[next_empty] if next_empty < len(empty) else -1
            next_empty += 1
    return sources


def main(
    argv: list[str] | None = None,
    env: dict[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    run = Run(
        list(sys.argv if argv is None else argv),
        dict(os.environ if env is None else env),
        sys.stdout if out is None else out,
        sys.stderr if err is None else err,
    )
    try:
        run.parse_args()
    except SystemExit as done:  # mtx's exit(): the code of FatalError() and Usage()
        return int(done.code or 0)
    except (StateError, ValueError, KeyError, TypeError, IndexError) as bad:
        run.eprint(f"fake mtx: bad state file: {bad!r}\n")
        return FAKE_ERROR_RC
    finally:
        run.close()
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
