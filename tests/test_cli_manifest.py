"""`main.py manifest` as an operator or a script runs it: exit codes, the PDF, list, show and
a byte-identical reprint."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from drm_gui.core.db import close_database, open_database
from drm_gui.core.states import DrmState
from tests.core.conftest import sqlite_url
from tests.helpers.factories import make_pool, make_volume

ROOT = Path(__file__).resolve().parent.parent


def run(db: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DRM_GUI_DATA_DIR=str(tmp_path / "data"), PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "main.py", "--db", db, "manifest", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = sqlite_url(tmp_path / "cli.db")
    open_database(url)
    try:
        pool = make_pool("COPYPOOL")
        for i in range(1, 4):
            make_volume(f"A0000{i}L8", DrmState.COURIER, pool=pool, location="COURIER")
        make_volume("B00001L8", DrmState.MOUNTABLE, pool=pool)
        make_volume("R00001L8", DrmState.VAULTRETRIEVE, pool=pool, location="VAULT")
        make_volume("V00001L8", DrmState.VAULT, pool=pool, location="VAULT")
    finally:
        close_database()
    return url


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_out_by_default_writes_the_pdf_and_reprints_identically(url: str, tmp_path: Path) -> None:
    pdf = tmp_path / "out" / "m1.pdf"
    done = run(url, tmp_path, "--direction", "out", "--courier", "Night run", "--pdf", str(pdf))
    assert done.returncode == 0, done.stderr
    assert "Manifest 1 (OUT): 3 tape(s), courier Night run" in done.stdout
    assert f"PDF written: {pdf}" in done.stdout
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o644
    text = pdf_text(pdf)
    assert all(v in text for v in ("A00001L8", "A00002L8", "A00003L8"))
    assert "B00001L8" not in text and "Night run" in text
    digest = done.stdout.split("SHA-256 ", 1)[1].split()[0]
    assert f"SHA-256 {digest}" in text

    again = run(url, tmp_path, "pdf", "1", "--pdf", str(tmp_path / "again.pdf"))
    assert again.returncode == 0, again.stderr
    assert pdf_text(tmp_path / "again.pdf") == text


def test_in_with_patterns_then_list_and_show(url: str, tmp_path: Path) -> None:
    done = run(
        url, tmp_path, "--direction", "IN", "--volumes", "R*", "--pdf", str(tmp_path / "i.pdf")
    )
    assert done.returncode == 0, done.stderr
    assert "Manifest 1 (IN): 1 tape(s)" in done.stdout
    done = run(url, tmp_path, "--direction", "out", "--volumes", "B00001L8", "A00001L8",
               "--container", "CASE-3", "--pdf", str(tmp_path / "o.pdf"))  # fmt: skip
    assert done.returncode == 0, done.stderr

    listed = run(url, tmp_path, "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[1].split()[:2] == ["2", "OUT"] and lines[2].split()[:2] == ["1", "IN"]
    assert "2 manifest(s)" in listed.stdout

    shown = run(url, tmp_path, "show", "2")
    assert shown.returncode == 0, shown.stderr
    assert "(matches the tape list)" in shown.stdout
    assert "A00001L8" in shown.stdout and "B00001L8" in shown.stdout
    assert "LIB1 -> VAULT  CASE-3" in shown.stdout
    assert "2 tape(s)" in shown.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--direction", "out", "--volumes", "V00001L8"), "V00001L8 (VAULT)"),
        (("--direction", "out", "--volumes", "Z*"), "Z*: no volume matches"),
        (("--direction", "in", "--volumes", "A00001L8"), "A00001L8 (COURIER)"),
    ],
)
def test_refusals_exit_1_and_record_nothing(
    url: str, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    pdf = tmp_path / "m.pdf"
    done = run(url, tmp_path, *args, "--pdf", str(pdf))
    assert done.returncode == 1
    assert message in done.stderr
    assert not pdf.exists()
    assert "0 manifest(s)" in run(url, tmp_path, "list").stdout


def test_an_empty_manifest_exits_1(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "empty.db")
    done = run(url, tmp_path, "--direction", "in", "--pdf", str(tmp_path / "m.pdf"))
    assert done.returncode == 1
    assert "no tape is in VAULTRETRIEVE or COURIERRETRIEVE" in done.stderr


def test_no_such_manifest_exits_1(url: str, tmp_path: Path) -> None:
    done = run(url, tmp_path, "show", "9")
    assert done.returncode == 1 and "there is no manifest 9" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--pdf", "x.pdf"),  # no direction
        ("--direction", "out"),  # no pdf
        ("--direction", "sideways", "--pdf", "x.pdf"),
        ("show",),
        ("pdf", "1"),
        ("list", "--direction", "out"),
        ("frobnicate",),
    ],
)
def test_usage_errors_exit_2(url: str, tmp_path: Path, args: tuple[str, ...]) -> None:
    done = run(url, tmp_path, *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip()
