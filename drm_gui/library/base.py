"""The tape library as plain values: elements, inventories, errors, and the backend protocol.

Every backend (mtx through a subprocess, the in-process simulator, later vendor REST APIs)
speaks in these types, so the device thread, the core's check/record steps and the GUI never
see a backend's own text. Nothing here imports Qt or starts a process.

Numbers follow mtx: drives count from 0, slots from 1, and the I/O station's slots are
ordinary slot numbers that mtx prints after the storage slots ("Storage Element 9
IMPORT/EXPORT"). Element *addresses* (the SCSI numbers a library uses internally and that
mtx prints in some errors) are a different thing and never appear in an inventory.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

Progress = Callable[[str], None]
"""Receives one short line of text per device step ("Moving A00001L8 to I/O slot 9")."""


class ElementKind(enum.Enum):
    """What an element of the library is."""

    DRIVE = "drive"
    STORAGE = "storage"
    IMPORT_EXPORT = "import_export"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    ElementKind.DRIVE: "Drive",
    ElementKind.STORAGE: "Slot",
    ElementKind.IMPORT_EXPORT: "I/O slot",
}


@dataclass(frozen=True, slots=True)
class Location:
    """A place a cartridge can be: a drive, or a slot in mtx's numbering (I/O slots included)."""

    number: int
    drive: bool = False

    @classmethod
    def of_drive(cls, number: int) -> Location:
        return cls(number, drive=True)

    @classmethod
    def of_slot(cls, number: int) -> Location:
        return cls(number, drive=False)

    def __str__(self) -> str:
        return f"drive {self.number}" if self.drive else f"slot {self.number}"


@dataclass(frozen=True, slots=True)
class Element:
    """One drive or slot as the library last reported it.

    ``volume_tag`` is the barcode with the library's padding removed, or None when the
    element is empty, the library has no barcode reader, or the label could not be read
    (a full element without a tag). ``loaded_from`` is, for a full drive, the slot the
    library says the tape came from (None when it does not know).
    """

    kind: ElementKind
    number: int
    full: bool
    volume_tag: str | None = None
    alternate_tag: str | None = None
    loaded_from: int | None = None

    @property
    def import_export(self) -> bool:
        """True for a slot of the I/O station (the kind says it; kept as one source of truth)."""
        return self.kind is ElementKind.IMPORT_EXPORT

    @property
    def is_drive(self) -> bool:
        return self.kind is ElementKind.DRIVE

    @property
    def empty(self) -> bool:
        return not self.full

    @property
    def location(self) -> Location:
        return Location(self.number, drive=self.is_drive)

    @property
    def is_cleaning(self) -> bool:
        """Cleaning cartridges carry CLN labels whatever their media suffix (CLN001L1, CLN001CU)."""
        return self.volume_tag is not None and self.volume_tag.upper().startswith("CLN")

    @property
    def label(self) -> str:
        """How an operator calls the element: "Drive 0", "Slot 5", "I/O slot 9"."""
        return f"{self.kind.label} {self.number}"


@dataclass(frozen=True, slots=True)
class Inventory:
    """What the library holds: its drives and its slots (storage then I/O, in mtx order)."""

    changer: str
    drives: tuple[Element, ...] = ()
    slots: tuple[Element, ...] = ()

    def __post_init__(self) -> None:
        if any(not d.is_drive for d in self.drives):
            raise ValueError("Inventory.drives holds only drive elements")
        if any(s.is_drive for s in self.slots):
            raise ValueError("Inventory.slots holds no drive elements")

    # -- shape ----------------------------------------------------------------------------

    @property
    def max_drives(self) -> int:
        """How many drives the library reports; drive numbers run 0 .. max_drives - 1."""
        return len(self.drives)

    @property
    def storage_slots(self) -> tuple[Element, ...]:
        return tuple(s for s in self.slots if not s.import_export)

    @property
    def io_slots(self) -> tuple[Element, ...]:
        """The I/O station (mail slots), in slot order."""
        return tuple(s for s in self.slots if s.import_export)

    @property
    def elements(self) -> tuple[Element, ...]:
        return self.drives + self.slots

    def __iter__(self) -> Iterator[Element]:
        return iter(self.elements)

    # -- look-ups -------------------------------------------------------------------------

    def drive(self, number: int) -> Element:
        for d in self.drives:
            if d.number == number:
                return d
        raise KeyError(f"no drive {number}")

    def slot(self, number: int) -> Element:
        for s in self.slots:
            if s.number == number:
                return s
        raise KeyError(f"no slot {number}")

    def at(self, location: Location) -> Element:
        return self.drive(location.number) if location.drive else self.slot(location.number)

    def find(self, volume_tag: str) -> Element | None:
        """The element holding the cartridge with this barcode (exact, blanks trimmed)."""
        wanted = volume_tag.strip()
        for e in self.elements:
            if e.full and e.volume_tag == wanted:
                return e
        return None

    def volume_tags(self) -> list[str]:
        """Every barcode in the library, drives first, in element order."""
        return [e.volume_tag for e in self.elements if e.full and e.volume_tag]

    def duplicate_tags(self) -> list[str]:
        """Barcodes that appear more than once (a misread or a relabelled cartridge)."""
        seen: set[str] = set()
        twice: list[str] = []
        for tag in self.volume_tags():
            if tag in seen and tag not in twice:
                twice.append(tag)
            seen.add(tag)
        return twice

    # -- free and full places -------------------------------------------------------------

    def free_slots(self, *, keep_drive_homes: bool = False) -> list[Element]:
        """Empty storage slots (never I/O slots), lowest number first.

        With ``keep_drive_homes`` the slots that full drives name as their source are left
        out, so a tape put away does not take the place a drive's tape returns to.
        """
        homes = {d.loaded_from for d in self.drives if d.full} if keep_drive_homes else set()
        return [s for s in self.storage_slots if s.empty and s.number not in homes]

    def full_slots(self) -> list[Element]:
        return [s for s in self.storage_slots if s.full]

    def free_io_slots(self) -> list[Element]:
        return [s for s in self.io_slots if s.empty]

    def full_io_slots(self) -> list[Element]:
        return [s for s in self.io_slots if s.full]

    def empty_drives(self) -> list[Element]:
        return [d for d in self.drives if d.empty]

    def full_drives(self) -> list[Element]:
        return [d for d in self.drives if d.full]

    def unlabelled(self) -> list[Element]:
        """Full elements whose barcode the library could not read (or has no reader for)."""
        return [e for e in self.elements if e.full and not e.volume_tag]

    def lost_io_slots(self, previous: Inventory) -> bool:
        """True when the I/O station vanished since ``previous``.

        mtx falls back to built-in limits when the library's element-address page cannot be
        read and then reports ``( 0 Import/Export )`` on a library that has a mail slot; such
        an inventory must be read again, not trusted.
        """
        return bool(previous.io_slots) and not self.io_slots


@dataclass(frozen=True, slots=True)
class LabelCheck:
    """What ``check_label`` found on the tape, against the barcode it was asked about."""

    volume_tag: str
    label: str | None
    format: str | None = None  # "Bareos", "Bacula", "Amanda", "LTFS", "ANSI"...
    blank: bool = False

    @property
    def matches(self) -> bool:
        """The label names this cartridge.

        A standard (VOL1) label has room for the 6-character VOLSER only, while an LTO
        barcode is that VOLSER plus a 2-character media ID (A00001 + L8): such a label
        matches a barcode that starts with it.
        """
        if self.label is None:
            return False
        label, tag = self.label.strip().upper(), self.volume_tag.strip().upper()
        if label == tag:
            return True
        six_only = self.format in ("ANSI", "LTFS", "IBM SL") and len(label) == 6
        return six_only and len(tag) == 8 and tag.startswith(label)

    @property
    def problem(self) -> str | None:
        """None when the label matches, else a sentence for the operator."""
        if self.matches:
            return None
        if self.blank:
            return f"{self.volume_tag}: the tape is blank (no label written on it)"
        if self.label is None:
            return f"{self.volume_tag}: no label could be read from the tape"
        return f"{self.volume_tag}: the tape is labelled {self.label!r}, not {self.volume_tag}"


# -- errors -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sense:
    """The SCSI sense data a library returned, as mtx prints it in its sense dump."""

    key: str
    asc: int | None = None
    ascq: int | None = None
    error_code: str | None = None

    @property
    def all_zero(self) -> bool:
        """No sense at all: the SCSI call itself failed (transport error, reset, timeout)."""
        return self.key == "No Sense" and not self.asc and not self.ascq

    def __str__(self) -> str:
        if self.asc is None:
            return self.key
        return f"{self.key} {self.asc:02X}/{(self.ascq or 0):02X}"


class LibraryError(Exception):
    """Base of every error a tape library backend raises.

    ``message`` is plain English an operator can act on; ``raw`` is the device's own text
    (stdout and stderr of mtx, say) for the log; ``sense`` is set when the library gave SCSI
    sense data. ``retryable`` says whether pressing Retry on the same command can succeed
    once the operator did what the message says (or after waiting); ``retry_automatically``
    whether a worker should retry once without asking.
    """

    default_message: ClassVar[str] = "The tape library reported an error. See the log for details."
    retryable: ClassVar[bool] = False
    retry_automatically: ClassVar[bool] = False

    def __init__(
        self,
        message: str | None = None,
        *,
        raw: str = "",
        returncode: int | None = None,
        sense: Sense | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.raw = raw
        self.returncode = returncode
        self.sense = sense
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        extra = f", sense={self.sense}" if self.sense else ""
        return f"{type(self).__name__}({self.message!r}{extra})"


class NotReadyError(LibraryError):
    default_message = (
        "The tape library is not ready (offline, starting up or busy). Check its front panel, "
        "set it online if needed, wait until it is ready, then press Retry."
    )
    retryable = True


class DoorOpenError(LibraryError):
    default_message = (
        "A door or magazine of the tape library is open. Close it, wait until the library "
        "has finished scanning, then press Retry."
    )
    retryable = True


class IOStationOpenError(LibraryError):
    default_message = (
        "The I/O station (mail slot) is open. Close the I/O station door, then press Retry."
    )
    retryable = True


class SourceEmptyError(LibraryError):
    default_message = (
        "There is no tape where the library was asked to take one from: the inventory is out "
        "of date. Refresh the inventory, then try again."
    )


class DestinationFullError(LibraryError):
    default_message = (
        "The place the tape should go already holds a tape: the inventory is out of date. "
        "Refresh the inventory and choose an empty place."
    )


class IOStationFullError(LibraryError):
    default_message = "The I/O station is full. Empty it, close its door, then press Retry."
    retryable = True

    @classmethod
    def for_request(cls, free: int, requested: int) -> IOStationFullError:
        """The own pre-check before an export touches the robot."""
        return cls(
            f"The I/O station is full: {free} free, {requested} requested. Empty the I/O "
            "station or choose fewer tapes, then press Retry."
        )


class DriveNeedsUnloadError(LibraryError):
    default_message = (
        "The tape drive has not ejected its tape, so the robot cannot take it. Rewind and "
        "eject (unload) the tape in the drive, then press Retry."
    )
    retryable = True


class HardwareError(LibraryError):
    default_message = (
        "The tape library reports a hardware fault (robot, picker or drive). Check its front "
        "panel or web interface, clear the fault, then press Retry."
    )
    retryable = True


class LibraryTimeoutError(LibraryError):
    default_message = (
        "The tape library did not answer in time. Check that it is switched on and not in "
        "use at its panel, then press Retry; the inventory is read again first."
    )
    retryable = True


class DeviceMissingError(LibraryError):
    default_message = (
        "The tape library's changer device was not found. Check the cable and power, and the "
        "changer device in the settings, then press Retry."
    )
    retryable = True


class NoPermissionError(LibraryError):
    default_message = (
        "This user may not use the tape library's changer device. Ask an administrator to add "
        "the user to the 'tape' group, then log in again."
    )


class UnitAttentionError(LibraryError):
    default_message = (
        "The tape library reported a change (a door was closed, tapes were added or it was "
        "reset). Press Retry; the inventory is read again first."
    )
    retryable = True
    retry_automatically = True


class CommandFailedError(LibraryError):
    default_message = "The tape library command failed. See the log for the library's answer."


class MoveNotVerifiedError(CommandFailedError):
    """The library said a move succeeded, but its inventory afterwards disagrees.

    mtx treats a transport-level timeout as success (MTX.md §1.7), and some libraries
    acknowledge a move they never made; only re-reading the inventory tells.
    """

    default_message = (
        "The library reported the move as done, but its inventory shows otherwise. Check the "
        "library's front panel, refresh the inventory, then try again."
    )


class InvalidElementError(CommandFailedError):
    default_message = (
        "A drive or slot number is outside the library's range. Refresh the inventory and "
        "check the library settings."
    )


class CancelledError(LibraryError):
    """The operator stopped a job between two device steps; what was done stays done."""

    default_message = "Stopped at the operator's request. Moves already made are kept."


class ParseError(LibraryError):
    """The library's answer could not be understood; names the line."""

    def __init__(self, line_number: int, line: str, reason: str = "", *, raw: str = "") -> None:
        self.line_number = line_number
        self.line = line
        self.reason = reason
        why = f": {reason}" if reason else ""
        super().__init__(
            f"The tape library's status could not be read (line {line_number}: {line!r}{why}). "
            "Refresh the inventory; if this persists, report the line.",
            raw=raw,
        )


# -- the backend protocol -----------------------------------------------------------------


@runtime_checkable
class TapeLibrary(Protocol):
    """A tape library as the device thread drives it: blocking calls, one at a time.

    Every call may take seconds to minutes. ``progress`` receives a line per step;
    ``cancel`` is checked between device steps (a robot move in flight is never torn off:
    cancel takes effect before the next one). Every call raises a :class:`LibraryError`
    subclass on failure. Calls that move cartridges re-read the library afterwards and
    return the inventory they verified the move against.
    """

    def inventory(
        self,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        *,
        rescan: bool = False,
    ) -> Inventory:
        """What the library holds; with ``rescan`` the robot scans every element first."""
        ...

    def move(
        self,
        source: Location,
        destination: Location,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Inventory:
        """Moves one cartridge between any two places (slot, I/O slot, drive)."""
        ...

    def eject(
        self,
        volume_tags: Sequence[str],
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Inventory:
        """Moves these cartridges to the I/O station for the courier (from drives too).

        Raises :class:`IOStationFullError` before any move when they do not all fit.
        """
        ...

    def import_from_io(
        self,
        homes: dict[str, int] | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Inventory:
        """Moves every cartridge in the I/O station into storage.

        A cartridge goes to its home slot from ``homes`` (barcode → slot) when that slot is
        free, else to the lowest free storage slot.
        """
        ...

    def load(
        self,
        slot: int,
        drive: int,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Inventory: ...

    def unload(
        self,
        drive: int,
        slot: int | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Inventory:
        """Puts the drive's tape back, into ``slot`` or the slot it came from."""
        ...

    def check_label(
        self,
        volume_tag: str,
        drive: int = 0,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> LabelCheck:
        """Loads the cartridge, reads the label written on the tape, and puts it back."""
        ...


def cancelled(cancel: threading.Event | None) -> bool:
    """True when the caller asked to stop (between device steps)."""
    return cancel is not None and cancel.is_set()


def report(progress: Progress | None, text: str) -> None:
    if progress is not None:
        progress(text)


__all__ = [
    "CancelledError",
    "CommandFailedError",
    "DestinationFullError",
    "DeviceMissingError",
    "DoorOpenError",
    "DriveNeedsUnloadError",
    "Element",
    "ElementKind",
    "HardwareError",
    "IOStationFullError",
    "IOStationOpenError",
    "InvalidElementError",
    "Inventory",
    "LabelCheck",
    "LibraryError",
    "LibraryTimeoutError",
    "Location",
    "MoveNotVerifiedError",
    "NoPermissionError",
    "NotReadyError",
    "ParseError",
    "Progress",
    "Sense",
    "SourceEmptyError",
    "TapeLibrary",
    "UnitAttentionError",
    "cancelled",
    "report",
]
