"""What backup programs write at the start of a tape: label blocks for the tests.

Built from the layouts of MTX.md §3.2 (Bareos/Bacula label records, Amanda's TAPESTART
header, LTFS and ANSI VOL1 records, IBM standard labels in EBCDIC). The fake ``dd`` prints
these as the drive's first block; the label decoder's tests read them too. Also imported by
the fake as a sibling module, so it needs nothing outside the standard library.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

FORMATS = ("ansi", "ltfs", "ibm_sl", "bareos", "bacula", "amanda", "raw", "blank")


def _vol1(name: str, owner_field: bytes = b" " * 14) -> bytes:
    """An 80-byte VOL1 record: VOL1, the 6-character volume id, then blanks."""
    record = bytearray(b" " * 80)
    record[0:4] = b"VOL1"
    record[4:10] = name[:6].ljust(6).encode("ascii")
    record[10:11] = b" "
    record[37:51] = owner_field
    record[79:80] = b"3"
    return bytes(record)


def ansi(name: str) -> bytes:
    return _vol1(name)


def ltfs(name: str) -> bytes:
    record = bytearray(_vol1(name))
    record[10:11] = b"L"
    record[24:28] = b"LTFS"
    record[79:80] = b"4"
    return bytes(record)


def ibm_sl(name: str) -> bytes:
    return ansi(name).decode("ascii").encode("cp037")


def bareos(name: str, *, bacula: bool = False) -> bytes:
    """A block with a volume label record: Bareos v2 (BB02) or old Bacula v1 (BB01)."""
    ident = b"Bacula 1.0 immortal\n\0" if bacula else b"Bareos 2.0 immortal\n\0"
    body = (
        ident
        + struct.pack(">I", 11 if bacula else 20)
        + struct.pack(">qq", 1718000000, 1718000000)
        + struct.pack(">dd", 2460477.0, 0.5)
    )
    for text in (name, "", "Full", "Backup", "LTO-8", "backup-sd", "bareos-sd", "23.0.0", ""):
        body += text.encode("latin-1") + b"\0"
    if bacula:
        header = struct.pack(">III4s", 0, 16 + 20 + len(body), 1, b"BB01")
        record = struct.pack(">IIiiI", 1, 1718000000, -2, 0, len(body))
    else:
        header = struct.pack(">III4sII", 0, 24 + 12 + len(body), 1, b"BB02", 1, 1718000000)
        record = struct.pack(">iiI", -2, 0, len(body))
    block = header + record + body
    return block.ljust(64512, b"\0")


def amanda(name: str, date: str = "20240615") -> bytes:
    text = f"AMANDA: TAPESTART DATE {date} TAPE {name}\n\014\n".encode("ascii")
    return text.ljust(32768, b"\0")


def default_label(tag: str | None) -> dict[str, Any] | None:
    """The label a cartridge carries when the state names none: a standard label with the
    barcode's VOLSER (its first 6 characters), as the backup server writes it."""
    if not tag:
        return None
    return {"format": "ansi", "name": tag[:6]}


def image(label: Mapping[str, Any] | None) -> bytes | None:
    """The first block of a tape with this label; None for a blank tape."""
    if label is None or label.get("format") == "blank":
        return None
    kind = label["format"]
    name = str(label.get("name", ""))
    if kind == "ansi":
        return ansi(name)
    if kind == "ltfs":
        return ltfs(name)
    if kind == "ibm_sl":
        return ibm_sl(name)
    if kind in ("bareos", "bacula"):
        return bareos(name, bacula=kind == "bacula")
    if kind == "amanda":
        return amanda(name)
    if kind == "raw":
        return bytes.fromhex(str(label.get("hex", "")))
    raise ValueError(f"unknown label format {kind!r}: use one of {', '.join(FORMATS)}")
