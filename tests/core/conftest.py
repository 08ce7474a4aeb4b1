"""The `db` fixture: every core test that touches the database runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drm_gui.core.db import DatabaseInfo, close_database, open_database

BACKENDS = ("sqlite", "postgresql")


def sqlite_url(path: Path) -> str:
    """sqlite:////absolute/path for a file path (four slashes: an absolute path)."""
    return f"sqlite:///{path.resolve()}"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, empty database of each backend (not yet opened)."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "drm.db")
    # Asked for lazily, so that SQLite-only runs (-k sqlite) never start a server.
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def db(db_url: str) -> Iterator[DatabaseInfo]:
    """A fresh database opened with open_database(); closed after the test."""
    info = open_database(db_url)
    yield info
    close_database()
