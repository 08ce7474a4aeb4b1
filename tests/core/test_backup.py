"""Backups of the app's own database: consistent and complete while another process writes,
verified, owner-only, written whole or not at all, and restorable."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drm_gui.core.backup import BackupError, backup_database, default_name
from drm_gui.core.db import DatabaseInfo, close_database, open_database
from drm_gui.core.models import Volume
from drm_gui.core.progress import CancelledError, running
from tests.core.conftest import sqlite_url
from tests.helpers.move_checks import MoveRecord, read_moves, seed_tapes
from tests.helpers.pgserver import PostgresServer
from tests.helpers.progress import CancellingProgress
from tests.helpers.tape_mover import COMMITTED

ROOT = Path(__file__).resolve().parents[2]
TAPES = 10_000
CHUNK = 500
TARGETS = ("NOTMOUNTABLE", "COURIER", "VAULT")
ALL_BATCHES = len(TARGETS) * TAPES // CHUNK
BACKUP_AFTER = 3  # moves committed before the backup starts


def backup_name(db: DatabaseInfo) -> str:
    return "backup.db" if db.backend == "sqlite" else "backup.dump"


def restored(backup: Path, db: DatabaseInfo, server: PostgresServer | None) -> str:
    """The URL of a database restored from *backup*: the copy itself for SQLite, a new
    database filled by pg_restore for PostgreSQL."""
    if db.backend == "sqlite":
        return f"sqlite:///{backup}"
    assert server is not None
    server.drop_database("drm_restored")
    url = server.create_database("drm_restored")
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={url}", str(backup)],
        check=True,
        capture_output=True,
    )
    return url


def read_restored(url: str) -> MoveRecord:
    open_database(url)
    try:
        return read_moves()
    finally:
        close_database()


@pytest.fixture
def pg_server(db: DatabaseInfo, request: pytest.FixtureRequest) -> Iterator[PostgresServer | None]:
    """The server, for the PostgreSQL runs (where a restore needs a database of its own)."""
    if db.backend == "sqlite":
        yield None
        return
    server = request.getfixturevalue("postgres_server")
    yield server
    server.drop_database("drm_restored")


def test_a_backup_while_another_process_moves_tapes_is_consistent_and_complete(
    db: DatabaseInfo, pg_server: PostgresServer | None, tmp_path: Path
) -> None:
    seed_tapes(TAPES)
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.tape_mover", db.url, str(CHUNK), *TARGETS],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        committed = 0
        while committed < BACKUP_AFTER:
            line = writer.stdout.readline() if writer.stdout else ""
            assert line, "the writer stopped before the backup"
            if line.startswith(COMMITTED):
                committed = int(line.split()[1])
        result = backup_database(tmp_path / backup_name(db))
        assert writer.poll() is None, "the writer had finished: the backup ran alone"
    finally:
        writer.kill()
        writer.wait()
    close_database()
    record = read_restored(restored(result.path, db, pg_server))
    assert not record.problems
    assert set(record.batch_sizes) == {CHUNK}
    # Complete: every move committed before it started. Taken during the writes: not all.
    assert committed <= len(record.batch_sizes) < ALL_BATCHES


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[DatabaseInfo]:
    info = open_database(sqlite_url(tmp_path / "drm.db"))
    yield info
    close_database()


@pytest.fixture
def pg_db(postgres_url: str) -> Iterator[DatabaseInfo]:
    info = open_database(postgres_url)
    yield info
    close_database()


@pytest.mark.usefixtures("sqlite_db")
def test_a_sqlite_backup_is_verified_owner_only_and_opens(tmp_path: Path) -> None:
    seed_tapes(25)
    out = tmp_path / "backup.db"
    out.write_text("last week's backup")
    out.chmod(0o644)
    result = backup_database(out)
    assert result.check == "integrity check passed, 25 volumes"
    assert result.size == out.stat().st_size
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    close_database()
    open_database(f"sqlite:///{out}")  # a restore is opening the copy
    assert Volume.select().count() == 25


@pytest.mark.usefixtures("pg_db")
def test_a_pg_dump_is_listed_by_pg_restore(tmp_path: Path) -> None:
    result = backup_database(tmp_path / "backup.dump")
    assert result.check.startswith("pg_restore lists ")
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert result.path.read_bytes()[:5] == b"PGDMP"  # the custom format


@pytest.mark.usefixtures("pg_db")
def test_without_pg_dump_the_message_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(BackupError, match="pg_dump is not on the PATH") as excinfo:
        backup_database(tmp_path / "backup.dump")
    assert "postgresql-client" in str(excinfo.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("pg_db")
def test_a_failing_pg_dump_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "pg_dump"
    fake.write_text(
        "#!/bin/sh\necho 'pg_dump: error: aborting because of server version "
        "mismatch' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    out = tmp_path / "backup.dump"
    with pytest.raises(BackupError, match=r"pg_dump failed: .*server version mismatch"):
        backup_database(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin"]


def test_unusable_targets_are_refused(db: DatabaseInfo, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="does not exist"):
        backup_database(tmp_path / "no" / "such" / "folder" / "backup.db")
    with pytest.raises(BackupError, match="is a folder"):
        backup_database(tmp_path)
    if db.backend == "sqlite":
        with pytest.raises(BackupError, match="is the database itself"):
            backup_database(Path(db.url.removeprefix("sqlite:///")))


def test_the_default_name_tells_the_kind_and_the_time(db: DatabaseInfo) -> None:
    name = default_name(dt.datetime(2024, 6, 15, 9, 5))
    suffix = ".db" if db.backend == "sqlite" else ".dump"
    assert name == f"drm-backup-20240615-0905{suffix}"


@pytest.mark.usefixtures("sqlite_db")
@pytest.mark.parametrize("at", ["Copying", "Checking"])
def test_a_cancelled_sqlite_backup_leaves_the_old_one(tmp_path: Path, at: str) -> None:
    seed_tapes(10)
    folder = tmp_path / "backups"
    folder.mkdir()
    out = folder / "backup.db"
    out.write_text("last week's backup")
    progress = CancellingProgress(at=at)
    with running(progress), pytest.raises(CancelledError):
        backup_database(out)
    assert out.read_text() == "last week's backup"
    assert sorted(p.name for p in folder.iterdir()) == ["backup.db"]


@pytest.mark.usefixtures("pg_db")
def test_a_cancel_stops_a_running_pg_dump(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    started = tmp_path / "started"
    slow = tools / "pg_dump"  # a dump that takes a minute unless stopped
    slow.write_text(f"#!/bin/sh\ntouch {started}\nexec sleep 60\n")
    slow.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    progress = CancellingProgress()
    timer = threading.Timer(0.5, progress.cancel)
    timer.start()
    began = time.monotonic()
    with running(progress), pytest.raises(CancelledError):
        backup_database(tmp_path / "backup.dump")
    timer.cancel()
    assert started.exists() and time.monotonic() - began < 30  # stopped, not waited for
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "started"]
