"""The command line, run as a user runs it: `python main.py --db URL COMMAND ...`."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from drm_gui import __version__
from drm_gui.cli import QUERY_COLUMNS
from drm_gui.core import settings as settings_mod
from drm_gui.core.db import close_database, open_database
from drm_gui.core.models import SeriesKind, utcnow
from drm_gui.core.states import DrmState
from tests.core.conftest import sqlite_url
from tests.helpers.factories import counts, make_pool, make_series, make_volume, state_of
from tests.helpers.pgserver import free_port

ROOT = Path(__file__).resolve().parent.parent
S = DrmState
SECRET = "Pa55w0rd-xyzzy"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each backend for the command line."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "cli.db")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def sqlite_only(tmp_path: Path) -> str:
    """For the tests about argument handling, where the backend does not matter."""
    return sqlite_url(tmp_path / "cli.db")


def run(
    *args: str, db: str | None = None, data_dir: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs main.py in a fresh interpreter from the repository root."""
    env = dict(os.environ)
    env["DRM_GUI_DATA_DIR"] = str(data_dir or Path(os.environ["DRM_GUI_DATA_DIR"]))
    env["PYTHONIOENCODING"] = "utf-8"
    command = [sys.executable, "main.py"]
    if db is not None:
        command += ["--db", db]
    return subprocess.run(
        [*command, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@contextmanager
def opened(url: str) -> Iterator[None]:
    """The same database, opened in this process to prepare or check data."""
    open_database(url)
    try:
        yield
    finally:
        close_database()


@pytest.fixture
def site(url: str) -> dict[str, int]:
    """A few hand-built tapes: volser -> id."""
    with opened(url):
        pool = make_pool("COPYPOOL1")
        specs = [
            ("M0001L8", S.MOUNTABLE, "LIB1"),
            ("M0002L8", S.MOUNTABLE, "LIB1"),
            ("N0001L8", S.NOTMOUNTABLE, "SHELF"),
            ("V0001L8", S.VAULT, "VAULT"),
        ]
        return {
            volser: make_volume(volser, state, pool=pool, location=location).id
            for volser, state, location in specs
        }


def assert_no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr, done.stderr


# --- --version ------------------------------------------------------------------------------------


def test_version() -> None:
    done = run("--version")
    assert done.returncode == 0
    assert done.stdout == f"drm-gui {__version__}\n"
    assert done.stdout == "drm-gui 0.1.0\n"


def test_version_does_not_import_pyside6() -> None:
    code = (
        "import sys\n"
        "from drm_gui.app import main\n"
        "try:\n"
        "    main(['--version'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "else:\n"
        "    raise AssertionError('--version did not exit')\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] == 'PySide6')\n"
        "assert not qt, qt\n"
        "print('no Qt')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("no Qt\n")


# --- demo and query -------------------------------------------------------------------------------


def test_demo_then_query_in_every_format(url: str) -> None:
    done = run("demo", "--volumes", "400", db=url)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Created a demo site with 400 volumes.\n"

    again = run("demo", db=url)
    assert again.returncode == 1
    assert "already holds 400 volumes" in again.stderr

    as_json = run("query", "--format", "json", db=url)
    assert as_json.returncode == 0, as_json.stderr
    records = json.loads(as_json.stdout)
    assert len(records) == 400
    assert {r["state"] for r in records} == {s.value for s in DrmState}
    assert list(records[0]) == list(QUERY_COLUMNS)
    assert [r["volser"] for r in records] == sorted(r["volser"] for r in records)

    as_csv = run("query", "*", "--format", "csv", db=url)
    assert as_csv.returncode == 0, as_csv.stderr
    reader = csv.DictReader(io.StringIO(as_csv.stdout))
    assert tuple(reader.fieldnames or ()) == QUERY_COLUMNS
    rows = list(reader)
    assert [r["volser"] for r in rows] == [r["volser"] for r in records]
    assert [r["state"] for r in rows] == [r["state"] for r in records]

    table = run("query", db=url)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == [c.upper() for c in QUERY_COLUMNS]
    assert set(lines[1]) <= {"-", " "}
    assert lines[-1] == "400 volume(s)"
    assert len(lines) == 400 + 3

    vaulted_a = run("query", "a*", "--state", "vault", "--format", "json", db=url)
    found = json.loads(vaulted_a.stdout)
    expected = [r for r in records if r["volser"].startswith("A") and r["state"] == "VAULT"]
    assert found == expected and found

    db_backups = json.loads(run("query", "--kind", "dbbackup", "--format", "json", db=url).stdout)
    assert db_backups and {r["kind"] for r in db_backups} == {"DBBackup"}
    by_pool = json.loads(run("query", "--pool", "COPY*", "--format", "json", db=url).stdout)
    assert by_pool and {r["pool"] for r in by_pool} == {"COPYPOOL1", "COPYPOOL2"}


@pytest.mark.parametrize("volumes", ["0", "1000001", "-5"])
def test_demo_refuses_a_count_out_of_range(sqlite_only: str, volumes: str) -> None:
    done = run("demo", "--volumes", volumes, db=sqlite_only)
    assert done.returncode == 2
    assert "--volumes must be between 1 and 1,000,000" in done.stderr
    with opened(sqlite_only):
        assert counts() == (0, 0)


def test_query_refuses_a_bad_state(sqlite_only: str) -> None:
    done = run("query", "--state", "SHELF", db=sqlite_only)
    assert done.returncode == 2
    assert "unknown state 'SHELF'" in done.stderr


# --- move ------------------------------------------------------------------------------------


def test_move_all_moved(url: str, site: dict[str, int]) -> None:
    done = run("move", "M*", "--to", "courier", "--reason", "Tuesday run", db=url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "moved: M0001L8: MOUNTABLE → COURIER (COURIER)",
        "moved: M0002L8: MOUNTABLE → COURIER (COURIER)",
        "2 moved, 0 refused",
        "2 MOVE DRMEDIA command(s) written to "
        f"{Path(os.environ['DRM_GUI_DATA_DIR']) / 'exec.cmds'} for the server's administrator",
    ]
    with opened(url):
        assert state_of(site["M0001L8"]) == (S.COURIER, "COURIER")
        assert state_of(site["M0002L8"]) == (S.COURIER, "COURIER")
        assert state_of(site["N0001L8"]) == (S.NOTMOUNTABLE, "SHELF")
        assert counts() == (1, 2)


def test_move_with_refusals(url: str, site: dict[str, int]) -> None:
    done = run("move", "M0001L8", "V0001L8", "NOPE*", "--to", "COURIER", db=url)
    assert done.returncode == 1
    out = done.stdout.splitlines()
    assert "moved: M0001L8: MOUNTABLE → COURIER (COURIER)" in out
    assert "refused: NOPE*: no volume matches this pattern" in out
    refusal = next(line for line in out if line.startswith("refused: V0001L8: "))
    assert "VAULT → COURIER" in refusal
    assert out[-2] == "1 moved, 2 refused"
    assert out[-1].startswith("1 MOVE DRMEDIA command(s) written to ")
    with opened(url):
        assert state_of(site["M0001L8"])[0] is S.COURIER
        assert state_of(site["V0001L8"]) == (S.VAULT, "VAULT")


def test_move_from_state_and_to_location(url: str, site: dict[str, int]) -> None:
    done = run(
        "move", "*", "--from", "notmountable", "--to", "VAULT", "--to-location", "Bunker 7",
        db=url,
    )  # fmt: skip
    assert done.returncode == 1  # the tapes not in NOTMOUNTABLE are reported
    assert "moved: N0001L8: NOTMOUNTABLE → VAULT (Bunker 7)" in done.stdout
    assert "refused: M0001L8: is MOUNTABLE, not NOTMOUNTABLE" in done.stdout
    with opened(url):
        assert state_of(site["N0001L8"]) == (S.VAULT, "Bunker 7")
        assert state_of(site["M0001L8"]) == (S.MOUNTABLE, "LIB1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["move", "M*", "--to", "SHELF"], "unknown state 'SHELF'"),
        (["move", "M*", "--to", "VAULT", "--from", "nowhere"], "unknown state 'nowhere'"),
        (["move", "M*"], "--to"),
        (["move", "--to", "VAULT"], "PATTERN"),
        (["move", "M*", "--to", "VAULT", "--to-location", ""], "to-location"),
        (["move", "M*", "--to", "VAULT", "--to-location", "a\tb"], "control characters"),
    ],
)
def test_move_usage_errors(sqlite_only: str, args: list[str], message: str) -> None:
    with opened(sqlite_only):
        volume = make_volume("M0001L8", S.MOUNTABLE)
    done = run(*args, db=sqlite_only)
    assert done.returncode == 2
    assert message in done.stderr
    assert_no_traceback(done)
    with opened(sqlite_only):
        assert state_of(volume.id) == (S.MOUNTABLE, "LIB1")
        assert counts() == (0, 0)


# --- expire, history, settings ------------------------------------------------------------------


def test_expire(url: str) -> None:
    now = utcnow()
    with opened(url):
        make_series(SeriesKind.FULL, 10, written_at=now - dt.timedelta(days=200))
        make_series(SeriesKind.FULL, 11, written_at=now - dt.timedelta(days=1))
        worm = make_pool("ARCHCOPY", reuse_delay_days=0, worm=True)
        make_volume(
            "W0001LZ",
            S.VAULT,
            pool=worm,
            location="VAULT",
            pct_used=0.0,
            empty_since=now - dt.timedelta(days=10),
        )
    done = run("expire", db=url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "VAULTRETRIEVE: D00100L8: database full series 10 older than 60 day(s) and not the newest",
        "VAULTRETRIEVE: W0001LZ: empty ARCHCOPY tape, reuse delay of 0 day(s) passed"
        " [WORM: destroy or archive on return]",
        "2 volume(s) now VAULTRETRIEVE",
    ]
    again = run("expire", db=url)
    assert again.returncode == 0
    assert again.stdout == "0 volume(s) now VAULTRETRIEVE\n"


def test_history(url: str, site: dict[str, int]) -> None:
    assert (
        run("move", "M0001L8", "--to", "NOTMOUNTABLE", "--reason", "to shelf", db=url).returncode
        == 0
    )
    assert run("move", "M0001L8", "--to", "VAULT", db=url).returncode == 0
    done = run("history", "m0001l8", db=url)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "M0001L8  Copy pool  COPYPOOL1  VAULT at VAULT"
    assert lines[1].split() == ["WHEN", "KIND", "FROM", "TO", "LOCATION", "WHO", "REASON"]
    who = f"{getpass.getuser()}@{socket.gethostname()}"
    first, second = lines[3:]
    assert first.split()[2:] == [
        "MOVE",
        "MOUNTABLE",
        "NOTMOUNTABLE",
        "NOTMOUNTABLE",
        who,
        "to",
        "shelf",
    ]
    assert second.split()[2:] == ["MOVE", "NOTMOUNTABLE", "VAULT", "VAULT", who]

    missing = run("history", "ZZZ999", db=url)
    assert missing.returncode == 1
    assert "no volume 'ZZZ999'" in missing.stderr


def test_settings(url: str, site: dict[str, int]) -> None:
    listing = run("settings", db=url)
    assert listing.returncode == 0, listing.stderr
    names = [line.split()[0] for line in listing.stdout.splitlines()]
    assert "vault_name" in names and "db_backup_expire_days" in names
    assert len(names) == len(set(names)) == len(settings_mod.SETTINGS)

    done = run("settings", "VAULT_NAME", "Bunker 7", db=url)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "vault_name = Bunker 7\n"
    shown = run("settings", "vault_name", db=url)
    assert shown.stdout.split()[:3] == ["vault_name", "Bunker", "7"]

    bad = run("settings", "db_backup_expire_days", "99999", db=url)
    assert bad.returncode == 2
    assert "db_backup_expire_days: 99999 is out of range: use 0 to 9999" in bad.stderr
    unknown = run("settings", "vault", "X", db=url)
    assert unknown.returncode == 2
    assert "unknown setting 'vault'" in unknown.stderr
    assert_no_traceback(unknown)

    # The stored setting is what the next move uses.
    moved = run("move", "M0001L8", "--to", "VAULT", db=url)
    assert "(Bunker 7)" in moved.stdout
    with opened(url):
        assert state_of(site["M0001L8"]) == (S.VAULT, "Bunker 7")


# --- Unusable databases ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_url",
    [
        "ftp://x",
        "sqlite://",
        "postgresql://host/",
        f"postgresql://admin:{SECRET}@host:notaport/drm",
        f"ftp://admin:{SECRET}@x/y",
    ],
)
def test_a_bad_db_url_is_a_usage_error(bad_url: str) -> None:
    done = run("query", db=bad_url)
    assert done.returncode == 2
    assert done.stderr.startswith("drm-gui: ")
    assert SECRET not in done.stderr + done.stdout
    assert_no_traceback(done)


def test_an_unreachable_server_is_refused_without_the_password() -> None:
    done = run("query", db=f"postgresql://admin:{SECRET}@127.0.0.1:{free_port()}/drm")
    assert done.returncode == 1
    assert "cannot be reached" in done.stderr
    assert SECRET not in done.stderr + done.stdout
    assert_no_traceback(done)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"This is a text file, not a database.\n" * 200)
    done = run("query", db=sqlite_url(path))
    assert done.returncode == 1
    assert "notes.db: this file is not a drm-gui database, or it is damaged" in done.stderr
    assert_no_traceback(done)
