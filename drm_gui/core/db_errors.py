"""Why a database cannot be opened, in words a user can act on.

Each function returns the body of one paragraph: what is wrong and what to do about it;
open_database() puts the database's name in front. The drivers' errors are told apart by
their text (sqlite3 and libpq give no finer codes at connection time) and, for SQLite, by
asking the file system, which knows why a file cannot be written better than SQLite says.
"""

from __future__ import annotations

import os
from pathlib import Path

OR_ANOTHER = "or open another database"
RESTORE = "restore it from its last backup"


def sqlite_read_only(path: Path) -> str | None:
    """Why drm-gui may not write to an existing database, or None.

    Checked before connecting because SQLite opens a database it cannot write (the file, or
    its -wal or -shm file) read-only without a word: the app would start, and the first move
    would fail."""
    for file in (path, *_companions(path)):
        if file.is_file() and not os.access(file, os.W_OK):
            return _read_only_file(file, path)
    return None


def _companions(path: Path) -> tuple[Path, Path]:
    """The -wal and -shm files SQLite keeps next to a database in WAL mode."""
    return Path(f"{path}-wal"), Path(f"{path}-shm")


def _read_only_file(file: Path, database: Path) -> str:
    what = "the database file" if file == database else f"its file {file.name}"
    if _on_read_only_file_system(file):
        return (
            "the database is on a read-only file system (a snapshot, a CD, a share mounted "
            "read-only), and drm-gui must write to it. Copy it to a writable folder and open "
            f"the copy, {OR_ANOTHER}."
        )
    return (
        f"{what} is read-only for this user, and drm-gui must write to it. Ask its owner to "
        "make it writable (chmod, chown), or copy the database to a writable folder and open "
        f"the copy, {OR_ANOTHER}."
    )


def sqlite_reason(path: Path, text: str, busy_seconds: float) -> str:
    """What went wrong opening the SQLite file *path*, from the driver's message *text*."""
    low = text.lower()
    if "locked" in low:
        return (
            f"the database is locked by another program, and stayed locked for "
            f"{busy_seconds:g} s. Close the program that holds it (a database browser, a copy "
            f"or a restore in progress, another drm-gui creating or upgrading it), then try "
            f"again, {OR_ANOTHER}."
        )
    if "file is not a database" in low:
        return (
            f"this file is not a drm-gui database, or it is damaged ({text}). Choose the "
            f"database file itself; if this was it, {RESTORE}, {OR_ANOTHER}."
        )
    if "malformed" in low:
        return damaged(text)
    if "readonly" in low or "read-only" in low or "unable to open" in low:
        return _cannot_write(path, text)
    if "disk i/o error" in low:
        return (
            f"the disk reported an error while reading the database ({text}). Check the disk "
            f"or the network share it is on, then try again, {OR_ANOTHER}."
        )
    if "is full" in low:
        return f"the disk is full ({text}). Free some space and try again, {OR_ANOTHER}."
    return f"the database cannot be opened ({text}); try again, {OR_ANOTHER}."


def damaged(detail: str) -> str:
    """The file is a SQLite database, but its pages are broken (a crash of the disk, a copy
    taken half-way, a truncated transfer)."""
    return f"the database file is damaged ({detail}). {RESTORE.capitalize()}, {OR_ANOTHER}."


def _cannot_write(path: Path, text: str) -> str:
    """SQLite could not open or create a file: the file system says why."""
    folder = path.parent
    if path.is_dir():
        return f"this is a folder, not a database file. Choose the database file, {OR_ANOTHER}."
    if not os.access(folder, os.W_OK | os.X_OK):
        what = "its -wal and -shm files" if path.exists() else "the database"
        fix = (
            "copy the database to a writable folder"
            if _on_read_only_file_system(folder)
            else "make the folder writable for this user, or move the database elsewhere"
        )
        return (
            f"the folder {folder} is read-only, and SQLite must create {what} there. "
            f"{fix.capitalize()}, {OR_ANOTHER}."
        )
    return f"the database file cannot be opened ({text}). Check the path, {OR_ANOTHER}."


def _on_read_only_file_system(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def folder_not_created(folder: Path, error: OSError) -> str:
    """The folder of a new database file could not be made."""
    return (
        f"the folder {folder} cannot be created ({error.strerror}). Choose another place for "
        f"the database, {OR_ANOTHER}."
    )


# PostgreSQL ---------------------------------------------------------------------------------
# libpq's words for each kind of failure, as psycopg2 passes them on.
_UNREACHABLE = (
    "connection refused",
    "could not connect",
    "is the server running",
    "timeout expired",
    "no route to host",
    "no such file or directory",  # no server socket in the folder of a local connection
)
_UNKNOWN_HOST = ("could not translate host name",)
_LOGIN = (
    "authentication failed",  # password, peer, ident...
    "no password supplied",
    "no pg_hba.conf entry",
    'role "',  # role "x" does not exist, role "x" is not permitted to log in
)
_NOT_NOW = (
    "too many clients",
    "starting up",
    "shutting down",
    "in recovery mode",
    "not yet accepting connections",
)


def postgresql_reason(host: str, port: int | None, name: str, text: str) -> str:
    """What went wrong connecting to database *name* on *host*, from libpq's message."""
    reason = _libpq_reason(text)
    low = text.lower()
    server = f"the PostgreSQL server at {host} port {port or 5432}"
    if f'database "{name.lower()}" does not exist' in low:
        return (
            f'{server} has no database "{name}". Check the name in the URL, or ask the '
            f"database administrator to create it (createdb), {OR_ANOTHER}."
        )
    if any(word in low for word in _UNKNOWN_HOST):
        return f"the host name {host} is unknown ({reason}). Check the URL, {OR_ANOTHER}."
    if any(word in low for word in _UNREACHABLE):
        return (
            f"{server} cannot be reached ({reason}). Check that the server is running and "
            f"that the host and port in the URL are right, {OR_ANOTHER}."
        )
    if any(word in low for word in _LOGIN):
        return (
            f"{server} refused the login ({reason}). Check the user name in the URL and the "
            "password (kept in ~/.pgpass or given by PGPASSWORD), or ask the database "
            f"administrator for access, {OR_ANOTHER}."
        )
    if any(word in low for word in _NOT_NOW):
        return f"{server} accepts no connection right now ({reason}). Try again in a minute."
    if "permission denied" in low:
        return (
            f"this user may not create or change drm-gui's tables ({reason}). Ask the database "
            f"administrator to make the user the owner of the database, {OR_ANOTHER}."
        )
    return f"the database cannot be opened ({reason}); try again, {OR_ANOTHER}."


def _libpq_reason(text: str) -> str:
    """libpq's message without its prefixes: 'connection to server at "h", port p failed:
    FATAL:  role "x" does not exist' gives 'role "x" does not exist'."""
    reason = text.strip().splitlines()[0].rsplit(" failed: ", 1)[-1]
    for prefix in ("FATAL:", "ERROR:"):
        reason = reason.removeprefix(prefix)
    return reason.strip()
