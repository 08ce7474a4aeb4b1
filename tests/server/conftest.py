"""The server link's tests use the core's `db` fixture: SQLite and PostgreSQL."""

from tests.core.conftest import db, db_url  # noqa: F401 - fixtures, found by name
