"""The tape library's part of the DRM moves: check, the library job, record. No Qt.

A move that needs the robot is three steps (STYLE.md rule 2): *check* decides which tapes
may move and what the library must do (an :class:`EjectPlan`, from the database and an
inventory); the *library job* (:func:`run_eject`, or :class:`EjectRun` one round at a time)
drives a :class:`~drm_gui.library.base.TapeLibrary` and returns what the library's
inventory confirmed (an :class:`EjectOutcome`); *record* (:func:`record_eject`) writes
only that, in one transaction. The command line runs the job directly, the GUI in its
device thread; both call the same check and record.

The check-in of returned tapes and the discrepancies live in their own modules and are
re-exported here, so that this is the one place to import the library operations from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from drm_gui.core import media
from drm_gui.core import settings as settings_mod
from drm_gui.core.library_discrepancies import (
    Discrepancy,
    DiscrepancyKind,
    Resolution,
    TapeRecord,
    find_discrepancies,
    library_contents,
    missing_discrepancy,
    resolve,
    returned_volsers,
    tag_index,
    tape_records,
    update_slots,
)
from drm_gui.core.library_import import (
    ImportAction,
    ImportItem,
    ImportOutcome,
    ImportPlan,
    check_import,
    record_import,
    run_import,
)
from drm_gui.core.media import SCRATCH_FLAG, Actor, MoveResult, Refusal
from drm_gui.core.models import Volume, database
from drm_gui.core.states import DrmError, DrmState, refusal_reason
from drm_gui.library.base import (
    CancelledError,
    DestinationFullError,
    Element,
    Inventory,
    LibraryError,
    Progress,
    TapeLibrary,
    cancelled,
)

__all__ = [
    "SCRATCH_FLAG",
    "Discrepancy",
    "DiscrepancyKind",
    "EjectOutcome",
    "EjectPlan",
    "EjectRun",
    "EjectStep",
    "ImportAction",
    "ImportItem",
    "ImportOutcome",
    "ImportPlan",
    "PlannedTape",
    "RemoveMode",
    "Resolution",
    "TapeRecord",
    "check_eject",
    "check_import",
    "find_discrepancies",
    "library_contents",
    "missing_discrepancy",
    "record_eject",
    "record_import",
    "resolve",
    "returned_volsers",
    "robot_needed",
    "run_eject",
    "run_import",
    "tag_index",
    "tape_records",
    "update_slots",
]

log = logging.getLogger(__name__)


class RemoveMode(enum.Enum):
    """How tapes leaving MOUNTABLE leave the library (MOVE DRMEDIA REMOVE=)."""

    YES = "YES"  # ejected to the I/O station, in rounds when it is too small
    UNTILEEFULL = "UNTILEEFULL"  # ejected until the I/O station is full; the rest stay
    NO = "NO"  # left in their slots for manual removal: the records only

    @classmethod
    def parse(cls, text: str) -> RemoveMode:
        key = text.strip().upper()
        try:
            return cls(key)
        except ValueError:
            names = ", ".join(m.value.lower() for m in cls)
            raise DrmError(f"unknown remove mode {text!r}: use one of {names}") from None


@dataclass(frozen=True)
class PlannedTape:
    """A volume of an eject plan: ``element`` is where the library holds it ("Slot 5"),
    None when the library is not involved."""

    volume_id: int
    volser: str
    state: DrmState
    element: str | None = None


@dataclass(frozen=True)
class EjectPlan:
    """What the check decided (see :func:`check_eject`).

    ``eject``: MOUNTABLE tapes the library moves to the I/O station, in the order it will
    (already in the I/O station, storage slots in slot order, then drives).
    ``next_round``: UNTILEEFULL only: they do not fit now and stay MOUNTABLE.
    ``records_only``: they move in the records without the robot (not MOUNTABLE, or
    REMOVE=NO). ``refused``: with the reason. ``io_capacity``: the I/O station's size.
    """

    target: DrmState
    remove_mode: RemoveMode
    to_location: str | None
    check_label: bool
    eject: tuple[PlannedTape, ...]
    next_round: tuple[PlannedTape, ...]
    records_only: tuple[PlannedTape, ...]
    refused: tuple[Refusal, ...]
    discrepancies: tuple[Discrepancy, ...]
    warnings: tuple[str, ...]
    free_io_slots: int = 0
    io_capacity: int = 0

    @property
    def needs_robot(self) -> bool:
        return bool(self.eject)

    @property
    def rounds(self) -> int:
        """How many rounds the eject takes at least (the first fills the free I/O slots)."""
        waiting = len(self.eject)
        if not waiting:
            return 0
        first = min(waiting, self.free_io_slots)
        rest = waiting - first
        capacity = max(self.io_capacity, 1)
        return (1 if first else 0) + -(-rest // capacity)

    @property
    def nothing_to_do(self) -> bool:
        return not self.eject and not self.records_only


def robot_needed(volume_ids: Iterable[int], remove_mode: RemoveMode) -> bool:
    """Whether any of these volumes needs the library (so an inventory must be read)."""
    if remove_mode is RemoveMode.NO:
        return False
    return any(r.state is DrmState.MOUNTABLE for r in tape_records(ids=list(volume_ids)))


def _ship_warning(record: TapeRecord, target: DrmState) -> str | None:
    """DOMAIN.md: an empty pool tape sent off site comes straight back as VAULTRETRIEVE."""
    if record.pct_used <= 0 and not record.kind.is_database:
        return (
            f"{record.volser} is empty: sent to {target.value}, it will come straight back "
            "(VAULTRETRIEVE)"
        )
    return None


def _library_order(item: tuple[PlannedTape, Element]) -> tuple[int, int]:
    element = item[1]
    rank = 0 if element.import_export else 2 if element.is_drive else 1
    return (rank, element.number)


def check_eject(
    volume_ids: Iterable[int],
    target: DrmState,
    remove_mode: RemoveMode = RemoveMode.YES,
    inventory: Inventory | None = None,
    *,
    to_location: str | None = None,
    check_label: bool | None = None,
) -> EjectPlan:
    """Which volumes may move to ``target``, and which of them the library must eject.

    The transition table decides first (refusals carry its reason). A MOUNTABLE volume
    must leave the library: with REMOVE=NO it is recorded only; otherwise it is found in
    ``inventory`` by volser and ejected (a MOUNTABLE volume the library does not hold is
    refused and reported as a discrepancy). UNTILEEFULL ejects only as many as the free
    I/O slots take now. ``inventory`` may be None only when no volume needs the robot.
    ``check_label`` defaults to the check_label setting (never with REMOVE=NO).
    """
    if to_location is not None:
        to_location = settings_mod.parse_location(to_location)
    ids = list(dict.fromkeys(volume_ids))
    records = {r.id: r for r in tape_records(ids=ids)}
    if check_label is None:
        check_label = bool(media.load_settings()["check_label"])
    index = tag_index(inventory) if inventory is not None else {}
    refused: list[Refusal] = []
    discrepancies: list[Discrepancy] = []
    warnings: list[str] = []
    records_only: list[PlannedTape] = []
    candidates: list[tuple[PlannedTape, Element]] = []
    for vid in ids:
        record = records.get(vid)
        if record is None:
            refused.append(Refusal(vid, f"#{vid}", "no such volume"))
            continue
        why = refusal_reason(record.state, target)
        if why is None and record.flag == SCRATCH_FLAG:
            why = "a scratch tape (checked in from the vault) holds no DRM data to send"
        if why is not None:
            refused.append(Refusal(vid, record.volser, why))
            continue
        if (warning := _ship_warning(record, target)) is not None:
            warnings.append(warning)
        element = index.get(record.volser.upper())
        tape = PlannedTape(vid, record.volser, record.state, element.label if element else None)
        if record.state is not DrmState.MOUNTABLE or remove_mode is RemoveMode.NO:
            records_only.append(tape)
            continue
        if inventory is None:
            refused.append(
                Refusal(vid, record.volser, "the library's inventory is needed to eject it")
            )
        elif element is None:
            refused.append(
                Refusal(vid, record.volser, "MOUNTABLE, but the library does not hold it")
            )
            discrepancies.append(missing_discrepancy(record))
        elif not inventory.io_slots:
            refused.append(
                Refusal(
                    vid,
                    record.volser,
                    "the library reports no I/O station: name its I/O slots in the library "
                    "settings, or use remove mode NO",
                )
            )
        else:
            candidates.append((tape, element))
            if element.is_drive:
                warnings.append(
                    f"{record.volser} is in drive {element.number}: the library will unload it"
                )
    candidates.sort(key=_library_order)
    free = len(inventory.free_io_slots()) if inventory is not None else 0
    eject = [t for t, _ in candidates]
    later: list[PlannedTape] = []
    if remove_mode is RemoveMode.UNTILEEFULL:
        in_io = [t for t, e in candidates if e.import_export]
        others = [t for t, e in candidates if not e.import_export]
        eject, later = in_io + others[:free], others[free:]
    elif len([1 for _, e in candidates if not e.import_export]) > free:
        warnings.append(
            f"{len(eject)} tapes to eject and {free} free I/O slots: the eject runs in rounds; "
            "empty the I/O station when asked"
        )
    return EjectPlan(
        target=target,
        remove_mode=remove_mode,
        to_location=to_location,
        check_label=bool(check_label) and remove_mode is not RemoveMode.NO,
        eject=tuple(eject),
        next_round=tuple(later),
        records_only=tuple(records_only),
        refused=tuple(refused),
        discrepancies=tuple(discrepancies),
        warnings=tuple(warnings),
        free_io_slots=free,
        io_capacity=len(inventory.io_slots) if inventory is not None else 0,
    )


# -- the library job ------------------------------------------------------------------------


class EjectStep(enum.Enum):
    """Where an eject run stands after a call of :meth:`EjectRun.next_round`."""

    NEEDS_OPERATOR = "needs the operator"  # the I/O station is full: empty it, then go on
    DONE = "done"  # finished: completely, or stopped by a cancel or an error


@dataclass(frozen=True)
class EjectOutcome:
    """What the eject job did, as the library's inventory confirmed it.

    ``ejected``: volsers seen in the I/O station by an inventory read after their round.
    ``not_ejected``: (volser, why) for every planned tape that was not.
    """

    ejected: tuple[str, ...]
    not_ejected: tuple[tuple[str, str], ...]
    rounds: int
    error: LibraryError | None = None
    cancelled: bool = False
    stopped: bool = False  # the operator chose to stop between two rounds
    inventory: Inventory | None = None

    @property
    def complete(self) -> bool:
        return not self.not_ejected and self.error is None and not self.cancelled


class EjectRun:
    """The eject job between rounds: plain Python, used by one thread at a time.

    :func:`run_eject` drives it for the command line. The GUI's device thread calls
    :meth:`next_round` once per job; on ``NEEDS_OPERATOR`` the main thread asks "empty the
    I/O station (``io_waiting`` tapes), then press Continue" and queues the next round, or
    calls :meth:`stop`. :meth:`outcome` is what :func:`record_eject` takes.
    """

    def __init__(self, plan: EjectPlan) -> None:
        self.plan = plan
        self.pending: list[str] = [t.volser for t in plan.eject]
        self.ejected: list[str] = []
        self.problems: dict[str, str] = {}
        self.rounds = 0
        self.io_waiting = 0
        self.error: LibraryError | None = None
        self.cancelled = False
        self.stopped = False
        self.finished = not self.pending
        self.inventory: Inventory | None = None

    def next_round(
        self,
        library: TapeLibrary,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> EjectStep:
        """Ejects as many pending tapes as the free I/O slots take (more rounds while
        slots stay free), and returns when the I/O station is full or all is done."""
        if self.finished:
            return EjectStep.DONE
        try:
            if self._rounds(library, progress, cancel):
                return EjectStep.NEEDS_OPERATOR
        except CancelledError:
            self.cancelled = True
            self._read_again(library)
        except LibraryError as exc:
            log.warning("eject stopped by the library: %s", exc)
            self.error = exc
            self._read_again(library)
        self.finished = True
        return EjectStep.DONE

    def _rounds(
        self, library: TapeLibrary, progress: Progress | None, cancel: threading.Event | None
    ) -> bool:
        """True when the operator must empty the I/O station before the next round."""
        single = self.plan.remove_mode is RemoveMode.UNTILEEFULL
        inventory = library.inventory(progress, cancel)
        self._confirm(inventory)
        while self.pending:
            free = inventory.free_io_slots()
            if not free:
                if single:
                    return False
                self.io_waiting = len(inventory.full_io_slots())
                return True
            batch = self.pending[: len(free)]
            if self.plan.check_label:
                batch = self._check_labels(library, inventory, batch, progress, cancel)
                if not batch:
                    inventory = library.inventory(progress, cancel)
                    continue
            self.rounds += 1
            inventory = library.eject(batch, progress, cancel)
            self._confirm(inventory)
            if single:
                return False
        return False

    def _check_labels(
        self,
        library: TapeLibrary,
        inventory: Inventory,
        batch: list[str],
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> list[str]:
        """The tapes of the batch whose label matches; the others leave the run."""
        drives = inventory.empty_drives()
        drive = drives[0].number if drives else None
        good: list[str] = []
        for volser in batch:
            element = inventory.find(volser)
            if drive is None and not (element is not None and element.is_drive):
                raise DestinationFullError(
                    "No drive is free to read the labels. Unload a drive, or turn the label "
                    "check off, then try again."
                )
            check = library.check_label(volser, drive or 0, progress, cancel)
            if check.problem is None:
                good.append(volser)
            else:
                self.problems[volser] = f"not ejected: {check.problem}"
                self.pending.remove(volser)
        return good

    def _confirm(self, inventory: Inventory) -> None:
        """Pending tapes the inventory shows in the I/O station have left; tapes no longer
        in the library at all were never seen leaving: not confirmed."""
        self.inventory = inventory
        index = tag_index(inventory)
        for volser in list(self.pending):
            element = index.get(volser.upper())
            if element is not None and element.import_export:
                self.ejected.append(volser)
                self.pending.remove(volser)
            elif element is None:
                self.problems[volser] = (
                    "not recorded: it left the library without being seen in the I/O station; "
                    "check where it is"
                )
                self.pending.remove(volser)

    def _read_again(self, library: TapeLibrary) -> None:
        try:
            self._confirm(library.inventory())
        except LibraryError as late:
            log.warning("could not read the inventory after the eject stopped: %s", late)

    def stop(self) -> None:
        """The operator stops between two rounds: the rest stay MOUNTABLE."""
        self.stopped = True
        self.finished = True

    def outcome(self) -> EjectOutcome:
        not_ejected = [(v, why) for v, why in self.problems.items()]
        if self.error is not None:
            why = f"still in the library: the eject stopped ({self.error.message})"
        elif self.cancelled:
            why = "still in the library: the eject was cancelled"
        elif self.stopped:
            why = (
                "still in the library: stopped before its round; empty the I/O station "
                "and eject it again"
            )
        else:
            why = "left MOUNTABLE for the next round: the I/O station is full"
        not_ejected += [(v, why) for v in self.pending]
        return EjectOutcome(
            tuple(self.ejected),
            tuple(not_ejected),
            self.rounds,
            self.error,
            self.cancelled,
            self.stopped,
            self.inventory,
        )


def run_eject(
    library: TapeLibrary,
    plan: EjectPlan,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    wait_for_operator: Callable[[int], bool] | None = None,
) -> EjectOutcome:
    """The library job as the command line runs it: rounds until every tape is out.

    Between rounds ``wait_for_operator(n)`` is asked to have the I/O station (``n`` tapes)
    emptied; False (or no callback) stops the job there. A cancel or a library error ends
    it too; the outcome names exactly the tapes the inventory confirmed in the I/O station.
    """
    run = EjectRun(plan)
    while run.next_round(library, progress, cancel) is EjectStep.NEEDS_OPERATOR:
        if cancelled(cancel):
            run.cancelled = True
            run.finished = True
            break
        if wait_for_operator is None or not wait_for_operator(run.io_waiting):
            run.stop()
            break
    return run.outcome()


# -- record ---------------------------------------------------------------------------------


def record_eject(
    plan: EjectPlan,
    outcome: EjectOutcome,
    actor: Actor | None = None,
    to_location: str | None = None,
    *,
    reason: str = "",
    now: dt.datetime | None = None,
) -> MoveResult:
    """Records the move in one transaction: the tapes the library confirmed in the I/O
    station, and those that needed no robot (not MOUNTABLE, or REMOVE=NO), each with a
    movement row saying how it left. Tapes that leave MOUNTABLE lose their library slot.

    The result's ``refused`` lists every volume not moved, with its reason: the check's
    refusals, the tapes the library did not eject, and any the move rules refuse now.
    """
    location = to_location if to_location is not None else plan.to_location
    mode = plan.remove_mode.value
    note = f": {reason}" if reason else ""
    confirmed = set(outcome.ejected)
    ids: list[int] = []
    reasons: dict[int, str] = {}
    for tape in plan.eject:
        if tape.volser in confirmed:
            ids.append(tape.volume_id)
            reasons[tape.volume_id] = f"ejected to the I/O station (REMOVE={mode}){note}"
    for tape in plan.records_only:
        ids.append(tape.volume_id)
        if tape.state is DrmState.MOUNTABLE:
            where = f" in {tape.element}" if tape.element else ""
            reasons[tape.volume_id] = f"REMOVE=NO: left{where} for manual removal{note}"
        else:
            reasons[tape.volume_id] = f"no robot needed (was {tape.state.value}){note}"
    by_volser = {t.volser: t for t in (*plan.eject, *plan.next_round)}
    not_moved = [
        Refusal(by_volser[v].volume_id if v in by_volser else None, v, why)
        for v, why in outcome.not_ejected
    ]
    not_moved += [
        Refusal(t.volume_id, t.volser, "left MOUNTABLE for the next round: the I/O station is full")
        for t in plan.next_round
    ]
    with database.atomic():
        result = media.move_volumes(
            ids,
            plan.target,
            to_location=location,
            reason=reason or f"eject (REMOVE={mode})",
            actor=actor,
            now=now,
            reasons=reasons,
        )
        left = [m.volume_id for m in result.moved if m.from_state is DrmState.MOUNTABLE]
        for start in range(0, len(left), 500):
            chunk = left[start : start + 500]
            Volume.update(library_slot=None).where(Volume.id.in_(chunk)).execute()
    return dataclasses.replace(result, refused=(*plan.refused, *not_moved, *result.refused))
