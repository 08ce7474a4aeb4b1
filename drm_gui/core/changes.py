"""Telling a workstation that another one changed the records, so that every board follows
without a manual refresh.

PostgreSQL: statement triggers on the volume and movement tables call pg_notify on one
channel; the notification reaches every listening connection when the writer commits
(LISTEN/NOTIFY). SQLite: `PRAGMA data_version` changes on this connection whenever another
connection commits to the file, a check that costs microseconds.

Either way the board then reads only the volumes moved since the last movement it saw (and
everything again when volumes appeared or went that no movement names).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from peewee import Database, PostgresqlDatabase

from drm_gui.core.models import Movement, Volume, database

log = logging.getLogger(__name__)

CHANNEL = "drm_changes"

_NOTIFY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION drm_notify_change() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""
_TRIGGERS = {
    "volume": "INSERT OR UPDATE OR DELETE",
    "movement": "INSERT",
}


def install_notifications(db: Database) -> None:
    """The PostgreSQL triggers that announce every change of the volumes (nothing to do on
    SQLite). Part of the schema: new databases and the migration both call it."""
    if not isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql(_NOTIFY_FUNCTION)
    for table, events in _TRIGGERS.items():
        db.execute_sql(f"DROP TRIGGER IF EXISTS {table}_notify ON {table}")
        db.execute_sql(
            f"CREATE TRIGGER {table}_notify AFTER {events} ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION drm_notify_change()"
        )


@dataclass(frozen=True)
class ChangeMark:
    """Where this workstation's board stands: the newest movement and the volume count it
    has read."""

    movement_id: int
    volume_count: int


def current_mark() -> ChangeMark:
    mt = Movement._meta.table_name
    vt = Volume._meta.table_name
    row = database.execute_sql(
        f"SELECT (SELECT COALESCE(MAX(id), 0) FROM {mt}), (SELECT COUNT(*) FROM {vt})"
    ).fetchone()
    return ChangeMark(int(row[0]), int(row[1]))


@dataclass(frozen=True)
class Changes:
    mark: ChangeMark
    volume_ids: tuple[int, ...]  # the volumes moved since the previous mark
    reload_all: bool  # volumes appeared or went: read the whole board again

    @property
    def any(self) -> bool:
        return self.reload_all or bool(self.volume_ids)


def changes_since(mark: ChangeMark) -> Changes:
    """What changed since *mark*, in one short read."""
    now = current_mark()
    if now.volume_count != mark.volume_count:
        return Changes(now, (), True)
    if now.movement_id == mark.movement_id:
        return Changes(now, (), False)
    mt = Movement._meta.table_name
    p = database.param
    rows = database.execute_sql(
        f"SELECT DISTINCT volume_id FROM {mt} WHERE id > {p} AND id <= {p}",
        [mark.movement_id, now.movement_id],
    ).fetchall()
    return Changes(now, tuple(int(r[0]) for r in rows), False)


def data_version() -> int | None:
    """SQLite's counter of commits by other connections (None on PostgreSQL)."""
    if isinstance(database.obj, PostgresqlDatabase):
        return None
    return int(database.execute_sql("PRAGMA data_version").fetchone()[0])


def listen_connection() -> Any | None:
    """A separate PostgreSQL connection listening on the channel (autocommit), for the
    caller to watch; None on SQLite. Its notifications are read with poll()."""
    db = database.obj
    if not isinstance(db, PostgresqlDatabase):
        return None
    import psycopg2

    conn = psycopg2.connect(dbname=db.database, **db.connect_params)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f"LISTEN {CHANNEL}")
    log.info("listening for changes by other workstations on %s", CHANNEL)
    return conn


def drain(conn: Any) -> int:
    """Reads what arrived on a listening connection; the number of notifications."""
    conn.poll()
    count = len(conn.notifies)
    conn.notifies.clear()
    return count
