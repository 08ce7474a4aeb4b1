"""A synchronisation with the live server: what it read (DRMEDIA, volumes, storage pools,
volume history) compared with the database in one preview, applied in one transaction.

The volume records and the history go through the same previews as the file imports
(import_volumes, import_history). Two kinds of facts come only from the live server:
a volume's utilisation (percent used, EMPTY), which the empty-tape warnings and the expiry
rules read, and the storage pools' type, device class and reuse delay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from drm_gui.core import audit, import_history, import_volumes, media
from drm_gui.core.db import executemany
from drm_gui.core.import_history import VolhistPreview
from drm_gui.core.import_volumes import Resolution, VolumePreview
from drm_gui.core.media import Actor, current_actor
from drm_gui.core.models import PoolType, StoragePool, Volume, database, utcnow
from drm_gui.core.roles import Action, require
from drm_gui.core.tsm_formats import DrmediaForm, DrmediaRecord, ParseProblem
from drm_gui.core.tsm_formats_files import VolhistEntry


@dataclass(frozen=True)
class VolumeUsage:
    """One row of the server's VOLUMES table."""

    volser: str
    pool: str
    status: str  # FULL, FILLING, EMPTY, OFFLINE, PENDING
    pct_used: float

    @property
    def empty(self) -> bool:
        return self.status.upper() == "EMPTY" or self.pct_used <= 0


@dataclass(frozen=True)
class PoolInfo:
    """One row of the server's STGPOOLS table."""

    name: str
    pool_type: PoolType
    device_class: str
    reuse_delay_days: int


@dataclass(frozen=True)
class UsageDiff:
    volume_id: int
    volser: str
    before: float
    usage: VolumeUsage
    empty_since: dt.datetime | None  # set when the server first shows it empty


@dataclass(frozen=True)
class PoolDiff:
    new: bool
    pool: PoolInfo
    fields: tuple[str, ...]


@dataclass(frozen=True)
class SyncPreview:
    server: str
    volumes: VolumePreview
    history: VolhistPreview
    usage: tuple[UsageDiff, ...]
    pools: tuple[PoolDiff, ...]
    # The history and volumes as read: compared again when applied, once the new volumes
    # of the same synchronisation exist.
    history_entries: tuple[VolhistEntry, ...] = ()
    usage_rows: tuple[VolumeUsage, ...] = ()

    @property
    def has_changes(self) -> bool:
        return (
            self.volumes.has_changes
            or self.history.has_changes
            or bool(self.usage)
            or bool(self.pools)
        )

    @property
    def problems(self) -> tuple[ParseProblem, ...]:
        return self.volumes.problems + self.history.problems

    def summary(self) -> str:
        if not self.has_changes:
            return f"{self.server} and this database agree"
        parts = [self.volumes.summary()]
        if self.history.has_changes:
            parts.append(self.history.summary())
        if self.usage:
            parts.append(f"{len(self.usage):,} volume(s) with a new utilisation")
        if self.pools:
            parts.append(f"{len(self.pools):,} storage pool(s) new or changed")
        return "; ".join(parts)


def _usage_diffs(usage: Iterable[VolumeUsage], now: dt.datetime) -> list[UsageDiff]:
    vt = Volume._meta.table_name
    local = {
        volser.upper(): (vid, pct, empty_since)
        for vid, volser, pct, empty_since in database.execute_sql(
            f"SELECT id, volser, pct_used, empty_since FROM {vt}"
        ).fetchall()
    }
    diffs = []
    for row in usage:
        found = local.get(row.volser.upper())
        if found is None:
            continue
        vid, pct, empty_since = found
        pct_after = 0.0 if row.empty else row.pct_used
        since = (media.to_datetime(empty_since) if empty_since else now) if row.empty else None
        was_since = media.to_datetime(empty_since) if empty_since else None
        if abs(float(pct) - pct_after) > 0.05 or since != was_since:
            diffs.append(UsageDiff(vid, row.volser, float(pct), row, since))
    return diffs


def _pool_diffs(pools: Iterable[PoolInfo]) -> list[PoolDiff]:
    local = {
        name: (pool_type, device_class, delay)
        for name, pool_type, device_class, delay in StoragePool.select(
            StoragePool.name,
            StoragePool.pool_type,
            StoragePool.device_class,
            StoragePool.reuse_delay_days,
        ).tuples()
    }
    diffs = []
    for pool in pools:
        known = local.get(pool.name)
        if known is None:
            diffs.append(PoolDiff(True, pool, ()))
            continue
        fields = [
            name
            for name, before, after in (
                ("type", known[0], pool.pool_type),
                ("device class", known[1], pool.device_class),
                ("reuse delay", known[2], pool.reuse_delay_days),
            )
            if before != after
        ]
        if fields:
            diffs.append(PoolDiff(False, pool, tuple(fields)))
    return diffs


def preview_sync(
    *,
    server: str,
    records: Sequence[DrmediaRecord],
    history: Sequence[VolhistEntry],
    usage: Sequence[VolumeUsage],
    pools: Sequence[PoolInfo],
    problems: Sequence[ParseProblem] = (),
    now: dt.datetime | None = None,
) -> SyncPreview:
    """Compares what the server answered with the database."""
    at = now or utcnow()
    volumes = import_volumes.preview_volumes(
        records, problems, source=f"server {server}", form=DrmediaForm.SELECT_COMMA
    )
    history = import_history.utc_entries(history)
    hist = import_history.preview_volhist("", source=f"server {server}", entries=history)
    return SyncPreview(
        server,
        volumes,
        hist,
        tuple(_usage_diffs(usage, at)),
        tuple(_pool_diffs(pools)),
        tuple(history),
        tuple(usage),
    )


def apply_sync(
    preview: SyncPreview,
    *,
    accept_problems: bool = False,
    resolutions: Mapping[str, Resolution] | None = None,
    default: Resolution = Resolution.KEEP_LOCAL,
    actor: Actor | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Applies the whole synchronisation in one transaction; what was done, in a sentence.
    Rows of the server's answers that could not be read must be accepted (skipped), as with
    a file. The history is compared again once the volumes are written, so that the DB
    backup volumes new in this same synchronisation get their series."""
    require(Action.SERVER)
    if preview.problems and not accept_problems:
        import_history.refuse_problems(f"server {preview.server}", preview.problems)
    actor = actor or current_actor()
    at = now or utcnow()
    with database.atomic():
        _write_pools(preview.pools)
        done = import_volumes.apply_volumes(
            preview.volumes,
            accept_problems=True,
            resolutions=resolutions,
            default=default,
            actor=actor,
            now=at,
        )
        history, usage = preview.history, preview.usage
        if done.created:
            history = import_history.preview_volhist(
                "", source=history.source, entries=preview.history_entries
            )
            usage = tuple(_usage_diffs(preview.usage_rows, at))
        hist = import_history.apply_volhist(history, accept_problems=True, actor=actor, now=at)
        _write_usage(usage)
        if preview.pools or usage:
            pools = [d.pool.name for d in preview.pools]
            used = [d.volser for d in usage]
            audit.record_sync(preview.server, pools, used, actor=actor, at=at)
    parts = [done.summary()]
    if hist.batch_id is not None:
        parts.append(hist.summary())
    if usage:
        parts.append(f"{len(usage):,} utilisation(s) updated")
    if preview.pools:
        parts.append(f"{len(preview.pools):,} storage pool(s) recorded")
    return "; ".join(parts)


def _write_pools(diffs: Sequence[PoolDiff]) -> None:
    for diff in diffs:
        pool = diff.pool
        values = {
            StoragePool.pool_type: pool.pool_type,
            StoragePool.device_class: pool.device_class,
            StoragePool.reuse_delay_days: pool.reuse_delay_days,
        }
        if diff.new:
            StoragePool.insert({StoragePool.name: pool.name, **values}).execute()
        else:
            StoragePool.update(values).where(StoragePool.name == pool.name).execute()


def _write_usage(diffs: Sequence[UsageDiff]) -> None:
    if not diffs:
        return
    vt = Volume._meta.table_name
    p = database.param
    rows = [
        (
            0.0 if d.usage.empty else d.usage.pct_used,
            str(d.empty_since) if d.empty_since else None,
            d.volume_id,
        )
        for d in diffs
    ]
    executemany(f"UPDATE {vt} SET pct_used = {p}, empty_since = {p} WHERE id = {p}", rows)
