"""The vault's inventory list against the records, and how each difference is settled.

``reconcile(vault_list)`` compares (read-only): tapes at the vault that the records do not
have there, tapes the records have at the vault that the vault did not list, and volsers
the records do not know. ``resolve(difference, resolution)`` settles one in one transaction,
logged as a batch of the movement log. A tape marked missing stays tracked (MissingTape)
until it is found: listed by the vault again (``record_found``), scanned (``mark_found``),
or moved (media.apply_batch closes its open marks). Plain values, no Qt.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from drm_gui.core import audit
from drm_gui.core.media import (
    Actor,
    MovedVolume,
    MoveResult,
    apply_batch,
    changed_since,
    current_actor,
    load_settings,
    move_volumes,
    note_batch,
    require_resolution,
    to_datetime,
)
from drm_gui.core.models import (
    BatchKind,
    MissingTape,
    MoveBatch,
    Movement,
    Volume,
    database,
    utcnow,
)
from drm_gui.core.states import DrmState, can_move, refusal_reason
from drm_gui.core.vault_list import VaultList, VaultListProblem

log = logging.getLogger(__name__)

CHUNK = 500
# Where the records say a tape physically is at the vault.
AT_VAULT_STATES = frozenset({DrmState.VAULT, DrmState.VAULTRETRIEVE})
# A recalled tape the vault still holds is corrected back to VAULTRETRIEVE (it is still due
# back); any other tape the vault holds is corrected to VAULT.
RECALLED_STATES = frozenset({DrmState.COURIERRETRIEVE, DrmState.ONSITERETRIEVE})


class DifferenceKind(enum.Enum):
    AT_VAULT_NOT_VAULT = "at the vault, not VAULT in the records"
    VAULT_NOT_LISTED = "VAULT in the records, not on the vault's list"
    UNKNOWN = "not in the records"


class Resolution(enum.Enum):
    MOVE = "move to VAULT"  # a legal move under the transition table
    CORRECT = "correct the records"  # the rules forbid a move, but the tape is there
    MARK_MISSING = "mark missing"
    IGNORE = "ignore"


@dataclass(frozen=True)
class Difference:
    kind: DifferenceKind
    volser: str
    volume_id: int | None
    state: DrmState | None  # what the records say
    location: str  # what the records say
    resolutions: tuple[Resolution, ...]
    note: str = ""  # why a resolution is missing, or since when a tape is missing
    line: int | None = None  # the line of the vault's list
    correction_target: DrmState | None = None  # for Resolution.CORRECT

    @property
    def description(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        state = f", records: {self.state.value} at {self.location}" if self.state else ""
        text = f"{self.volser}{where}: {self.kind.value}{state}"
        return f"{text}; {self.note}" if self.note else text


@dataclass(frozen=True)
class Reconciliation:
    source: str
    listed: int  # valid volsers on the list
    agreed: int  # listed and at the vault in the records
    differences: tuple[Difference, ...]
    found: tuple[str, ...]  # tapes marked missing that the vault lists again
    skipped: tuple[VaultListProblem, ...]  # bad lines the user accepted to leave out

    @property
    def ok(self) -> bool:
        return not self.differences


Record = tuple[int, DrmState, str]  # id, state, location


def _records(volsers: Sequence[str], states: Iterable[DrmState] = ()) -> dict[str, Record]:
    """volser -> (id, state, location) for the given volsers and/or states."""
    found: dict[str, Record] = {}
    fields = (Volume.id, Volume.volser, Volume.state, Volume.location)
    if volsers:
        for start in range(0, len(volsers), CHUNK):
            chunk = list(volsers[start : start + CHUNK])
            for vid, volser, state, location in (
                Volume.select(*fields).where(Volume.volser.in_(chunk)).tuples()
            ):
                found[volser] = (vid, DrmState(state), location)
    wanted = [s.value for s in states]
    if wanted:
        for vid, volser, state, location in (
            Volume.select(*fields).where(Volume.state.in_(wanted)).tuples()
        ):
            found[volser] = (vid, DrmState(state), location)
    return found


def open_missing() -> dict[int, tuple[str, dt.datetime]]:
    """volume id -> (volser, marked at) of every tape marked missing and not yet found."""
    query = MissingTape.select(MissingTape.volume, MissingTape.volser, MissingTape.marked_at).where(
        MissingTape.found_at.is_null()
    )
    return {vid: (volser, to_datetime(at)) for vid, volser, at in query.tuples()}


def reconcile(vault_list: VaultList, *, accept_valid: bool = False) -> Reconciliation:
    """The differences between the vault's list and the records. Raises VaultListError for
    a list with bad lines unless *accept_valid* (then the bad lines are left out)."""
    volsers = vault_list.volsers(accept_valid=accept_valid)
    lines = {e.volser: e.line for e in vault_list.entries}
    listed = set(volsers)
    records = _records(volsers, AT_VAULT_STATES)
    missing = open_missing()
    differences: list[Difference] = []
    found: list[str] = []
    agreed = 0
    for volser in volsers:
        record = records.get(volser)
        if record is None:
            differences.append(
                Difference(
                    DifferenceKind.UNKNOWN,
                    volser,
                    None,
                    None,
                    "",
                    (Resolution.IGNORE,),
                    "a tape of another site, or a typing error at the vault",
                    lines.get(volser),
                )
            )
            continue
        vid, state, location = record
        if vid in missing:
            found.append(volser)
        if state in AT_VAULT_STATES:
            agreed += 1
            continue
        if can_move(state, DrmState.VAULT):
            resolutions = (Resolution.MOVE, Resolution.IGNORE)
            target, note = None, ""
        else:
            target = DrmState.VAULTRETRIEVE if state in RECALLED_STATES else DrmState.VAULT
            resolutions = (Resolution.CORRECT, Resolution.IGNORE)
            note = (
                f"no move: {refusal_reason(state, DrmState.VAULT)}; "
                f"a correction records it as {target.value}"
            )
        differences.append(
            Difference(
                DifferenceKind.AT_VAULT_NOT_VAULT,
                volser,
                vid,
                state,
                location,
                resolutions,
                note,
                lines.get(volser),
                target,
            )
        )
    for volser, (vid, state, location) in sorted(records.items()):
        if volser in listed or state not in AT_VAULT_STATES:
            continue
        if vid in missing:
            since = missing[vid][1].strftime("%Y-%m-%d %H:%M UTC")
            resolutions, note = (Resolution.IGNORE,), f"marked missing since {since}"
        else:
            resolutions, note = (Resolution.MARK_MISSING, Resolution.IGNORE), ""
        differences.append(
            Difference(
                DifferenceKind.VAULT_NOT_LISTED, volser, vid, state, location, resolutions, note
            )
        )
    order = list(DifferenceKind)
    differences.sort(key=lambda d: (order.index(d.kind), d.volser))
    return Reconciliation(
        vault_list.source,
        len(volsers),
        agreed,
        tuple(differences),
        tuple(sorted(found)),
        vault_list.errors if accept_valid else (),
    )


# -- settling ---------------------------------------------------------------------------------


def _note(
    volume: tuple[int, str, DrmState, str] | None,
    volser: str,
    text: str,
    actor: Actor,
    at: dt.datetime,
) -> int:
    """A RECONCILE batch and, for a known volume, a movement row that changes nothing;
    with its audit row."""
    noted = None
    if volume is not None:
        vid, volser, state, location = volume
        noted = MovedVolume(vid, volser, state, state, location, location)
    return note_batch(BatchKind.RECONCILE, noted, subject=volser, reason=text, actor=actor, at=at)


def _current(volume_id: int) -> tuple[int, str, DrmState, str] | None:
    row = (
        Volume.select(Volume.id, Volume.volser, Volume.state, Volume.location)
        .where(Volume.id == volume_id)
        .tuples()
        .first()
    )
    return None if row is None else (row[0], row[1], DrmState(row[2]), row[3])


def resolve(
    difference: Difference,
    resolution: Resolution,
    actor: Actor | None = None,
    *,
    reason: str = "",
    now: dt.datetime | None = None,
) -> MoveResult:
    """Settles one difference in one transaction, logged. A volume changed since the
    comparison is left alone (refused)."""
    require_resolution(difference.volser, resolution, difference.resolutions, "difference")
    actor = actor or current_actor()
    at = now or utcnow()
    note = f"vault reconciliation ({difference.kind.value}): {resolution.value}"
    text = f"{note}: {reason}" if reason else note
    kind = BatchKind.RECONCILE
    with database.atomic():
        current = _current(difference.volume_id) if difference.volume_id else None
        if difference.volume_id is not None and (
            current is None or current[2] is not difference.state
        ):
            return changed_since(
                kind,
                difference.volume_id,
                difference.volser,
                current[2] if current else None,
                at,
                "comparison",
            )
        moved: tuple[MovedVolume, ...] = ()
        if resolution is Resolution.IGNORE:
            batch_id = _note(current, difference.volser, text, actor, at)
        elif resolution is Resolution.MARK_MISSING:
            assert current is not None
            batch_id = _note(current, difference.volser, text, actor, at)
            MissingTape.create(
                volume=current[0],
                volser=current[1],
                state=current[2],
                marked_at=at,
                os_user=actor.os_user,
                workstation=actor.workstation,
                reason=text,
                batch=batch_id,
            )
        elif resolution is Resolution.MOVE:
            assert current is not None
            result = move_volumes(
                [current[0]],
                DrmState.VAULT,
                from_state=current[2],
                reason=text,
                actor=actor,
                now=at,
            )
            return result  # refused (with the reason) or moved, clearing a missing mark
        else:  # CORRECT
            assert current is not None and difference.correction_target is not None
            target = difference.correction_target
            location = str(load_settings()["vault_name"])
            change = MovedVolume(current[0], current[1], current[2], target, current[3], location)
            batch_id = apply_batch(
                BatchKind.CORRECTION, [change], actor=actor, at=at, reason=text, target=target
            )
            kind, moved = BatchKind.CORRECTION, (change,)
    log.info("reconciliation: %s %s", difference.volser, resolution.value)
    return MoveResult(batch_id, kind, at, moved, ())


def mark_found(
    volume_ids: Iterable[int],
    how: str,
    actor: Actor | None = None,
    *,
    now: dt.datetime | None = None,
) -> list[str]:
    """Closes the open missing marks of *volume_ids* (a scan, the vault's list), logged as
    one RECONCILE batch. Returns the volsers found."""
    actor = actor or current_actor()
    at = now or utcnow()
    ids = list(dict.fromkeys(volume_ids))
    with database.atomic():
        marks = list(
            MissingTape.select(MissingTape.id, MissingTape.volume)
            .where(MissingTape.found_at.is_null() & MissingTape.volume.in_(ids))
            .tuples()
        )
        if not marks:
            return []
        volume_ids_found = sorted({vid for _, vid in marks})
        text = f"missing tape found: {how}"
        batch = MoveBatch.create(
            kind=BatchKind.RECONCILE,
            at=at,
            os_user=actor.os_user,
            workstation=actor.workstation,
            reason=text,
            target_state=None,
        )
        noted = []
        for vid in volume_ids_found:
            current = _current(vid)
            assert current is not None
            _, volser, state, location = current
            noted.append(MovedVolume(vid, volser, state, state, location, location))
            Movement.create(
                batch=batch.id,
                volume=vid,
                volser=current[1],
                kind=BatchKind.RECONCILE,
                from_state=current[2],
                to_state=current[2],
                from_location=current[3],
                to_location=current[3],
                at=at,
                os_user=actor.os_user,
                workstation=actor.workstation,
                reason=text,
            )
        MissingTape.update(found_at=at, found_how=how).where(
            MissingTape.id.in_([mid for mid, _ in marks])
        ).execute()
        audit.record_batch(
            batch.id, BatchKind.RECONCILE, actor=actor, at=at, reason=text, moved=noted
        )
    log.info("found %d missing tape(s): %s", len(noted), how)
    return sorted(n.volser for n in noted)


def record_found(
    reconciliation: Reconciliation, actor: Actor | None = None, *, now: dt.datetime | None = None
) -> list[str]:
    """Closes the missing marks of the tapes the vault lists again."""
    if not reconciliation.found:
        return []
    ids = [
        vid
        for (vid,) in Volume.select(Volume.id)
        .where(Volume.volser.in_(list(reconciliation.found)))
        .tuples()
    ]
    source = reconciliation.source or "the vault's list"
    return mark_found(ids, f"listed by the vault again ({source})", actor, now=now)


@dataclass(frozen=True)
class MissingRow:
    volser: str
    state: DrmState
    marked_at: dt.datetime
    marked_by: str
    found_at: dt.datetime | None
    found_how: str


def missing_tapes(*, include_found: bool = False) -> list[MissingRow]:
    """Tapes marked missing (open ones only unless *include_found*), by volser."""
    query = MissingTape.select(
        MissingTape.volser,
        MissingTape.state,
        MissingTape.marked_at,
        MissingTape.os_user,
        MissingTape.found_at,
        MissingTape.found_how,
    ).order_by(MissingTape.volser, MissingTape.id)
    if not include_found:
        query = query.where(MissingTape.found_at.is_null())
    return [
        MissingRow(
            volser,
            DrmState(state),
            to_datetime(marked),
            user,
            to_datetime(found) if found else None,
            how,
        )
        for volser, state, marked, user, found, how in query.tuples()
    ]
