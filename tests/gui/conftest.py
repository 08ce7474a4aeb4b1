"""GUI fixtures: a real SQLite file (WAL) with a small known site, and the main window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from drm_gui.core.db import DatabaseInfo, close_database, open_database
from drm_gui.core.models import PoolType, utcnow
from drm_gui.core.states import DrmState, VolumeKind
from drm_gui.gui.application import GuiSession
from tests.helpers.factories import make_pool, make_volume

# volser -> (state, kind, pool name)
SITE: dict[str, tuple[DrmState, VolumeKind, str]] = {
    "A00001L8": (DrmState.MOUNTABLE, VolumeKind.COPY_POOL, "COPYPOOL1"),
    "A00002L8": (DrmState.MOUNTABLE, VolumeKind.COPY_POOL, "COPYPOOL1"),
    "A00003L8": (DrmState.MOUNTABLE, VolumeKind.COPY_POOL, "COPYPOOL1"),
    "B00001L8": (DrmState.NOTMOUNTABLE, VolumeKind.COPY_POOL, "COPYPOOL2"),
    "B00002L8": (DrmState.COURIER, VolumeKind.COPY_POOL, "COPYPOOL2"),
    "B00003L8": (DrmState.VAULT, VolumeKind.COPY_POOL, "COPYPOOL2"),
    "B00004L8": (DrmState.VAULT, VolumeKind.COPY_POOL, "COPYPOOL2"),
    "C00001L7": (DrmState.VAULTRETRIEVE, VolumeKind.ACTIVE_DATA_POOL, "ACTIVEPOOL"),
    "C00002L7": (DrmState.COURIERRETRIEVE, VolumeKind.ACTIVE_DATA_POOL, "ACTIVEPOOL"),
    "C00003L7": (DrmState.ONSITERETRIEVE, VolumeKind.ACTIVE_DATA_POOL, "ACTIVEPOOL"),
    "D00001L8": (DrmState.VAULT, VolumeKind.DB_BACKUP, ""),
}

LOCATIONS = {
    DrmState.MOUNTABLE: "LIB1",
    DrmState.NOTMOUNTABLE: "NOTMOUNTABLE",
    DrmState.COURIER: "COURIER",
    DrmState.VAULT: "VAULT",
    DrmState.VAULTRETRIEVE: "VAULT",
    DrmState.COURIERRETRIEVE: "COURIER",
    DrmState.ONSITERETRIEVE: "ONSITE",
}


def build_site() -> dict[str, int]:
    """Creates SITE in the open database; volser -> id."""
    pools = {
        "COPYPOOL1": make_pool("COPYPOOL1", reuse_delay_days=2),
        "COPYPOOL2": make_pool("COPYPOOL2", reuse_delay_days=2),
        "ACTIVEPOOL": make_pool("ACTIVEPOOL", PoolType.ACTIVEDATA),
    }
    ids = {}
    for volser, (state, kind, pool) in SITE.items():
        volume = make_volume(
            volser,
            state,
            kind=kind,
            pool=pools.get(pool),
            location=LOCATIONS[state],
            updated_at=utcnow() - dt.timedelta(days=3),
        )
        ids[volser] = volume.id
    return ids


@pytest.fixture
def site_db(tmp_path: Path) -> Iterator[tuple[DatabaseInfo, dict[str, int]]]:
    info = open_database(f"sqlite:///{tmp_path / 'site.db'}")
    ids = build_site()
    yield info, ids
    close_database()


@pytest.fixture
def session(qtbot, site_db, tmp_path: Path) -> Iterator[GuiSession]:
    info, _ids = site_db
    settings = QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)
    gui = GuiSession(info, settings)
    qtbot.addWidget(gui.window)
    gui.window.show()
    qtbot.waitExposed(gui.window)
    yield gui
    gui.window.close()
