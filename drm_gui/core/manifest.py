"""Courier manifests: what leaves the building and what comes back, as a record of its own.

A manifest is made once (one transaction), numbered in sequence, and never changed: its tape
lines keep the volser, pool, kind and locations the tapes had when it was made, so a reprint
is the same document. A SHA-256 over the canonical tape list (number, direction and the
sorted volsers) is printed on every page, so that a returned paper copy can be checked
against the record. No Qt here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import peewee

from drm_gui.core import media
from drm_gui.core.media import Actor, current_actor, load_settings
from drm_gui.core.models import (
    Manifest,
    ManifestDirection,
    ManifestTape,
    Movement,
    database,
    utcnow,
)
from drm_gui.core.states import DrmError, DrmState, VolumeKind, location_on_entry

log = logging.getLogger(__name__)

# The states a tape may be in to go on a manifest of each direction; the defaults are the
# transit states alone (the tapes the courier takes now).
ELIGIBLE: dict[ManifestDirection, frozenset[DrmState]] = {
    ManifestDirection.OUT: frozenset({DrmState.MOUNTABLE, DrmState.NOTMOUNTABLE, DrmState.COURIER}),
    ManifestDirection.IN: frozenset({DrmState.VAULTRETRIEVE, DrmState.COURIERRETRIEVE}),
}
DEFAULT_STATES: dict[ManifestDirection, tuple[DrmState, ...]] = {
    ManifestDirection.OUT: (DrmState.COURIER,),
    ManifestDirection.IN: (DrmState.VAULTRETRIEVE, DrmState.COURIERRETRIEVE),
}
MAX_CONTAINER = 64
_NUMBER_ATTEMPTS = 5  # two workstations creating at once: the unique number decides


class ManifestError(DrmError):
    """A manifest cannot be made or found; the message says why."""


@dataclass(frozen=True)
class ManifestTapeInfo:
    volume_id: int
    volser: str
    pool: str
    kind: VolumeKind
    from_location: str
    to_location: str
    container: str = ""


@dataclass(frozen=True)
class PoolKindTotal:
    pool: str  # "" for database backups, which belong to no pool
    kind: VolumeKind
    count: int


@dataclass(frozen=True)
class ManifestInfo:
    number: int
    direction: ManifestDirection
    courier: str
    vault: str
    created_at: dt.datetime  # naive UTC
    os_user: str
    workstation: str
    sha256: str  # as recorded when the manifest was made
    tapes: tuple[ManifestTapeInfo, ...]

    @property
    def volsers(self) -> tuple[str, ...]:
        return tuple(t.volser for t in self.tapes)

    @property
    def totals(self) -> tuple[PoolKindTotal, ...]:
        """Tapes per pool and kind, sorted by pool then kind."""
        counts = Counter((t.pool, t.kind) for t in self.tapes)
        return tuple(
            PoolKindTotal(pool, kind, n)
            for (pool, kind), n in sorted(counts.items(), key=lambda i: (i[0][0], i[0][1].value))
        )

    @property
    def hash_ok(self) -> bool:
        """True when the tape list still matches the recorded SHA-256."""
        return manifest_hash(self.number, self.direction, self.volsers) == self.sha256


@dataclass(frozen=True)
class ManifestSummary:
    number: int
    direction: ManifestDirection
    courier: str
    created_at: dt.datetime
    os_user: str
    workstation: str
    tape_count: int
    sha256: str


def manifest_hash(number: int, direction: ManifestDirection, volsers: Iterable[str]) -> str:
    """SHA-256 of the canonical tape list: a header line with the number and direction, then
    the volsers sorted, one per line (UTF-8, LF). Independent of the order given."""
    lines = [f"drm-gui manifest {number} {direction.value}", *sorted(v.upper() for v in volsers)]
    return hashlib.sha256(("\n".join(lines) + "\n").encode("utf-8")).hexdigest()


def _entry_locations(volume_ids: Sequence[int], states: set[DrmState]) -> dict[int, str]:
    """For each volume, the from_location of its latest movement into one of *states*: where
    the tape was before it went into transit."""
    out: dict[int, str] = {}
    if not volume_ids or not states:
        return out
    for start in range(0, len(volume_ids), media.CHUNK):
        chunk = volume_ids[start : start + media.CHUNK]
        query = (
            Movement.select(Movement.volume, Movement.from_location)
            .where(Movement.volume.in_(chunk) & Movement.to_state.in_(list(states)))
            .order_by(Movement.at, Movement.id)
            .tuples()
        )
        for volume_id, from_location in query:
            out[volume_id] = from_location  # the latest wins
    return out


def _tape_lines(
    direction: ManifestDirection,
    rows: Sequence[media.VolumeRow],
    vault: str,
    container: str,
) -> list[ManifestTapeInfo]:
    settings = load_settings()
    transit = (
        {DrmState.COURIER} if direction is ManifestDirection.OUT else {DrmState.COURIERRETRIEVE}
    )
    in_transit = [r.id for r in rows if r.state in transit]
    before = _entry_locations(in_transit, transit)
    onsite = location_on_entry(DrmState.ONSITERETRIEVE, "", settings)
    lines = []
    for row in rows:
        from_location = before.get(row.id, row.location) if row.state in transit else row.location
        to_location = vault if direction is ManifestDirection.OUT else onsite
        lines.append(
            ManifestTapeInfo(
                row.id, row.volser, row.pool, row.kind, from_location, to_location, container
            )
        )
    return lines


def create_manifest(
    direction: ManifestDirection,
    volume_ids: Sequence[int] | None = None,
    *,
    courier: str | None = None,
    container: str | None = None,
    actor: Actor | None = None,
    now: dt.datetime | None = None,
) -> ManifestInfo:
    """Makes and records the next manifest of *direction* in one transaction.

    Without *volume_ids*: every tape now in COURIER (OUT), or in VAULTRETRIEVE or
    COURIERRETRIEVE (IN). Given ids must all exist and be in a state of ELIGIBLE[direction];
    otherwise nothing is recorded and ManifestError names the tapes. An empty manifest is
    refused. *courier* defaults to the courier_name setting; *container* (a case or box
    label) goes on every tape line."""
    actor = actor or current_actor()
    now = now or utcnow()
    container = (container or "").strip()
    if len(container) > MAX_CONTAINER:
        raise ManifestError(f"the container label is longer than {MAX_CONTAINER} characters")
    settings = load_settings()
    courier = (courier or "").strip() or str(settings["courier_name"])
    vault = str(settings["vault_name"])
    states = " or ".join(s.value for s in DEFAULT_STATES[direction])
    for attempt in range(_NUMBER_ATTEMPTS):
        try:
            with database.atomic():
                if volume_ids is None:
                    rows = [
                        r for s in DEFAULT_STATES[direction] for r in media.query_volumes(state=s)
                    ]
                    rows.sort(key=lambda r: r.volser)
                    if not rows:
                        raise ManifestError(
                            f"no tape is in {states}: nothing to put on an "
                            f"{direction.value} manifest"
                        )
                else:
                    ids = list(dict.fromkeys(volume_ids))
                    if not ids:
                        raise ManifestError(
                            f"no tapes given: an empty {direction.value} manifest is not made"
                        )
                    rows = media.volumes_by_ids(ids)
                    missing = set(ids) - {r.id for r in rows}
                    if missing:
                        raise ManifestError(
                            f"{len(missing)} of the tapes given no longer exist "
                            f"(ids {', '.join(map(str, sorted(missing)[:10]))})"
                        )
                    wrong = [r for r in rows if r.state not in ELIGIBLE[direction]]
                    if wrong:
                        allowed = ", ".join(
                            s.value for s in sorted(ELIGIBLE[direction], key=lambda s: s.value)
                        )
                        named = ", ".join(f"{r.volser} ({r.state.value})" for r in wrong[:10])
                        more = f" and {len(wrong) - 10} more" if len(wrong) > 10 else ""
                        raise ManifestError(
                            f"{len(wrong)} tape(s) cannot go on an {direction.value} manifest: "
                            f"{named}{more}; only tapes in {allowed} can"
                        )
                lines = _tape_lines(direction, rows, vault, container)
                last = Manifest.select(peewee.fn.MAX(Manifest.number)).scalar() or 0
                number = last + 1
                digest = manifest_hash(number, direction, (t.volser for t in lines))
                record = Manifest.create(
                    number=number,
                    direction=direction,
                    courier=courier,
                    vault=vault,
                    created_at=now,
                    os_user=actor.os_user,
                    workstation=actor.workstation,
                    sha256=digest,
                )
                ManifestTape.insert_many(
                    [
                        {
                            "manifest": record.id,
                            "position": i,
                            "volume": t.volume_id,
                            "volser": t.volser,
                            "pool": t.pool,
                            "kind": t.kind,
                            "from_location": t.from_location,
                            "to_location": t.to_location,
                            "container": t.container,
                        }
                        for i, t in enumerate(lines)
                    ]
                ).execute()
        except peewee.IntegrityError:
            if attempt + 1 == _NUMBER_ATTEMPTS:
                raise ManifestError(
                    "another workstation kept taking the next manifest number; try again"
                ) from None
            continue
        break
    log.info(
        "manifest %d (%s): %d tape(s) by %s@%s",
        number,
        direction.value,
        len(lines),
        actor.os_user,
        actor.workstation,
    )
    return ManifestInfo(
        number,
        direction,
        courier,
        vault,
        now,
        actor.os_user,
        actor.workstation,
        digest,
        tuple(lines),
    )


def get_manifest(number: int) -> ManifestInfo:
    """The manifest of *number*, as recorded; ManifestError when there is none."""
    record = Manifest.get_or_none(Manifest.number == number)
    if record is None:
        raise ManifestError(f"there is no manifest {number}")
    tapes = tuple(
        ManifestTapeInfo(volume_id, volser, pool, kind, from_location, to_location, container)
        for volume_id, volser, pool, kind, from_location, to_location, container in (
            ManifestTape.select(
                ManifestTape.volume,
                ManifestTape.volser,
                ManifestTape.pool,
                ManifestTape.kind,
                ManifestTape.from_location,
                ManifestTape.to_location,
                ManifestTape.container,
            )
            .where(ManifestTape.manifest == record.id)
            .order_by(ManifestTape.position)
            .tuples()
        )
    )
    return ManifestInfo(
        record.number,
        record.direction,
        record.courier,
        record.vault,
        media.to_datetime(record.created_at),
        record.os_user,
        record.workstation,
        record.sha256,
        tapes,
    )


def list_manifests() -> list[ManifestSummary]:
    """Every manifest, newest first, with its tape count."""
    count = peewee.fn.COUNT(ManifestTape.id)
    query = (
        Manifest.select(
            Manifest.number,
            Manifest.direction,
            Manifest.courier,
            Manifest.created_at,
            Manifest.os_user,
            Manifest.workstation,
            Manifest.sha256,
            count.alias("tape_count"),
        )
        .join(ManifestTape, peewee.JOIN.LEFT_OUTER)
        .group_by(Manifest.id)
        .order_by(Manifest.number.desc())
    )
    return [
        ManifestSummary(
            m.number,
            m.direction,
            m.courier,
            media.to_datetime(m.created_at),
            m.os_user,
            m.workstation,
            m.tape_count,
            m.sha256,
        )
        for m in query
    ]


def local_day_start(now: dt.datetime) -> dt.datetime:
    """The start of the local calendar day of *now* (naive UTC), as naive UTC."""
    local = now.replace(tzinfo=dt.UTC).astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(dt.UTC).replace(tzinfo=None)


def moved_to_courier_today(now: dt.datetime | None = None) -> list[int]:
    """Ids of the tapes moved to COURIER since local midnight (from the movement log) that
    are still in COURIER, sorted by volser: the board's "all tapes moved to COURIER today"."""
    now = now or utcnow()
    start = local_day_start(now)
    ids = list(
        dict.fromkeys(
            volume_id
            for (volume_id,) in Movement.select(Movement.volume)
            .where(
                (Movement.to_state == DrmState.COURIER)
                & (Movement.at >= start)
                & (Movement.at <= now)
            )
            .tuples()
        )
    )
    return [r.id for r in media.volumes_by_ids(ids) if r.state is DrmState.COURIER]
