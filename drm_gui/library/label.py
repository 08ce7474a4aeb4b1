"""What is written at the start of a tape, and what ``mt status`` says about a drive.

Pure functions over bytes and text (MTX.md §3): ``decode_label`` reads the first block of
a tape (Bareos/Bacula, Amanda, LTFS, ANSI and IBM standard labels; an empty read is a blank
tape), ``parse_mt_status`` reads mt-st's status report. Tests feed them bytes and text;
:class:`~drm_gui.library.mtx.MtxLibrary` feeds them what ``dd`` and ``mt`` printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DriveStatus", "TapeLabel", "decode_label", "parse_mt_status"]

# Bareos/Bacula: the volume label record's Id, then VerNum (u32), label_btime and
# write_btime (i64), write_date and write_time (f64), then VolName as a C string.
_BAREOS_IDS = {b"Bareos 2.0 immortal\n\0": "Bareos", b"Bacula 1.0 immortal\n\0": "Bacula"}
_BAREOS_SKIP = 4 + 8 + 8 + 8 + 8
_AMANDA = re.compile(rb"^AMANDA: TAPESTART DATE [0-9X.]+ TAPE (?P<label>\S+)")
_EBCDIC_VOL1 = b"\xe5\xd6\xd3\xf1"  # "VOL1" in EBCDIC (IBM standard labels)
_SCAN_LIMIT = 4096  # the label record sits right after the block header


@dataclass(frozen=True, slots=True)
class TapeLabel:
    """The label found in a tape's first block: its name and the program that wrote it."""

    name: str | None
    format: str | None
    blank: bool = False


def decode_label(data: bytes) -> TapeLabel:
    """The label in the first block read from a tape; an empty block is a blank tape."""
    if not data:
        return TapeLabel(None, None, blank=True)
    head = data[:_SCAN_LIMIT]
    for ident, name in _BAREOS_IDS.items():
        at = head.find(ident)
        if at >= 0:
            start = at + len(ident) + _BAREOS_SKIP
            end = data.find(b"\0", start)
            volume = data[start : end if end >= 0 else None].decode("latin-1").strip()
            return TapeLabel(volume or None, name)
    if (m := _AMANDA.match(head)) is not None:
        return TapeLabel(m["label"].decode("latin-1"), "Amanda")
    if head.startswith(b"VOL1") and len(head) >= 10:
        # ANSI X3.27 / ISO 1001 VOL1, and LTFS's 80-byte VOL1 with "LTFS" at 24..27
        volume = head[4:10].decode("latin-1").strip()
        kind = "LTFS" if head[24:28] == b"LTFS" else "ANSI"
        return TapeLabel(volume or None, kind)
    if head.startswith(_EBCDIC_VOL1) and len(head) >= 10:
        return TapeLabel(head[4:10].decode("cp037").strip() or None, "IBM SL")
    return TapeLabel(None, "unknown")


@dataclass(frozen=True, slots=True)
class DriveStatus:
    """mt-st's ``mt status``: the general status bits, by name."""

    flags: frozenset[str]
    file_number: int | None = None

    @property
    def online(self) -> bool:
        """A tape is loaded and ready (Bareos and Bacula test for ONLINE the same way)."""
        return "ONLINE" in self.flags

    @property
    def door_open(self) -> bool:
        """No tape in the drive (DR_OPEN)."""
        return "DR_OPEN" in self.flags

    @property
    def write_protected(self) -> bool:
        return "WR_PROT" in self.flags


_GENERAL = re.compile(r"General status bits on \([0-9a-fA-F]+\):")
_FILE_NUMBER = re.compile(r"File number=(-?\d+)")
_KNOWN_FLAGS = frozenset(
    [
        "EOF",
        "BOT",
        "EOT",
        "SM",
        "EOD",
        "WR_PROT",
        "ONLINE",
        "D_6250",
        "D_1600",
        "D_800",
        "DR_OPEN",
        "IM_REP_EN",
        "CLN",
    ]
)


def parse_mt_status(text: str) -> DriveStatus:
    """The flags of ``mt -f DEVICE status`` (MTX.md §3.1); unknown words are ignored."""
    lines = text.splitlines()
    flags: set[str] = set()
    for i, line in enumerate(lines):
        if _GENERAL.search(line):
            for rest in lines[i + 1 : i + 3]:
                flags.update(w for w in rest.split() if w in _KNOWN_FLAGS)
            break
    m = _FILE_NUMBER.search(text)
    return DriveStatus(frozenset(flags), int(m.group(1)) if m else None)
