"""`python main.py backup OUT`, as a user runs it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.core.conftest import sqlite_url
from tests.helpers.bad_databases import drm_database

ROOT = Path(__file__).resolve().parent.parent


def run(db: str, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, "main.py", "--db", db, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_backup_then_use_the_copy(tmp_path: Path) -> None:
    source = drm_database(tmp_path / "site.db", tapes=30)
    out = tmp_path / "backups" / "site-backup.db"
    out.parent.mkdir()
    done = run(str(source), "backup", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Backed up to {out} (")
    assert "integrity check passed, 30 volumes" in done.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    listed = run(str(out), "query", "--format", "csv")
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 1 + 30


def test_an_existing_file_is_replaced_only_when_asked(tmp_path: Path) -> None:
    source = drm_database(tmp_path / "site.db")
    out = tmp_path / "backup.db"
    out.write_text("keep me")
    refused = run(str(source), "backup", str(out))
    assert refused.returncode == 1
    assert refused.stderr == f"backup: {out} exists; choose another name, or --force\n"
    assert out.read_text() == "keep me"
    assert run(str(source), "backup", str(out), "--force").returncode == 0
    assert out.read_bytes().startswith(b"SQLite format 3\x00")


def test_a_postgresql_backup(postgres_url: str, tmp_path: Path) -> None:
    assert run(postgres_url, "demo", "--volumes", "50").returncode == 0
    out = tmp_path / "drm.dump"
    done = run(postgres_url, "backup", str(out))
    assert done.returncode == 0, done.stderr
    assert "pg_restore lists " in done.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_without_pg_dump_the_backup_is_refused_with_a_message(
    postgres_url: str, tmp_path: Path
) -> None:
    done = run(postgres_url, "backup", str(tmp_path / "drm.dump"), path=str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.startswith("backup: pg_dump is not on the PATH")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "drm.dump").exists()


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    source = sqlite_url(drm_database(tmp_path / "site.db"))
    done = run(source, "backup", str(tmp_path / "nowhere" / "b.db"))
    assert done.returncode == 1
    assert done.stderr == f"backup: the folder {tmp_path / 'nowhere'} does not exist\n"
