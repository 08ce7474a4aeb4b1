"""Killing the app (SIGKILL) in the middle of a 10,000-tape move leaves all of it or none of
it, with the movement rows to match, on SQLite (WAL) and PostgreSQL.

Each run starts from a fresh copy of one template database (a file copy on SQLite, CREATE
DATABASE ... TEMPLATE on PostgreSQL), starts a process that moves every tape in one move,
and kills it at a random moment between the start of the move and its expected end (the
length of one uncut move, measured first). Then the database is reopened the way the app
opens it and every all-or-nothing invariant is checked (tests/helpers/move_checks.py).

The delays come from a seed printed at the start; DRM_GUI_CRASH_SEED=<seed> replays them.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest

from drm_gui.core import media
from drm_gui.core.db import close_database, open_database
from drm_gui.core.models import BatchKind, MoveBatch, Volume, utcnow
from drm_gui.core.states import DrmState
from tests.core.conftest import sqlite_url
from tests.helpers import rawdb
from tests.helpers.move_checks import START, MoveRecord, read_moves, seed_tapes
from tests.helpers.pgserver import PostgresServer
from tests.helpers.tape_mover import COMMITTED, MOVING

ROOT = Path(__file__).resolve().parent.parent
TAPES = 10_000
RUNS = 20
TARGET = DrmState.NOTMOUNTABLE
SEED_VARIABLE = "DRM_GUI_CRASH_SEED"
SETTLE_TIMEOUT_S = 30


class Copies(Protocol):
    """Fresh copies of a template database holding TAPES tapes in START."""

    def fresh(self) -> str:
        """The URL of a new copy, replacing the previous one."""

    def settle(self) -> None:
        """Waits until the killed process has left no work behind on the server."""


class SqliteCopies:
    def __init__(self, folder: Path) -> None:
        self.template = folder / "template.db"
        self.copy = folder / "run.db"
        build_template(sqlite_url(self.template))  # closed: the file alone is complete

    def fresh(self) -> str:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.copy}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template, self.copy)
        return sqlite_url(self.copy)

    def settle(self) -> None:
        """Nothing to wait for: the file's locks died with the process."""


class PostgresCopies:
    TEMPLATE = "drm_crash_template"
    COPY = "drm_crash_run"

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        self.drop()
        build_template(server.create_database(self.TEMPLATE))

    def fresh(self) -> str:
        self.server.drop_database(self.COPY)
        self.server.execute(f'CREATE DATABASE "{self.COPY}" TEMPLATE "{self.TEMPLATE}"')
        return self.server.url(self.COPY)

    def settle(self) -> None:
        """The killed client's server process may still be working: a COMMIT it had sent
        is carried out even so. Checking before it ends could see 'none' and then 'all'."""
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = ?"
        while rawdb.execute(self.server.url(), sql, (self.COPY,)) != [(0,)]:
            if time.monotonic() > deadline:
                pytest.fail(f"the killed client's session still runs after {SETTLE_TIMEOUT_S} s")
            time.sleep(0.02)

    def drop(self) -> None:
        self.server.drop_database(self.COPY)
        self.server.drop_database(self.TEMPLATE)


def build_template(url: str) -> None:
    open_database(url)
    try:
        seed_tapes(TAPES)
    finally:
        close_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def copies(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Copies]:
    if request.param == "sqlite":
        yield SqliteCopies(tmp_path)
        return
    server_copies = PostgresCopies(request.getfixturevalue("postgres_server"))
    try:
        yield server_copies
    finally:
        server_copies.drop()


def start_move(url: str) -> subprocess.Popen[str]:
    """The moving process, once it says the move starts."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.tape_mover", url, "0", TARGET.value],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    if line.strip() != MOVING:
        process.kill()
        _out, err = process.communicate()
        pytest.fail(f"the moving process did not start its move: {line!r} {err}")
    return process


def uncut_move_seconds(copies: Copies) -> float:
    """One move left to finish: how long it takes from its start, and that it is whole."""
    url = copies.fresh()
    process = start_move(url)
    started = time.perf_counter()
    out, err = process.communicate(timeout=120)
    seconds = time.perf_counter() - started
    assert process.returncode == 0, err
    assert COMMITTED in out
    record = reopened(url)
    assert record.batch_sizes == (TAPES,) and not record.problems, record
    return seconds


def kill_after(url: str, delay: float) -> bool:
    """Starts the move, kills it *delay* seconds in; whether the move had returned."""
    process = start_move(url)
    try:
        time.sleep(delay)
    finally:
        process.kill()
    out, _err = process.communicate()
    return COMMITTED in out


def reopened(url: str) -> MoveRecord:
    """The database opened as the app opens it (SQLite recovers its WAL here), then read."""
    open_database(url)
    try:
        return read_moves()
    finally:
        close_database()


@pytest.mark.slow
def test_a_killed_move_is_all_or_nothing(copies: Copies) -> None:
    seed = int(os.environ.get(SEED_VARIABLE) or random.randrange(2**32))
    print(f"crash test seed {seed} (replay with {SEED_VARIABLE}={seed})")
    rng = random.Random(seed)
    expected = uncut_move_seconds(copies)
    outcomes: list[str] = []
    for run in range(RUNS):
        delay = rng.uniform(0, expected)
        url = copies.fresh()
        returned = kill_after(url, delay)
        copies.settle()
        record = reopened(url)
        where = f"run {run}, killed {delay:.3f} s into a {expected:.3f} s move (seed {seed})"
        assert not record.problems, f"{where}: {record.problems}"
        if record.batch_sizes:
            assert record.batch_sizes == (TAPES,), f"{where}: {record.batch_sizes}"
            assert record.states == {TARGET: TAPES}, f"{where}: {record.states}"
            outcomes.append("all")
        else:
            assert not returned, f"{where}: the move returned, and was lost"
            assert record.states == {START: TAPES}, f"{where}: {record.states}"
            outcomes.append("none")
    print(f"{RUNS} kills: {outcomes.count('all')} all moved, {outcomes.count('none')} none")
    # The kills must land inside the move, or this tested nothing.
    assert "none" in outcomes, f"no kill landed before the move's commit (seed {seed})"


def test_the_checks_see_a_move_that_was_not_whole(tmp_path: Path) -> None:
    """What the kill test relies on: torn moves are found."""
    open_database(sqlite_url(tmp_path / "torn.db"))
    try:
        seed_tapes(100)
        ids = [v.id for v in Volume.select(Volume.id).order_by(Volume.id)]
        media.move_volumes(ids[:10], TARGET)
        assert read_moves().problems == ()
        Volume.update(state=TARGET).where(Volume.id.in_(ids[10:15])).execute()
        Volume.update(version=Volume.version + 1).where(Volume.id.in_(ids[:2])).execute()
        MoveBatch.create(kind=BatchKind.MOVE, at=utcnow(), os_user="x", workstation="y")
        assert read_moves().problems == (
            "1 batches without movements",
            "2 tapes whose version is not 1 + their movements",
            f"5 tapes that never moved, not in {START.value}",
        )
    finally:
        close_database()
