"""A backup of the app's own database: it is part of the disaster plan (the vault's tapes,
the plan's contacts and the server's details live in it), so it must be restorable when
everything else is gone.

The copy is consistent while others keep working: SQLite's online backup copies every page
under one read snapshot (in WAL mode writers go on meanwhile), and pg_dump reads the whole
database in one repeatable-read transaction. It is written under a temporary name next to
the target, checked, made readable by its owner only (it holds contacts and server
details), flushed to disk and only then renamed: a backup that exists is a whole one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from peewee import Database, PostgresqlDatabase, SqliteDatabase

from drm_gui.core.db import SQLITE_PRAGMAS
from drm_gui.core.models import database
from drm_gui.core.progress import current as current_progress
from drm_gui.core.states import DrmError

BACKUP_MODE = 0o600
TOOL_POLL_S = 0.2  # how often a running pg_dump looks for a cancel
SQLITE_SUFFIX = ".db"
DUMP_SUFFIX = ".dump"  # pg_dump's custom format, read by pg_restore


class BackupError(DrmError):
    """The backup could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    backend: str  # "sqlite" or "postgresql"
    size: int  # bytes
    check: str  # how the copy was verified, in words


def default_name(now: dt.datetime) -> str:
    """A file name for a backup of the open database taken at *now* (local time)."""
    suffix = DUMP_SUFFIX if isinstance(database.obj, PostgresqlDatabase) else SQLITE_SUFFIX
    return f"drm-backup-{now:%Y%m%d-%H%M}{suffix}"


def backup_database(out: Path) -> BackupResult:
    """Writes a verified backup of the open database to *out*, replacing it if it exists
    (callers ask first). SQLite gives a database file, PostgreSQL a pg_dump archive. A
    cancel (the current progress) between the steps, or while pg_dump runs, leaves no
    file."""
    db = database.obj
    if db is None:
        raise BackupError("no database is open")
    out = out.expanduser().absolute()
    _check_target(out, db)
    try:
        with _temporary_next_to(out) as part:
            if isinstance(db, SqliteDatabase):
                backend, check = "sqlite", _sqlite_backup(Path(db.database), part)
            elif isinstance(db, PostgresqlDatabase):
                backend, check = "postgresql", _pg_dump(db, part)
            else:
                raise BackupError(f"{type(db).__name__} databases cannot be backed up")
            os.chmod(part, BACKUP_MODE)
            _sync(part)
            current_progress().check()  # the last moment: nothing is replaced after this
            os.replace(part, out)
            _sync(out.parent)
    except OSError as exc:
        raise BackupError(f"{out}: the backup cannot be written ({exc.strerror or exc})") from exc
    return BackupResult(out, backend, out.stat().st_size, check)


def _check_target(out: Path, db: Database) -> None:
    if out.is_dir():
        raise BackupError(f"{out} is a folder; give the backup a file name")
    if not out.parent.is_dir():
        raise BackupError(f"the folder {out.parent} does not exist")
    if isinstance(db, SqliteDatabase) and out.exists() and out.samefile(db.database):
        raise BackupError(f"{out} is the database itself; choose another file for the backup")


@contextlib.contextmanager
def _temporary_next_to(out: Path) -> Iterator[Path]:
    """A new empty file, readable by its owner only, in the target's folder (so that the
    final rename stays on one file system); removed unless it was renamed."""
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    os.close(fd)
    part = Path(name)
    try:
        yield part
    finally:
        part.unlink(missing_ok=True)


def _sync(path: Path) -> None:
    """Flushes a file (or a folder's entries) to the disk: the backup outlives a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# SQLite ---------------------------------------------------------------------------------------
def _sqlite_backup(source_path: Path, part: Path) -> str:
    """Copies the database with the online backup API in a single step: one read snapshot,
    so the copy is consistent however much others write meanwhile (a copy in several steps
    would start over at each write)."""
    busy_seconds = SQLITE_PRAGMAS["busy_timeout"] / 1000  # as long as the app waits for a lock
    current_progress().stage("Copying the database")
    try:
        with (
            contextlib.closing(sqlite3.connect(source_path, timeout=busy_seconds)) as source,
            contextlib.closing(sqlite3.connect(part)) as target,
        ):
            source.backup(target)
    except sqlite3.Error as exc:
        raise BackupError(f"the database could not be copied ({exc})") from exc
    return _verify_sqlite(part)


def _verify_sqlite(path: Path) -> str:
    current_progress().stage("Checking the copy")
    try:
        with contextlib.closing(sqlite3.connect(path)) as copy:
            rows = [r[0] for r in copy.execute("PRAGMA integrity_check").fetchall()]
            volumes = copy.execute("SELECT count(*) FROM volume").fetchone()[0]
    except sqlite3.Error as exc:
        raise BackupError(f"the copy cannot be read back ({exc})") from exc
    if rows != ["ok"]:
        raise BackupError(f"the copy failed its integrity check ({'; '.join(rows[:3])})")
    return f"integrity check passed, {volumes:,} volumes"


# PostgreSQL -----------------------------------------------------------------------------------
def _pg_dump(db: PostgresqlDatabase, part: Path) -> str:
    """pg_dump's custom format (compressed; pg_restore can restore all or part of it)."""
    params = db.connect_params
    args = ["--no-password"]  # a prompt would hang the app: ~/.pgpass or PGPASSWORD
    for option, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if params.get(key):
            args += [option, str(params[key])]
    env = dict(os.environ)
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])  # not on the command line, where ps shows it
    if params.get("connect_timeout"):
        env["PGCONNECT_TIMEOUT"] = str(params["connect_timeout"])
    current_progress().stage("Dumping the database with pg_dump")
    _run_tool("pg_dump", ["--format=custom", f"--file={part}", *args, db.database], env)
    current_progress().stage("Checking the archive with pg_restore")
    listing = _run_tool("pg_restore", ["--list", str(part)], env)
    entries = sum(1 for line in listing.splitlines() if line and not line.startswith(";"))
    return f"pg_restore lists {entries:,} entries"


def _run_tool(name: str, args: list[str], env: dict[str, str]) -> str:
    """Runs a PostgreSQL client program; its output, or BackupError with its own words."""
    program = shutil.which(name)
    if program is None:
        raise BackupError(
            f"{name} is not on the PATH, so the PostgreSQL database cannot be backed up "
            "from here. Install the PostgreSQL client programs (Debian: postgresql-client, "
            "of the server's version or newer), or back the database up on the server with "
            "pg_dump."
        )
    progress = current_progress()
    with subprocess.Popen(
        [program, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    ) as proc:
        while True:
            try:
                stdout, stderr = proc.communicate(timeout=TOOL_POLL_S)
                break
            except subprocess.TimeoutExpired:
                if progress.cancelled:
                    proc.terminate()
                    proc.communicate()
                    progress.check()
    if proc.returncode != 0:
        lines = stderr.strip().splitlines() or [f"exit status {proc.returncode}"]
        raise BackupError(f"{name} failed: {lines[-1]}")
    return stdout
