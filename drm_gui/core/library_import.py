"""Checking in returned tapes from the I/O station: check, the library job, record.

Part of the library operations (re-exported by :mod:`drm_gui.core.library_ops`). A tape
back from the vault leaves DRM tracking and becomes scratch (DOMAIN.md), but never while it
still holds data a recovery may need, and a WORM cartridge never becomes scratch at all:
``check_import`` decides each tape in the I/O station, ``run_import`` moves only the
accepted ones into storage (each move verified by the backend), ``record_import`` records
what the library's inventory confirms, in one transaction. Plain values, no Qt.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import threading
from dataclasses import dataclass

from drm_gui.core import retention
from drm_gui.core.library_discrepancies import (
    TapeRecord,
    home_of,
    tag_index,
    tape_records,
)
from drm_gui.core.media import (
    SCRATCH_FLAG,
    Actor,
    MovedVolume,
    MoveResult,
    Refusal,
    apply_batch,
    current_actor,
    load_settings,
)
from drm_gui.core.models import BatchKind, Volume, database, utcnow
from drm_gui.core.states import DrmState, location_on_entry
from drm_gui.library.base import (
    CancelledError,
    Inventory,
    LibraryError,
    Location,
    Progress,
    TapeLibrary,
)
from drm_gui.library.rules import home_slot

log = logging.getLogger(__name__)

RETURNING_STATES = frozenset(
    {DrmState.VAULTRETRIEVE, DrmState.COURIERRETRIEVE, DrmState.ONSITERETRIEVE}
)


class ImportAction(enum.Enum):
    """What happens to one tape found in the I/O station."""

    SCRATCH = "check in as scratch"
    RETURN_HOME = "put back (MOUNTABLE)"
    REFUSED = "refused"
    WORM = "WORM: destroy or archive"
    UNKNOWN = "unknown barcode"
    UNREADABLE = "no barcode"

    @property
    def imports(self) -> bool:
        """The robot moves the tape into storage."""
        return self in (ImportAction.SCRATCH, ImportAction.RETURN_HOME)


@dataclass(frozen=True)
class ImportItem:
    """One tape in the I/O station and what the check decided, with the reason."""

    io_slot: int
    volser: str | None
    action: ImportAction
    reason: str
    volume_id: int | None = None
    state: DrmState | None = None
    home_slot: int | None = None

    @property
    def name(self) -> str:
        return self.volser or f"the tape in I/O slot {self.io_slot}"


@dataclass(frozen=True)
class ImportPlan:
    items: tuple[ImportItem, ...]

    @property
    def to_import(self) -> tuple[ImportItem, ...]:
        return tuple(i for i in self.items if i.action.imports)

    @property
    def left_in_io_station(self) -> tuple[ImportItem, ...]:
        return tuple(i for i in self.items if not i.action.imports)

    @property
    def homes(self) -> dict[str, int]:
        """Barcode → the slot a returning MOUNTABLE tape came from."""
        return {
            i.volser: i.home_slot for i in self.to_import if i.volser and i.home_slot is not None
        }


@dataclass(frozen=True)
class ImportOutcome:
    """What the import job did, as the library's inventory confirmed it."""

    imported: tuple[tuple[str, int], ...]  # (volser, storage slot)
    not_imported: tuple[tuple[str, str], ...]  # (volser, why)
    error: LibraryError | None = None
    cancelled: bool = False
    inventory: Inventory | None = None

    @property
    def complete(self) -> bool:
        return not self.not_imported and self.error is None and not self.cancelled


def _valid_data(record: TapeRecord, now: dt.datetime) -> str | None:
    """Why the tape still holds data that must not be overwritten, or None."""
    if record.pct_used > 0:
        return f"{record.pct_used:g}% of it is in use"
    if record.kind.is_database and record.series_id is not None:
        return retention.series_still_needed(record.series_id, now)
    return None


def _decide(io_slot: int, tag: str, record: TapeRecord | None, now: dt.datetime) -> ImportItem:
    if record is None:
        return ImportItem(
            io_slot,
            tag,
            ImportAction.UNKNOWN,
            "the database does not know this barcode; left in the I/O station",
        )
    action, reason = _action(record, now)
    home = record.library_slot if action is ImportAction.RETURN_HOME else None
    return ImportItem(io_slot, record.volser, action, reason, record.id, record.state, home)


def _action(record: TapeRecord, now: dt.datetime) -> tuple[ImportAction, str]:
    state = record.state
    if state is DrmState.MOUNTABLE:
        return ImportAction.RETURN_HOME, "MOUNTABLE: goes back to its slot"
    if state not in RETURNING_STATES:
        where = "on its way off site" if state is DrmState.NOTMOUNTABLE else "off site"
        return (
            ImportAction.REFUSED,
            f"the records say it is {state.value} ({where}) with valid data: never checked in "
            "as scratch; see the discrepancies",
        )
    why = _valid_data(record, now)
    if why is not None:
        return (
            ImportAction.REFUSED,
            f"it still holds valid data ({why}): never checked in as scratch",
        )
    if record.worm:
        return (
            ImportAction.WORM,
            "a WORM cartridge cannot be rewritten: not scratch; destroy or archive it",
        )
    return ImportAction.SCRATCH, f"{state.value}, no valid data: checked in as scratch"


def check_import(inventory: Inventory, *, now: dt.datetime | None = None) -> ImportPlan:
    """Decides every tape in the I/O station (see :class:`ImportAction`)."""
    now = now or utcnow()
    waiting = inventory.full_io_slots()
    tags = [e.volume_tag for e in waiting if e.volume_tag]
    records = {r.volser.upper(): r for r in tape_records(volsers=tags)}
    items: list[ImportItem] = []
    for element in waiting:
        tag = element.volume_tag
        if not tag:
            items.append(
                ImportItem(
                    element.number,
                    None,
                    ImportAction.UNREADABLE,
                    "its barcode cannot be read: take it out and check its label",
                )
            )
        elif element.is_cleaning:
            items.append(
                ImportItem(
                    element.number,
                    tag,
                    ImportAction.UNKNOWN,
                    "a cleaning cartridge, not a DRM volume: add it at the library's panel",
                )
            )
        else:
            items.append(_decide(element.number, tag, records.get(tag.strip().upper()), now))
    return ImportPlan(tuple(items))


def run_import(
    library: TapeLibrary,
    plan: ImportPlan,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ImportOutcome:
    """The library job: moves each accepted tape from the I/O station into storage (its
    home slot when free, else the lowest free slot). Survives a cancel or a library error:
    the outcome says what the inventory confirms."""
    error: LibraryError | None = None
    stopped = False
    inventory: Inventory | None = None
    try:
        inventory = library.inventory(progress, cancel)
        for item in plan.to_import:
            assert item.volser is not None
            element = inventory.find(item.volser)
            if element is None or not element.import_export:
                continue  # no longer in the I/O station: the outcome says so
            target = Location.of_slot(home_slot(inventory, element, plan.homes))
            inventory = library.move(element.location, target, progress, cancel)
    except CancelledError:
        stopped = True
    except LibraryError as exc:
        error = exc
    if stopped or error is not None:
        try:
            inventory = library.inventory()
        except LibraryError as late:
            log.warning("could not read the inventory after the import stopped: %s", late)
            inventory = None
    return _outcome(plan, inventory, error, stopped)


def _outcome(
    plan: ImportPlan, inventory: Inventory | None, error: LibraryError | None, stopped: bool
) -> ImportOutcome:
    index = tag_index(inventory) if inventory is not None else {}
    imported: list[tuple[str, int]] = []
    missing: list[tuple[str, str]] = []
    for item in plan.to_import:
        assert item.volser is not None
        element = index.get(item.volser.upper())
        slot = home_of(element) if element is not None else None
        if slot is not None:
            imported.append((item.volser, slot))
        elif inventory is None:
            missing.append((item.volser, "unknown: the library's inventory could not be read"))
        elif element is not None and element.import_export:
            missing.append((item.volser, f"still in {element.label}"))
        else:
            missing.append((item.volser, "no longer in the library"))
    return ImportOutcome(tuple(imported), tuple(missing), error, stopped, inventory)


def record_import(
    plan: ImportPlan,
    inventory_after: Inventory,
    actor: Actor | None = None,
    *,
    now: dt.datetime | None = None,
) -> MoveResult:
    """Records the check-in in one transaction, from what ``inventory_after`` confirms.

    A scratch tape the library shows in storage becomes MOUNTABLE at the library with its
    slot, flag "scratch", 0% used, no pool and no backup series (its data has expired; the
    movement log keeps its history), in one CHECKIN batch with a movement row each. A
    MOUNTABLE tape put back gets its slot; a WORM tape gets the WORM flag and stays out.
    Everything not checked in is in ``refused`` with its reason.
    """
    actor = actor or current_actor()
    at = now or utcnow()
    index = tag_index(inventory_after)
    changes: list[MovedVolume] = []
    reasons: dict[int, str] = {}
    slots: dict[int, int] = {}
    refused: list[Refusal] = []
    with database.atomic():
        settings = load_settings()
        ids = [i.volume_id for i in plan.items if i.volume_id is not None]
        current = {r.id: r for r in tape_records(ids=ids)}
        for item in plan.items:
            record = current.get(item.volume_id) if item.volume_id is not None else None
            element = index.get(item.volser.upper()) if item.volser else None
            slot = home_of(element) if element is not None else None
            if item.action.imports and slot is None:
                where = f"it is still in {element.label}" if element else "it is not in the library"
                refused.append(Refusal(item.volume_id, item.name, f"not checked in: {where}"))
            elif item.action.imports and (record is None or record.state is not item.state):
                refused.append(
                    Refusal(item.volume_id, item.name, "changed since the check; left as it is")
                )
            elif item.action is ImportAction.SCRATCH:
                assert record is not None and slot is not None
                location = location_on_entry(DrmState.MOUNTABLE, record.location, settings)
                changes.append(
                    MovedVolume(
                        record.id,
                        record.volser,
                        record.state,
                        DrmState.MOUNTABLE,
                        record.location,
                        location,
                    )
                )
                reasons[record.id] = f"checked in as scratch into slot {slot}"
                slots[record.id] = slot
            elif item.action is ImportAction.RETURN_HOME:
                assert record is not None
                Volume.update(library_slot=slot).where(Volume.id == record.id).execute()
            else:
                if (
                    item.action is ImportAction.WORM
                    and record
                    and record.flag != retention.WORM_FLAG
                ):
                    Volume.update(flag=retention.WORM_FLAG).where(Volume.id == record.id).execute()
                refused.append(Refusal(item.volume_id, item.name, item.reason))
        batch_id = None
        if changes:
            batch_id = apply_batch(
                BatchKind.CHECKIN,
                changes,
                actor=actor,
                at=at,
                reason="check-in from the I/O station",
                target=DrmState.MOUNTABLE,
                reasons=reasons,
            )
        for volume_id, slot in slots.items():
            Volume.update(
                flag=SCRATCH_FLAG,
                pct_used=0.0,
                library_slot=slot,
                pool=None,
                series=None,
                empty_since=None,
                backup_operation=None,
                volume_seq=None,
                written_at=None,
            ).where(Volume.id == volume_id).execute()
    log.info("check-in: %d tape(s) as scratch, %d not", len(changes), len(refused))
    return MoveResult(batch_id, BatchKind.CHECKIN, at, tuple(changes), tuple(refused))
