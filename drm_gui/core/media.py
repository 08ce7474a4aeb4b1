"""Queries and moves of DRM media. Every move is one transaction with its movement rows."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from peewee import fn

from drm_gui.core import audit, roles
from drm_gui.core import settings as settings_mod
from drm_gui.core.actor import Actor, current_actor
from drm_gui.core.db import executemany, write_transaction
from drm_gui.core.models import (
    BatchKind,
    MissingTape,
    MoveBatch,
    Movement,
    Setting,
    StoragePool,
    Volume,
    database,
    utcnow,
)
from drm_gui.core.server_moves import queue_batch
from drm_gui.core.states import (
    DrmError,
    DrmState,
    VolumeKind,
    location_on_entry,
    refusal_reason,
)

log = logging.getLogger(__name__)

CHUNK = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's limits


class ConcurrentChangeError(DrmError):
    """Another workstation changed some of the volumes during the move."""


# --- Settings -----------------------------------------------------------------------------


def load_settings() -> dict[str, settings_mod.SettingValue]:
    """Every setting: stored values over the defaults."""
    values = settings_mod.defaults()
    for name, text in Setting.select(Setting.name, Setting.value).tuples():
        definition = settings_mod.SETTINGS_BY_NAME.get(name)
        if definition is None:
            continue
        try:
            values[name] = definition.parse(text)
        except settings_mod.SettingError:
            log.warning("ignoring the stored value of %s (%r): not valid", name, text)
    return values


def set_setting(name: str, text: str) -> settings_mod.SettingValue:
    """Validates and stores one setting; raises SettingError with the reason, and
    PermissionDeniedError for an operator."""
    roles.require(roles.Action.SETTINGS)
    value = settings_mod.parse_setting(name, text)
    definition = settings_mod.setting_def(name)
    stored = definition.format(value)
    with write_transaction():  # read the old value and write the new under one lock
        old = Setting.select(Setting.value).where(Setting.name == definition.name).scalar()
        Setting.insert(name=definition.name, value=stored).on_conflict(
            conflict_target=[Setting.name], update={Setting.value: stored}
        ).execute()
        if old is None:
            old = definition.format(definition.default)
        audit.record_setting(definition, old, stored, actor=current_actor(), at=utcnow())
    log.info("setting %s = %s", definition.name, stored)
    return value


# --- Reading volumes ----------------------------------------------------------------------


# A tape checked in from the vault as scratch: it holds no DRM data any more.
SCRATCH_FLAG = "scratch"

# Warnings on a tape [K: thresholds are site habits, kept here in one place].
TRANSIT_WARNING_DAYS = 2
OUTBOUND_STATES = frozenset({DrmState.MOUNTABLE, DrmState.NOTMOUNTABLE, DrmState.COURIER})


class VolumeRow(NamedTuple):
    """One volume as the board and the command line show it (a tuple: the board holds
    every volume of the site in memory)."""

    id: int
    volser: str
    kind: VolumeKind
    pool: str
    state: DrmState
    location: str
    updated_at: dt.datetime
    media_type: str
    worm: bool
    pct_used: float
    flag: str

    def days_in_state(self, now: dt.datetime | None = None) -> int:
        return max(0, ((now or utcnow()) - self.updated_at).days)

    def warnings(self, now: dt.datetime) -> list[str]:
        """What needs the operator's attention on this tape, as short texts."""
        out = []
        if self.pct_used <= 0 and self.state in OUTBOUND_STATES and not self.kind.is_database:
            out.append("empty: will come straight back")
        if self.state in (DrmState.COURIER, DrmState.COURIERRETRIEVE):
            days = self.days_in_state(now)
            if days >= TRANSIT_WARNING_DAYS:
                out.append(f"in transit {days} days")
        if self.flag and self.flag != SCRATCH_FLAG:
            out.append(self.flag)
        return out

    @property
    def scratch(self) -> bool:
        return self.flag == SCRATCH_FLAG


def to_datetime(value: Any) -> dt.datetime:
    """A datetime from what the driver returned (SQLite gives text, PostgreSQL datetimes)."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


_VOLUME_COLUMNS = (
    "v.id, v.volser, v.kind, COALESCE(p.name, ''), v.state, v.location, v.updated_at, "
    "v.media_type, v.worm, v.pct_used, v.flag"
)


def _volume_sql(where: str = "") -> str:
    vt = Volume._meta.table_name
    pt = StoragePool._meta.table_name
    return (
        f"SELECT {_VOLUME_COLUMNS} FROM {vt} v LEFT JOIN {pt} p ON p.id = v.pool_id "
        f"{where} ORDER BY v.volser"
    )


_STATES = {s.value: s for s in DrmState}
_KINDS = {k.value: k for k in VolumeKind}


def to_row(t: Sequence[Any]) -> VolumeRow:
    """A VolumeRow from a raw tuple of board_tuples()."""
    return VolumeRow(
        t[0],
        t[1],
        _KINDS[t[2]],
        t[3],
        _STATES[t[4]],
        t[5],
        to_datetime(t[6]),
        t[7],
        bool(t[8]),
        float(t[9]),
        t[10],
    )


def board_tuples(ids: Sequence[int] | None = None) -> list[tuple[Any, ...]]:
    """Every volume (or those of *ids*) as a raw tuple, sorted by volser; the board's fast
    path: (id, volser, kind value, pool, state value, location, updated_at, media_type,
    worm, pct_used, flag). updated_at is whatever the driver returns: see to_datetime()."""
    if ids is None:
        return list(database.execute_sql(_volume_sql()).fetchall())
    rows: list[tuple[Any, ...]] = []
    for chunk in chunks(list(ids)):
        marks = ", ".join([database.param] * len(chunk))
        rows.extend(database.execute_sql(_volume_sql(f"WHERE v.id IN ({marks})"), chunk))
    rows.sort(key=lambda t: t[1])
    return rows


VOLUME_INSERT_COLUMNS = (
    "volser",
    "kind",
    "pool_id",
    "state",
    "location",
    "updated_at",
    "media_type",
    "device_class",
    "worm",
    "pct_used",
    "empty_since",
    "series_id",
    "backup_operation",
    "volume_seq",
    "written_at",
    "library_slot",
    "flag",
    "version",
)


def insert_volumes(rows: Sequence[tuple[Any, ...]]) -> None:
    """Raw executemany of new volume rows, in VOLUME_INSERT_COLUMNS order (the fast path of
    the demo and of imports; the caller holds the transaction and writes the movements)."""
    marks = ", ".join([database.param] * len(VOLUME_INSERT_COLUMNS))
    sql = (
        f"INSERT INTO {Volume._meta.table_name} ({', '.join(VOLUME_INSERT_COLUMNS)}) "
        f"VALUES ({marks})"
    )
    executemany(sql, rows)


def volumes_by_ids(ids: Iterable[int]) -> list[VolumeRow]:
    return [to_row(t) for t in board_tuples(list(ids))]


def pattern_to_like(pattern: str) -> str:
    """A QUERY DRMEDIA style pattern (* and ?) as a LIKE pattern with '\\' as escape."""
    out = []
    for ch in pattern.strip().upper():
        if ch in "%_\\":
            out.append("\\" + ch)
        elif ch == "*":
            out.append("%")
        elif ch == "?":
            out.append("_")
        else:
            out.append(ch)
    return "".join(out)


def pattern_to_regex(pattern: str) -> re.Pattern[str]:
    """A * and ? pattern as an anchored, case-insensitive regular expression."""
    body = "".join(
        ".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern.strip()
    )
    return re.compile(f"^{body}$", re.IGNORECASE)


def query_volumes(
    patterns: Sequence[str] = (),
    *,
    state: DrmState | None = None,
    pool: str | None = None,
    kind: VolumeKind | None = None,
) -> list[VolumeRow]:
    """Volumes matching any of *patterns* (all when empty) and the other filters."""
    clauses: list[str] = []
    params: list[Any] = []
    if patterns:
        likes = []
        for pattern in patterns:
            likes.append("v.volser LIKE " + database.param + " ESCAPE '\\'")
            params.append(pattern_to_like(pattern))
        clauses.append("(" + " OR ".join(likes) + ")")
    if state is not None:
        clauses.append("v.state = " + database.param)
        params.append(state.value)
    if pool:
        clauses.append("p.name LIKE " + database.param + " ESCAPE '\\'")
        params.append(pattern_to_like(pool))
    if kind is not None:
        clauses.append("v.kind = " + database.param)
        params.append(kind.value)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    cursor = database.execute_sql(_volume_sql(where), params)
    return [to_row(t) for t in cursor.fetchall()]


# --- Moves --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    volume_id: int | None
    volser: str
    reason: str


def require_resolution(volser: str, chosen: Any, allowed: Sequence[Any], what: str) -> None:
    """Raises DrmError unless *chosen* is one of the *allowed* resolutions (enum members
    with a text value) of a discrepancy or difference about *volser*."""
    if chosen not in allowed:
        names = ", ".join(str(r.value) for r in allowed)
        raise DrmError(f"{volser}: {chosen.value} does not settle this {what} (allowed: {names})")


def changed_since(
    kind: BatchKind,
    volume_id: int,
    volser: str,
    now_state: DrmState | None,
    at: dt.datetime,
    since: str,
) -> MoveResult:
    """The result of a resolution refused because the volume changed since *since* (a check,
    a comparison): nothing is written."""
    state = now_state.value if now_state is not None else "deleted"
    refusal = Refusal(volume_id, volser, f"changed since the {since} (now {state}); left as it is")
    return MoveResult(None, kind, at, (), (refusal,))


@dataclass(frozen=True)
class MovedVolume:
    volume_id: int
    volser: str
    from_state: DrmState
    to_state: DrmState
    from_location: str
    to_location: str


@dataclass(frozen=True)
class MoveResult:
    batch_id: int | None
    kind: BatchKind
    at: dt.datetime
    moved: tuple[MovedVolume, ...]
    refused: tuple[Refusal, ...]

    @property
    def ok(self) -> bool:
        return not self.refused


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _current(ids: Sequence[int]) -> dict[int, tuple[str, DrmState, str]]:
    """id -> (volser, state, location), read inside the caller's transaction."""
    vt = Volume._meta.table_name
    found: dict[int, tuple[str, DrmState, str]] = {}
    for chunk in chunks(ids):
        marks = ", ".join([database.param] * len(chunk))
        cursor = database.execute_sql(
            f"SELECT id, volser, state, location FROM {vt} WHERE id IN ({marks})",
            list(chunk),
        )
        for vid, volser, state, location in cursor.fetchall():
            found[vid] = (volser, DrmState(state), location)
    return found


def apply_batch(
    kind: BatchKind,
    changes: Sequence[MovedVolume],
    *,
    actor: Actor,
    at: dt.datetime,
    reason: str,
    target: DrmState | None,
    corrects: int | None = None,
    reasons: dict[int, str] | None = None,
) -> int:
    """Writes one batch: the volumes' new state and location and their movement rows
    (each with *reason*, or its own from *reasons*), and its audit row. The caller holds
    the transaction. Returns the batch id."""
    batch_id = new_batch(kind, actor=actor, at=at, reason=reason, target=target, corrects=corrects)
    write_changes(batch_id, kind, changes, actor=actor, at=at, reason=reason, reasons=reasons)
    queue_batch(batch_id, kind, at)
    audit.record_batch(
        batch_id, kind, actor=actor, at=at, reason=reason, moved=changes, reasons=reasons
    )
    return batch_id


def new_batch(
    kind: BatchKind,
    *,
    actor: Actor,
    at: dt.datetime,
    reason: str,
    target: DrmState | None = None,
    corrects: int | None = None,
) -> int:
    """A new batch row; its id."""
    batch = MoveBatch.create(
        kind=kind,
        at=at,
        os_user=actor.os_user,
        workstation=actor.workstation,
        reason=reason,
        target_state=target,
        corrects=corrects,
    )
    return int(batch.id)


def write_changes(
    batch_id: int,
    kind: BatchKind,
    changes: Sequence[MovedVolume],
    *,
    actor: Actor,
    at: dt.datetime,
    reason: str,
    reasons: dict[int, str] | None = None,
) -> None:
    """The state-guarded UPDATEs and movement rows of *changes* under batch *batch_id*;
    ConcurrentChangeError when a volume is no longer in its from_state."""
    vt = Volume._meta.table_name
    p = database.param
    stamp = str(at)
    # Group by (from state, to state, to location): one UPDATE per chunk of each group.
    groups: dict[tuple[DrmState, DrmState, str], list[int]] = defaultdict(list)
    for change in changes:
        groups[(change.from_state, change.to_state, change.to_location)].append(change.volume_id)
    for (from_state, to_state, location), ids in groups.items():
        for chunk in chunks(ids):
            marks = ", ".join([p] * len(chunk))
            cursor = database.execute_sql(
                f"UPDATE {vt} SET state = {p}, location = {p}, updated_at = {p}, "
                f"version = version + 1 WHERE state = {p} AND id IN ({marks})",
                [to_state.value, location, stamp, from_state.value, *chunk],
            )
            if cursor.rowcount != len(chunk):
                raise ConcurrentChangeError(
                    "some of these tapes were changed by someone else meanwhile; "
                    "nothing was moved, refresh and try again"
                )
    mt = Movement._meta.table_name
    columns = (
        "batch_id, volume_id, volser, kind, from_state, to_state, from_location, "
        "to_location, at, os_user, workstation, reason"
    )
    marks = ", ".join([p] * 12)
    rows = [
        (
            batch_id,
            c.volume_id,
            c.volser,
            kind.value,
            c.from_state.value,
            c.to_state.value,
            c.from_location,
            c.to_location,
            stamp,
            actor.os_user,
            actor.workstation,
            reasons.get(c.volume_id, reason) if reasons else reason,
        )
        for c in changes
    ]
    executemany(f"INSERT INTO {mt} ({columns}) VALUES ({marks})", rows)
    if kind in FINDS_MISSING:
        _close_missing([c.volume_id for c in changes], at, f"{kind.value.lower()} {batch_id}")


def note_batch(
    kind: BatchKind,
    noted: MovedVolume | None,
    *,
    subject: str,
    reason: str,
    actor: Actor,
    at: dt.datetime,
) -> int:
    """A batch that records a decision and moves nothing (a discrepancy left as it is, a
    reconciliation note): for a known volume a movement row from its state to the same
    state, and the audit row. The caller holds the transaction. Returns the batch id."""
    if noted is None:
        reason = f"{reason} ({subject})"  # no movement row names the tape: the batch does
    batch_id = new_batch(kind, actor=actor, at=at, reason=reason)
    moved = [noted] if noted is not None else []
    for note in moved:
        Movement.create(
            batch=batch_id,
            volume=note.volume_id,
            volser=note.volser,
            kind=kind,
            from_state=note.from_state,
            to_state=note.to_state,
            from_location=note.from_location,
            to_location=note.to_location,
            at=at,
            os_user=actor.os_user,
            workstation=actor.workstation,
            reason=reason,
        )
    audit.record_batch(
        batch_id, kind, actor=actor, at=at, reason=reason, moved=moved, subject=subject
    )
    return batch_id


# Batches that handle the tape itself: a tape marked missing by a reconciliation is found.
FINDS_MISSING = frozenset({BatchKind.MOVE, BatchKind.CORRECTION, BatchKind.CHECKIN})


def _close_missing(ids: Sequence[int], at: dt.datetime, how: str) -> None:
    for chunk in chunks(list(ids)):
        MissingTape.update(found_at=at, found_how=f"moved ({how})").where(
            MissingTape.found_at.is_null() & MissingTape.volume.in_(list(chunk))
        ).execute()


def move_volumes(
    volume_ids: Iterable[int],
    target: DrmState,
    *,
    to_location: str | None = None,
    from_state: DrmState | None = None,
    reason: str = "",
    actor: Actor | None = None,
    now: dt.datetime | None = None,
    reasons: dict[int, str] | None = None,
    seen: Mapping[int, DrmState] | None = None,
) -> MoveResult:
    """Moves the legal volumes to *target* in one transaction; reports the others.

    A volume is refused when the transition table forbids the move, when *from_state* is
    given and the volume is not in it, or when *seen* (the states the operator's board
    showed) differs from the stored state: someone else moved it meanwhile, and the
    refusal says who. The location text follows the settings unless *to_location* is given.
    *reasons* gives some volumes a movement reason of their own (the library's job says how
    each tape left, say). Should another workstation move some of the tapes between the
    read and the write, the move is read and tried once more, so each tape moves once.
    """
    if to_location is not None:
        to_location = settings_mod.parse_location(to_location)
    ids = list(dict.fromkeys(volume_ids))
    actor = actor or current_actor()
    at = now or utcnow()
    for attempt in (1, 2):
        try:
            with write_transaction():
                moves, refused = _plan_moves(ids, target, to_location, from_state, seen)
                batch_id = None
                if moves:
                    batch_id = apply_batch(
                        BatchKind.MOVE,
                        moves,
                        actor=actor,
                        at=at,
                        reason=reason,
                        target=target,
                        reasons=reasons,
                    )
            break
        except ConcurrentChangeError:
            if attempt == 2:
                raise
            log.info("tapes changed by another workstation during the move; reading again")
    log.info(
        "moved %d volume(s) to %s (batch %s), refused %d",
        len(moves),
        target.value,
        batch_id,
        len(refused),
    )
    return MoveResult(batch_id, BatchKind.MOVE, at, tuple(moves), tuple(refused))


def _plan_moves(
    ids: Sequence[int],
    target: DrmState,
    to_location: str | None,
    from_state: DrmState | None,
    seen: Mapping[int, DrmState] | None,
) -> tuple[list[MovedVolume], list[Refusal]]:
    """Which volumes move and how, and why the others do not; read in the transaction."""
    settings = load_settings()
    current = _current(ids)
    moved_elsewhere = _moved_by_others(current, seen)
    moves: list[MovedVolume] = []
    refused: list[Refusal] = []
    for vid in ids:
        if vid not in current:
            refused.append(Refusal(vid, f"#{vid}", "no such volume"))
            continue
        volser, state, location = current[vid]
        if vid in moved_elsewhere:
            refused.append(Refusal(vid, volser, moved_elsewhere[vid]))
            continue
        if from_state is not None and state is not from_state:
            refused.append(Refusal(vid, volser, f"is {state.value}, not {from_state.value}"))
            continue
        why = refusal_reason(state, target)
        if why is not None:
            refused.append(Refusal(vid, volser, why))
            continue
        new_location = (
            to_location
            if to_location is not None
            else location_on_entry(target, location, settings)
        )
        moves.append(MovedVolume(vid, volser, state, target, location, new_location))
    return moves, refused


def _moved_by_others(
    current: Mapping[int, tuple[str, DrmState, str]], seen: Mapping[int, DrmState] | None
) -> dict[int, str]:
    """For each volume whose state is no longer the one the operator saw: who moved it,
    where and when, and its state now."""
    changed = [
        vid
        for vid, state in (seen or {}).items()
        if vid in current and current[vid][1] is not state
    ]
    if not changed:
        return {}
    last: dict[int, tuple[str, str, Any]] = {}
    for chunk in chunks(changed):
        rows = (
            Movement.select(Movement.volume, Movement.os_user, Movement.workstation, Movement.at)
            .where(Movement.volume.in_(list(chunk)))
            .order_by(Movement.id)
            .tuples()
        )
        for vid, user, workstation, at in rows:
            last[vid] = (user, workstation, at)
    texts = {}
    for vid in changed:
        now_state = current[vid][1].value
        if vid in last:
            user, workstation, at = last[vid]
            when = f"{to_datetime(at):%Y-%m-%d %H:%M} UTC"
            texts[vid] = f"moved meanwhile by {user} on {workstation} at {when} (now {now_state})"
        else:
            texts[vid] = f"changed meanwhile (now {now_state})"
    return texts


def resolve_volsers(patterns: Sequence[str]) -> tuple[list[int], list[str]]:
    """Volume ids matching the patterns, and the patterns that matched nothing."""
    ids: list[int] = []
    unmatched: list[str] = []
    for pattern in patterns:
        rows = query_volumes([pattern])
        if not rows:
            unmatched.append(pattern)
        ids.extend(r.id for r in rows)
    return list(dict.fromkeys(ids)), unmatched


def correct_batch(
    batch_id: int,
    *,
    reason: str = "",
    actor: Actor | None = None,
    now: dt.datetime | None = None,
    only: Iterable[int] | None = None,
) -> MoveResult:
    """Undoes an operator's move batch: every volume of it still where that batch put it
    returns to its exact previous state and location. Recorded as a CORRECTION; the move
    rules do not apply (a correction repairs a mistake, it is not a move). *only*: undo
    just these volumes of it (a move the server refused)."""
    actor = actor or current_actor()
    at = now or utcnow()
    with database.atomic():
        batch = MoveBatch.get_or_none(MoveBatch.id == batch_id)
        if batch is None:
            raise DrmError(f"there is no move batch {batch_id}")
        if batch.kind is not BatchKind.MOVE:
            raise DrmError(f"batch {batch_id} is a {batch.kind.value.lower()}, not a move")
        if only is None and batch.os_user != actor.os_user:
            roles.require(roles.Action.CORRECTION)  # an operator undoes their own moves only
        remaining = _not_yet_corrected(batch_id)
        if only is None and remaining is not None and not remaining:
            raise DrmError(f"batch {batch_id} has already been undone")
        movements = list(
            Movement.select(
                Movement.volume,
                Movement.volser,
                Movement.from_state,
                Movement.to_state,
                Movement.from_location,
                Movement.to_location,
            )
            .where(Movement.batch == batch_id)
            .tuples()
        )
        wanted = set(only) if only is not None else None
        movements = [
            m
            for m in movements
            if (wanted is None or m[0] in wanted) and (remaining is None or m[0] in remaining)
        ]
        current = _current([m[0] for m in movements])
        changes: list[MovedVolume] = []
        refused: list[Refusal] = []
        for vid, volser, from_state, to_state, from_loc, to_loc in movements:
            now_state, now_loc = current[vid][1], current[vid][2]
            if now_state is not to_state or now_loc != to_loc:
                refused.append(
                    Refusal(
                        vid,
                        volser,
                        f"has moved on since (now {now_state.value} at {now_loc}); left as it is",
                    )
                )
                continue
            changes.append(MovedVolume(vid, volser, to_state, from_state, to_loc, from_loc))
        new_batch = None
        if changes:
            new_batch = apply_batch(
                BatchKind.CORRECTION,
                changes,
                actor=actor,
                at=at,
                reason=reason or f"undo of batch {batch_id}",
                target=None,
                corrects=batch_id,
            )
    return MoveResult(new_batch, BatchKind.CORRECTION, at, tuple(changes), tuple(refused))


def _not_yet_corrected(batch_id: int) -> set[int] | None:
    """None when batch *batch_id* was never corrected; else the ids of its volumes that no
    correction has undone yet."""
    corrections = MoveBatch.select(MoveBatch.id).where(MoveBatch.corrects == batch_id)
    if not corrections.exists():
        return None
    moved = {
        m for (m,) in Movement.select(Movement.volume).where(Movement.batch == batch_id).tuples()
    }
    undone = {
        m
        for (m,) in Movement.select(Movement.volume).where(Movement.batch.in_(corrections)).tuples()
    }
    return moved - undone


# --- History ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    at: dt.datetime
    kind: BatchKind
    from_state: DrmState | None
    to_state: DrmState
    from_location: str
    to_location: str
    os_user: str
    workstation: str
    reason: str
    batch_id: int


def history(volume_id: int) -> list[HistoryRow]:
    """Every movement of one volume, oldest first."""
    query = (
        Movement.select(
            Movement.at,
            Movement.kind,
            Movement.from_state,
            Movement.to_state,
            Movement.from_location,
            Movement.to_location,
            Movement.os_user,
            Movement.workstation,
            Movement.reason,
            Movement.batch,
        )
        .where(Movement.volume == volume_id)
        .order_by(Movement.id)
    )
    return [
        HistoryRow(
            at=to_datetime(m.at),
            kind=m.kind,
            from_state=m.from_state,
            to_state=m.to_state,
            from_location=m.from_location,
            to_location=m.to_location,
            os_user=m.os_user,
            workstation=m.workstation,
            reason=m.reason,
            batch_id=m.batch_id,
        )
        for m in query
    ]


def volume_by_volser(volser: str) -> VolumeRow | None:
    rows = query_volumes([volser.replace("*", "").replace("?", "")])
    return rows[0] if rows else None


def counts_by_state() -> dict[DrmState, int]:
    counts = dict.fromkeys(DrmState, 0)
    query = Volume.select(Volume.state, fn.COUNT(Volume.id)).group_by(Volume.state).tuples()
    for state, n in query:
        counts[DrmState(state) if not isinstance(state, DrmState) else state] = n
    return counts
