"""Hand-built manifests for the PDF tests (no database)."""

from __future__ import annotations

import datetime as dt

from drm_gui.core.manifest import ManifestInfo, ManifestTapeInfo, manifest_hash
from drm_gui.core.models import ManifestDirection
from drm_gui.core.states import VolumeKind

CREATED = dt.datetime(2026, 10, 1, 6, 30)
POOLS = ("COPYPOOL", "OFFSITE", "")


def tapes(count: int) -> tuple[ManifestTapeInfo, ...]:
    out = []
    for i in range(count):
        pool = POOLS[i % 3]
        kind = VolumeKind.DB_BACKUP if not pool else VolumeKind.COPY_POOL
        volser = f"{'D' if not pool else 'A'}{i:05d}L8"
        container = f"CASE-{i // 20 + 1:02d}" if i % 2 == 0 else ""
        out.append(ManifestTapeInfo(i + 1, volser, pool, kind, "LIB1", "IRON MOUNTAIN", container))
    return tuple(out)


def manifest(
    count: int, number: int = 42, direction: ManifestDirection = ManifestDirection.OUT
) -> ManifestInfo:
    lines = tapes(count)
    return ManifestInfo(
        number=number,
        direction=direction,
        courier="SAFE TRANSIT",
        vault="IRON MOUNTAIN",
        created_at=CREATED,
        os_user="alice",
        workstation="ws-07",
        sha256=manifest_hash(number, direction, (t.volser for t in lines)),
        tapes=lines,
    )
