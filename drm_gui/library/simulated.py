"""An in-process tape library: the default backend, for the demo, `make run` and GUI tests.

It answers like the mtx backend (the same pre-checks and the same errors, from
:mod:`drm_gui.library.rules`), takes a configurable time per robot move while honouring
the cancel event, and can be told to fail: offline, a door or the I/O station open, a
hardware error or a timeout on the n-th move from now, a move that reports success but does
nothing (so that the verify step is exercised), and labels that do not match. The
operator's hands are methods too: :meth:`SimulatedLibrary.take_io_station` and
:meth:`SimulatedLibrary.insert_io`.

Thread-safe: the device thread runs jobs while the main thread may look at the inventory or
play the operator. The lock is never held while a move "takes time", so a caller on the
main thread never waits for the robot.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from drm_gui.library.base import (
    CancelledError,
    DoorOpenError,
    Element,
    ElementKind,
    HardwareError,
    Inventory,
    IOStationFullError,
    IOStationOpenError,
    LabelCheck,
    LibraryError,
    LibraryTimeoutError,
    Location,
    NotReadyError,
    Progress,
    SourceEmptyError,
    cancelled,
    report,
)
from drm_gui.library.mtx_errors import OFFLINE_MESSAGE
from drm_gui.library.robot import RobotLibrary, stop_if
from drm_gui.library.rules import (
    check_move,
    element_at,
    verify_move,
)

__all__ = ["SimulatedFaults", "SimulatedLibrary"]

log = logging.getLogger(__name__)

DEFAULT_MOVE_DELAY = 0.4
_STEP = 0.02  # seconds between two looks at the cancel event during a move


@dataclass
class SimulatedFaults:
    """What is wrong with the simulated library now.

    The ``*_on_move`` counters name the n-th robot move from the moment they are set (1:
    the next move); each fires once. ``labels`` maps a barcode to the label written on the
    tape when that differs from the barcode; ``blank`` holds barcodes of blank tapes.
    """

    offline: bool = False
    door_open: bool = False
    io_station_open: bool = False
    hardware_error_on_move: int = 0
    timeout_on_move: int = 0
    lie_on_move: int = 0
    labels: dict[str, str] = field(default_factory=dict)
    blank: set[str] = field(default_factory=set)


class SimulatedLibrary(RobotLibrary):
    """A library of ``drives`` drives, ``slots`` storage slots (1..slots) and ``io_slots``
    I/O slots (slots+1..slots+io_slots), numbered as mtx numbers them."""

    def __init__(
        self,
        drives: int = 2,
        slots: int = 60,
        io_slots: int = 6,
        *,
        move_delay: float = DEFAULT_MOVE_DELAY,
        tags: Mapping[int, str] | None = None,
        loaded: Mapping[int, tuple[str, int | None]] | None = None,
        changer: str = "simulated",
    ) -> None:
        if drives < 1 or slots < 1 or io_slots < 0:
            raise ValueError("a library needs a drive, a slot, and no negative I/O station")
        self.changer = changer
        self.storage_count = slots
        self.move_delay = move_delay
        self.faults = SimulatedFaults()
        self.moves = 0  # robot moves made (for tests and the panel's log)
        self._lock = threading.RLock()
        self._slots: list[str | None] = [None] * (slots + io_slots)
        self._drives: list[str | None] = [None] * drives
        self._sources: list[int | None] = [None] * drives
        for number, tag in (tags or {}).items():
            if not 1 <= number <= len(self._slots):
                raise ValueError(f"slot {number} is outside 1..{len(self._slots)}")
            self._slots[number - 1] = tag
        for drive, (tag, source) in (loaded or {}).items():
            self._drives[drive] = tag
            self._sources[drive] = source
        self._check_unique()

    @classmethod
    def with_tapes(
        cls,
        placements: Mapping[str, int | None] | Iterable[tuple[str, int | None]],
        *,
        in_io_station: Sequence[str] = (),
        drives: int = 2,
        slots: int = 60,
        io_slots: int = 6,
        move_delay: float = DEFAULT_MOVE_DELAY,
    ) -> SimulatedLibrary:
        """A library holding these tapes: each in its slot when that is a free storage slot,
        else in the lowest free one; ``in_io_station`` waits in the I/O station. Tapes that
        do not fit are left out (and logged)."""
        library = cls(drives, slots, io_slots, move_delay=move_delay)
        pairs = list(placements.items() if isinstance(placements, Mapping) else placements)
        wanted: dict[int, str] = {}
        homeless: list[str] = []
        for tag, slot in pairs:
            if slot is not None and 1 <= slot <= slots and slot not in wanted:
                wanted[slot] = tag
            else:
                homeless.append(tag)
        free = (n for n in range(1, slots + 1) if n not in wanted)
        for tag in homeless:
            number = next(free, None)
            if number is None:
                log.warning("the simulated library is full: %s left out", tag)
                continue
            wanted[number] = tag
        for number, tag in wanted.items():
            library._slots[number - 1] = tag
        extra = list(in_io_station)[:io_slots]
        for offset, tag in enumerate(extra):
            library._slots[slots + offset] = tag
        library._check_unique()
        return library

    def __repr__(self) -> str:
        io = len(self._slots) - self.storage_count
        return f"SimulatedLibrary({len(self._drives)} drives, {self.storage_count} slots, {io} I/O)"

    # -- the operator's hands and the fault switches ------------------------------------------

    def inject(self, **faults: object) -> None:
        """Sets faults by name (``offline=True``, ``hardware_error_on_move=2``...)."""
        with self._lock:
            for name, value in faults.items():
                if not hasattr(self.faults, name):
                    raise AttributeError(f"no simulated fault {name!r}")
                setattr(self.faults, name, value)

    def take_io_station(self) -> list[str]:
        """The operator empties the I/O station; returns the barcodes taken, in slot order."""
        with self._lock:
            taken = []
            for index in range(self.storage_count, len(self._slots)):
                tag = self._slots[index]
                if tag is not None:
                    taken.append(tag)
                    self._slots[index] = None
            return taken

    def insert_io(self, tags: Sequence[str]) -> list[int]:
        """The operator puts these cartridges into the free I/O slots (lowest first);
        returns the slot numbers used."""
        with self._lock:
            present = self._all_tags()
            for tag in tags:
                if tag in present:
                    raise ValueError(f"{tag} is already in the library")
            free = [
                i for i in range(self.storage_count, len(self._slots)) if self._slots[i] is None
            ]
            if len(tags) > len(free):
                raise IOStationFullError.for_request(len(free), len(tags))
            for index, tag in zip(free, tags, strict=False):
                self._slots[index] = tag
            return [i + 1 for i in free[: len(tags)]]

    # -- TapeLibrary ------------------------------------------------------------------------

    def _current(self) -> Inventory:
        with self._lock:
            self._check_online()
            return self._snapshot()

    def _rescan(self, cancel: threading.Event | None) -> None:
        self._pause(self.move_delay, cancel)

    def _step(
        self,
        before: Inventory,
        source: Location,
        destination: Location,
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> Inventory:
        return self._robot_move(source, destination, progress, cancel)

    def check_label(
        self,
        volume_tag: str,
        drive: int = 0,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> LabelCheck:
        """Loads the tape, "reads" its label (the barcode, unless a fault says otherwise),
        and puts it back where it came from, as the mtx backend does."""
        stop_if(cancel)
        tag = volume_tag.strip()
        with self._lock:
            self._check_online()
            element = self._snapshot().find(tag)
        if element is None:
            raise SourceEmptyError(
                f"{tag} is not in the library. Refresh the inventory and check the selection."
            )
        home: Location | None = None
        if element.is_drive:
            drive = element.number
        else:
            home = element.location
            self._robot_move(home, Location.of_drive(drive), progress, cancel)
        try:
            report(progress, f"Reading the label of {tag} in drive {drive}…")
            self._pause(self.move_delay / 2, cancel)
        except BaseException:
            if home is not None:  # back home even after a cancel; the first error is raised
                try:
                    self._robot_move(Location.of_drive(drive), home, progress, None)
                except LibraryError as late:
                    log.warning("could not put %s back to %s: %s", tag, home, late)
            raise
        if home is not None:
            self._robot_move(Location.of_drive(drive), home, progress, None)
        with self._lock:
            if tag in self.faults.blank:
                return LabelCheck(tag, None, None, blank=True)
            return LabelCheck(tag, self.faults.labels.get(tag, tag), "Simulated")

    # -- the robot --------------------------------------------------------------------------

    def _robot_move(
        self,
        source: Location,
        destination: Location,
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> Inventory:
        with self._lock:
            self._check_online()
            before = self._snapshot()
            from_element = element_at(before, source)
            to_element = element_at(before, destination)
            check_move(from_element, to_element)
        what = from_element.volume_tag or "the tape"
        report(progress, f"Moving {what} from {from_element.label} to {to_element.label}…")
        self._pause(self.move_delay, cancel)  # a cancel here: the robot has not moved yet
        with self._lock:
            # the library as it is now: the operator may have opened a door meanwhile
            self._check_online()
            before = self._snapshot()
            from_element = element_at(before, source)
            to_element = element_at(before, destination)
            check_move(from_element, to_element)
            self._check_doors(from_element, to_element)
            self.moves += 1
            fault = self._due_fault()
            where = f"from {from_element.label} to {to_element.label}"
            if fault == "hardware":
                raise HardwareError(raw=f"simulated: hardware error on the move {where}")
            if fault == "timeout":
                raise LibraryTimeoutError(
                    f"The tape library did not answer in time (moving {what} {where}). Check "
                    "that it is switched on and not in use at its panel, then press Retry; the "
                    "inventory is read again first.",
                    raw=f"simulated: timeout on the move {where}",
                )
            if fault != "lie":
                self._apply(source, destination)
            after = self._snapshot()
        verify_move(before, after, source, destination)
        return after

    def _due_fault(self) -> str | None:
        """Counts this move down on every armed counter; the first that reaches it fires."""
        fired = None
        for name, attribute in (
            ("hardware", "hardware_error_on_move"),
            ("timeout", "timeout_on_move"),
            ("lie", "lie_on_move"),
        ):
            left = getattr(self.faults, attribute)
            if left > 0:
                setattr(self.faults, attribute, left - 1)
                if left == 1 and fired is None:
                    fired = name
        return fired

    def _apply(self, source: Location, destination: Location) -> None:
        if source.drive:
            tag = self._drives[source.number]
            self._drives[source.number] = None
            self._sources[source.number] = None
        else:
            tag = self._slots[source.number - 1]
            self._slots[source.number - 1] = None
        if destination.drive:
            self._drives[destination.number] = tag
            self._sources[destination.number] = None if source.drive else source.number
        else:
            self._slots[destination.number - 1] = tag

    def _pause(self, seconds: float, cancel: threading.Event | None) -> None:
        end = time.monotonic() + seconds
        while True:
            if cancelled(cancel):
                raise CancelledError()
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(_STEP, left))

    # -- state ------------------------------------------------------------------------------

    def _check_online(self) -> None:
        if self.faults.offline:
            raise NotReadyError(OFFLINE_MESSAGE, raw="simulated: the library is offline")

    def _check_doors(self, source: Element, target: Element) -> None:
        if self.faults.door_open:
            raise DoorOpenError(raw="simulated: a door is open")
        if self.faults.io_station_open and (source.import_export or target.import_export):
            raise IOStationOpenError(raw="simulated: the I/O station is open")

    def _all_tags(self) -> set[str]:
        return {t for t in (*self._slots, *self._drives) if t is not None}

    def _check_unique(self) -> None:
        tags = [t for t in (*self._slots, *self._drives) if t is not None]
        if len(tags) != len(set(tags)):
            raise ValueError("a barcode may be in the library only once")

    def _snapshot(self) -> Inventory:
        drives = tuple(
            Element(
                ElementKind.DRIVE,
                n,
                tag is not None,
                volume_tag=tag,
                loaded_from=self._sources[n] if tag is not None else None,
            )
            for n, tag in enumerate(self._drives)
        )
        slots = tuple(
            Element(
                ElementKind.STORAGE if i < self.storage_count else ElementKind.IMPORT_EXPORT,
                i + 1,
                tag is not None,
                volume_tag=tag,
            )
            for i, tag in enumerate(self._slots)
        )
        return Inventory(changer=self.changer, drives=drives, slots=slots)
