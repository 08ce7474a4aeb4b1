"""classify_error / find_error on every mtx error transcript of MTX.md §1.6.

The transcripts live in tests/library/fixtures/errors/<case>/{stdout,stderr,returncode}
(README.md there says where each comes from); this table says what each must become.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drm_gui.library import base
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
from drm_gui.library.mtx import classify_error, find_error, parse_sense
from tests.library.conftest import ERROR_FIXTURES

NR, HW, IR, UA = "Not Ready", "Hardware Error", "Illegal Request", "Unit Attention"

# case: (error type, (sense key, ASC, ASCQ) or None, words the message must contain)
EXPECTED: dict[str, tuple[type[LibraryError], tuple[str, int, int] | None, str]] = {
    # device / setup
    "open_enoent": (DeviceMissingError, None, "/dev/sg9 does not exist"),
    "open_default_changer": (DeviceMissingError, None, "/dev/changer"),
    "open_eacces": (NoPermissionError, None, "'tape' group"),
    "open_ebusy": (NotReadyError, None, "in use by another program"),
    "open_enxio": (DeviceMissingError, None, "does not exist"),
    "not_sg": (DeviceMissingError, None, "/dev/null is not a SCSI generic device"),
    "sg_timeout": (CommandFailedError, None, ""),
    "close_failed": (CommandFailedError, None, ""),
    "inquiry_no_sense": (LibraryTimeoutError, ("No Sense", 0, 0), "did not answer"),
    "inquiry_command": (NotReadyError, None, "does not answer"),
    "status_offline": (NotReadyError, (NR, 0x04, 0x12), "offline"),
    "status_becoming_ready": (NotReadyError, (NR, 0x04, 0x01), "becoming ready"),
    "status_hardware": (HardwareError, (HW, 0x40, 0x80), "hardware fault"),
    "status_mhvtl_offline": (NotReadyError, (NR, 0x00, 0x00), "offline"),
    "status_no_sense": (NotReadyError, None, "not ready"),
    "no_drives": (DeviceMissingError, None, "wrong device or LUN"),
    "no_storage": (DeviceMissingError, None, "wrong device or LUN"),
    "too_many_drives": (CommandFailedError, None, "altres"),
    "illegal_type_code": (CommandFailedError, None, "altres"),
    "descriptor_too_short": (CommandFailedError, None, "altres"),
    "inventory_failed": (NotReadyError, (NR, 0x04, 0x01), "becoming ready"),
    "inventory_failed_plain": (CommandFailedError, None, "inventory failed"),
    "eject_failed": (CommandFailedError, None, "eject"),
    "eject_failed_sense": (NotReadyError, (NR, 0x04, 0x12), "offline"),
    # argument / pre-check errors
    "no_source": (InvalidElementError, None, "outside the library's range"),
    "no_destination": (InvalidElementError, None, "outside the library's range"),
    "load_invalid_slot": (InvalidElementError, None, ""),
    "load_illegal_drive": (InvalidElementError, None, ""),
    "unload_illegal_drive": (InvalidElementError, None, ""),
    "unload_illegal_slot": (InvalidElementError, None, ""),
    "invalid_source": (InvalidElementError, None, ""),
    "invalid_destination": (InvalidElementError, None, ""),
    "drive_full": (DestinationFullError, None, "Drive 0 already holds a tape (from slot 3)"),
    "drive_full_unknown_source": (DestinationFullError, None, "Drive 1 already holds a tape."),
    "drive_empty": (SourceEmptyError, None, "Drive 1 holds no tape"),
    "slot_full": (DestinationFullError, None, "Slot 2 already holds a tape"),
    "no_source_for_drive": (CommandFailedError, None, "drive 1's tape came from"),
    "unknown_unload_slot": (CommandFailedError, None, "which slot"),
    "no_more_media": (SourceEmptyError, None, "no more tapes"),
    "eepos_bad": (CommandFailedError, None, "eepos"),
    "no_changer_device": (DeviceMissingError, None, "No changer device"),
    # library errors of MOVE MEDIUM
    "cleaning": (NotReadyError, None, "cleaning cartridge"),
    "needs_offline": (DriveNeedsUnloadError, None, "has not ejected"),
    "destination_full": (DestinationFullError, None, "element address 10"),
    "source_empty": (SourceEmptyError, None, "element address 1004"),
    "source_empty_lowercase": (SourceEmptyError, None, "element address 1004"),
    "mailslot_open": (IOStationOpenError, (NR, 0x3A, 0x02), "Close the I/O station door"),
    "hardware_load": (HardwareError, (HW, 0x04, 0x03), "hardware fault"),
    "no_sense_move": (LibraryTimeoutError, ("No Sense", 0, 0), "no sense data"),
    "door_open": (DoorOpenError, (NR, 0x04, 0x03), "door"),
    "door_open_vendor": (DoorOpenError, (NR, 0x04, 0x83), "door"),
    "panel_mode": (NotReadyError, (NR, 0x04, 0x89), "front panel"),
    "key_mode": (NotReadyError, (NR, 0x04, 0x8D), "front panel"),
    "offline_move": (NotReadyError, (NR, 0x04, 0x12), "offline"),
    "becoming_ready_move": (NotReadyError, (NR, 0x04, 0x01), "becoming ready"),
    "not_ready_other": (NotReadyError, (NR, 0x3E, 0x00), "not ready"),
    "unit_attention_move": (UnitAttentionError, (UA, 0x28, 0x00), "door was closed"),
    "power_on_reset": (UnitAttentionError, (UA, 0x29, 0x00), "switched on or reset"),
    "invalid_element_address": (InvalidElementError, (IR, 0x21, 0x01), "element address"),
    "removal_prevented": (CommandFailedError, (IR, 0x53, 0x02), "locked by another program"),
    "magazine_removed": (DoorOpenError, (IR, 0x3B, 0x12), "magazine"),
    "illegal_request_other": (CommandFailedError, (IR, 0x24, 0x00), "refused"),
    "medium_error": (HardwareError, ("Medium Error", 0x31, 0x00), "hardware fault"),
    "aborted_command": (CommandFailedError, ("Aborted Command", 0x47, 0x00), "aborted"),
    "exchange_failed": (CommandFailedError, (IR, 0x20, 0x00), "refused"),
    "position_failed": (CommandFailedError, None, "robot"),
    # exit codes and the command line
    "version": (CommandFailedError, None, "command line"),
    "usage": (CommandFailedError, None, "command line"),
    "killed": (CommandFailedError, None, "signal 9"),
    "not_installed": (CommandFailedError, None, "Install the mtx package"),
    "unknown_text": (CommandFailedError, None, "something unexpected happened"),
    "silent_failure": (CommandFailedError, None, "exit code 1"),
}

# runs that succeeded, warnings and all
NO_ERROR = {"warning_mode_sense", "warning_too_many_storage", "warning_too_many_ie", "success_load"}


def transcript(case: str) -> tuple[int, str, str]:
    folder = ERROR_FIXTURES / case
    rc = int((folder / "returncode").read_text().strip())
    stdout = (folder / "stdout").read_text(encoding="utf-8")
    stderr = (folder / "stderr").read_text(encoding="utf-8")
    return rc, stdout, stderr


def test_every_fixture_has_an_expectation() -> None:
    cases = {p.name for p in ERROR_FIXTURES.iterdir() if p.is_dir()}
    assert cases == set(EXPECTED) | NO_ERROR


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_classify_error(case: str) -> None:
    rc, stdout, stderr = transcript(case)
    kind, sense, words = EXPECTED[case]
    error = classify_error(rc, stdout, stderr)
    assert type(error) is kind, f"{case}: {error!r}"
    if sense is None:
        assert error.sense is None
    else:
        assert error.sense is not None
        assert (error.sense.key, error.sense.asc, error.sense.ascq) == sense
    assert words.lower() in error.message.lower()
    assert error.returncode == rc
    # the device's own words stay on the error for the log
    for text in (stdout, stderr):
        if text.strip():
            assert text.strip().splitlines()[-1] in error.raw
    # and find_error, which the backend calls, agrees
    found = find_error(rc, stdout, stderr)
    assert found is not None and type(found) is kind


@pytest.mark.parametrize("case", sorted(NO_ERROR))
def test_warnings_are_no_error(case: str) -> None:
    assert find_error(*transcript(case)) is None


def test_eject_fails_with_exit_code_zero() -> None:
    rc, stdout, stderr = transcript("eject_failed")
    assert rc == 0
    assert isinstance(find_error(rc, stdout, stderr), CommandFailedError)


def test_every_message_is_plain_english_with_an_action() -> None:
    for case in EXPECTED:
        error = classify_error(*transcript(case))
        assert error.message and error.message[0].isupper(), case
        assert error.message.rstrip().endswith("."), case
        assert "Request Sense" not in error.message, case


def test_parse_sense_reads_every_dump_in_order() -> None:
    _, _, stderr = transcript("status_offline")
    assert parse_sense(stderr) == [
        Sense("Not Ready", 0x04, 0x12, "70 (Current)"),
        Sense("Not Ready", 0x04, 0x12, "70 (Current)"),
    ]
    _, _, stderr = transcript("no_sense_move")
    (only,) = parse_sense(stderr)
    assert only.all_zero and only.error_code == "0 (Unknown?!)"
    assert str(parse_sense(transcript("mailslot_open")[2])[0]) == "Not Ready 3A/02"
    assert parse_sense("") == []


def test_the_fatal_line_wins_over_warnings_and_earlier_dumps() -> None:
    """S4g's first dump belongs to the failed MODE SENSE; the READ ELEMENT STATUS one counts."""
    stderr = (
        "mtx: Request Sense: Long Report=yes\n"
        "mtx: Request Sense: Sense Key=Unit Attention\n"
        "mtx: Request Sense: Additional Sense Code = 28\n"
        "mtx: Request Sense: Additional Sense Qualifier = 00\n"
        "Mode sense (0x1A) for Page 0x1D failed\n"
        "mtx: Request Sense: Long Report=yes\n"
        "mtx: Request Sense: Sense Key=Hardware Error\n"
        "mtx: Request Sense: Additional Sense Code = 40\n"
        "mtx: Request Sense: Additional Sense Qualifier = 80\n"
        "READ ELEMENT STATUS Command Failed\n"
    )
    error = classify_error(1, "", stderr)
    assert isinstance(error, HardwareError)
    assert error.sense == Sense("Hardware Error", 0x40, 0x80)


def test_sense_without_a_fatal_line_still_classifies() -> None:
    stderr = (
        "mtx: Request Sense: Long Report=yes\n"
        "mtx: Request Sense: Sense Key=Not Ready\n"
        "mtx: Request Sense: Additional Sense Code = 3A\n"
        "mtx: Request Sense: Additional Sense Qualifier = 02\n"
    )
    assert isinstance(classify_error(1, "", stderr), IOStationOpenError)


def test_retry_semantics_of_the_error_kinds() -> None:
    assert UnitAttentionError.retry_automatically
    assert not NotReadyError.retry_automatically
    retry: list[type[LibraryError]] = [
        NotReadyError,
        DoorOpenError,
        IOStationOpenError,
        HardwareError,
    ]
    final: list[type[LibraryError]] = [
        SourceEmptyError,
        DestinationFullError,
        CommandFailedError,
        NoPermissionError,
    ]
    assert all(kind.retryable for kind in retry)
    assert not any(kind.retryable for kind in final)


def test_every_error_kind_has_an_operator_message() -> None:
    kinds = [
        v
        for v in vars(base).values()
        if isinstance(v, type) and issubclass(v, LibraryError) and v is not base.ParseError
    ]
    assert len(kinds) >= 15
    for kind in kinds:
        error = kind()
        assert error.message == kind.default_message
        assert str(error) == error.message
        assert error.raw == "" and error.sense is None


def test_fixture_folder_exists() -> None:
    assert isinstance(ERROR_FIXTURES, Path) and ERROR_FIXTURES.is_dir()
