"""The command line refused an unusable database at start-up, as a user runs it: exit
status 1, one paragraph on stderr naming the database and what to do, nothing on stdout,
never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.conftest import sqlite_url
from tests.helpers.bad_databases import (
    DAMAGES,
    drm_database,
    locked_by_another_process,
    newer_schema,
    text_file,
)
from tests.helpers.pgserver import PostgresServer, free_port
from tests.helpers.readonly import run_read_only

ROOT = Path(__file__).resolve().parent.parent
SECRET = "Pa55w0rd-xyzzy"


def query_command(db: str) -> list[str]:
    return [sys.executable, "main.py", "--db", db, "query"]


def run_env() -> dict[str, str]:
    return {**os.environ, "PYTHONIOENCODING": "utf-8"}


def run_query(db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        query_command(db), cwd=ROOT, env=run_env(), capture_output=True, text=True, timeout=120
    )


def refusal(done: subprocess.CompletedProcess[str], where: Path | str) -> str:
    """The one paragraph on stderr, checked for what every refusal has."""
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"drm-gui: {where}: "), done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert "open another database" in done.stderr or "Try again" in done.stderr
    return done.stderr


@pytest.mark.slow
def test_a_locked_database(tmp_path: Path) -> None:
    """With the app's own 10 s busy timeout: the wait a user sees."""
    path = drm_database(tmp_path / "site.db")
    with locked_by_another_process(path):
        done = run_query(str(path))
    assert "locked by another program, and stayed locked for 10 s" in refusal(done, path)


def test_a_read_only_database(tmp_path: Path) -> None:
    path = drm_database(tmp_path / "site.db")
    done = run_read_only(path, query_command(str(path)), cwd=ROOT, env=run_env(), timeout=120)
    assert "read-only" in refusal(done, path)


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_database(tmp_path: Path, damage: str) -> None:
    path = drm_database(tmp_path / "site.db")
    DAMAGES[damage](path)
    assert "the database file is damaged" in refusal(run_query(str(path)), path)


def test_a_text_file(tmp_path: Path) -> None:
    path = text_file(tmp_path / "tapes.txt")
    stderr = refusal(run_query(sqlite_url(path)), path.resolve())
    assert "this file is not a drm-gui database" in stderr


def test_a_database_of_a_newer_drm_gui(tmp_path: Path) -> None:
    path = drm_database(tmp_path / "site.db")
    newer_schema(sqlite_url(path))
    assert "upgrade drm-gui, or open another database" in refusal(run_query(str(path)), path)


def test_a_server_that_is_down() -> None:
    port = free_port()
    done = run_query(f"postgresql://admin:{SECRET}@127.0.0.1:{port}/drm")
    stderr = refusal(done, "127.0.0.1/drm")
    assert f"127.0.0.1 port {port} cannot be reached" in stderr
    assert SECRET not in stderr


def test_a_refused_login(postgres_server: PostgresServer) -> None:
    postgres_server.password_role("keeper", "the-right-one")
    done = run_query(f"postgresql://keeper:{SECRET}@127.0.0.1:{postgres_server.port}/postgres")
    stderr = refusal(done, "127.0.0.1/postgres")
    assert 'refused the login (password authentication failed for user "keeper")' in stderr
    assert SECRET not in stderr
