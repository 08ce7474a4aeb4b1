"""The throwaway PostgreSQL server of the tests: found, isolated, and never silently skipped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import pgserver, rawdb
from tests.helpers.pgserver import PostgresServer, PostgresUnavailableError

ROOT = Path(__file__).resolve().parent.parent


def test_without_binaries_the_message_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DRM_GUI_PG_BINDIR", raising=False)
    monkeypatch.setattr(pgserver, "glob", lambda pattern: [])
    monkeypatch.setattr(pgserver.shutil, "which", lambda name: None)
    with pytest.raises(PostgresUnavailableError, match="Install the Debian package `postgresql`"):
        pgserver.find_bindir()


def test_an_explicit_bindir_without_the_tools_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DRM_GUI_PG_BINDIR", str(tmp_path))
    with pytest.raises(PostgresUnavailableError, match="does not hold initdb, pg_ctl, postgres"):
        pgserver.find_bindir()


def test_postgresql_tests_fail_rather_than_skip_without_a_server() -> None:
    """A session where PostgreSQL cannot start reports errors, never a quiet skip."""
    env = dict(os.environ, DRM_GUI_PG_BINDIR="/nonexistent/postgresql/bin")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/core/test_db.py",
            "-k",
            "test_new_database_gets_every_table",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout
    assert "PostgreSQL tests cannot run" in done.stdout
    assert "1 passed" in done.stdout and "1 error" in done.stdout  # SQLite ran, PG errored
    assert "skipped" not in done.stdout


def test_the_server_listens_on_loopback_with_a_fresh_database_per_test(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    assert postgres_url.startswith(f"postgresql://drm@127.0.0.1:{postgres_server.port}/")
    assert postgres_server.base is not None and postgres_server.data_dir.is_dir()
    hba = (postgres_server.data_dir / "pg_hba.conf").read_text()
    assert "0.0.0.0" not in hba and "::" not in hba
    (listen,) = rawdb.execute(postgres_url, "SHOW listen_addresses")
    assert listen == ("127.0.0.1",)
    rawdb.execute(postgres_url, "CREATE TABLE leftover (id INTEGER)")
    again = postgres_server.reset_database(postgres_url.rsplit("/", 1)[1])
    assert again == postgres_url
    tables = rawdb.execute(again, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    assert tables == []


def test_the_server_stops_and_cleans_up() -> None:
    server = PostgresServer()
    with server:
        base = server.base
        assert base is not None and (base / "data" / "postmaster.pid").is_file()
        url = server.create_database("cleanup_check")
        assert rawdb.execute(url, "SELECT 1") == [(1,)]
    assert base is not None and not base.exists()
    assert server.base is None
