"""`main.py report` and `main.py reconcile` as a script runs them: output, files, exit codes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from drm_gui.core.db import close_database, open_database
from drm_gui.core.models import utcnow
from drm_gui.core.reconcile import missing_tapes
from drm_gui.core.states import DrmState
from tests.core.conftest import sqlite_url
from tests.helpers.factories import make_volume

ROOT = Path(__file__).resolve().parent.parent


def run(
    db: str, tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        DRM_GUI_DATA_DIR=str(tmp_path / "data"),
        PYTHONIOENCODING="utf-8",
        **(env or {}),
    )
    return subprocess.run(
        [sys.executable, "main.py", "--db", db, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def site(tmp_path: Path) -> str:
    url = sqlite_url(tmp_path / "cli.db")
    open_database(url)
    try:
        now = utcnow()
        make_volume("V1", DrmState.VAULT, location="IRON")
        make_volume("V2", DrmState.VAULT, location="IRON")
        make_volume("R1", DrmState.VAULTRETRIEVE, location="IRON")
        make_volume(
            "C1", DrmState.COURIER, location="COURIER", updated_at=now - dt.timedelta(hours=30)
        )
    finally:
        close_database()
    return url


def test_report_as_csv_on_stdout(tmp_path: Path) -> None:
    url = site(tmp_path)
    done = run(url, tmp_path, "report", "bring-back")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Volser,Kind,Pool,State,Location,Since,Note"
    assert lines[1].startswith("R1,Copy pool,-,VAULTRETRIEVE,IRON,")
    transit = run(url, tmp_path, "report", "transit", "--hours", "24")
    assert [line.split(",")[0] for line in transit.stdout.splitlines()] == ["Volser", "C1"]
    assert run(url, tmp_path, "report", "transit", "--hours", "48").stdout.count("\n") == 1


def test_report_as_pdf_and_csv_file(tmp_path: Path) -> None:
    url = site(tmp_path)
    pdf = tmp_path / "out" / "vault.pdf"
    done = run(url, tmp_path, "report", "vault", "--out", str(pdf))
    assert done.returncode == 0, done.stderr
    assert "Vault inventory: 3 row(s) written to" in done.stdout
    text = "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert all(v in text for v in ("V1", "V2", "R1")) and "Page 1 of 1" in text
    csv_file = tmp_path / "counts.csv"
    done = run(url, tmp_path, "report", "counts", "--out", str(csv_file))
    assert done.returncode == 0 and "Per state,VAULT,Vault,2" in csv_file.read_text()
    moves = run(url, tmp_path, "report", "movements", "--from", "2020-01-01", "--to", "2020-01-31")
    assert moves.returncode == 0 and moves.stdout.splitlines()[0].startswith("When,Volser")


def test_report_usage_errors(tmp_path: Path) -> None:
    url = site(tmp_path)
    assert run(url, tmp_path, "report", "nonsense").returncode == 2
    done = run(url, tmp_path, "report", "send", "--format", "pdf")
    assert done.returncode == 2 and "needs --out" in done.stderr
    done = run(url, tmp_path, "report", "send", "--from", "2024-01-01")
    assert done.returncode == 2 and "movements report only" in done.stderr
    done = run(url, tmp_path, "report", "movements", "--from", "2024-02-01", "--to", "2024-01-01")
    assert done.returncode == 2 and "period is empty" in done.stderr
    assert run(url, tmp_path, "report", "transit", "--hours", "-3").returncode == 2


def test_reconcile_a_list_that_agrees(tmp_path: Path) -> None:
    url = site(tmp_path)
    listing = tmp_path / "vault.txt"
    listing.write_text("# from the vault\nV1\nv2\nR1\n")
    done = run(url, tmp_path, "reconcile", str(listing))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3 listed, 3 agree, 0 difference(s)"


def test_reconcile_a_csv_that_disagrees(tmp_path: Path) -> None:
    url = site(tmp_path)
    listing = tmp_path / "vault.csv"
    listing.write_text("Box;Barcode\n1;V1\n2;C1\n3;ZZ9\n4;R1\n")
    done = run(url, tmp_path, "reconcile", str(listing), "--column", "barcode")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(
        "difference: C1 (line 3): at the vault, not VAULT in the records, records: COURIER"
    )
    assert lines[0].endswith("[move to VAULT, ignore]")
    assert lines[1].startswith("difference: V2: VAULT in the records, not on the vault's list")
    assert lines[2].startswith("difference: ZZ9 (line 4): not in the records")
    assert lines[-1] == "4 listed, 2 agree, 3 difference(s)"


def test_reconcile_bad_files(tmp_path: Path) -> None:
    url = site(tmp_path)
    listing = tmp_path / "vault.csv"
    listing.write_text("Box,Barcode\n1,V1\n2,V 2\n3,R1\n")
    done = run(url, tmp_path, "reconcile", str(listing), "--column", "Volser")
    assert done.returncode == 1
    assert "no column 'Volser'; columns found: 'Box', 'Barcode'" in done.stderr
    done = run(url, tmp_path, "reconcile", str(listing), "--column", "Barcode")
    assert done.returncode == 1
    assert "bad line: vault.csv: line 3: 'V 2': contains a blank" in done.stdout
    assert "nothing imported" in done.stderr
    done = run(url, tmp_path, "reconcile", str(listing), "--column", "Barcode", "--accept-valid")
    assert done.returncode == 1  # V2 is not on the valid lines: a difference
    assert done.stdout.splitlines()[-1].endswith("1 bad line(s) left out")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    done = run(url, tmp_path, "reconcile", str(empty))
    assert done.returncode == 1 and "empty" in done.stderr
    done = run(url, tmp_path, "reconcile", str(tmp_path / "absent.txt"))
    assert done.returncode == 1 and "cannot read" in done.stderr


def test_reconcile_records_a_missing_tape_found(tmp_path: Path) -> None:
    url = site(tmp_path)
    open_database(url)
    try:
        from drm_gui.core.reconcile import Resolution, reconcile, resolve
        from drm_gui.core.vault_list import read_volser_list

        rec = reconcile(read_volser_list("V1\nR1\n"))
        diff = {d.volser: d for d in rec.differences}["V2"]
        resolve(diff, Resolution.MARK_MISSING)
    finally:
        close_database()
    listing = tmp_path / "vault.txt"
    listing.write_text("V1\nV2\nR1\n")
    done = run(url, tmp_path, "reconcile", str(listing))
    assert done.returncode == 0, done.stderr
    assert "found: V2: no longer missing, listed by the vault again" in done.stdout
    open_database(url)
    try:
        assert missing_tapes() == []
    finally:
        close_database()
