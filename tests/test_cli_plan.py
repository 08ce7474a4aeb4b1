"""`main.py prepare` as cron runs it: exit codes, the plan file, the split, the problems."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
from pathlib import Path

from drm_gui.core.db import close_database, open_database
from drm_gui.core.models import SeriesKind, utcnow
from drm_gui.core.states import DrmState
from tests.core.conftest import sqlite_url
from tests.helpers.factories import make_series

ROOT = Path(__file__).resolve().parent.parent


def run(db: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DRM_GUI_DATA_DIR=str(tmp_path / "data"), PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "main.py", "--db", db, "prepare", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def site(tmp_path: Path, *states: DrmState) -> str:
    url = sqlite_url(tmp_path / "cli.db")
    open_database(url)
    try:
        make_series(SeriesKind.FULL, 7, written_at=utcnow() - dt.timedelta(hours=3), states=states)
    finally:
        close_database()
    return url


def test_a_ready_plan_exits_0_and_splits(tmp_path: Path) -> None:
    url = site(tmp_path, DrmState.VAULT)
    done = run(url, tmp_path, "--out", str(tmp_path / "plans"), "--split", str(tmp_path / "s"))
    assert done.returncode == 0, done.stderr
    files = list((tmp_path / "plans").iterdir())
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert "D00070L8" in files[0].read_text()
    assert os.access(tmp_path / "s" / "RECOVERY.SCRIPT.NORMAL.MODE", os.X_OK)


def test_not_ready_exits_1_with_each_problem(tmp_path: Path) -> None:
    url = site(tmp_path, DrmState.VAULT, DrmState.COURIER)
    done = run(url, tmp_path, "--out", str(tmp_path / "plans"))
    assert done.returncode == 1
    assert "not ready: D00071L8: COURIER" in done.stdout
    assert len(list((tmp_path / "plans").iterdir())) == 1  # written all the same


def test_refusals_and_usage(tmp_path: Path) -> None:
    url = site(tmp_path, DrmState.VAULT)
    done = run(url, tmp_path, "--out", str(tmp_path / "p"), "--series", "99")
    assert done.returncode == 1 and "no database backup series 99" in done.stderr
    done = run(url, tmp_path, "--series", "7", "--as-of", "2024-01-01")
    assert done.returncode == 2
    done = run(url, tmp_path, "--as-of", "yesterday")
    assert done.returncode == 2 and "give a date and time" in done.stderr
    done = run(url, tmp_path, "--out", str(tmp_path / "p"), "--primary-pools", "NOPE")
    assert done.returncode == 1 and "no primary storage pool matches NOPE" in done.stderr


def test_pdf_beside_the_plan(tmp_path: Path) -> None:
    url = site(tmp_path, DrmState.VAULT)
    done = run(url, tmp_path, "--out", str(tmp_path / "plans"), "--pdf")
    assert done.returncode == 0, done.stderr
    plan, pdf = sorted((tmp_path / "plans").iterdir())
    assert pdf.name == plan.name + ".pdf"
    assert f"PDF written: {pdf}" in done.stdout
    assert pdf.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
