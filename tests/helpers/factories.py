"""Hand-built DRM data for the core tests: pools, volumes and backup series, one row each."""

from __future__ import annotations

import datetime as dt
import itertools

from drm_gui.core.models import (
    DbBackupSeries,
    MoveBatch,
    Movement,
    PoolType,
    SeriesKind,
    StoragePool,
    Volume,
)
from drm_gui.core.states import DrmState, VolumeKind

# A fixed "now" for every test that reasons about ages: no wall clock in assertions.
NOW = dt.datetime(2024, 6, 15, 12, 0, 0)

_serial = itertools.count(1)


def make_pool(
    name: str = "COPYPOOL",
    pool_type: PoolType = PoolType.COPY,
    *,
    reuse_delay_days: int = 0,
    worm: bool = False,
) -> StoragePool:
    return StoragePool.create(
        name=name, pool_type=pool_type, reuse_delay_days=reuse_delay_days, worm=worm
    )


def make_volume(
    volser: str | None = None,
    state: DrmState = DrmState.MOUNTABLE,
    *,
    kind: VolumeKind = VolumeKind.COPY_POOL,
    pool: StoragePool | None = None,
    location: str = "LIB1",
    updated_at: dt.datetime = NOW - dt.timedelta(days=1),
    pct_used: float = 50.0,
    empty_since: dt.datetime | None = None,
    worm: bool = False,
    series: DbBackupSeries | None = None,
    written_at: dt.datetime | None = None,
    flag: str = "",
) -> Volume:
    return Volume.create(
        volser=volser or f"T{next(_serial):05d}L8",
        kind=kind,
        pool=pool,
        state=state,
        location=location,
        updated_at=updated_at,
        pct_used=pct_used,
        empty_since=empty_since,
        worm=worm,
        series=series,
        written_at=written_at,
        flag=flag,
    )


def make_series(
    kind: SeriesKind,
    number: int,
    *,
    written_at: dt.datetime,
    states: tuple[DrmState, ...] = (DrmState.VAULT,),
    prefix: str | None = None,
) -> tuple[DbBackupSeries, list[Volume]]:
    """A DB backup (FULL) or snapshot series with one volume per entry of *states*, all
    written at *written_at*."""
    series = DbBackupSeries.create(kind=kind, number=number, started_at=written_at)
    volume_kind = VolumeKind.DB_BACKUP if kind is SeriesKind.FULL else VolumeKind.DB_SNAPSHOT
    letter = prefix or ("D" if kind is SeriesKind.FULL else "S")
    volumes = [
        make_volume(
            f"{letter}{number:04d}{i}L8",
            state,
            kind=volume_kind,
            location="VAULT" if state is DrmState.VAULT else "LIB1",
            series=series,
            written_at=written_at,
            updated_at=written_at,
        )
        for i, state in enumerate(states)
    ]
    return series, volumes


def state_of(volume_id: int) -> tuple[DrmState, str]:
    """(state, location) of one volume as stored now."""
    volume = Volume.get_by_id(volume_id)
    return volume.state, volume.location


def counts() -> tuple[int, int]:
    """(move batches, movement rows) stored now."""
    return MoveBatch.select().count(), Movement.select().count()
