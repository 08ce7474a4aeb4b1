"""This workstation's choice of database: the shared PostgreSQL database of the site, or a
SQLite file, kept in `workstation.json` of the user config folder and used when no `--db`
is given. Never a password: PostgreSQL passwords belong in ~/.pgpass (or PGPASSWORD)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from drm_gui.core.db import DatabaseUrlError, make_database
from drm_gui.core.files import write_text_atomically
from drm_gui.core.states import DrmError
from drm_gui.paths import config_dir

FILE_NAME = "workstation.json"
FILE_MODE = 0o600


class WorkstationConfigError(DrmError):
    """workstation.json cannot be read or the database URL cannot be kept."""


def config_path() -> Path:
    return config_dir() / FILE_NAME


def workstation_database() -> str | None:
    """The database URL this workstation opens by default, or None (the SQLite file in the
    user data folder)."""
    path = config_path()
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WorkstationConfigError(
            f"{path}: cannot be read ({exc}); fix or delete it, or give --db"
        ) from None
    if not isinstance(data, dict):
        raise WorkstationConfigError(f'{path}: must hold an object such as {{"database": URL}}')
    url = data.get("database")
    if url is not None and not isinstance(url, str):
        raise WorkstationConfigError(f"{path}: 'database' must be a URL text")
    return url or None


def check_url(url: str) -> str:
    """*url* if it names a usable database and holds no password; else why not."""
    url = url.strip()
    if "://" in url and urlsplit(url).password:
        raise WorkstationConfigError(
            "the URL holds a password, which is never written to a file: remove it and keep "
            "the password in ~/.pgpass (or PGPASSWORD)"
        )
    try:
        make_database(url)
    except DatabaseUrlError as exc:
        raise WorkstationConfigError(str(exc)) from None
    return url


def set_workstation_database(url: str | None) -> Path:
    """Keeps *url* as this workstation's database (None: back to the default file)."""
    data = {"database": check_url(url)} if url else {}
    path = config_path()
    write_text_atomically(path, json.dumps(data, indent=2) + "\n", FILE_MODE)
    return path
