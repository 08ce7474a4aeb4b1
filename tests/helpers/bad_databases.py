"""Databases that cannot be opened, made for real, for the start-up error tests of the core,
the command line and the GUI: damaged files, files that are not databases, a database of a
newer drm-gui, and another process holding a SQLite lock."""

from __future__ import annotations

import contextlib
import random
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from drm_gui.core.db import SCHEMA_VERSION, close_database, open_database
from tests.helpers import rawdb
from tests.helpers.move_checks import seed_tapes

PAGE = 4096  # SQLite's default page size, which drm-gui keeps
FREELIST_COUNT_OFFSET = 36  # in the file header: the number of free pages


def drm_database(path: Path, tapes: int = 200) -> Path:
    """A closed drm-gui database file with *tapes* tapes, its WAL merged into the file."""
    open_database(str(path))
    try:
        seed_tapes(tapes)
    finally:
        close_database()
    return path


def garbage_pages(path: Path) -> None:
    """Random bytes over whole pages in the middle of the file (a bad disk block)."""
    pages = path.stat().st_size // PAGE
    with path.open("r+b") as file:
        file.seek(PAGE * (pages // 2))
        file.write(random.Random(7).randbytes(PAGE * 4))


def truncated(path: Path) -> None:
    """The file cut in half (a copy or a transfer that stopped)."""
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 2)


def wrong_freelist(path: Path) -> None:
    """Every page readable, but the header counts free pages that are not there: only the
    quick check at start-up finds it."""
    with path.open("r+b") as file:
        file.seek(FREELIST_COUNT_OFFSET)
        file.write(struct.pack(">I", 3))


DAMAGES: dict[str, Callable[[Path], None]] = {
    "garbage pages": garbage_pages,
    "truncated": truncated,
    "wrong freelist": wrong_freelist,
}


def text_file(path: Path) -> Path:
    path.write_text("Tapes to send on Monday:\nA00001L8\nA00002L8\n" * 100)
    return path


def newer_schema(url: str) -> None:
    """Marks the drm-gui database at *url* as written by a newer drm-gui."""
    rawdb.execute(url, "UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))


_LOCKER = """\
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "exclusive":
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
conn.execute("BEGIN EXCLUSIVE")  # in WAL mode without locking_mode: the writer's lock only
conn.execute("CREATE TABLE locker_probe (x)")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


@contextlib.contextmanager
def locked_by_another_process(path: Path, *, exclusive: bool = True) -> Iterator[None]:
    """Another process holds a write transaction on *path* until the block ends: with
    locking_mode=EXCLUSIVE (nobody else may even read), or as a plain long write (WAL lets
    others read meanwhile)."""
    mode = "exclusive" if exclusive else "normal"
    locker = subprocess.Popen(
        [sys.executable, "-c", _LOCKER, str(path), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        yield
    finally:
        locker.communicate(timeout=30)  # closing its stdin lets it roll back and end
