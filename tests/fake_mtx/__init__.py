"""The fake ``mtx`` for tests: build its state file, read it back, run it.

``make_state`` writes a library of N drives, M storage slots and K I/O slots with given
barcodes; the fake executable ``MTX`` (a sh wrapper around ``fake_mtx.py``) plays it when
``FAKE_MTX_STATE`` names the file (``fake_env`` builds such an environment). Slot numbers
are mtx's: storage slots 1..M, then the I/O slots M+1..M+K.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from drm_gui.library.base import Element, ElementKind, Inventory

FAKE_DIR = Path(__file__).resolve().parent
MTX = FAKE_DIR / "mtx"
MT = FAKE_DIR / "mt"
DD = FAKE_DIR / "dd"
FAKE_MTX_PY = FAKE_DIR / "fake_mtx.py"

Tape = dict[str, str | None]


def tape(tag: str | None, alt: str | None = None) -> Tape:
    """A cartridge: ``tag`` None is a cartridge whose barcode the reader cannot read."""
    return {"tag": tag, "alt": alt}


def barcodes(count: int, start: int = 1, suffix: str = "L8", prefix: str = "A") -> list[str]:
    """``A00001L8``, ``A00002L8``, ...: LTO-style barcodes."""
    return [f"{prefix}{n:05d}{suffix}" for n in range(start, start + count)]


def make_state(
    path: Path,
    *,
    drives: int = 2,
    slots: int = 10,
    io_slots: int = 1,
    tags: Mapping[int, str | None] | Sequence[str | None] | None = None,
    alternate_tags: Mapping[int, str] | None = None,
    loaded: Mapping[int, tuple[str | None, int | None]] | None = None,
    faults: Mapping[str, Any] | None = None,
    labels: Mapping[str, Mapping[str, Any] | None] | None = None,
    **options: Any,
) -> Path:
    """Writes a fake library and returns the path.

    ``tags`` maps slot numbers (I/O slots included) to barcodes (None: a cartridge with an
    unreadable label); a sequence fills slots 1, 2, ... ``loaded`` maps a drive to
    (barcode, source slot or None). ``options`` go to the top level of the state
    (``pad_tags``, ``barcode_reader``, ``device``, ``addresses``, ``header_indent``,
    ``inquiry``, ``exchange_supported``, ``drive_devices``). ``labels`` maps a barcode to
    what is written on its tape (``{"format": "bareos", "name": "X"}``, ``{"format":
    "blank"}``; see label_images.py); other tapes carry a standard label with their VOLSER.
    """
    if isinstance(tags, Mapping):
        by_slot: dict[int, str | None] = dict(tags)
    else:
        by_slot = {n: t for n, t in enumerate(tags or [], start=1)}
    alts = dict(alternate_tags or {})
    total = slots + io_slots
    for n in (*by_slot, *alts):
        if not 1 <= n <= total:
            raise ValueError(f"slot {n} is outside 1..{total}")
    slot_list = [
        {
            "ie": n > slots,
            "tape": tape(by_slot[n], alts.get(n)) if n in by_slot else None,
        }
        for n in range(1, total + 1)
    ]
    drive_list: list[dict[str, Any]] = [{"tape": None, "src": None} for _ in range(drives)]
    for d, (tag, source) in (loaded or {}).items():
        drive_list[d] = {"tape": tape(tag), "src": source}
    state: dict[str, Any] = {
        "schema": 1,
        "device": None,
        "barcode_reader": True,
        "pad_tags": True,
        "header_indent": 2,
        "addresses": {"transport": 1, "drive_base": 256, "slot_base": 1000, "ie_base": 10},
        "drives": drive_list,
        "slots": slot_list,
        "faults": dict(faults or {}),
        "history": [],
    }
    state.update(options)
    for place in (*slot_list, *drive_list):
        held = place["tape"]
        if held is not None and labels and held["tag"] in labels:
            held["label"] = dict(labels[held["tag"]] or {"format": "blank"})
    write_state(path, state)
    return path


def write_state(path: Path, state: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")


def read_state(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def update_state(path: Path, **changes: Any) -> dict[str, Any]:
    """Sets top-level keys of the state; returns the new state."""
    state = read_state(path)
    state.update(changes)
    write_state(path, state)
    return state


def set_faults(path: Path, **faults: Any) -> dict[str, Any]:
    """Adds faults (``offline=True``, ``unit_attention=1``...); None removes one."""
    state = read_state(path)
    for name, value in faults.items():
        if value is None:
            state["faults"].pop(name, None)
        else:
            state["faults"][name] = value
    write_state(path, state)
    return state


def take_io_station(path: Path) -> list[str | None]:
    """The operator empties the I/O station: the barcodes taken out, in slot order."""
    state = read_state(path)
    taken = []
    for slot in state["slots"]:
        if slot["ie"] and slot["tape"] is not None:
            taken.append(slot["tape"]["tag"])
            slot["tape"] = None
    write_state(path, state)
    return taken


def insert_io(path: Path, tags: Sequence[str | None]) -> None:
    """The operator puts cartridges into the free I/O slots, lowest first."""
    state = read_state(path)
    free = [s for s in state["slots"] if s["ie"] and s["tape"] is None]
    if len(tags) > len(free):
        raise ValueError(f"{len(tags)} tapes for {len(free)} free I/O slots")
    for slot, tag in zip(free, tags, strict=False):
        slot["tape"] = tape(tag)
    write_state(path, state)


def io_tags(path: Path) -> list[str | None]:
    """The barcodes in the I/O station, in slot order."""
    return [s["tape"]["tag"] for s in read_state(path)["slots"] if s["ie"] and s["tape"]]


def drive_history(path: Path) -> list[list[str]]:
    """The fake mt and dd calls: [tool, *arguments]."""
    history: list[list[str]] = read_state(path).get("drive_history", [])
    return history


def fake_env(path: Path, **extra: str) -> dict[str, str]:
    """An environment in which ``mtx`` is the fake, playing the library in ``path``."""
    env = {k: v for k, v in os.environ.items() if k not in ("CHANGER", "TAPE")}
    env["FAKE_MTX_STATE"] = str(path)
    env["FAKE_MTX_PYTHON"] = sys.executable
    env["PATH"] = f"{FAKE_DIR}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def run_mtx(
    path: Path, *args: str, timeout: float = 30.0, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs the fake executable as the app would run mtx (a real subprocess)."""
    return subprocess.run(
        [str(MTX), *args],
        env=dict(env) if env is not None else fake_env(path),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def slot_tags(path: Path) -> dict[int, str | None]:
    """Slot number → barcode of every full slot (None for an unreadable label)."""
    state = read_state(path)
    return {
        n: s["tape"]["tag"] for n, s in enumerate(state["slots"], start=1) if s["tape"] is not None
    }


def drive_tags(path: Path) -> dict[int, str | None]:
    state = read_state(path)
    return {d: x["tape"]["tag"] for d, x in enumerate(state["drives"]) if x["tape"] is not None}


def expected_inventory(state: Mapping[str, Any], device: str, barcodes: bool = True) -> Inventory:
    """What ``mtx status`` must report for this state (no faults in play).

    A drive's source slot is the one the library recorded when that slot is empty now;
    drives without one get mtx's guess (ReadElementStatus pass 2): the empty storage slots
    in order, one per drive, the same list for all drives; None when none is left.
    """
    reader = barcodes and bool(state.get("barcode_reader", True))
    slot_states = state["slots"]
    empty_storage = [
        n for n, s in enumerate(slot_states, start=1) if not s["ie"] and s["tape"] is None
    ]
    guesses = iter(empty_storage)
    drives = []
    for d, drive in enumerate(state["drives"]):
        t = drive["tape"]
        src = drive.get("src")
        source: int | None = None
        if t is not None:
            if src is not None and slot_states[src - 1]["tape"] is None:
                source = src
            else:
                source = next(guesses, None)
        drives.append(
            Element(
                ElementKind.DRIVE,
                d,
                t is not None,
                volume_tag=(t["tag"] or None) if t and reader else None,
                alternate_tag=(t.get("alt") or None) if t and reader else None,
                loaded_from=source,
            )
        )
    slots = []
    for n, slot in enumerate(slot_states, start=1):
        t = slot["tape"]
        slots.append(
            Element(
                ElementKind.IMPORT_EXPORT if slot["ie"] else ElementKind.STORAGE,
                n,
                t is not None,
                volume_tag=(t["tag"] or None) if t and reader else None,
                alternate_tag=(t.get("alt") or None) if t and reader else None,
            )
        )
    return Inventory(changer=device, drives=tuple(drives), slots=tuple(slots))


__all__ = [
    "DD",
    "FAKE_DIR",
    "FAKE_MTX_PY",
    "MT",
    "MTX",
    "barcodes",
    "drive_history",
    "drive_tags",
    "expected_inventory",
    "fake_env",
    "insert_io",
    "io_tags",
    "make_state",
    "read_state",
    "run_mtx",
    "set_faults",
    "slot_tags",
    "take_io_station",
    "tape",
    "update_state",
    "write_state",
]
