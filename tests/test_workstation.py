"""This workstation's database: kept without a password, used when no --db is given, set
and shown on the command line, and chosen in the window."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from drm_gui.workstation import (
    WorkstationConfigError,
    config_path,
    set_workstation_database,
    workstation_database,
)

ROOT = Path(__file__).resolve().parent.parent


def test_the_url_is_kept_without_a_password(tmp_path: Path) -> None:
    assert workstation_database() is None
    path = set_workstation_database(" postgresql://drm@dbhost:5432/drm ")
    assert json.loads(path.read_text()) == {"database": "postgresql://drm@dbhost:5432/drm"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert workstation_database() == "postgresql://drm@dbhost:5432/drm"
    with pytest.raises(WorkstationConfigError, match="holds a password"):
        set_workstation_database("postgresql://drm:secret@dbhost/drm")
    with pytest.raises(WorkstationConfigError, match="unsupported database URL"):
        set_workstation_database("mysql://x/y")
    assert "secret" not in path.read_text()
    set_workstation_database(None)
    assert workstation_database() is None


def test_a_damaged_file_is_named(tmp_path: Path) -> None:
    config_path().write_text("{not json")
    with pytest.raises(WorkstationConfigError, match=r"workstation\.json: cannot be read"):
        workstation_database()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "main.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_the_command_line_opens_the_workstations_database(postgres_url: str) -> None:
    assert "(the default)" in run("database").stdout
    done = run("database", "set", postgres_url)
    assert done.returncode == 0, done.stderr
    assert run("demo", "--volumes", "20").returncode == 0
    shown = run("query", "--format", "csv")
    assert shown.returncode == 0 and shown.stdout.count("\n") == 21  # header + 20 tapes
    assert run("database", "reset").returncode == 0
    assert run("query", "--format", "csv").stdout.count("\n") <= 1  # the empty default file
    config_path().write_text("[]")
    broken = run("query")
    assert broken.returncode == 2 and "workstation.json: must hold an object" in broken.stderr
