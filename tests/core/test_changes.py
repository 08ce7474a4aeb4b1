"""Seeing another workstation's changes: the change mark, SQLite's data_version and
PostgreSQL's notifications, with the other workstation a real second process."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

from drm_gui.core import changes
from drm_gui.core.states import DrmState
from tests.helpers.factories import make_volume

ROOT = Path(__file__).resolve().parents[2]


def other_workstation(url: str, *args: str) -> None:
    """The command line in another process, as a second workstation would run it."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    done = subprocess.run(
        [sys.executable, "main.py", "--db", url, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_changes_since_names_the_volumes_moved_elsewhere(db, db_url: str) -> None:
    vols = [make_volume(f"A0000{i}L8", DrmState.MOUNTABLE) for i in range(3)]
    mark = changes.current_mark()
    assert not changes.changes_since(mark).any
    other_workstation(db_url, "move", "A00001L8", "A00002L8", "--to", "COURIER")
    found = changes.changes_since(mark)
    assert sorted(found.volume_ids) == [vols[1].id, vols[2].id] and not found.reload_all
    assert not changes.changes_since(found.mark).any
    make_volume("NEW001L8", DrmState.VAULT)  # a volume no movement names: read all again
    assert changes.changes_since(found.mark).reload_all


def test_sqlite_data_version_moves_when_another_connection_commits(db, db_url: str) -> None:
    make_volume("A00001L8", DrmState.MOUNTABLE)
    before = changes.data_version()
    if db.backend == "postgresql":
        assert before is None
        return
    assert changes.data_version() == before  # our own reads do not move it
    other_workstation(db_url, "move", "A00001L8", "--to", "COURIER")
    assert changes.data_version() != before


def test_postgresql_notifies_listeners_when_another_workstation_commits(db, db_url) -> None:
    make_volume("A00001L8", DrmState.MOUNTABLE)
    conn = changes.listen_connection()
    if db.backend == "sqlite":
        assert conn is None
        return
    try:
        assert changes.drain(conn) == 0
        other_workstation(db_url, "move", "A00001L8", "--to", "COURIER")
        ready, _, _ = select.select([conn], [], [], 30)
        assert ready, "no notification arrived"
        assert changes.drain(conn) >= 1
    finally:
        conn.close()
