"""What a failed ``mtx`` run means: its exit code, stdout and stderr as typed errors.

``classify_error`` maps every message and exit code of MTX.md §1.6 (mtx 1.3.12's
FatalError() lines, the friendly texts of its Move(), and the library's sense data in its
sense dumps) to the errors of :mod:`drm_gui.library.base`. Pure functions, no processes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from drm_gui.library.base import (
    CommandFailedError,
    DestinationFullError,
    DeviceMissingError,
    DoorOpenError,
    DriveNeedsUnloadError,
    HardwareError,
    InvalidElementError,
    IOStationOpenError,
    LibraryError,
    LibraryTimeoutError,
    NoPermissionError,
    NotReadyError,
    Sense,
    SourceEmptyError,
    UnitAttentionError,
)

__all__ = ["OFFLINE_MESSAGE", "classify_error", "find_error", "parse_sense", "raw_text"]

OFFLINE_MESSAGE = (
    "The tape library is offline. Set it online at its front panel or web interface, then "
    "press Retry."
)

_SENSE_PREFIX = "mtx: Request Sense:"
_SENSE_KEY = re.compile(r"Sense Key=(?P<key>.+?)\s*$")
_SENSE_ASC = re.compile(r"Additional Sense Code\s*=\s*(?P<v>[0-9A-Fa-f]{1,2})\b")
_SENSE_ASCQ = re.compile(r"Additional Sense Qualifier\s*=\s*(?P<v>[0-9A-Fa-f]{1,2})\b")
_SENSE_CODE = re.compile(r"Error Code=(?P<v>.+?)\s*$")


def parse_sense(stderr: str) -> list[Sense]:
    """Every sense dump mtx printed (``mtx: Request Sense: ...`` blocks), in order."""
    found: list[Sense] = []
    current: dict[str, str] | None = None

    def flush() -> None:
        if current is not None and "key" in current:
            found.append(
                Sense(
                    key=current["key"],
                    asc=int(current["asc"], 16) if "asc" in current else None,
                    ascq=int(current["ascq"], 16) if "ascq" in current else None,
                    error_code=current.get("code"),
                )
            )

    for raw_line in stderr.splitlines():
        line = raw_line.strip()
        if not line.startswith(_SENSE_PREFIX):
            continue
        body = line[len(_SENSE_PREFIX) :].strip()
        if body.startswith("Long Report") or current is None:
            flush()
            current = {}
        if (m := _SENSE_KEY.search(body)) is not None and body.startswith("Sense Key"):
            current["key"] = m["key"]
        elif (m := _SENSE_ASC.search(body)) is not None:
            current["asc"] = m["v"]
        elif (m := _SENSE_ASCQ.search(body)) is not None:
            current["ascq"] = m["v"]
        elif (m := _SENSE_CODE.search(body)) is not None and body.startswith("Error Code"):
            current["code"] = m["v"]
    flush()
    return found


@dataclass(frozen=True, slots=True)
class _Failure:
    """What classify_error knows when it builds an error."""

    raw: str
    returncode: int
    sense: Sense | None

    def make(self, cls: type[LibraryError], message: str | None = None) -> LibraryError:
        return cls(message, raw=self.raw, returncode=self.returncode, sense=self.sense)


def _by_sense(
    f: _Failure, default: type[LibraryError], default_message: str | None
) -> LibraryError:
    """The error a library's sense data means (MTX.md §1.6 sense table)."""
    s = f.sense
    if s is None:
        return f.make(default, default_message)
    code = (s.asc, s.ascq)
    key = s.key.lower()
    if s.all_zero:
        return f.make(
            LibraryTimeoutError,
            "The tape library did not answer (no sense data: a transport error, reset or "
            "timeout). Check that it is on and connected, then press Retry; the inventory is "
            "read again first.",
        )
    if key == "not ready":
        return _not_ready(f, code)
    if key == "unit attention":
        why = _UNIT_ATTENTION.get(code, "a change")
        return f.make(
            UnitAttentionError,
            f"The tape library reported {why}. Press Retry; the inventory is read again first.",
        )
    if key in ("hardware error", "medium error"):
        return f.make(HardwareError)
    if key == "illegal request":
        if code == (0x3B, 0x0D):
            return f.make(DestinationFullError)
        if code == (0x3B, 0x0E):
            return f.make(SourceEmptyError)
        if code == (0x3B, 0x12):
            return f.make(
                DoorOpenError,
                "A magazine of the tape library is removed. Insert it, then press Retry.",
            )
        if code == (0x21, 0x01):
            return f.make(
                InvalidElementError,
                "The library refused an element address. Check the library settings (drive "
                "and slot mapping), then refresh the inventory.",
            )
        if code == (0x53, 0x02):
            return f.make(
                CommandFailedError,
                "The drive is locked by another program (medium removal prevented), for "
                "example the backup software. Release it there, then try again.",
            )
        return f.make(
            CommandFailedError,
            f"The tape library refused the command ({s}). See the log for details.",
        )
    if key == "aborted command":
        return f.make(
            CommandFailedError,
            "The tape library aborted the command. Refresh the inventory and try again.",
        )
    return f.make(default, default_message or f"The tape library command failed ({s}).")


_UNIT_ATTENTION: dict[tuple[int | None, int | None], str] = {
    (0x28, 0x00): "its state changed (a door was closed or tapes were added)",
    (0x29, 0x00): "it was switched on or reset",
}


def _not_ready(f: _Failure, code: tuple[int | None, int | None]) -> LibraryError:
    if code in ((0x04, 0x03), (0x04, 0x83)):
        return f.make(DoorOpenError)
    if code == (0x3A, 0x02):
        return f.make(IOStationOpenError)
    if code == (0x3A, 0x00):
        return f.make(DriveNeedsUnloadError)
    if code == (0x04, 0x01):
        return f.make(
            NotReadyError,
            "The tape library is becoming ready (scanning its tapes after a door was closed "
            "or it was switched on). Wait a minute, then press Retry.",
        )
    if code in ((0x04, 0x12), (0x00, 0x00)):
        return f.make(NotReadyError, OFFLINE_MESSAGE)
    if code in ((0x04, 0x89), (0x04, 0x8D)):
        return f.make(
            NotReadyError,
            "The tape library is in use at its front panel. Finish there, then press Retry.",
        )
    if code == (0x30, 0x03):
        return f.make(_CLEANING[0], _CLEANING[1])
    return f.make(NotReadyError)


_CLEANING: tuple[type[LibraryError], str] = (
    NotReadyError,
    "A cleaning cartridge is in the drive. Wait until the cleaning has finished, then press Retry.",
)

_Handler = Callable[[_Failure, re.Match[str]], LibraryError]


def _fixed(cls: type[LibraryError], message: str | None = None) -> _Handler:
    return lambda f, _m: f.make(cls, message)


def _sensed(cls: type[LibraryError], message: str | None = None) -> _Handler:
    return lambda f, _m: _by_sense(f, cls, message)


def _open_failed(f: _Failure, m: re.Match[str]) -> LibraryError:
    device, why = m["dev"], m["why"].strip()
    low = why.lower()
    if "permission denied" in low or "operation not permitted" in low:
        return f.make(
            NoPermissionError,
            f"This user may not open the changer device {device}. Ask an administrator to add "
            "the user to the 'tape' group, then log in again.",
        )
    if "busy" in low:
        return f.make(
            NotReadyError,
            f"The changer device {device} is in use by another program (backup software?). "
            "Wait until it has finished, then press Retry.",
        )
    if "no such" in low:
        return f.make(
            DeviceMissingError,
            f"The changer device {device} does not exist. Check the library's cable and power "
            "and the changer device in the settings (sg numbers change after a reboot; "
            "prefer /dev/tape/by-id/...), then press Retry.",
        )
    return f.make(CommandFailedError, f"The changer device {device} could not be opened ({why}).")


def _not_sg(f: _Failure, m: re.Match[str]) -> LibraryError:
    return f.make(
        DeviceMissingError,
        f"The changer device {m['dev']} is not a SCSI generic device. Set the right one (for "
        "example /dev/sg3 or /dev/tape/by-id/...) in the settings.",
    )


def _drive_full(f: _Failure, m: re.Match[str]) -> LibraryError:
    source = int(m["slot"])
    where = f" (from slot {source})" if source > 0 else ""
    return f.make(
        DestinationFullError,
        f"Drive {m['drive']} already holds a tape{where}. Unload it first or choose another drive.",
    )


def _drive_empty(f: _Failure, m: re.Match[str]) -> LibraryError:
    return f.make(
        SourceEmptyError,
        f"Drive {m['drive']} holds no tape: the inventory is out of date. Refresh it, then try "
        "again.",
    )


def _slot_full(f: _Failure, m: re.Match[str]) -> LibraryError:
    return f.make(
        DestinationFullError,
        f"Slot {m['slot']} already holds a tape: the inventory is out of date. Refresh it and "
        "choose an empty slot.",
    )


def _address_full(f: _Failure, m: re.Match[str]) -> LibraryError:
    return f.make(
        DestinationFullError,
        f"The library's destination (element address {m['addr']}) already holds a tape: the "
        "inventory is out of date. Refresh it and choose an empty place.",
    )


def _address_empty(f: _Failure, m: re.Match[str]) -> LibraryError:
    return f.make(
        SourceEmptyError,
        f"The library found no tape at the source (element address {m['addr']}): the "
        "inventory is out of date. Refresh it, then try again.",
    )


def _no_source(f: _Failure, m: re.Match[str]) -> LibraryError:
    drive = m.groupdict().get("drive")
    which = f"drive {drive}'s" if drive is not None else "the drive's"
    return f.make(
        CommandFailedError,
        f"The library does not know which slot {which} tape came from. Choose the slot to put "
        "it in.",
    )


_ARGUMENTS = InvalidElementError
_FIRMWARE = (
    "The tape library gave an answer mtx does not understand. Try the 'altres' option in the "
    "library settings; see the log for the library's answer."
)

# Fatal lines of mtx (stderr), matched from the last line upwards; case-insensitive because
# other tools that imitate mtx write "source Element Address ..." in lower case.
_PATTERNS: list[tuple[re.Pattern[str], _Handler]] = [
    (re.compile(r"cannot open SCSI device '(?P<dev>.*)' - (?P<why>.*)"), _open_failed),
    (re.compile(r"(?P<dev>.*) is not an sg device, or old sg driver"), _not_sg),
    (re.compile(r"failed to set sg timeout"), _fixed(CommandFailedError)),
    (re.compile(r"cannot close SCSI device"), _fixed(CommandFailedError)),
    (
        re.compile(r"INQUIRY command Failed"),
        _sensed(
            NotReadyError,
            "The changer device does not answer. Check that the library is on and connected, "
            "then press Retry.",
        ),
    ),
    (
        re.compile(r"READ ELEMENT STATUS Command Failed"),
        _sensed(NotReadyError),
    ),
    (
        re.compile(r"no (Data Transfer|Storage) Elements? reported"),
        _fixed(
            DeviceMissingError,
            "The configured device does not report drives and slots: it is not the tape "
            "library's changer (wrong device or LUN?). Check the changer device in the "
            "settings.",
        ),
    ),
    (
        re.compile(r"Too many Data Transfer Elements Reported"),
        _fixed(CommandFailedError, _FIRMWARE),
    ),
    (re.compile(r"illegal Element Type Code"), _fixed(CommandFailedError, _FIRMWARE)),
    (re.compile(r"Transport Element Descriptor Length"), _fixed(CommandFailedError, _FIRMWARE)),
    (
        re.compile(r"(Initialize Element Status \(0x07\) failed|inventory failed)"),
        _sensed(
            CommandFailedError,
            "The library could not scan its tapes (inventory failed). Check its front panel, "
            "then press Retry.",
        ),
    ),
    (
        re.compile(r"(Eject \(0x1B\) failed|eject failed)"),
        _sensed(CommandFailedError, "The eject command failed."),
    ),
    (re.compile(r"No (source|destination) specified"), _fixed(_ARGUMENTS)),
    (re.compile(r"Invalid <storage-element-number> argument"), _fixed(_ARGUMENTS)),
    (re.compile(r"illegal <(drive|storage-element)-number> argument"), _fixed(_ARGUMENTS)),
    (re.compile(r"^Invalid (source|destination)\s*$"), _fixed(_ARGUMENTS)),
    (
        re.compile(r"Drive (?P<drive>\d+) Full \(Storage Element (?P<slot>-?\d+) loaded\)"),
        _drive_full,
    ),
    (re.compile(r"Data Transfer Element (?P<drive>\d+) is Empty"), _drive_empty),
    (re.compile(r"Storage Element (?P<slot>\d+) is Already Full"), _slot_full),
    (re.compile(r"No Source for tape in drive (?P<drive>\d+)"), _no_source),
    (re.compile(r"Do not know which slot to unload tape into"), _no_source),
    (
        re.compile(r"No More Media"),
        _fixed(SourceEmptyError, "There are no more tapes to load in that direction."),
    ),
    (
        re.compile(r"eepos e?requires argument"),
        _fixed(CommandFailedError, "The mtx program was given a bad 'eepos' value (0 to 3)."),
    ),
    (
        re.compile(r"No Media Changer Device Specified"),
        _fixed(
            DeviceMissingError,
            "No changer device is configured. Set it in the library settings.",
        ),
    ),
    (re.compile(r"Cleaning Cartridge Installed and Ejected"), _fixed(*_CLEANING)),
    (re.compile(r"Drive needs offline before move"), _fixed(DriveNeedsUnloadError)),
    (re.compile(r"Destination Element Address (?P<addr>\d+) is Already Full"), _address_full),
    (re.compile(r"Source Element Address (?P<addr>\d+) is Empty"), _address_empty),
    (
        re.compile(r"(MOVE|EXCHANGE) MEDIUM from Element Address \d+ to \d+ Failed"),
        _sensed(CommandFailedError),
    ),
    (
        re.compile(r"Could not position transport"),
        _sensed(CommandFailedError, "The library could not move its robot to the element."),
    ),
    (
        re.compile(r"^(Usage:|mtx version|\s*mtx \[ -f)"),
        _fixed(
            CommandFailedError,
            "The mtx program did not understand its command line (an unsupported mtx version?). "
            "See the log.",
        ),
    ),
]
_COMPILED = [(re.compile(p.pattern, re.IGNORECASE), h) for p, h in _PATTERNS]

# Lines mtx prints without failing (warnings): never the reason of a failure.
_WARNINGS = re.compile(r"^(Mode sense \(0x1A\) for Page 0x1D failed|Warning:)", re.IGNORECASE)


def raw_text(stdout: str, stderr: str) -> str:
    """stdout and stderr of a run as one text for the log."""
    parts = [p.rstrip("\n") for p in (stdout, stderr) if p.strip()]
    return "\n".join(parts)


def classify_error(returncode: int, stdout: str, stderr: str) -> LibraryError:
    """The typed error for a failed mtx run (MTX.md §1.6).

    Looks for mtx's fatal line from the last stderr line upwards; where that line only says
    a SCSI command failed, the library's sense data (key, ASC/ASCQ) decide. The sense data
    nearest the fatal line is kept on the error, with the raw text and the exit code.
    """
    senses = parse_sense(stderr)
    failure = _Failure(raw_text(stdout, stderr), returncode, senses[-1] if senses else None)

    if returncode < 0:
        return failure.make(
            CommandFailedError,
            f"The mtx program was stopped (signal {-returncode}) before it finished. Refresh "
            "the inventory before anything else.",
        )
    if returncode in (126, 127):
        return failure.make(
            CommandFailedError,
            "The mtx program could not be started. Install the mtx package or set the path to "
            "mtx in the library settings.",
        )

    lines = [
        ln.strip()
        for ln in stderr.splitlines()
        if ln.strip() and not ln.strip().startswith(_SENSE_PREFIX)
    ]
    for line in reversed(lines):
        if _WARNINGS.match(line):
            continue
        for pattern, handler in _COMPILED:
            if (m := pattern.search(line)) is not None:
                return handler(failure, m)
    if failure.sense is not None:
        return _by_sense(failure, CommandFailedError, None)
    detail = next((ln for ln in reversed(lines) if not _WARNINGS.match(ln)), "")
    message = (
        f"The tape library command failed: {detail.rstrip('.')}. See the log for details."
        if detail
        else f"The tape library command failed (mtx exit code {returncode}) without saying why."
    )
    return failure.make(CommandFailedError, message)


def find_error(returncode: int, stdout: str, stderr: str) -> LibraryError | None:
    """The error of an mtx run, or None when it succeeded.

    Not only the exit code: ``mtx eject`` reports its failure on stderr and exits 0.
    Warnings (a failed MODE SENSE, too many elements) alone are no failure.
    """
    if returncode != 0:
        return classify_error(returncode, stdout, stderr)
    if re.search(r"(Eject \(0x1B\) failed|eject failed)", stderr, re.IGNORECASE):
        return classify_error(returncode, stdout, stderr)
    return None
