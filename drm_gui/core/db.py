"""Opening a database by URL, its schema version and its ordered migrations."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import peewee
from peewee import Database, PostgresqlDatabase, SqliteDatabase

from drm_gui.core.models import (
    MANIFEST_MODELS,
    MODELS,
    RECONCILE_MODELS,
    SERVER_MODELS,
    SITE_MODELS,
    SchemaVersion,
    database,
)
from drm_gui.core.states import DrmError

log = logging.getLogger(__name__)


class DatabaseOpenError(DrmError):
    """The database cannot be used; the message says what to do."""


class DatabaseUrlError(DatabaseOpenError):
    """The database URL itself is not usable (a usage error)."""


class DatabaseTooNewError(DatabaseOpenError):
    """The database was written by a newer drm-gui."""


# Ordered migration steps: MIGRATIONS[i] brings a database from version i+1 to i+2.
# A new database is created from the current models and stamped SCHEMA_VERSION directly.
Migration = Callable[[Database], None]


def _add_site_tables(db: Database) -> None:
    """Schema 1 -> 2: the site data and the stored plan versions of the recovery plan."""
    db.create_tables(SITE_MODELS)


def _add_manifest_tables(db: Database) -> None:
    """Schema 2 -> 3: the courier manifests and their tapes."""
    db.create_tables(MANIFEST_MODELS)


def _add_reconcile_tables(db: Database) -> None:
    """Schema 3 -> 4: the tapes a vault reconciliation marked missing."""
    db.create_tables(RECONCILE_MODELS)


def _add_server_tables(db: Database) -> None:
    """Schema 4 -> 5: the commands that tell the storage server of local moves."""
    db.create_tables(SERVER_MODELS)


MIGRATIONS: Sequence[Migration] = (
    _add_site_tables,
    _add_manifest_tables,
    _add_reconcile_tables,
    _add_server_tables,
)
SCHEMA_VERSION = 1 + len(MIGRATIONS)

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 10000,
    "cache_size": -32000,
}


@dataclass(frozen=True)
class DatabaseInfo:
    url: str
    backend: str  # "sqlite" or "postgresql"
    display_name: str  # what the status bar shows: a file name or host/database


def make_database(url: str) -> tuple[Database, DatabaseInfo]:
    """A peewee database for *url* (not yet connected)."""
    if "://" not in url:
        url = f"sqlite:///{url}"  # a bare file path
    try:
        parts = urlsplit(url)
        port = parts.port  # raises for a port that is not a number or out of range
    except ValueError as exc:
        raise DatabaseUrlError(f"{_safe(url)}: not a valid database URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # As SQLAlchemy and peewee: sqlite:///relative.db, sqlite:////absolute/path.db
        path = unquote(url.split("://", 1)[1][1:])
        if not path:
            raise DatabaseUrlError(f"{url}: no database file given (sqlite:///path/to/file.db)")
        if path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        db = SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=10)
        return db, DatabaseInfo(url, "sqlite", Path(path).name)
    if scheme in ("postgresql", "postgres"):
        name = parts.path.lstrip("/")
        if not name:
            raise DatabaseUrlError(
                f"{_safe(url)}: no database name (postgresql://user@host:port/dbname)"
            )
        kwargs: dict[str, Any] = {}
        if parts.hostname:
            kwargs["host"] = parts.hostname
        if port:
            kwargs["port"] = port
        if parts.username:
            kwargs["user"] = unquote(parts.username)
        if parts.password:
            kwargs["password"] = unquote(parts.password)
        db = PostgresqlDatabase(name, **kwargs)
        where = f"{parts.hostname or 'localhost'}/{name}"
        return db, DatabaseInfo(_safe(url), "postgresql", where)
    raise DatabaseUrlError(
        f"{_safe(url)}: unsupported database URL; use sqlite:///path/to/file.db "
        "or postgresql://user@host:port/dbname"
    )


def _safe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:  # unparsable: blank out whatever sits between user: and @
        return re.sub(r"(://[^/@:]*:)[^/@]*@", r"\1***@", url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def open_database(url: str) -> DatabaseInfo:
    """Connects the models to *url*, creating or migrating the schema. Raises
    DatabaseOpenError with a sentence a user can act on."""
    db, info = make_database(url)
    try:
        db.connect(reuse_if_open=True)
        if info.backend == "sqlite":
            _check_sqlite(db)
        database.initialize(db)
        _ensure_schema(db)
    except DatabaseOpenError:
        if not db.is_closed():
            db.close()
        raise
    except (peewee.OperationalError, peewee.DatabaseError, sqlite3.Error) as exc:
        if not db.is_closed():
            db.close()
        raise DatabaseOpenError(_explain(info, exc)) from exc
    log.info("opened %s database %s (schema %d)", info.backend, info.display_name, SCHEMA_VERSION)
    return info


def close_database() -> None:
    db = database.obj
    if db is not None and not db.is_closed():
        db.close()


def _check_sqlite(db: Database) -> None:
    row = db.execute_sql("PRAGMA quick_check").fetchone()
    if row and row[0] != "ok":
        raise DatabaseOpenError(f"the database file is damaged ({row[0]})")


def _explain(info: DatabaseInfo, exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    where = info.display_name
    low = text.lower()
    if "locked" in low:
        return f"{where}: the database is locked by another program; close it and try again"
    if "readonly" in low or "read-only" in low:
        return f"{where}: the database file is read-only; check its permissions"
    if "not a database" in low or "malformed" in low:
        return f"{where}: this file is not a drm-gui database, or it is damaged"
    if "unable to open" in low:
        return f"{where}: the database file cannot be opened; check the folder exists"
    if "password authentication failed" in low or "authentication" in low:
        return f"{where}: the PostgreSQL server refused the login ({text})"
    if "could not connect" in low or "connection refused" in low:
        return f"{where}: the PostgreSQL server cannot be reached ({text})"
    return f"{where}: {text}"


def _ensure_schema(db: Database) -> None:
    with db.atomic():
        if not db.table_exists(SchemaVersion._meta.table_name):
            if db.get_tables():
                raise DatabaseOpenError(
                    "this database holds tables but is not a drm-gui database; "
                    "choose another database"
                )
            db.create_tables(MODELS)
            SchemaVersion.create(version=SCHEMA_VERSION)
            return
        row = SchemaVersion.select().order_by(SchemaVersion.version.desc()).first()
        current = row.version if row else 0
        if current > SCHEMA_VERSION:
            raise DatabaseTooNewError(
                f"this database has schema version {current}, newer than this drm-gui knows "
                f"({SCHEMA_VERSION}); upgrade drm-gui, or open another database"
            )
        for version in range(max(current, 1), SCHEMA_VERSION):
            log.info("migrating the database from schema %d to %d", version, version + 1)
            MIGRATIONS[version - 1](db)
            SchemaVersion.update(version=version + 1).execute()


def executemany(sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Raw executemany on the current connection (callers hold a transaction): the fast
    path for many rows. The driver's errors come out as peewee's (IntegrityError...), as
    they do from database.execute_sql."""
    with peewee.__exception_wrapper__:
        database.cursor().executemany(sql, list(rows))


def param() -> str:
    """The DB-API parameter marker of the open database ('?' or '%s')."""
    return database.param
