"""Shared test set-up: headless Qt unless the run says otherwise, isolated user folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# The PostgreSQL fixtures (postgres_server: one server per session, postgres_url: a fresh
# database per test), registered here once so that every test folder shares the server.
from tests.helpers.pgserver import postgres_server, postgres_url  # noqa: F401

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Keeps every test away from the real user data and config folders."""
    base = tmp_path_factory.mktemp("userdirs")
    monkeypatch.setenv("DRM_GUI_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("DRM_GUI_CONFIG_DIR", str(base / "config"))
