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

from drm_gui.core import db_errors
from drm_gui.core.changes import install_notifications
from drm_gui.core.models import (
    AUDIT_GENESIS,
    AUDIT_MODELS,
    MANIFEST_MODELS,
    MODELS,
    RECONCILE_MODELS,
    ROLE_MODELS,
    SERVER_MODELS,
    SITE_MODELS,
    AuditHead,
    SchemaVersion,
    database,
)
from drm_gui.core.progress import current as current_progress
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


def _add_audit_tables(db: Database) -> None:
    """Schema 5 -> 6: the audit trail and its chain head."""
    db.create_tables(AUDIT_MODELS)
    _start_audit_chain()


def _start_audit_chain() -> None:
    """The head of an empty audit trail: no row yet, the genesis hash."""
    AuditHead.insert(id=1, seq=0, hash=AUDIT_GENESIS).execute()


def _add_change_notifications(db: Database) -> None:
    """Schema 6 -> 7: PostgreSQL announces every change of the volumes (LISTEN/NOTIFY)."""
    install_notifications(db)


def _add_role_tables(db: Database) -> None:
    """Schema 7 -> 8: the users' roles."""
    db.create_tables(ROLE_MODELS)


MIGRATIONS: Sequence[Migration] = (
    _add_site_tables,
    _add_manifest_tables,
    _add_reconcile_tables,
    _add_server_tables,
    _add_audit_tables,
    _add_change_notifications,
    _add_role_tables,
)
SCHEMA_VERSION = 1 + len(MIGRATIONS)

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 10000,
    "cache_size": -32000,
}


PG_CONNECT_TIMEOUT_S = 10


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
        path = _sqlite_path(url)
        if not path:
            raise DatabaseUrlError(f"{url}: no database file given (sqlite:///path/to/file.db)")
        if path != ":memory:":
            file = Path(path).expanduser().absolute()
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                reason = db_errors.folder_not_created(file.parent, exc)
                raise DatabaseOpenError(f"{file}: {reason}") from exc
        # The connection's own timeout covers the pragmas, which may wait for a lock too.
        timeout = SQLITE_PRAGMAS["busy_timeout"] / 1000
        db = SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=timeout)
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
        # A server that is switched off answers nothing: give up after a while, not minutes.
        kwargs["connect_timeout"] = PG_CONNECT_TIMEOUT_S
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
    DatabaseOpenError (of the same class when a check raised it) whose message names the
    database, says what is wrong and what to do, in one paragraph."""
    db, info = make_database(url)
    try:
        if info.backend == "sqlite":
            _refuse_read_only(info)
        db.connect(reuse_if_open=True)
        if info.backend == "sqlite":
            _check_sqlite(db)
        database.initialize(db)
        _ensure_schema(db)
    except DatabaseOpenError as exc:
        if not db.is_closed():
            db.close()
        raise type(exc)(f"{_where(info)}: {exc}") from exc
    except (peewee.OperationalError, peewee.DatabaseError, sqlite3.Error) as exc:
        if not db.is_closed():
            db.close()
        raise DatabaseOpenError(f"{_where(info)}: {_explain(info, exc)}") from exc
    log.info("opened %s database %s (schema %d)", info.backend, info.display_name, SCHEMA_VERSION)
    return info


def close_database() -> None:
    db = database.obj
    if db is not None and not db.is_closed():
        db.close()


def _sqlite_path(url: str) -> str:
    """The file of a sqlite:/// URL, as written (relative, or absolute with four slashes)."""
    return unquote(url.split("://", 1)[1][1:])


def _sqlite_file(info: DatabaseInfo) -> Path:
    return Path(_sqlite_path(info.url)).expanduser().absolute()


def _where(info: DatabaseInfo) -> str:
    """The database as messages name it: the whole path of a file (the status bar shows its
    name only), host/dbname on a server."""
    return str(_sqlite_file(info)) if info.backend == "sqlite" else info.display_name


def _refuse_read_only(info: DatabaseInfo) -> None:
    reason = db_errors.sqlite_read_only(_sqlite_file(info))
    if reason:
        raise DatabaseOpenError(reason)


def _check_sqlite(db: Database) -> None:
    """A damaged file is refused at once rather than at the first page a query happens on."""
    rows = [r[0] for r in db.execute_sql("PRAGMA quick_check(3)").fetchall()]
    if rows != ["ok"]:
        lines = [line for row in rows for line in row.splitlines() if not line.startswith("***")]
        raise DatabaseOpenError(db_errors.damaged("; ".join(lines[:3])))


def _explain(info: DatabaseInfo, exc: Exception) -> str:
    """What went wrong and what to do, from the driver's error (open_database names the
    database in front)."""
    text = str(exc).strip() or type(exc).__name__
    if info.backend == "sqlite":
        busy_seconds = SQLITE_PRAGMAS["busy_timeout"] / 1000
        return db_errors.sqlite_reason(_sqlite_file(info), text.splitlines()[0], busy_seconds)
    parts = urlsplit(info.url)
    name = unquote(parts.path.lstrip("/"))
    return db_errors.postgresql_reason(parts.hostname or "localhost", parts.port, name, text)


def _ensure_schema(db: Database) -> None:
    with db.atomic():
        if not db.table_exists(SchemaVersion._meta.table_name):
            if db.get_tables():
                raise DatabaseOpenError(
                    "this database holds tables but is not a drm-gui database; "
                    "choose another database"
                )
            db.create_tables(MODELS)
            _start_audit_chain()
            install_notifications(db)
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


def write_transaction() -> Any:
    """A transaction that writes: on SQLite it takes the write lock at BEGIN (IMMEDIATE),
    so that a read-then-write never meets another writer's commit in between (WAL would
    refuse the upgrade as busy); on PostgreSQL a plain transaction (the volume UPDATEs are
    guarded by their expected state). Nested: a savepoint."""
    obj = database.obj
    if isinstance(obj, SqliteDatabase) and not obj.in_transaction():
        return obj.atomic(lock_type="IMMEDIATE")
    return database.atomic()


def executemany(sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Raw executemany on the current connection (callers hold a transaction): the fast
    path for many rows. The driver's errors come out as peewee's (IntegrityError...), as
    they do from database.execute_sql. A cancel of the current progress stops here, inside
    the caller's transaction, which is then rolled back."""
    current_progress().check()
    with peewee.__exception_wrapper__:
        database.cursor().executemany(sql, list(rows))


def param() -> str:
    """The DB-API parameter marker of the open database ('?' or '%s')."""
    return database.param
