"""Where the records and the tape library disagree, and how each disagreement is settled.

Part of the library operations (re-exported by :mod:`drm_gui.core.library_ops`): reading
the volumes the library holds, ``find_discrepancies`` (records say off site but the library
holds the tape; MOUNTABLE but the library does not hold it; a barcode the database does not
know), ``resolve`` (one transaction, logged), ``update_slots``. Plain values, no Qt.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from peewee import JOIN

from drm_gui.core.media import (
    Actor,
    MovedVolume,
    MoveResult,
    apply_batch,
    changed_since,
    chunks,
    current_actor,
    load_settings,
    note_batch,
    require_resolution,
)
from drm_gui.core.models import (
    BatchKind,
    StoragePool,
    Volume,
    database,
    utcnow,
)
from drm_gui.core.states import DrmError, DrmState, VolumeKind, location_on_entry
from drm_gui.library.base import Element, Inventory

log = logging.getLogger(__name__)


# States in which the records say the tape is not in the library.
OFF_SITE_STATES = frozenset(
    {
        DrmState.NOTMOUNTABLE,
        DrmState.COURIER,
        DrmState.VAULT,
        DrmState.VAULTRETRIEVE,
        DrmState.COURIERRETRIEVE,
    }
)


# -- the volumes behind the barcodes ----------------------------------------------------------


class TapeRecord(NamedTuple):
    """What the library operations need to know of one volume."""

    id: int
    volser: str
    kind: VolumeKind
    state: DrmState
    location: str
    pct_used: float
    worm: bool  # the volume's or its pool's WORM flag
    flag: str
    series_id: int | None
    library_slot: int | None


def _select():  # type: ignore[no-untyped-def]
    return Volume.select(
        Volume.id,
        Volume.volser,
        Volume.kind,
        Volume.state,
        Volume.location,
        Volume.pct_used,
        Volume.worm,
        StoragePool.worm,
        Volume.flag,
        Volume.series,
        Volume.library_slot,
    ).join(StoragePool, JOIN.LEFT_OUTER, on=(Volume.pool == StoragePool.id))


def _record(t: Sequence[object]) -> TapeRecord:
    kind = t[2] if isinstance(t[2], VolumeKind) else VolumeKind(t[2])
    state = t[3] if isinstance(t[3], DrmState) else DrmState(t[3])
    return TapeRecord(
        int(t[0]),  # type: ignore[call-overload]
        str(t[1]),
        kind,
        state,
        str(t[4]),
        float(t[5]),  # type: ignore[arg-type]
        bool(t[6]) or bool(t[7]),
        str(t[8] or ""),
        t[9] if t[9] is None else int(t[9]),  # type: ignore[call-overload]
        t[10] if t[10] is None else int(t[10]),  # type: ignore[call-overload]
    )


def tape_records(
    *,
    ids: Iterable[int] | None = None,
    volsers: Iterable[str] | None = None,
    states: Iterable[DrmState] | None = None,
) -> list[TapeRecord]:
    """Volumes by id, by volser (as the library reports them), or by state."""
    found: list[TapeRecord] = []
    if ids is not None:
        for chunk in chunks(list(ids)):
            found += [_record(t) for t in _select().where(Volume.id.in_(chunk)).tuples()]
    if volsers is not None:
        wanted = sorted({v.strip().upper() for v in volsers})
        for chunk in chunks(wanted):
            found += [_record(t) for t in _select().where(Volume.volser.in_(chunk)).tuples()]
    if states is not None:
        query = _select().where(Volume.state.in_(list(states)))
        found += [_record(t) for t in query.tuples()]
    unique = {r.id: r for r in found}
    return sorted(unique.values(), key=lambda r: r.volser)


def tag_index(inventory: Inventory) -> dict[str, Element]:
    """Barcode (upper case) → the element holding it; cleaning cartridges left out."""
    return {
        e.volume_tag.strip().upper(): e
        for e in inventory.elements
        if e.full and e.volume_tag and not e.is_cleaning
    }


def home_of(element: Element) -> int | None:
    """The storage slot a tape belongs in: its slot, or the slot a drive's tape came from."""
    if element.is_drive:
        return element.loaded_from
    return None if element.import_export else element.number


def library_contents() -> dict[str, int | None]:
    """Every MOUNTABLE volume and its slot: what a simulated library is filled with."""
    return {r.volser: r.library_slot for r in tape_records(states=[DrmState.MOUNTABLE])}


def returned_volsers(limit: int) -> list[str]:
    """Up to ``limit`` tapes back on site (ONSITERETRIEVE): the demo's I/O station."""
    rows = tape_records(states=[DrmState.ONSITERETRIEVE])
    return [r.volser for r in rows[:limit]]


def update_slots(inventory: Inventory) -> int:
    """Stores each MOUNTABLE volume's slot as the library reports it; returns how many
    changed. Tapes in the I/O station, and drives whose source slot is unknown, keep theirs."""
    index = tag_index(inventory)
    changes: list[tuple[int, int]] = []
    for record in tape_records(states=[DrmState.MOUNTABLE]):
        element = index.get(record.volser.upper())
        slot = home_of(element) if element is not None else None
        if slot is not None and slot != record.library_slot:
            changes.append((record.id, slot))
    with database.atomic():
        for volume_id, slot in changes:
            Volume.update(library_slot=slot).where(Volume.id == volume_id).execute()
    return len(changes)


# -- discrepancies ----------------------------------------------------------------------------


class DiscrepancyKind(enum.Enum):
    OFF_SITE_IN_LIBRARY = "off site in the records, in the library"
    MISSING_FROM_LIBRARY = "MOUNTABLE, not in the library"
    IN_IO_STATION = "MOUNTABLE, waiting in the I/O station"
    UNKNOWN_TAG = "unknown barcode"


class Resolution(enum.Enum):
    """How a discrepancy is settled: the records follow the library, or it is ignored."""

    MARK_MOUNTABLE = "mark-mountable"
    MARK_NOTMOUNTABLE = "mark-notmountable"
    MARK_COURIER = "mark-courier"
    MARK_VAULT = "mark-vault"
    IGNORE = "ignore"

    @property
    def target(self) -> DrmState | None:
        return _TARGETS.get(self)

    @property
    def label(self) -> str:
        if self is Resolution.IGNORE:
            return "Ignore (log a note)"
        assert self.target is not None
        return f"Record it as {self.target.value}"

    @classmethod
    def parse(cls, text: str) -> Resolution:
        key = text.strip().lower().replace("_", "-")
        for member in cls:
            if key in (member.value, member.name.lower().replace("_", "-")):
                return member
        names = ", ".join(m.value for m in cls)
        raise DrmError(f"unknown resolution {text!r}: use one of {names}")


_TARGETS = {
    Resolution.MARK_MOUNTABLE: DrmState.MOUNTABLE,
    Resolution.MARK_NOTMOUNTABLE: DrmState.NOTMOUNTABLE,
    Resolution.MARK_COURIER: DrmState.COURIER,
    Resolution.MARK_VAULT: DrmState.VAULT,
}
_LEFT_THE_LIBRARY = (
    Resolution.MARK_NOTMOUNTABLE,
    Resolution.MARK_COURIER,
    Resolution.MARK_VAULT,
    Resolution.IGNORE,
)


@dataclass(frozen=True)
class Discrepancy:
    """One disagreement between the records and the library, with what may settle it.

    ``element`` is where the library holds the tape ("Slot 5"), ``slot`` the storage slot
    it belongs in (for MARK_MOUNTABLE). The first resolution is the suggested one.
    """

    kind: DiscrepancyKind
    volser: str
    description: str
    resolutions: tuple[Resolution, ...]
    volume_id: int | None = None
    state: DrmState | None = None
    element: str | None = None
    slot: int | None = None


def missing_discrepancy(record: TapeRecord) -> Discrepancy:
    """The discrepancy of a MOUNTABLE volume that the library does not hold."""
    return Discrepancy(
        DiscrepancyKind.MISSING_FROM_LIBRARY,
        record.volser,
        f"{record.volser} is MOUNTABLE in the records, but the library does not hold it. "
        "Record where it went, or find it and put it back.",
        _LEFT_THE_LIBRARY,
        record.id,
        record.state,
    )


def find_discrepancies(inventory: Inventory) -> list[Discrepancy]:
    """Every disagreement between the records and this inventory, by volser.

    Tapes in the I/O station on their way out (just ejected) or in (waiting for a
    check-in) are where they should be; a MOUNTABLE tape there is reported. Cleaning
    cartridges are never volumes.
    """
    index = tag_index(inventory)
    records = tape_records(volsers=index, states=[DrmState.MOUNTABLE])
    known = {r.volser.upper() for r in records}
    found: list[Discrepancy] = []
    for r in records:
        element = index.get(r.volser.upper())
        if r.state is DrmState.MOUNTABLE:
            if element is None:
                found.append(missing_discrepancy(r))
            elif element.import_export:
                found.append(
                    Discrepancy(
                        DiscrepancyKind.IN_IO_STATION,
                        r.volser,
                        f"{r.volser} is MOUNTABLE in the records, but it waits in "
                        f"{element.label}. Record where it goes, or import it back.",
                        _LEFT_THE_LIBRARY,
                        r.id,
                        r.state,
                        element.label,
                    )
                )
        elif r.state in OFF_SITE_STATES and element is not None and not element.import_export:
            found.append(
                Discrepancy(
                    DiscrepancyKind.OFF_SITE_IN_LIBRARY,
                    r.volser,
                    f"{r.volser} is {r.state.value} in the records ({r.location}), but the "
                    f"library holds it in {element.label}. Record it as MOUNTABLE if it never "
                    "left, or eject it.",
                    (Resolution.MARK_MOUNTABLE, Resolution.IGNORE),
                    r.id,
                    r.state,
                    element.label,
                    home_of(element),
                )
            )
    for tag, element in index.items():
        if tag not in known:
            found.append(
                Discrepancy(
                    DiscrepancyKind.UNKNOWN_TAG,
                    element.volume_tag or tag,
                    f"The library holds {element.volume_tag} in {element.label}, a barcode "
                    "the database does not know (a scratch tape, or a tape of another site).",
                    (Resolution.IGNORE,),
                    element=element.label,
                    slot=home_of(element),
                )
            )
    found.sort(key=lambda d: (list(DiscrepancyKind).index(d.kind), d.volser))
    return found


def resolve(
    discrepancy: Discrepancy,
    resolution: Resolution,
    actor: Actor | None = None,
    *,
    reason: str = "",
    now: dt.datetime | None = None,
) -> MoveResult:
    """Settles one discrepancy in one transaction.

    A MARK_* resolution moves the volume's record to the state the library shows, as a
    CORRECTION (the move rules do not bind a correction), with its movement row; IGNORE
    logs a note: a CORRECTION batch, and for a known volume a movement row that leaves its
    state and location as they are. A volume changed since the check is left alone.
    """
    require_resolution(discrepancy.volser, resolution, discrepancy.resolutions, "discrepancy")
    actor = actor or current_actor()
    at = now or utcnow()
    note = f"discrepancy ({discrepancy.kind.value}): {resolution.label.lower()}"
    text = f"{note}: {reason}" if reason else note
    with database.atomic():
        current = tape_records(ids=[discrepancy.volume_id]) if discrepancy.volume_id else []
        if discrepancy.volume_id is not None and (
            not current or current[0].state is not discrepancy.state
        ):
            return changed_since(
                BatchKind.CORRECTION,
                discrepancy.volume_id,
                discrepancy.volser,
                current[0].state if current else None,
                at,
                "check",
            )
        if resolution is Resolution.IGNORE:
            return _note(discrepancy, current[0] if current else None, text, actor, at)
        record = current[0]
        target = resolution.target
        assert target is not None
        location = location_on_entry(target, record.location, load_settings())
        change = MovedVolume(
            record.id, record.volser, record.state, target, record.location, location
        )
        batch_id = apply_batch(
            BatchKind.CORRECTION, [change], actor=actor, at=at, reason=text, target=target
        )
        slot = discrepancy.slot if target is DrmState.MOUNTABLE else None
        Volume.update(library_slot=slot).where(Volume.id == record.id).execute()
    log.info("resolved %s: %s", discrepancy.volser, resolution.value)
    return MoveResult(batch_id, BatchKind.CORRECTION, at, (change,), ())


def _note(
    discrepancy: Discrepancy, record: TapeRecord | None, text: str, actor: Actor, at: dt.datetime
) -> MoveResult:
    noted = None
    if record is not None:
        noted = MovedVolume(
            record.id, record.volser, record.state, record.state, record.location, record.location
        )
    batch_id = note_batch(
        BatchKind.CORRECTION,
        noted,
        subject=discrepancy.volser,
        reason=text,
        actor=actor,
        at=at,
    )
    log.info("discrepancy of %s ignored (batch %s)", discrepancy.volser, batch_id)
    return MoveResult(batch_id, BatchKind.CORRECTION, at, (), ())
