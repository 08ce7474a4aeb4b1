"""The real changer through the ``mtx`` command.

``parse_status`` reads what ``mtx status`` prints (grammar in MTX.md §1.3, tolerant of what
real libraries do with it); ``classify_error`` (from :mod:`drm_gui.library.mtx_errors`,
re-exported here) turns a failed run's exit code, stdout and stderr into the typed errors
of :mod:`drm_gui.library.base` (MTX.md §1.6). Both are pure functions; :class:`MtxLibrary`
runs mtx as a subprocess.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from drm_gui.library.base import (
    CancelledError,
    CommandFailedError,
    DestinationFullError,
    Element,
    ElementKind,
    InvalidElementError,
    Inventory,
    IOStationFullError,
    LabelCheck,
    LibraryTimeoutError,
    Location,
    MoveNotVerifiedError,
    ParseError,
    Progress,
    SourceEmptyError,
    UnitAttentionError,
    cancelled,
    report,
)
from drm_gui.library.mtx_errors import classify_error, find_error, parse_sense, raw_text

__all__ = [
    "MtxLibrary",
    "ParseError",
    "classify_error",
    "find_error",
    "parse_sense",
    "parse_status",
]

log = logging.getLogger(__name__)

# -- mtx status ---------------------------------------------------------------------------

# The device path is taken greedily up to the last ":<digits> Drives": by-path names hold
# colons (/dev/tape/by-path/pci-0000:00:1f.2-...).
_HEADER = re.compile(
    r"^\s*Storage\s+Changer\s+(?P<dev>.*):\s*(?P<drives>\d+)\s+Drives?,\s*(?P<slots>\d+)\s+"
    r"Slots?\s*\(\s*(?P<ie>\d+)\s+Import/Export\s*\)\s*$",
    re.IGNORECASE,
)
_DRIVE = re.compile(
    r"^\s*Data\s+Transfer\s+Element\s*(?P<n>\d+)\s*:\s*(?P<state>Full|Empty)(?P<rest>.*)$",
    re.IGNORECASE,
)
_SOURCE = re.compile(
    r"^\s*\(\s*(?:Storage\s+Element\s+(?P<src>\d+)|(?P<unknown>Unknown\s+Storage\s+Element))"
    r"\s+Loaded\s*\)(?P<rest>.*)$",
    re.IGNORECASE,
)
_SLOT = re.compile(
    r"^\s*Storage\s+Element\s*(?P<n>\d+)(?P<ie>\s*IMPORT/EXPORT)?\s*:\s*(?P<state>Full|Empty)"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)
# A tag runs to the next ":AlternateVolumeTag" or the end of the line, blanks included
# ("DG 001L8" is a real tag); "=" with or without blanks on either line kind.
_TAGS = re.compile(
    r"^\s*(?::\s*VolumeTag\s*=(?P<tag>.*?))?(?::\s*AlternateVolumeTag\s*=(?P<alt>.*))?\s*$",
    re.IGNORECASE,
)


def _clean_tag(text: str | None) -> str | None:
    if text is None:
        return None
    tag = text.strip(" \t\0")
    return tag or None


def _tags(rest: str, number: int, line: str) -> tuple[str | None, str | None]:
    match = _TAGS.match(rest)
    if match is None:
        raise ParseError(number, line, "unexpected text after the element state")
    return _clean_tag(match["tag"]), _clean_tag(match["alt"])


@dataclass
class _Header:
    line_number: int
    line: str
    changer: str
    drives: int
    slots: int
    io_slots: int


def parse_status(text: str) -> Inventory:
    """The inventory ``mtx status`` printed; raises ParseError naming a line it cannot read.

    Accepts padded and unpadded tags, tags with inner blanks, alternate tags, ``Full``
    without a tag, an unknown source slot, one or two leading blanks on the header, device
    paths with colons, I/O slots anywhere in the slot list, and ``\\r\\n`` line ends. The
    counts in the header must agree with the element lines (a cut-off report is refused).
    """
    header: _Header | None = None
    drives: dict[int, Element] = {}
    slots: dict[int, Element] = {}
    line_of: dict[tuple[bool, int], int] = {}

    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.rstrip("\r\n")
        if not line.strip():
            continue
        if (m := _HEADER.match(line)) is not None:
            if header is not None:
                raise ParseError(number, line, "a second header")
            header = _Header(
                number,
                line,
                m["dev"].strip(),
                int(m["drives"]),
                int(m["slots"]),
                int(m["ie"]),
            )
            continue
        if header is None:
            raise ParseError(number, line, "expected the 'Storage Changer' header first")
        if (m := _DRIVE.match(line)) is not None:
            drive = _parse_drive(m, number, line)
            if drive.number in drives:
                raise ParseError(number, line, f"drive {drive.number} listed twice")
            drives[drive.number] = drive
            line_of[(True, drive.number)] = number
            continue
        if (m := _SLOT.match(line)) is not None:
            slot = _parse_slot(m, number, line)
            if slot.number in slots:
                raise ParseError(number, line, f"slot {slot.number} listed twice")
            slots[slot.number] = slot
            line_of[(False, slot.number)] = number
            continue
        raise ParseError(number, line, "not a line of mtx status")

    if header is None:
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        raise ParseError(1, first, "no 'Storage Changer' header")
    _check_counts(header, drives, slots)
    return Inventory(
        changer=header.changer,
        drives=tuple(drives[n] for n in sorted(drives)),
        slots=tuple(slots[n] for n in sorted(slots)),
    )


def _parse_drive(m: re.Match[str], number: int, line: str) -> Element:
    full = m["state"].lower() == "full"
    rest = m["rest"]
    loaded_from: int | None = None
    if full and (src := _SOURCE.match(rest)) is not None:
        if src["src"] is not None:
            loaded_from = int(src["src"])
        rest = src["rest"]
    tag, alt = _tags(rest, number, line)
    return Element(
        ElementKind.DRIVE,
        int(m["n"]),
        full,
        volume_tag=tag,
        alternate_tag=alt,
        loaded_from=loaded_from,
    )


def _parse_slot(m: re.Match[str], number: int, line: str) -> Element:
    tag, alt = _tags(m["rest"], number, line)
    kind = ElementKind.IMPORT_EXPORT if m["ie"] else ElementKind.STORAGE
    return Element(kind, int(m["n"]), m["state"].lower() == "full", tag, alt)


def _check_counts(header: _Header, drives: dict[int, Element], slots: dict[int, Element]) -> None:
    def fail(reason: str) -> ParseError:
        return ParseError(header.line_number, header.line, reason)

    if sorted(drives) != list(range(len(drives))):
        raise fail(f"drives are not numbered 0..{len(drives) - 1}: {sorted(drives)}")
    if sorted(slots) != list(range(1, len(slots) + 1)):
        raise fail(f"slots are not numbered 1..{len(slots)}")
    if len(drives) != header.drives:
        raise fail(f"the header says {header.drives} drives, {len(drives)} are listed")
    if len(slots) != header.slots:
        raise fail(f"the header says {header.slots} slots, {len(slots)} are listed")
    io = sum(1 for s in slots.values() if s.import_export)
    if io != header.io_slots:
        raise fail(f"the header says {header.io_slots} I/O slots, {io} are listed")


# -- the changer through the mtx command ---------------------------------------------------

_MODE_SENSE_FAILED = re.compile(r"Mode sense \(0x1A\) for Page 0x1D failed", re.IGNORECASE)


class MtxLibrary:
    """A SCSI tape library driven by running ``mtx -f DEVICE ...`` (blocking calls).

    Every call reads the status first and checks the move against it (so the robot is
    never sent where mtx's own checks or the library would refuse), runs one mtx command
    per cartridge, and re-reads the status afterwards to verify the cartridge arrived:
    mtx reports some transport failures as success (MTX.md §1.7, §7).

    One instance per changer, used from one device thread; a lock keeps two mtx processes
    off the same changer even so. ``timeout`` bounds a status read, ``move_timeout`` a
    robot move, ``inventory_timeout`` a full scan; a command that overruns is killed and
    reported as :class:`LibraryTimeoutError`.
    """

    def __init__(
        self,
        device: str,
        mtx_path: str = "mtx",
        timeout: float = 120.0,
        *,
        move_timeout: float = 600.0,
        inventory_timeout: float = 1800.0,
        nobarcode: bool = False,
        altres: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.device = device
        self.mtx_path = mtx_path
        self.timeout = timeout
        self.move_timeout = move_timeout
        self.inventory_timeout = inventory_timeout
        self.nobarcode = nobarcode
        self.altres = altres
        self.env = dict(env) if env is not None else None
        self.last_inventory: Inventory | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MtxLibrary({self.device!r}, mtx_path={self.mtx_path!r})"

    # -- running mtx ----------------------------------------------------------------------

    def command_line(self, *args: str) -> list[str]:
        flags = (["altres"] if self.altres else []) + (["nobarcode"] if self.nobarcode else [])
        return [self.mtx_path, "-f", self.device, *flags, *args]

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ if self.env is None else self.env)
        # mtx falls back to $CHANGER / $TAPE without -f; it always gets -f, but a stray
        # variable must not matter. strerror() texts must be English to be classified.
        env.pop("CHANGER", None)
        env.pop("TAPE", None)
        env["LC_ALL"] = "C"
        env["LANG"] = "C"
        return env

    def run(self, *args: str, timeout: float | None = None) -> tuple[str, str]:
        """Runs one mtx command; returns (stdout, stderr) or raises a LibraryError."""
        cmd = self.command_line(*args)
        limit = self.timeout if timeout is None else timeout
        log.debug("running %s (timeout %s s)", cmd, limit)
        with self._lock:
            try:
                done = subprocess.run(
                    cmd,
                    capture_output=True,
                    text=True,
                    encoding="utf-8",
                    errors="replace",
                    timeout=limit,
                    env=self._environment(),
                    stdin=subprocess.DEVNULL,
                    check=False,
                )
            except FileNotFoundError:
                raise CommandFailedError(
                    f"The mtx program was not found ({self.mtx_path}). Install the mtx package "
                    "or set the path to mtx in the library settings."
                ) from None
            except PermissionError:
                raise CommandFailedError(
                    f"{self.mtx_path} cannot be run (no permission to execute it). Check the "
                    "path to mtx in the library settings."
                ) from None
            except subprocess.TimeoutExpired as late:
                raise LibraryTimeoutError(
                    f"The tape library did not answer within {limit:g} s ({' '.join(args)}). "
                    "Check that it is on and not in use at its panel, then press Retry; the "
                    "inventory is read again first.",
                    raw=raw_text(_text(late.stdout), _text(late.stderr)),
                ) from None
        if done.stderr.strip():
            log.info("mtx %s: rc=%s stderr=%r", " ".join(args), done.returncode, done.stderr)
        error = find_error(done.returncode, done.stdout, done.stderr)
        if error is not None:
            raise error
        return done.stdout, done.stderr

    # -- reading the library ----------------------------------------------------------------

    def status(self) -> Inventory:
        """One ``mtx status``, read again once when mtx had to guess the layout.

        A failed MODE SENSE (a pending Unit Attention, typically after a door was closed)
        makes mtx fall back to built-in limits and leave out the I/O station; so does a
        Unit Attention on the status read itself.
        """
        inventory: Inventory | None = None
        for attempt in range(2):
            try:
                stdout, stderr = self.run("status")
            except UnitAttentionError:
                if attempt:
                    raise
                continue
            try:
                inventory = parse_status(stdout)
            except ParseError as bad:
                raise ParseError(
                    bad.line_number, bad.line, bad.reason, raw=raw_text(stdout, stderr)
                ) from None
            suspicious = _MODE_SENSE_FAILED.search(stderr) is not None or (
                self.last_inventory is not None and inventory.lost_io_slots(self.last_inventory)
            )
            if not suspicious:
                break
            log.info("mtx status looked incomplete (attempt %d); reading it again", attempt + 1)
        assert inventory is not None
        self.last_inventory = inventory
        return inventory

    def inventory(
        self,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        *,
        rescan: bool = False,
    ) -> Inventory:
        _stop_if(cancel)
        if rescan:
            report(progress, "The library is scanning its tapes…")
            self.run("inventory", timeout=self.inventory_timeout)
            _stop_if(cancel)
        report(progress, "Reading the library's inventory…")
        return self.status()

    # -- moving cartridges ----------------------------------------------------------------

    def move(
        self,
        source: Location,
        destination: Location,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Inventory:
        _stop_if(cancel)
        before = self.status()
        if source.drive and destination.drive:
            # mtx has no drive-to-drive move: through the lowest free storage slot
            free = before.free_slots(keep_drive_homes=True) or before.free_slots()
            if not free:
                raise DestinationFullError(
                    "There is no free slot to pass the tape through. Free a slot, then try again."
                )
            between = free[0].location
            middle = self._move_one(before, source, between, progress)
            _stop_if(cancel)
            return self._move_one(middle, between, destination, progress)
        return self._move_one(before, source, destination, progress)

    def load(
        self,
        slot: int,
        drive: int,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Inventory:
        return self.move(Location.of_slot(slot), Location.of_drive(drive), progress, cancel)

    def unload(
        self,
        drive: int,
        slot: int | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Inventory:
        _stop_if(cancel)
        before = self.status()
        element = _element(before, Location.of_drive(drive))
        if slot is None:
            # mtx's own guess when it has no source is the first empty slot; say so
            # explicitly, so the verify step knows where the tape must land
            home = element.loaded_from
            if home is None or before.slot(home).full:
                free = before.free_slots(keep_drive_homes=True) or before.free_slots()
                if not free:
                    raise DestinationFullError(
                        f"There is no free slot for drive {drive}'s tape. Free a slot, then "
                        "try again."
                    )
                home = free[0].number
            slot = home
        return self._move_one(before, Location.of_drive(drive), Location.of_slot(slot), progress)

    def eject(
        self,
        volume_tags: Sequence[str],
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Inventory:
        _stop_if(cancel)
        inventory = self.status()
        to_move: list[Element] = []
        for tag in dict.fromkeys(t.strip() for t in volume_tags):
            element = inventory.find(tag)
            if element is None:
                raise SourceEmptyError(
                    f"{tag} is not in the library. Refresh the inventory and check the selection."
                )
            if not element.import_export:
                to_move.append(element)
        free = inventory.free_io_slots()
        if len(to_move) > len(free):
            raise IOStationFullError.for_request(len(free), len(to_move))
        # storage slots in slot order (as Bareos does), then tapes still in drives
        to_move.sort(key=lambda e: (e.is_drive, e.number))
        for done, (element, target) in enumerate(zip(to_move, free, strict=False)):
            if cancelled(cancel):
                raise CancelledError(
                    f"Stopped after {done} of {len(to_move)} tapes. The tapes moved so far "
                    "are in the I/O station."
                )
            inventory = self._move_one(inventory, element.location, target.location, progress)
        return inventory

    def import_from_io(
        self,
        homes: dict[str, int] | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Inventory:
        _stop_if(cancel)
        inventory = self.status()
        waiting = inventory.full_io_slots()
        for done, element in enumerate(waiting):
            if cancelled(cancel):
                raise CancelledError(
                    f"Stopped after {done} of {len(waiting)} tapes. The others are still in "
                    "the I/O station."
                )
            target = _home_slot(inventory, element, homes or {})
            inventory = self._move_one(
                inventory, element.location, Location.of_slot(target), progress
            )
        return inventory

    def check_label(
        self,
        volume_tag: str,
        drive: int = 0,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> LabelCheck:
        """Not through mtx alone: reading the label needs the drive's device (a later step)."""
        raise NotImplementedError("check_label needs the drive devices (not configured yet)")

    # -- one verified move ------------------------------------------------------------------

    def _move_one(
        self,
        before: Inventory,
        source: Location,
        destination: Location,
        progress: Progress | None,
    ) -> Inventory:
        source_element = _element(before, source)
        target_element = _element(before, destination)
        _check_move(source_element, target_element)
        what = source_element.volume_tag or "the tape"
        report(progress, f"Moving {what} from {source_element.label} to {target_element.label}…")
        args = _move_args(source, destination)
        try:
            self.run(*args, timeout=self.move_timeout)
        except UnitAttentionError:
            # the library changed between the status read and the move: look again, once
            log.info("unit attention on %s; re-reading the status and retrying once", args)
            before = self.status()
            source_element = _element(before, source)
            target_element = _element(before, destination)
            _check_move(source_element, target_element)
            self.run(*args, timeout=self.move_timeout)
        after = self.status()
        _verify_move(before, after, source, destination)
        return after


def _text(data: str | bytes | None) -> str:
    if data is None:
        return ""
    if isinstance(data, bytes):
        return data.decode("utf-8", errors="replace")
    return data


def _stop_if(cancel: threading.Event | None) -> None:
    if cancelled(cancel):
        raise CancelledError()


def _element(inventory: Inventory, location: Location) -> Element:
    try:
        return inventory.at(location)
    except KeyError:
        raise InvalidElementError(
            f"The library has no {location} (it has {inventory.max_drives} drives and "
            f"{len(inventory.slots)} slots). Refresh the inventory and check the selection."
        ) from None


def _check_move(source: Element, target: Element) -> None:
    """The checks mtx and the library would make, before the robot moves."""
    if source.location == target.location:
        raise InvalidElementError(f"{source.label} is both the source and the destination.")
    if source.empty:
        raise SourceEmptyError(
            f"{source.label} holds no tape: the inventory was out of date. Refresh it, then "
            "try again."
        )
    if target.full:
        held = f" ({target.volume_tag})" if target.volume_tag else ""
        if target.import_export:
            raise IOStationFullError(
                f"{target.label} of the I/O station already holds a tape{held}. Empty the I/O "
                "station, then press Retry."
            )
        raise DestinationFullError(
            f"{target.label} already holds a tape{held}. Choose an empty place, or refresh "
            "the inventory."
        )


def _move_args(source: Location, destination: Location) -> list[str]:
    if source.drive:
        return ["unload", str(destination.number), str(source.number)]
    if destination.drive:
        return ["load", str(source.number), str(destination.number)]
    return ["transfer", str(source.number), str(destination.number)]


def _verify_move(
    before: Inventory, after: Inventory, source: Location, destination: Location
) -> None:
    """The cartridge left the source and sits at the destination, same barcode if any."""
    was = _element(before, source)
    now_source = _element(after, source)
    now_target = _element(after, destination)
    arrived = now_target.full and (
        was.volume_tag is None or now_target.volume_tag in (None, was.volume_tag)
    )
    if arrived and now_source.empty:
        return
    what = was.volume_tag or "The tape"
    where = "still in" if now_source.full else "not in"
    place = now_source.label if now_source.full else now_target.label
    raise MoveNotVerifiedError(
        f"The library reported the move as done, but {what} is {where} {place}. Check the "
        "library's front panel, refresh the inventory, then try again."
    )


def _home_slot(inventory: Inventory, element: Element, homes: Mapping[str, int]) -> int:
    """Where a cartridge from the I/O station goes: its home slot if free, else the lowest."""
    tag = element.volume_tag
    if tag is not None and tag in homes:
        try:
            home = inventory.slot(homes[tag])
        except KeyError:
            home = None
        if home is not None and home.empty and not home.import_export:
            return home.number
    free = inventory.free_slots(keep_drive_homes=True) or inventory.free_slots()
    if not free:
        raise DestinationFullError(
            f"There is no free storage slot for {tag or 'the tape'} in {element.label}. Free "
            "a slot (export tapes), then try again."
        )
    return free[0].number
