"""`main.py import` and `main.py export` as a script runs them: previews, exit codes, the
bad-line rule, and the round trip export → import."""

from __future__ import annotations

from pathlib import Path

from drm_gui.core.db import close_database, open_database
from drm_gui.core.models import DbBackupSeries, Volume
from drm_gui.core.site import ServerFile, get_server_file
from tests.core.conftest import sqlite_url
from tests.fake_dsmadmc import DSMADMC, sample_server, write_state
from tests.test_cli_reports import run

DRMEDIA = """\
ANS8000I Server command: 'query drmedia * format=detailed'.
VOL001L8,Vault,06/14/2024 09:30:00,IRON MOUNTAIN,CopyStgPool,COPYPOOL,,LIB1
VOL002L8,Courier,06/14/2024 09:30:00,COURIER,CopyStgPool,COPYPOOL,,LIB1
DB0001L8,Vault,06/14/2024 09:30:00,IRON MOUNTAIN,DBBackup,,,LIB1
ANS8002I Highest return code was 0.
"""
VOLHIST = """\
*  Sequential Volume Usage History
 2024/06/10 04:00:00  BACKUPFULL  41  0  1  LTOCLASS  "DB0001L8"
"""
DEVCONFIG = "SET SERVERNAME SERVER1\nDEFINE LIBRARY LIB1 LIBTYPE=SCSI\n"


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def states(url: str) -> dict[str, tuple[str, str]]:
    open_database(url)
    try:
        return {v.volser: (v.state.value, v.location) for v in Volume.select()}
    finally:
        close_database()


def test_import_previews_then_applies_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "cli.db")
    path = write(tmp_path, "drm.txt", DRMEDIA)
    dry = run(url, tmp_path, "import", "drmedia", path, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "new: VOL001L8: new Copy pool volume, VAULT at IRON MOUNTAIN" in dry.stdout
    assert "3 volume(s) read: 3 new" in dry.stdout and "dry run" in dry.stdout
    assert states(url) == {}
    done = run(url, tmp_path, "import", "drmedia", path)
    assert done.returncode == 0, done.stderr
    assert "3 new and 0 changed volume(s) recorded" in done.stdout
    assert states(url)["VOL002L8"] == ("COURIER", "COURIER")
    again = run(url, tmp_path, "import", "drmedia", path)
    assert "nothing to change" in again.stdout


def test_a_file_with_bad_lines_is_refused_unless_the_valid_lines_are_accepted(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path / "cli.db")
    path = write(tmp_path, "drm.txt", DRMEDIA + "VOL003L8,Elsewhere,06/14/2024 09:30:00,X,,,,L\n")
    refused = run(url, tmp_path, "import", "drmedia", path)
    assert refused.returncode == 1
    assert "bad line: line 6: VOL003L8: unknown state 'Elsewhere'" in refused.stdout
    assert "nothing was imported" in refused.stderr
    assert states(url) == {}
    accepted = run(url, tmp_path, "import", "drmedia", path, "--accept-valid")
    assert accepted.returncode == 0 and "1 bad line(s) skipped" in accepted.stdout


def test_volume_history_and_device_configuration(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "cli.db")
    run(url, tmp_path, "import", "drmedia", write(tmp_path, "d.txt", DRMEDIA))
    done = run(url, tmp_path, "import", "volhist", write(tmp_path, "volhist.out", VOLHIST))
    assert done.returncode == 0, done.stderr
    assert "new series: FULL 41, 1 volume(s)" in done.stdout
    dev = run(url, tmp_path, "import", "devconfig", write(tmp_path, "devconfig.out", DEVCONFIG))
    assert dev.returncode == 0, dev.stderr
    assert "library: LIB1 (SCSI)" in dev.stdout
    open_database(url)
    try:
        assert DbBackupSeries.select().count() == 1
        assert get_server_file(ServerFile.DEVCONFIG) is not None
    finally:
        close_database()


def test_export_then_import_gives_the_same_records(tmp_path: Path) -> None:
    first = sqlite_url(tmp_path / "first.db")
    run(first, tmp_path, "import", "drmedia", write(tmp_path, "d.txt", DRMEDIA))
    exported = tmp_path / "volumes.csv"
    done = run(first, tmp_path, "export", "csv", str(exported))
    assert done.returncode == 0 and "3 volume(s) written" in done.stdout
    assert exported.read_text().splitlines()[0] == "volser,state,location,kind,pool,updated"
    second = sqlite_url(tmp_path / "second.db")
    imported = run(second, tmp_path, "import", "csv", str(exported))
    assert imported.returncode == 0, imported.stderr
    assert states(second) == states(first)
    again = run(first, tmp_path, "import", "csv", str(exported))
    assert "nothing to change" in again.stdout


def test_usage_errors_name_what_is_wrong(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "cli.db")
    missing = run(url, tmp_path, "import", "drmedia", str(tmp_path / "nowhere.txt"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    bad_kind = run(url, tmp_path, "import", "drm", "x")
    assert bad_kind.returncode == 2 and "invalid choice" in bad_kind.stderr
    columns = run(url, tmp_path, "import", "drmedia", "x", "--columns", "VOLUME_NAME,COLOUR")
    assert columns.returncode == 2 and "unknown column(s) COLOUR" in columns.stderr
    wrong = run(url, tmp_path, "import", "csv", "x", "--columns", "VOLUME_NAME")
    assert wrong.returncode == 2 and "drmedia files only" in wrong.stderr


def test_a_move_without_a_link_writes_the_command_file(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "cli.db")
    run(url, tmp_path, "import", "drmedia", write(tmp_path, "d.txt", DRMEDIA))
    moved = run(url, tmp_path, "move", "VOL002L8", "--to", "VAULT")
    assert moved.returncode == 0, moved.stderr
    assert "1 MOVE DRMEDIA command(s) written to" in moved.stdout
    commands = (tmp_path / "data" / "exec.cmds").read_text().splitlines()
    assert commands == [
        "MOVE DRMEDIA VOL002L8 WHERESTATE=COURIER TOSTATE=VAULT TOLOCATION=VAULT WAIT=YES"
    ]


def test_server_send_and_sync_through_the_client(tmp_path: Path) -> None:
    state = write_state(tmp_path / "server.json", sample_server(stored_password=True))
    url = sqlite_url(tmp_path / "cli.db")
    for name, value in (
        ("server_link", "YES"),
        ("server_command", str(DSMADMC)),
        ("server_admin", "admin"),
        ("server_stored_password", "YES"),
    ):
        assert run(url, tmp_path, "settings", name, value).returncode == 0
    env = {"FAKE_DSMADMC_STATE": str(state)}
    dry = run(url, tmp_path, "server", "sync", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "10 volume(s) read: 10 new" in dry.stdout
    assert run(url, tmp_path, "server", "sync", env=env).returncode == 0
    moved = run(url, tmp_path, "move", "A00017L8", "--to", "COURIER", env=env)
    assert "1 move(s) wait for the storage server" in moved.stdout
    sent = run(url, tmp_path, "server", "send", env=env)
    assert sent.returncode == 0, sent.stderr
    assert "1 move(s) confirmed by the server" in sent.stdout
    again = run(url, tmp_path, "server", "sync", env=env)
    assert "the default server and this database agree" in again.stdout


def test_server_commands_without_a_password_at_hand_say_what_to_do(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "cli.db")
    no_admin = run(url, tmp_path, "server", "send")
    assert no_admin.returncode == 1 and "server_admin" in no_admin.stderr
    run(url, tmp_path, "settings", "server_admin", "admin")
    no_tty = run(url, tmp_path, "server", "sync")
    assert no_tty.returncode == 1 and "typed at a terminal" in no_tty.stderr
