"""Opening databases by URL: schema version, refusals, and messages a user can act on."""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path

import pytest

from drm_gui.core import db as db_mod
from drm_gui.core import media
from drm_gui.core.db import (
    SCHEMA_VERSION,
    DatabaseInfo,
    DatabaseOpenError,
    DatabaseTooNewError,
    DatabaseUrlError,
    close_database,
    open_database,
)
from drm_gui.core.models import MODELS, SchemaVersion, Setting, database
from tests.core.conftest import sqlite_url
from tests.helpers import rawdb
from tests.helpers.pgserver import PostgresServer, free_port

SECRET = "Pa55w0rd-xyzzy"


@pytest.fixture(autouse=True)
def _always_closed() -> None:
    """A test that fails midway must not leave its connection to the next one."""
    yield
    close_database()


def test_new_database_gets_every_table_and_the_schema_version(db: DatabaseInfo) -> None:
    tables = set(database.get_tables())
    assert {m._meta.table_name for m in MODELS} <= tables
    assert [r.version for r in SchemaVersion.select()] == [SCHEMA_VERSION]
    assert rawdb.execute(db.url, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]


def test_opening_emits_no_warnings(db_url: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        open_database(db_url)
    assert [str(w.message) for w in caught] == []


def test_reopening_keeps_the_data_and_the_single_version_row(db: DatabaseInfo) -> None:
    media.set_setting("vault_name", "Bunker 7")
    close_database()
    info = open_database(db.url)
    assert info.backend == db.backend
    assert media.load_settings()["vault_name"] == "Bunker 7"
    assert SchemaVersion.select().count() == 1


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "wal.db")
    info = open_database(url)
    assert info.backend == "sqlite"
    assert info.display_name == "wal.db"
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    close_database()
    # WAL is a property of the file: another connection sees it too.
    conn = sqlite3.connect(tmp_path / "wal.db")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    finally:
        conn.close()


def test_sqlite_creates_missing_folders_and_accepts_a_bare_path(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "drm.db"
    open_database(str(path))
    close_database()
    assert path.is_file()
    open_database(sqlite_url(path))
    assert SchemaVersion.select().count() == 1


def test_a_newer_schema_is_refused(db: DatabaseInfo) -> None:
    SchemaVersion.update(version=SCHEMA_VERSION + 1).execute()
    close_database()
    with pytest.raises(DatabaseTooNewError) as excinfo:
        open_database(db.url)
    message = str(excinfo.value)
    assert f"schema version {SCHEMA_VERSION + 1}" in message
    assert f"({SCHEMA_VERSION})" in message
    assert "upgrade drm-gui" in message
    # Refused means untouched: the version row is still the newer one.
    assert rawdb.execute(db.url, "SELECT version FROM schema_version") == [(SCHEMA_VERSION + 1,)]


def test_an_older_schema_is_migrated_in_order(
    db: DatabaseInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two extra migration steps, a version-1 database is brought to 3, step by step."""
    steps: list[str] = []
    monkeypatch.setattr(
        db_mod,
        "MIGRATIONS",
        (lambda d: steps.append("1->2"), lambda d: steps.append("2->3")),
    )
    monkeypatch.setattr(db_mod, "SCHEMA_VERSION", 3)
    SchemaVersion.update(version=1).execute()  # as a schema-1 database
    close_database()
    open_database(db.url)
    assert steps == ["1->2", "2->3"]
    assert [r.version for r in SchemaVersion.select()] == [3]


def test_a_foreign_database_with_tables_is_refused(db_url: str) -> None:
    rawdb.execute(db_url, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount INTEGER)")
    with pytest.raises(DatabaseOpenError, match="not a drm-gui database"):
        open_database(db_url)
    tables = (
        rawdb.execute(db_url, "SELECT name FROM sqlite_master WHERE type = 'table'")
        if db_url.startswith("sqlite")
        else rawdb.execute(db_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    )
    assert tables == [("invoices",)]  # nothing of ours was created next to it


def test_a_file_that_is_not_sqlite_is_refused_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"This is a text file, not a database.\n" * 200)
    with pytest.raises(DatabaseOpenError) as excinfo:
        open_database(sqlite_url(path))
    assert "notes.db" in str(excinfo.value)
    assert "not a drm-gui database" in str(excinfo.value)
    assert database.obj is None or database.obj.is_closed()


@pytest.mark.parametrize(
    "url",
    [
        "ftp://x",
        "mysql://user@host/drm",
        "sqlite://",
        "postgresql://host/",
        "postgres://user@host:5432",
        "postgresql://host:notaport/drm",
        "postgresql://host:99999/drm",
        "postgresql://[::1/drm",
    ],
)
def test_bad_urls(url: str) -> None:
    with pytest.raises(DatabaseUrlError) as excinfo:
        open_database(url)
    assert str(excinfo.value).strip()


@pytest.mark.parametrize(
    "url",
    [
        f"ftp://admin:{SECRET}@x/y",
        f"postgresql://admin:{SECRET}@host/",
        f"postgresql://admin:{SECRET}@host:notaport/drm",
        f"postgresql://admin:{SECRET}@[::1/drm",
    ],
)
def test_the_password_never_appears_in_url_errors(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(DatabaseUrlError) as excinfo:
        open_database(url)
    assert SECRET not in str(excinfo.value)
    assert "admin" in str(excinfo.value)  # still says which URL it was
    assert SECRET not in caplog.text


def test_the_password_never_appears_when_the_server_cannot_be_reached(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"postgresql://admin:{SECRET}@127.0.0.1:{free_port()}/drm"
    with pytest.raises(DatabaseOpenError) as excinfo:
        open_database(url)
    message = str(excinfo.value)
    assert "cannot be reached" in message
    assert "127.0.0.1/drm" in message
    assert SECRET not in message
    assert SECRET not in caplog.text


def test_postgresql_login_and_database_errors_are_explained(
    postgres_server: PostgresServer,
) -> None:
    base = f"postgresql://nobody:{SECRET}@127.0.0.1:{postgres_server.port}"
    with pytest.raises(DatabaseOpenError) as excinfo:
        open_database(f"{base}/postgres")
    assert "nobody" in str(excinfo.value)
    assert SECRET not in str(excinfo.value)
    good_user = postgres_server.url("no_such_db")
    with pytest.raises(DatabaseOpenError, match="no_such_db"):
        open_database(good_user)


def test_database_info_hides_the_password(postgres_url: str) -> None:
    with_password = postgres_url.replace("://drm@", f"://drm:{SECRET}@")
    info = open_database(with_password)  # trust authentication ignores the password
    assert info.backend == "postgresql"
    assert SECRET not in info.url
    assert SECRET not in info.display_name
    assert info.display_name == "127.0.0.1/" + postgres_url.rsplit("/", 1)[1]


def test_settings_table_is_usable_right_after_opening(db: DatabaseInfo) -> None:
    Setting.create(name="vault_name", value="X")
    assert rawdb.execute(db.url, "SELECT value FROM setting WHERE name = ?", ("vault_name",)) == [
        ("X",)
    ]
