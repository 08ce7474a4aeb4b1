"""`main.py audit verify` and `main.py audit export` as a script runs them: output, files,
exit codes."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from pypdf import PdfReader

from drm_gui.core.db import close_database, open_database
from drm_gui.core.media import Actor, move_volumes
from drm_gui.core.states import DrmState
from tests.core.conftest import sqlite_url
from tests.helpers import rawdb
from tests.helpers.factories import NOW, make_volume
from tests.test_cli_reports import run

UTC = {"TZ": "UTC"}  # --from and --to are local dates
DAY = dt.timedelta(days=1)


def site(tmp_path: Path) -> str:
    """V1 moved on 2024-06-13 (with V2), V1 again on the 14th and the 15th."""
    url = sqlite_url(tmp_path / "cli.db")
    open_database(url)
    try:
        actor = Actor("alice", "ws-01")
        v1 = make_volume("V1", DrmState.MOUNTABLE)
        v2 = make_volume("V2", DrmState.MOUNTABLE)
        move_volumes([v1.id, v2.id], DrmState.NOTMOUNTABLE, actor=actor, now=NOW - 2 * DAY)
        move_volumes([v1.id], DrmState.COURIER, actor=actor, now=NOW - DAY)
        move_volumes([v1.id], DrmState.VAULT, actor=actor, now=NOW)
    finally:
        close_database()
    return url


def test_verify_an_intact_trail(tmp_path: Path) -> None:
    done = run(site(tmp_path), tmp_path, "audit", "verify")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("The audit trail is intact: 3 row(s)")


def test_verify_names_the_first_bad_row(tmp_path: Path) -> None:
    url = site(tmp_path)
    rawdb.execute(url, "UPDATE audit_entry SET os_user = 'mallory' WHERE seq = 2")
    done = run(url, tmp_path, "audit", "verify")
    assert done.returncode == 1
    assert done.stdout.startswith("Row #2 (MOVE V1, by mallory on ws-01) was altered")
    rawdb.execute(url, "DELETE FROM audit_entry WHERE seq = 2")
    done = run(url, tmp_path, "audit", "verify")
    assert done.returncode == 1
    assert done.stdout.startswith("Row #2 is missing: removed from the trail")


def test_export_a_period_as_csv(tmp_path: Path) -> None:
    url = site(tmp_path)
    out = tmp_path / "audit.csv"
    args = ("audit", "export", "--from", "2024-06-14", "--to", "2024-06-15", "--out", str(out))
    done = run(url, tmp_path, *args, env=UTC)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"Audit trail: 2 row(s) written to {out}\n"
    lines = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["seq"], r["kind"], r["subject"]) for r in lines] == [
        ("2", "MOVE", "V1"),
        ("3", "MOVE", "V1"),
    ]


def test_export_a_tape_as_pdf(tmp_path: Path) -> None:
    url = site(tmp_path)
    out = tmp_path / "v2.pdf"
    done = run(url, tmp_path, "audit", "export", "--volser", "V2", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Audit trail: 1 row(s) written to" in done.stdout
    text = "\n".join(p.extract_text() for p in PdfReader(str(out)).pages)
    assert "Audit trail of tape V2" in text and "CHAIN INTACT" in text
    assert "batch 1; MOUNTABLE →" in text and "NOTMOUNTABLE: V2" in text
    assert "Page 1 of 1" in text


def test_export_warns_of_a_broken_chain(tmp_path: Path) -> None:
    url = site(tmp_path)
    rawdb.execute(url, "DELETE FROM audit_entry WHERE seq = 3")
    done = run(url, tmp_path, "audit", "export", "--out", str(tmp_path / "a.csv"))
    assert done.returncode == 0
    assert "warning: Row #3 is missing" in done.stderr


def test_export_refuses_an_unknown_format_and_an_empty_period(tmp_path: Path) -> None:
    url = site(tmp_path)
    done = run(url, tmp_path, "audit", "export", "--out", str(tmp_path / "a.txt"))
    assert done.returncode == 2 and "give a file ending in .csv or .pdf" in done.stderr
    args = ("--from", "2024-06-15", "--to", "2024-06-13", "--out", str(tmp_path / "a.csv"))
    done = run(url, tmp_path, "audit", "export", *args, env=UTC)
    assert done.returncode == 1 and "the period is empty" in done.stderr
    assert not (tmp_path / "a.csv").exists()
