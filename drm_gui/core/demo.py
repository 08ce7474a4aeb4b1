"""A realistic demo site: storage pools, weeks of database backup series, copy-pool tapes
in every DRM state. Used on first start and by `main.py demo`."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from drm_gui.core import audit
from drm_gui.core.media import Actor, current_actor, insert_volumes, load_settings
from drm_gui.core.models import (
    BatchKind,
    DbBackupSeries,
    MoveBatch,
    Movement,
    PoolType,
    SeriesKind,
    StoragePool,
    Volume,
    database,
    utcnow,
)
from drm_gui.core.states import DrmError, DrmState, VolumeKind, location_on_entry

MAX_VOLUMES = 1_000_000


@dataclass(frozen=True)
class PoolSpec:
    name: str
    pool_type: PoolType
    prefix: str  # volser prefix letter(s)
    media: str  # LTO media suffix of the barcode
    reuse_delay_days: int
    worm: bool
    share: float  # share of the pool tapes


POOLS = (
    PoolSpec("COPYPOOL1", PoolType.COPY, "A", "L8", 3, False, 0.45),
    PoolSpec("COPYPOOL2", PoolType.COPY, "B", "L8", 5, False, 0.30),
    PoolSpec("ARCHCOPY", PoolType.COPY, "W", "LZ", 0, True, 0.10),  # WORM
    PoolSpec("ACTIVEPOOL", PoolType.ACTIVEDATA, "C", "L7", 1, False, 0.15),
)

# How a pool tape's state is drawn (weights), as at a site with most tapes vaulted.
POOL_STATE_WEIGHTS = {
    DrmState.MOUNTABLE: 0.08,
    DrmState.NOTMOUNTABLE: 0.01,
    DrmState.COURIER: 0.03,
    DrmState.VAULT: 0.82,
    DrmState.VAULTRETRIEVE: 0.03,
    DrmState.COURIERRETRIEVE: 0.02,
    DrmState.ONSITERETRIEVE: 0.01,
}

MEDIA_TYPES = {"L8": "LTO-8", "L7": "LTO-7", "LZ": "LTO-8 WORM", "L9": "LTO-9"}


def _db_state(age_days: float) -> DrmState:
    if age_days < 1:
        return DrmState.MOUNTABLE
    if age_days < 2:
        return DrmState.COURIER
    return DrmState.VAULT


def create_demo_site(
    volumes: int = 400,
    *,
    seed: int = 7,
    actor: Actor | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Fills an empty database with *volumes* tapes; returns the number created."""
    if not 1 <= volumes <= MAX_VOLUMES:
        raise DrmError(f"--volumes must be between 1 and {MAX_VOLUMES:,}, not {volumes}")
    existing = Volume.select().count()
    if existing:
        raise DrmError(
            f"the database already holds {existing:,} volumes; the demo needs an empty one"
        )
    rng = random.Random(seed)
    actor = actor or current_actor()
    now = now or utcnow()
    settings = load_settings()
    rows: list[tuple] = []
    slot = 0

    def add(
        volser: str,
        kind: VolumeKind,
        pool_id: int | None,
        state: DrmState,
        updated_at: dt.datetime,
        media: str,
        *,
        worm: bool = False,
        pct_used: float = 50.0,
        empty_since: dt.datetime | None = None,
        series_id: int | None = None,
        operation: int | None = None,
        seq: int | None = None,
        written_at: dt.datetime | None = None,
    ) -> None:
        nonlocal slot
        library_slot = None
        if state is DrmState.MOUNTABLE:
            slot += 1
            library_slot = slot
        location = location_on_entry(state, settings["vault_name"], settings)  # type: ignore[arg-type]
        rows.append(
            (
                volser,
                kind.value,
                pool_id,
                state.value,
                location,
                str(updated_at),
                MEDIA_TYPES[media],
                "LTO",
                worm,
                pct_used,
                str(empty_since) if empty_since else None,
                series_id,
                operation,
                seq,
                str(written_at) if written_at else None,
                library_slot,
                "",
                1,
            )
        )

    with database.atomic():
        # Database backup series: a weekly full with daily incrementals, and a weekly
        # snapshot, going back far enough that the oldest series are due to expire.
        db_budget = min(90, max(0, volumes // 4))
        weeks = max(1, min(11, db_budget // 9))
        if volumes < 9:  # a week of series is 9 volumes: more than asked for
            weeks = 0
        db_count = 0
        for week in range(weeks):
            start = now - dt.timedelta(days=7 * week + 6, hours=2)
            number = 1000 + (weeks - week)
            full = DbBackupSeries.create(kind=SeriesKind.FULL, number=number, started_at=start)
            snap = DbBackupSeries.create(kind=SeriesKind.SNAPSHOT, number=number, started_at=start)
            for op in range(7):
                written = start + dt.timedelta(days=op)
                age = (now - written).total_seconds() / 86400
                for seq in range(1, (3 if op == 0 else 2)):
                    db_count += 1
                    add(
                        f"D{db_count:05d}L8",
                        VolumeKind.DB_BACKUP,
                        None,
                        _db_state(age),
                        written + dt.timedelta(hours=6 if age >= 1 else 0),
                        "L8",
                        series_id=full.id,
                        operation=op,
                        seq=seq,
                        written_at=written,
                    )
            written = start + dt.timedelta(days=3)
            age = (now - written).total_seconds() / 86400
            db_count += 1
            add(
                f"S{db_count:05d}L8",
                VolumeKind.DB_SNAPSHOT,
                None,
                _db_state(age),
                written + dt.timedelta(hours=6),
                "L8",
                series_id=snap.id,
                operation=0,
                seq=1,
                written_at=written,
            )
        # Storage pool tapes.
        remaining = volumes - len(rows)
        states = list(POOL_STATE_WEIGHTS)
        weights = list(POOL_STATE_WEIGHTS.values())
        for index, spec in enumerate(POOLS):
            pool = StoragePool.create(
                name=spec.name,
                pool_type=spec.pool_type,
                device_class="LTO",
                reuse_delay_days=spec.reuse_delay_days,
                worm=spec.worm,
            )
            count = (
                remaining - sum(int(remaining * p.share) for p in POOLS[:-1])
                if index == len(POOLS) - 1
                else int(remaining * spec.share)
            )
            kind = (
                VolumeKind.ACTIVE_DATA_POOL
                if spec.pool_type is PoolType.ACTIVEDATA
                else VolumeKind.COPY_POOL
            )
            for n in range(count):
                state = rng.choices(states, weights)[0]
                if index == 0 and n < len(states):
                    state = states[n]  # every state shows up, whatever the seed draws
                updated = now - dt.timedelta(days=_age_in(state, rng), minutes=rng.randint(0, 1439))
                pct = round(rng.uniform(1, 100), 1)
                empty_since = None
                if state is DrmState.VAULT and rng.random() < 0.03:
                    pct = 0.0
                    empty_since = now - dt.timedelta(days=rng.randint(0, 10))
                elif state in (DrmState.VAULTRETRIEVE, DrmState.COURIERRETRIEVE):
                    pct = 0.0
                    empty_since = updated - dt.timedelta(days=spec.reuse_delay_days)
                elif state is DrmState.ONSITERETRIEVE:
                    pct = 0.0
                    empty_since = updated - dt.timedelta(days=spec.reuse_delay_days + 2)
                add(
                    f"{spec.prefix}{n:05d}{spec.media}"
                    if count <= 100_000
                    else f"{spec.prefix}{n:06d}{spec.media[1]}",
                    kind,
                    pool.id,
                    state,
                    updated,
                    spec.media,
                    worm=spec.worm,
                    pct_used=pct,
                    empty_since=empty_since,
                )
        insert_volumes(rows)
        _record_import(actor, now, [row[0] for row in rows])
    return len(rows)


def _age_in(state: DrmState, rng: random.Random) -> int:
    """Days a demo tape has been in its state."""
    if state in (DrmState.COURIER, DrmState.COURIERRETRIEVE):
        return rng.choice((0, 0, 0, 1, 2))
    if state in (DrmState.MOUNTABLE, DrmState.NOTMOUNTABLE, DrmState.ONSITERETRIEVE):
        return rng.randint(0, 6)
    if state is DrmState.VAULTRETRIEVE:
        return rng.randint(0, 4)
    return rng.randint(3, 400)


def _record_import(actor: Actor, now: dt.datetime, volsers: list[str]) -> None:
    """One IMPORT batch, a first movement row per volume (where it was found), and the
    batch's audit row naming the volumes."""
    reason = f"demo site created ({len(volsers):,} volumes)"
    batch = MoveBatch.create(
        kind=BatchKind.IMPORT,
        at=now,
        os_user=actor.os_user,
        workstation=actor.workstation,
        reason=reason,
    )
    mt = Movement._meta.table_name
    vt = Volume._meta.table_name
    p = database.param
    database.execute_sql(
        f"INSERT INTO {mt} (batch_id, volume_id, volser, kind, from_state, to_state, "
        "from_location, to_location, at, os_user, workstation, reason) "
        f"SELECT {p}, id, volser, {p}, NULL, state, '', location, updated_at, {p}, {p}, {p} "
        f"FROM {vt}",
        [batch.id, BatchKind.IMPORT.value, actor.os_user, actor.workstation, "demo site"],
    )
    audit.record_batch(
        batch.id, BatchKind.IMPORT, actor=actor, at=now, reason=reason, created=volsers
    )
