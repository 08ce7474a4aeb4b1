"""Databases that cannot be opened, each made for real: open_database refuses each with one
paragraph that names the database, says what is wrong and what to do, and leaves nothing
open and nothing changed."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from drm_gui.core import db as db_mod
from drm_gui.core import db_errors
from drm_gui.core.db import (
    PG_CONNECT_TIMEOUT_S,
    SCHEMA_VERSION,
    DatabaseInfo,
    DatabaseOpenError,
    DatabaseTooNewError,
    close_database,
    make_database,
    open_database,
)
from drm_gui.core.models import Setting, database
from tests.core.conftest import sqlite_url
from tests.helpers import rawdb
from tests.helpers.bad_databases import (
    DAMAGES,
    drm_database,
    locked_by_another_process,
    newer_schema,
    text_file,
)
from tests.helpers.pgserver import PostgresServer, free_port
from tests.helpers.readonly import AS_ROOT, run_read_only

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Pa55w0rd-xyzzy"
BUSY_MS = 200


@pytest.fixture(autouse=True)
def _always_closed() -> None:
    yield
    close_database()


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Waits 0.2 s for a lock instead of the app's 10 s."""
    monkeypatch.setitem(db_mod.SQLITE_PRAGMAS, "busy_timeout", BUSY_MS)


def refusal(url: str) -> str:
    """The message open_database refuses *url* with, checked for what every refusal has."""
    with pytest.raises(DatabaseOpenError) as excinfo:
        open_database(url)
    message = str(excinfo.value)
    assert "\n" not in message and message.endswith("."), message
    assert database.obj is None or database.obj.is_closed()
    return message


def assert_names(message: str, where: Path | str) -> None:
    assert message.startswith(f"{where}: "), message
    assert "open another database" in message or "Try again" in message, message


# --- SQLite: locks ------------------------------------------------------------------------------


@pytest.mark.usefixtures("short_busy_timeout")
def test_an_exclusively_locked_file_is_refused_after_the_busy_timeout(tmp_path: Path) -> None:
    path = drm_database(tmp_path / "site.db")
    with locked_by_another_process(path):
        message = refusal(str(path))
    assert_names(message, path)
    assert "locked by another program, and stayed locked for 0.2 s" in message
    assert open_database(str(path))  # the message was about the lock: gone, it opens


@pytest.mark.usefixtures("short_busy_timeout")
def test_a_new_file_locked_by_another_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with locked_by_another_process(path):
        message = refusal(str(path))
    assert_names(message, path)
    assert "locked by another program" in message


@pytest.mark.usefixtures("short_busy_timeout")
def test_a_long_write_elsewhere_does_not_stop_the_start(tmp_path: Path) -> None:
    """In WAL mode a writer does not block readers: another workstation in the middle of a
    long move must not keep this one from starting (the lock is waited for 0.2 s only)."""
    path = drm_database(tmp_path / "site.db")
    with locked_by_another_process(path, exclusive=False):
        open_database(str(path))
        assert Setting.select().count() >= 0
        close_database()


# --- SQLite: read-only ----------------------------------------------------------------------------

OPEN_SNIPPET = """\
import sys
from drm_gui.core.db import DatabaseOpenError, open_database
try:
    open_database(sys.argv[1])
except DatabaseOpenError as exc:
    print(exc)
    raise SystemExit(1)
print("opened")
"""


def open_read_only(target: Path, read_only: Path, writable: Path | None = None) -> str:
    """The refusal of *target* by a process that cannot write to *read_only*."""
    done = run_read_only(
        read_only,
        [sys.executable, "-c", OPEN_SNIPPET, str(target)],
        writable=writable,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout.strip()


def test_a_read_only_file_is_refused_before_sqlite_opens_it_read_only(tmp_path: Path) -> None:
    path = drm_database(tmp_path / "site.db")
    message = open_read_only(path, read_only=path)
    assert_names(message, path)
    why = "is on a read-only file system" if AS_ROOT else "is read-only for this user"
    assert why in message
    assert "drm-gui must write to it" in message


def test_a_read_only_wal_index_is_refused(tmp_path: Path) -> None:
    """The -shm file of another user's session (kept while its drm-gui runs): SQLite would
    open the database read-only without a word."""
    path = drm_database(tmp_path / "site.db")
    open_database(str(path))  # this session keeps the -wal and -shm files
    Setting.select().count()
    shm = Path(f"{path}-shm")
    message = open_read_only(path, read_only=shm)
    assert_names(message, path)
    why = "is on a read-only file system" if AS_ROOT else "its file site.db-shm is read-only"
    assert why in message


def test_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    path = drm_database(folder / "site.db")
    message = open_read_only(path, read_only=folder, writable=path)
    assert_names(message, path)
    assert f"the folder {folder} is read-only, and SQLite must create its -wal and -shm" in message


def test_a_new_database_in_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    path = folder / "new.db"
    message = open_read_only(path, read_only=folder)
    assert_names(message, path)
    assert "is read-only, and SQLite must create the database there" in message
    assert not path.exists()


# --- SQLite: damaged, not a database, not a file --------------------------------------------------


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_file_is_refused_and_left_as_it_is(tmp_path: Path, damage: str) -> None:
    path = drm_database(tmp_path / "site.db")
    DAMAGES[damage](path)
    before = path.read_bytes()
    message = refusal(str(path))
    assert_names(message, path)
    assert "the database file is damaged (" in message
    assert "restore it from its last backup" in message.lower()
    assert path.read_bytes() == before


def test_the_quick_check_says_what_is_damaged(tmp_path: Path) -> None:
    path = drm_database(tmp_path / "site.db")
    DAMAGES["wrong freelist"](path)
    assert "(Main freelist: size is 0 but should be 3)" in refusal(str(path))


@pytest.mark.parametrize("make", [text_file, lambda p: p.write_bytes(bytes(range(256)) * 64)])
def test_a_file_that_is_not_a_database_is_refused(
    tmp_path: Path, make: Callable[[Path], object]
) -> None:
    path = tmp_path / "notes.db"
    make(path)
    before = path.read_bytes()
    message = refusal(sqlite_url(path))
    assert_names(message, path.resolve())
    assert "this file is not a drm-gui database, or it is damaged" in message
    assert path.read_bytes() == before


def test_a_folder_is_not_a_database_file(tmp_path: Path) -> None:
    folder = tmp_path / "site.db"
    folder.mkdir()
    message = refusal(str(folder))
    assert_names(message, folder)
    assert "this is a folder, not a database file" in message


def test_a_folder_that_cannot_be_made_is_explained(tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_text("")
    path = tmp_path / "plain-file" / "sub" / "site.db"
    message = refusal(str(path))
    assert_names(message, path)
    assert f"the folder {path.parent} cannot be created (Not a directory)" in message


# --- Either backend: a newer drm-gui -----------------------------------------------------------


def test_a_newer_schema_names_the_database_and_what_to_do(db: DatabaseInfo) -> None:
    close_database()
    newer_schema(db.url)
    with pytest.raises(DatabaseTooNewError) as excinfo:
        open_database(db.url)
    message = str(excinfo.value)
    sqlite_file = Path(rawdb.sqlite_path(db.url)).absolute()
    where = sqlite_file if db.backend == "sqlite" else db.display_name
    assert message == (
        f"{where}: this database has schema version {SCHEMA_VERSION + 1}, newer than this "
        f"drm-gui knows ({SCHEMA_VERSION}); upgrade drm-gui, or open another database"
    )


# --- PostgreSQL ----------------------------------------------------------------------------------


def test_a_server_that_is_down_is_explained() -> None:
    port = free_port()
    message = refusal(f"postgresql://admin:{SECRET}@127.0.0.1:{port}/drm")
    assert_names(message, "127.0.0.1/drm")
    assert f"the PostgreSQL server at 127.0.0.1 port {port} cannot be reached" in message
    assert "(Connection refused)" in message
    assert "Check that the server is running" in message
    assert SECRET not in message


def test_an_unknown_user_is_a_refused_login(postgres_server: PostgresServer) -> None:
    message = refusal(f"postgresql://nobody@127.0.0.1:{postgres_server.port}/postgres")
    assert_names(message, "127.0.0.1/postgres")
    assert 'refused the login (role "nobody" does not exist)' in message
    assert "Check the user name in the URL and the password" in message


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        (SECRET, 'password authentication failed for user "keeper"'),
        ("", "no password supplied"),
    ],
)
def test_a_wrong_or_missing_password_is_a_refused_login(
    postgres_server: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    password: str,
    reason: str,
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    postgres_server.password_role("keeper", "the-right-one")
    login = f"keeper:{password}" if password else "keeper"
    message = refusal(f"postgresql://{login}@127.0.0.1:{postgres_server.port}/postgres")
    assert_names(message, "127.0.0.1/postgres")
    assert "refused the login (" in message and reason in message
    assert SECRET not in message


def test_a_missing_database_is_explained(postgres_server: PostgresServer) -> None:
    message = refusal(postgres_server.url("no_such_db"))
    assert_names(message, "127.0.0.1/no_such_db")
    assert 'has no database "no_such_db"' in message
    assert "ask the database administrator to create it" in message


def test_a_user_who_may_not_create_tables_is_explained(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    postgres_server.password_role("keeper", "the-right-one")
    postgres_server.drop_database("drm_not_mine")
    postgres_server.create_database("drm_not_mine")
    postgres_server.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC", dbname="drm_not_mine")
    url = f"postgresql://keeper:the-right-one@127.0.0.1:{postgres_server.port}/drm_not_mine"
    message = refusal(url)
    assert_names(message, "127.0.0.1/drm_not_mine")
    assert "this user may not create or change drm-gui's tables (permission denied" in message


def test_a_silent_server_is_given_up_after_a_while() -> None:
    """A switched-off server answers nothing: libpq would wait minutes without a timeout."""
    db, _info = make_database("postgresql://admin@192.0.2.1/drm")
    assert db.connect_params["connect_timeout"] == PG_CONNECT_TIMEOUT_S


# --- Messages for what a test machine cannot easily make ------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("database or disk is full", "the disk is full"),
        ("disk I/O error", "the disk reported an error"),
    ],
)
def test_rare_sqlite_errors(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in db_errors.sqlite_reason(tmp_path / "site.db", text, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'connection to server at "db1", port 5432 failed: FATAL:  sorry, too many clients '
            "already",
            "accepts no connection right now (sorry, too many clients already)",
        ),
        (
            'connection to server at "db1", port 5432 failed: FATAL:  the database system is '
            "starting up",
            "accepts no connection right now",
        ),
        (
            'connection to server at "db1", port 5432 failed: FATAL:  no pg_hba.conf entry for '
            'host "10.0.0.9", user "drm", database "drm", no encryption',
            "refused the login (no pg_hba.conf entry",
        ),
        (
            'connection to server on socket "/run/postgresql/.s.PGSQL.5432" failed: No such '
            "file or directory\n\tIs the server running locally and accepting connections?",
            "cannot be reached (No such file or directory)",
        ),
        (
            'could not translate host name "db1" to address: Name or service not known',
            "the host name db1 is unknown",
        ),
    ],
)
def test_postgresql_errors_as_libpq_words_them(text: str, expected: str) -> None:
    assert expected in db_errors.postgresql_reason("db1", 5432, "drm", text)
