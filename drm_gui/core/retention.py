"""When a vaulted tape becomes VAULTRETRIEVE: the expiry rules of DOMAIN.md, in one place.

The rules are [K] (IBM behaviour as best known), so each is one small function here:
- an EMPTY copy / active-data pool tape in VAULT comes back once its pool's reuse delay has
  passed since it became empty;
- a database backup series expires when its newest volume is older than
  db_backup_expire_days, all its volumes are in VAULT, and it is not the newest series of
  its kind (the newest full series and the newest snapshot series never expire);
- a WORM cartridge that comes back is flagged for destruction or archive, never scratch.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from drm_gui.core import audit
from drm_gui.core.media import (
    Actor,
    MovedVolume,
    apply_batch,
    current_actor,
    load_settings,
    to_datetime,
)
from drm_gui.core.models import (
    BatchKind,
    DbBackupSeries,
    MoveBatch,
    PoolType,
    SeriesKind,
    StoragePool,
    Volume,
    database,
    utcnow,
)
from drm_gui.core.states import DrmState, VolumeKind

log = logging.getLogger(__name__)

WORM_FLAG = "WORM: destroy or archive on return, never scratch"
POOL_KINDS = (VolumeKind.COPY_POOL, VolumeKind.ACTIVE_DATA_POOL)


@dataclass(frozen=True)
class ExpiryChange:
    volume_id: int
    volser: str
    location: str
    reason: str
    worm: bool


@dataclass(frozen=True)
class ExpiryResult:
    batch_id: int
    at: dt.datetime
    changes: tuple[ExpiryChange, ...]


def empty_pool_tape_due(
    pct_used: float, empty_since: dt.datetime | None, reuse_delay_days: int, now: dt.datetime
) -> bool:
    """An empty pool tape is due back once the reuse delay has passed since it emptied."""
    if pct_used > 0 or empty_since is None:
        return False
    return now - empty_since >= dt.timedelta(days=reuse_delay_days)


def series_old_enough(
    newest_volume_at: dt.datetime, is_newest_of_kind: bool, expire_days: int, now: dt.datetime
) -> bool:
    """The age rule of a DB backup series: older than expire_days and not the newest."""
    if is_newest_of_kind:
        return False
    return now - newest_volume_at > dt.timedelta(days=expire_days)


def series_expired(
    newest_volume_at: dt.datetime,
    states: list[DrmState],
    is_newest_of_kind: bool,
    expire_days: int,
    now: dt.datetime,
) -> bool:
    """A DB backup series expires when old enough, wholly vaulted, and not the newest."""
    if not states or any(s is not DrmState.VAULT for s in states):
        return False
    return series_old_enough(newest_volume_at, is_newest_of_kind, expire_days, now)


def series_still_needed(series_id: int, now: dt.datetime) -> str | None:
    """Why a database backup series still holds data a recovery may need (None once the
    age rule lets it go): the newest series of its kind, or one younger than
    db_backup_expire_days. A tape of such a series must never become scratch."""
    series = DbBackupSeries.get_or_none(DbBackupSeries.id == series_id)
    if series is None:
        return None
    expire_days = int(load_settings()["db_backup_expire_days"])  # type: ignore[arg-type]
    newest_number = (
        DbBackupSeries.select(DbBackupSeries.number)
        .where(DbBackupSeries.kind == series.kind)
        .order_by(DbBackupSeries.number.desc())
        .scalar()
    )
    rows = (
        Volume.select(Volume.written_at, Volume.updated_at)
        .where(Volume.series == series_id)
        .tuples()
    )
    times = [to_datetime(w if w is not None else u) for w, u in rows]
    newest_at = max(times) if times else to_datetime(series.started_at)
    label = "full" if series.kind is SeriesKind.FULL else "snapshot"
    if newest_number == series.number:
        return f"it belongs to the newest database {label} series ({series.number})"
    if not series_old_enough(newest_at, False, expire_days, now):
        return (
            f"its database {label} series {series.number} is younger than "
            f"{expire_days} day(s) (db_backup_expire_days)"
        )
    return None


def due_for_retrieve(now: dt.datetime) -> list[ExpiryChange]:
    """Every VAULT volume that the rules send back, with the rule that applies."""
    settings = load_settings()
    expire_days = int(settings["db_backup_expire_days"])  # type: ignore[arg-type]
    due: list[ExpiryChange] = []

    pool_rows = (
        Volume.select(
            Volume.id,
            Volume.volser,
            Volume.location,
            Volume.pct_used,
            Volume.empty_since,
            Volume.worm,
            StoragePool.reuse_delay_days,
            StoragePool.name,
            StoragePool.worm,
        )
        .join(StoragePool)
        .where(
            (Volume.state == DrmState.VAULT)
            & (Volume.kind.in_(POOL_KINDS))
            & (StoragePool.pool_type.in_([PoolType.COPY, PoolType.ACTIVEDATA]))
            & (Volume.pct_used <= 0)
        )
        .tuples()
    )
    for vid, volser, location, pct, empty_since, worm, delay, pool, pool_worm in pool_rows:
        since = to_datetime(empty_since) if empty_since is not None else None
        if empty_pool_tape_due(pct, since, delay, now):
            due.append(
                ExpiryChange(
                    vid,
                    volser,
                    location,
                    f"empty {pool} tape, reuse delay of {delay} day(s) passed",
                    bool(worm or pool_worm),
                )
            )

    # Database backup series: gather each series' volumes.
    series_rows = (
        Volume.select(
            Volume.id,
            Volume.volser,
            Volume.location,
            Volume.state,
            Volume.written_at,
            Volume.updated_at,
            Volume.worm,
            DbBackupSeries.id,
            DbBackupSeries.kind,
            DbBackupSeries.number,
        )
        .join(DbBackupSeries)
        .where(Volume.kind.in_([VolumeKind.DB_BACKUP, VolumeKind.DB_SNAPSHOT]))
        .tuples()
    )
    by_series: dict[int, list[tuple]] = defaultdict(list)
    series_info: dict[int, tuple[SeriesKind, int]] = {}
    for row in series_rows:
        by_series[row[7]].append(row)
        series_info[row[7]] = (row[8], row[9])
    newest: dict[SeriesKind, int] = {}
    for sid, (kind, number) in series_info.items():
        if kind not in newest or number > series_info[newest[kind]][1]:
            newest[kind] = sid
    for sid, rows in by_series.items():
        kind, number = series_info[sid]
        newest_at = max(to_datetime(r[4] if r[4] is not None else r[5]) for r in rows)
        states = [r[3] for r in rows]
        if series_expired(newest_at, states, newest.get(kind) == sid, expire_days, now):
            label = "full" if kind is SeriesKind.FULL else "snapshot"
            reason = (
                f"database {label} series {number} older than {expire_days} day(s) "
                "and not the newest"
            )
            due.extend(ExpiryChange(r[0], r[1], r[2], reason, bool(r[6])) for r in rows)
    due.sort(key=lambda c: c.volser)
    return due


def evaluate_expiry(actor: Actor | None = None, now: dt.datetime | None = None) -> ExpiryResult:
    """Marks every due VAULT volume VAULTRETRIEVE in one transaction, each change logged
    with its rule; WORM volumes are flagged. The run itself is recorded even when nothing
    changes, so that the time of the last evaluation is known."""
    actor = actor or current_actor()
    at = now or utcnow()
    with database.atomic():
        due = due_for_retrieve(at)
        moves = [
            MovedVolume(
                c.volume_id,
                c.volser,
                DrmState.VAULT,
                DrmState.VAULTRETRIEVE,
                c.location,
                c.location,
            )
            for c in due
        ]
        if moves:
            batch_id = apply_batch(
                BatchKind.EXPIRY,
                moves,
                actor=actor,
                at=at,
                reason="expiry evaluation",
                target=DrmState.VAULTRETRIEVE,
                reasons={c.volume_id: c.reason for c in due},
            )
        else:
            reason = "expiry evaluation: nothing due"
            batch_id = MoveBatch.create(
                kind=BatchKind.EXPIRY,
                at=at,
                os_user=actor.os_user,
                workstation=actor.workstation,
                reason=reason,
                target_state=DrmState.VAULTRETRIEVE,
            ).id
            audit.record_batch(batch_id, BatchKind.EXPIRY, actor=actor, at=at, reason=reason)
        worm_ids = [c.volume_id for c in due if c.worm]
        if worm_ids:
            Volume.update(flag=WORM_FLAG).where(Volume.id.in_(worm_ids)).execute()
    log.info("expiry evaluation: %d volume(s) to VAULTRETRIEVE", len(due))
    return ExpiryResult(batch_id, at, tuple(due))


def last_evaluation() -> dt.datetime | None:
    """When the expiry evaluation last ran, on any workstation."""
    at = (
        MoveBatch.select(MoveBatch.at)
        .where(MoveBatch.kind == BatchKind.EXPIRY)
        .order_by(MoveBatch.at.desc())
        .scalar()
    )
    return to_datetime(at) if at is not None else None
