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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from drm_gui.library.base import (
    CommandFailedError,
    Element,
    ElementKind,
    Inventory,
    LabelCheck,
    LibraryError,
    LibraryTimeoutError,
    Location,
    ParseError,
    Progress,
    SourceEmptyError,
    UnitAttentionError,
    report,
)
from drm_gui.library.drive import DEFAULT_LABEL_COMMAND, TapeDrives
from drm_gui.library.mtx_errors import classify_error, find_error, parse_sense, raw_text
from drm_gui.library.robot import RobotLibrary, stop_if
from drm_gui.library.rules import (
    check_move,
    element_at,
    verify_move,
    with_io_slots,
)

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


class MtxLibrary(RobotLibrary):
    """A SCSI tape library driven by running ``mtx -f DEVICE ...`` (blocking calls).

    Every call reads the status first and checks the move against it (so the robot is
    never sent where mtx's own checks or the library would refuse), runs one mtx command
    per cartridge, and re-reads the status afterwards to verify the cartridge arrived:
    mtx reports some transport failures as success (MTX.md §1.7, §7).

    One instance per changer, used from one device thread; a lock keeps two mtx processes
    off the same changer even so. ``timeout`` bounds a status read, ``move_timeout`` a
    robot move, ``inventory_timeout`` a full scan; a command that overruns is killed and
    reported as :class:`LibraryTimeoutError`.

    ``io_slots`` names storage slots that are the I/O station, for libraries that do not
    report their mail slots. ``drive_devices`` (drive n's ``/dev/nstN``) and the options of
    :class:`~drm_gui.library.drive.TapeDrives` serve the label check.
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
        io_slots: Collection[int] = (),
        drive_devices: Sequence[str] = (),
        mt_path: str = "mt",
        label_command: Sequence[str] = DEFAULT_LABEL_COMMAND,
        ready_timeout: float = 300.0,
        ready_poll: float = 2.0,
        offline_before_unload: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.device = device
        self.mtx_path = mtx_path
        self.timeout = timeout
        self.move_timeout = move_timeout
        self.inventory_timeout = inventory_timeout
        self.nobarcode = nobarcode
        self.altres = altres
        self.io_slots = tuple(io_slots)
        self.env = dict(env) if env is not None else None
        self.tape_drives = TapeDrives(
            drive_devices,
            mt_path=mt_path,
            label_command=label_command,
            timeout=timeout,
            ready_timeout=ready_timeout,
            poll=ready_poll,
            offline_before_unload=offline_before_unload,
            env=env,
        )
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
                # a session of its own: Ctrl-C in a terminal must not kill mtx mid-move
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
                    start_new_session=True,
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
            inventory = with_io_slots(inventory, self.io_slots)
            suspicious = _MODE_SENSE_FAILED.search(stderr) is not None or (
                self.last_inventory is not None and inventory.lost_io_slots(self.last_inventory)
            )
            if not suspicious:
                break
            log.info("mtx status looked incomplete (attempt %d); reading it again", attempt + 1)
        assert inventory is not None
        self.last_inventory = inventory
        return inventory

    # -- moving cartridges ----------------------------------------------------------------

    def _current(self) -> Inventory:
        return self.status()

    def _rescan(self, cancel: threading.Event | None) -> None:
        self.run("inventory", timeout=self.inventory_timeout)

    def _step(
        self,
        before: Inventory,
        source: Location,
        destination: Location,
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> Inventory:
        return self._move_one(before, source, destination, progress)

    def check_label(
        self,
        volume_tag: str,
        drive: int = 0,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> LabelCheck:
        """Loads the cartridge into ``drive``, reads its label, and puts it back (MTX.md §3.2).

        A cartridge already in a drive is read there and left there. The cartridge goes
        back to where it came from even when the read fails or the operator cancels while
        the drive gets ready; the read's error (or the cancel) is what is raised then.
        """
        stop_if(cancel)
        tag = volume_tag.strip()
        self.tape_drives.device(drive)  # a missing drive device fails before the robot moves
        inventory = self.status()
        element = inventory.find(tag)
        if element is None:
            raise SourceEmptyError(
                f"{tag} is not in the library. Refresh the inventory and check the selection."
            )
        home: Location | None = None
        if element.is_drive:
            drive = element.number
            self.tape_drives.device(drive)
        else:
            home = element.location
            self._move_one(inventory, home, Location.of_drive(drive), progress)
        try:
            self.tape_drives.wait_ready(drive, progress, cancel)
            report(progress, f"Reading the label of {tag} in drive {drive}…")
            label = self.tape_drives.read_label(drive)
        except BaseException:
            if home is not None:
                self._put_back_quietly(drive, home, progress)
            raise
        if home is not None:
            self._put_back(drive, home, progress)
        return LabelCheck(tag, label.name, label.format, label.blank)

    def _put_back(self, drive: int, home: Location, progress: Progress | None) -> None:
        try:
            self.tape_drives.prepare_unload(drive)
        except LibraryError as late:
            # the robot may still get the tape; if not, its error tells the operator
            log.warning("could not rewind/eject the tape in drive %d: %s", drive, late)
        self._move_one(self.status(), Location.of_drive(drive), home, progress)

    def _put_back_quietly(self, drive: int, home: Location, progress: Progress | None) -> None:
        """After a failed read: tries to put the tape back; a failure here is only logged,
        so that the operator sees the first error, the one that tells what went wrong."""
        try:
            self._put_back(drive, home, progress)
        except LibraryError as late:
            log.warning("could not put the tape in drive %d back to %s: %s", drive, home, late)

    # -- one verified move ------------------------------------------------------------------

    def _move_one(
        self,
        before: Inventory,
        source: Location,
        destination: Location,
        progress: Progress | None,
    ) -> Inventory:
        source_element = element_at(before, source)
        target_element = element_at(before, destination)
        check_move(source_element, target_element)
        what = source_element.volume_tag or "the tape"
        report(progress, f"Moving {what} from {source_element.label} to {target_element.label}…")
        args = _move_args(source, destination)
        try:
            self.run(*args, timeout=self.move_timeout)
        except UnitAttentionError:
            # the library changed between the status read and the move: look again, once
            log.info("unit attention on %s; re-reading the status and retrying once", args)
            before = self.status()
            check_move(element_at(before, source), element_at(before, destination))
            self.run(*args, timeout=self.move_timeout)
        after = self.status()
        verify_move(before, after, source, destination)
        return after


def _text(data: str | bytes | None) -> str:
    if data is None:
        return ""
    if isinstance(data, bytes):
        return data.decode("utf-8", errors="replace")
    return data


def _move_args(source: Location, destination: Location) -> list[str]:
    if source.drive:
        return ["unload", str(destination.number), str(source.number)]
    if destination.drive:
        return ["load", str(source.number), str(destination.number)]
    return ["transfer", str(source.number), str(destination.number)]
