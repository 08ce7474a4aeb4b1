"""Reading what is written on a tape, and what mt says about a drive (pure functions)."""

from __future__ import annotations

import pytest

from drm_gui.library.base import LabelCheck
from drm_gui.library.label import DriveStatus, decode_label, parse_mt_status
from tests.fake_mtx import label_images

AMANDA_HEADER = b"AMANDA: TAPESTART DATE 20240615 TAPE DailySet1-07\n\x0c\n" + b"\0" * 100


@pytest.mark.parametrize(
    ("block", "name", "kind"),
    [
        (label_images.bareos("Full-0001"), "Full-0001", "Bareos"),
        (label_images.bareos("Vol-7", bacula=True), "Vol-7", "Bacula"),
        (label_images.amanda("DailySet1-07"), "DailySet1-07", "Amanda"),
        (AMANDA_HEADER, "DailySet1-07", "Amanda"),  # written out by hand, not by the builder
        (label_images.ltfs("A00001L8"), "A00001", "LTFS"),
        (label_images.ansi("A00001"), "A00001", "ANSI"),
        (b"VOL1A00007 " + b" " * 69, "A00007", "ANSI"),
        (label_images.ibm_sl("B00002"), "B00002", "IBM SL"),
        (b"\x00\x01garbage" * 10, None, "unknown"),
    ],
)
def test_decode_label(block: bytes, name: str | None, kind: str) -> None:
    label = decode_label(block)
    assert (label.name, label.format, label.blank) == (name, kind, False)


def test_an_empty_read_is_a_blank_tape() -> None:
    label = decode_label(b"")
    assert label.blank and label.name is None


def test_a_standard_label_matches_the_volser_of_an_lto_barcode() -> None:
    assert LabelCheck("A00001L8", "A00001", "ANSI").matches
    assert LabelCheck("a00001l8", "A00001", "LTFS").matches
    assert not LabelCheck("A00001L8", "A00001", "Bareos").matches  # Bareos has room for all
    assert not LabelCheck("A00001L8", "A00002", "ANSI").matches
    assert LabelCheck("A00001L8", "A00002", "ANSI").problem == (
        "A00001L8: the tape is labelled 'A00002', not A00001L8"
    )
    assert (
        LabelCheck("A1", None, blank=True).problem
        == "A1: the tape is blank (no label written on it)"
    )
    assert LabelCheck("A1", None, "unknown").problem == "A1: no label could be read from the tape"
    assert LabelCheck("A1", "A1").problem is None


def test_mt_status_of_an_empty_drive() -> None:
    text = (
        "SCSI 2 tape drive:\n"
        "File number=-1, block number=-1, partition=0.\n"
        "Tape block size 0 bytes. Density code 0x0 (default).\n"
        "Soft error count since last status=0\n"
        "General status bits on (50000):\n"
        " DR_OPEN IM_REP_EN\n"
    )
    status = parse_mt_status(text)
    assert status == DriveStatus(frozenset({"DR_OPEN", "IM_REP_EN"}), -1)
    assert status.door_open and not status.online


def test_mt_status_of_a_loaded_drive() -> None:
    text = (
        "SCSI 2 tape drive:\n"
        "File number=0, block number=0, partition=0.\n"
        "Tape block size 0 bytes. Density code 0x58 (LTO-5).\n"
        "Soft error count since last status=0\n"
        "General status bits on (85010000):\n"
        " WR_PROT ONLINE IM_REP_EN\n"
    )
    status = parse_mt_status(text)
    assert status.online and status.write_protected and status.file_number == 0
    assert not parse_mt_status("garbage").online
