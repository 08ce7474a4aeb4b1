"""Direct access to a test database, past drm-gui's own code: to prepare odd databases
(foreign tables, a newer schema) and to check what was really stored."""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import unquote, urlsplit


def sqlite_path(url: str) -> str:
    return unquote(url.split("://", 1)[1][1:])


def execute(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Runs one statement on the database at *url* (sqlite:/// or postgresql://), commits,
    and returns the rows it produced (if any). *sql* uses '?' for parameters."""
    if urlsplit(url).scheme == "sqlite":
        conn = sqlite3.connect(sqlite_path(url))
        try:
            cursor = conn.execute(sql, params)
            rows = cursor.fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()
    import psycopg2

    pg = psycopg2.connect(url)
    try:
        with pg, pg.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []
    finally:
        pg.close()
