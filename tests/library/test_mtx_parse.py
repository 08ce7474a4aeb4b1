"""parse_status: every shared fixture element by element, and every tolerance of MTX.md §1.3."""

from __future__ import annotations

import pytest

from drm_gui.library.base import Element, ElementKind, Inventory, ParseError
from drm_gui.library.mtx import parse_status
from tests.library.conftest import SHARED_MTX_FIXTURES, shared_fixture

DRIVE, STORAGE, IE = ElementKind.DRIVE, ElementKind.STORAGE, ElementKind.IMPORT_EXPORT


def drive(
    n: int, tag: str | None = None, source: int | None = None, *, full: bool = False
) -> Element:
    return Element(DRIVE, n, full or tag is not None, tag, None, source)


def slot(n: int, tag: str | None = None, alt: str | None = None, *, full: bool = False) -> Element:
    return Element(STORAGE, n, full or tag is not None, tag, alt)


def io(n: int, tag: str | None = None) -> Element:
    return Element(IE, n, tag is not None, tag)


# -- the shared fixtures ------------------------------------------------------------------


def test_mhvtl_spectra_4_drives_37_slots() -> None:
    inv = parse_status(shared_fixture("mhvtl_spectra_4drives_37slots.status"))
    tags = {
        **{n: f"SDLT0{n}S3" for n in range(1, 10)},
        11: "ULT001L1",
        12: "ULT002L2",
        13: "ULT003L3",
        14: "ULT004L4",
        15: "ULT005L1",
        16: "ULT006L2",
        17: "ULT007L3",
        18: "ULT008L4",
        19: "ULT009L1",
        21: "8MM001X4",
        22: "8MM002X4",
        23: "8MM003X4",
        24: "8MM004X4",
        31: "CLN001L1",
        32: "CLN002L1",
        33: "CLN003L1",
    }
    assert inv == Inventory(
        changer="/dev/sg6",
        drives=tuple(drive(n) for n in range(4)),
        slots=tuple(slot(n, tags.get(n)) for n in range(1, 34))
        + tuple(io(n) for n in range(34, 38)),
    )
    assert inv.max_drives == 4
    assert [s.number for s in inv.io_slots] == [34, 35, 36, 37]
    assert [s.number for s in inv.free_slots()] == [10, 20, 25, 26, 27, 28, 29, 30]
    assert [e.volume_tag for e in inv.elements if e.is_cleaning] == [
        "CLN001L1",
        "CLN002L1",
        "CLN003L1",
    ]


def test_proxmox_2_drives_24_slots_one_space_header() -> None:
    inv = parse_status(shared_fixture("proxmox_fixture_2drives_24slots.status"))
    tags = {1: "CLN002CU", 2: "test22L1", 3: "test23L1", 4: "CLN001CU", 5: "test1"}
    assert inv == Inventory(
        changer="/dev/tape/by-id/scsi-387408F60F0000",
        drives=(drive(0), drive(1)),
        slots=tuple(slot(n, tags.get(n)) for n in range(1, 21))
        + tuple(io(n) for n in range(21, 25)),
    )
    assert inv.find("test1") == slot(5, "test1")
    assert len(inv.free_io_slots()) == 4


def test_loaded_drives_alternate_tags_inner_blank_and_unreadable_label() -> None:
    inv = parse_status(shared_fixture("synth_loaded_alt_innerblank.status"))
    assert inv == Inventory(
        changer="/dev/tape/by-id/scsi-3500110a00123abcd",
        drives=(drive(0, "A00003L8", 3), drive(1), drive(2, "CLN001CU", None)),
        slots=(
            slot(1, "A00001L8"),
            slot(2, "A00002L8"),
            slot(3),
            slot(4, full=True),
            slot(5, "A00005L9", "ALT00005"),
            slot(6, "DG 001L8"),
            slot(7),
            slot(8),
            io(9, "A00009L8"),
            io(10),
        ),
    )
    assert inv.find("DG 001L8") == slot(6, "DG 001L8")
    assert inv.find("  A00003L8 ") == drive(0, "A00003L8", 3)
    assert inv.unlabelled() == [slot(4, full=True)]
    assert [s.number for s in inv.full_io_slots()] == [9]
    assert inv.drive(2).is_cleaning


def test_nobarcode() -> None:
    inv = parse_status(shared_fixture("synth_nobarcode.status"))
    assert inv == Inventory(
        changer="/dev/sg3",
        drives=(drive(0, source=3, full=True), drive(1)),
        slots=(slot(1, full=True), slot(2, full=True), slot(3), io(4)),
    )
    assert inv.volume_tags() == []
    assert len(inv.unlabelled()) == 3


def test_every_shared_status_fixture_parses() -> None:
    """New captures dropped into the shared folder are at least readable."""
    if not SHARED_MTX_FIXTURES.is_dir():
        pytest.skip(f"no shared fixtures at {SHARED_MTX_FIXTURES}")
    files = sorted(SHARED_MTX_FIXTURES.glob("*.status"))
    assert len(files) >= 4
    for path in files:
        inv = parse_status(path.read_text(encoding="utf-8"))
        assert inv.drives and inv.slots, path.name


def test_load_unload_transcript_is_not_a_status() -> None:
    text = shared_fixture("synth_load_unload.stdout")
    with pytest.raises(ParseError) as caught:
        parse_status(text)
    assert caught.value.line_number == 1
    assert caught.value.line.startswith("Loading media from Storage Element 5")


# -- tolerances -------------------------------------------------------------------------

HEADER = "  Storage Changer /dev/sg3:1 Drives, 2 Slots ( 0 Import/Export )\n"


def one(lines: str, header: str = HEADER) -> Inventory:
    return parse_status(header + lines)


@pytest.mark.parametrize(
    "header",
    [
        "  Storage Changer /dev/sg3:1 Drives, 2 Slots ( 0 Import/Export )",
        " Storage Changer /dev/sg3:1 Drives, 2 Slots ( 0 Import/Export )",
        "Storage Changer /dev/sg3:1 Drives, 2 Slots ( 0 Import/Export )",
        "  Storage Changer /dev/sg3: 1 Drives, 2 Slots ( 0 Import/Export )",  # git mtx
        "  Storage Changer /dev/sg3:1 Drives, 2 Slots ( 0 Import/Export )   \r",
    ],
)
def test_header_spellings(header: str) -> None:
    inv = parse_status(
        header + "\nData Transfer Element 0:Empty\n"
        "      Storage Element 1:Empty\n      Storage Element 2:Empty\n"
    )
    assert inv.changer == "/dev/sg3"
    assert inv.max_drives == 1 and len(inv.slots) == 2


@pytest.mark.parametrize(
    "device",
    [
        "/dev/tape/by-path/pci-0000:00:1f.2-scsi-0:0:3:0-changer",
        "/dev/tape/by-id/scsi-SSTK_L700_XYZZY_A",
        "/dev/sg10",
        "/tmp/dir with blanks/changer",
    ],
)
def test_device_paths_with_colons_and_blanks(device: str) -> None:
    header = f"  Storage Changer {device}:1 Drives, 2 Slots ( 0 Import/Export )\n"
    text = (
        "Data Transfer Element 0:Empty\n"
        "      Storage Element 1:Empty\n"
        "      Storage Element 2:Empty\n"
    )
    assert parse_status(header + text).changer == device


def test_padded_unpadded_and_blank_tags() -> None:
    inv = one(
        "Data Transfer Element 0:Full (Storage Element 2 Loaded):VolumeTag = ABC123L8"
        + " " * 24
        + "\n"
        "      Storage Element 1:Full :VolumeTag=DG 001L7                        \n"
        "      Storage Element 2:Empty\n"
    )
    assert inv.drive(0) == drive(0, "ABC123L8", 2)
    assert inv.slot(1).volume_tag == "DG 001L7"


def test_equals_with_or_without_blanks_on_either_line_kind() -> None:
    """The Amanda mock prints VolumeTag= on drive lines; some wrappers blank the slot '='."""
    inv = one(
        "Data Transfer Element 0:Full (Storage Element 1 Loaded):VolumeTag=AAA001L8\n"
        "      Storage Element 1:Empty\n"
        "      Storage Element 2:Full :VolumeTag = BBB002L8 :AlternateVolumeTag = ALT2\n"
    )
    assert inv.drive(0).volume_tag == "AAA001L8"
    assert inv.slot(2) == slot(2, "BBB002L8", "ALT2")


def test_alternate_tag_alone_and_on_drive() -> None:
    inv = one(
        "Data Transfer Element 0:Full (Unknown Storage Element Loaded):VolumeTag = T1"
        ":AlternateVolumeTag = ALT1\n"
        "      Storage Element 1:Full :AlternateVolumeTag=ALTONLY\n"
        "      Storage Element 2:Empty\n"
    )
    assert inv.drive(0) == Element(DRIVE, 0, True, "T1", "ALT1", None)
    assert inv.slot(1) == Element(STORAGE, 1, True, None, "ALTONLY")


def test_full_without_tag_and_full_drive_without_tag() -> None:
    inv = one(
        "Data Transfer Element 0:Full (Storage Element 2 Loaded)\n"
        "      Storage Element 1:Full \n"
        "      Storage Element 2:Empty\n"
    )
    assert inv.drive(0) == drive(0, source=2, full=True)
    assert inv.slot(1) == slot(1, full=True)


def test_unknown_source_and_drive_full_without_parenthesis() -> None:
    inv = one(
        "Data Transfer Element 0:Full (Unknown Storage Element Loaded):VolumeTag = X\n"
        "      Storage Element 1:Empty\n      Storage Element 2:Empty\n"
    )
    assert inv.drive(0).loaded_from is None and inv.drive(0).full
    inv = one(
        "Data Transfer Element 0:Full:VolumeTag = X\n"
        "      Storage Element 1:Empty\n      Storage Element 2:Empty\n"
    )
    assert inv.drive(0) == drive(0, "X")


def test_io_slots_and_their_counts() -> None:
    header = "  Storage Changer /dev/sg3:1 Drives, 4 Slots ( 2 Import/Export )\n"
    inv = one(
        "Data Transfer Element 0:Empty\n"
        "      Storage Element 1:Full :VolumeTag=A1\n"
        "      Storage Element 2:Empty\n"
        "      Storage Element 3 IMPORT/EXPORT:Full :VolumeTag=A3\n"
        "      Storage Element 4 IMPORT/EXPORT:Empty\n",
        header,
    )
    assert [s.kind for s in inv.slots] == [STORAGE, STORAGE, IE, IE]
    assert inv.slot(3).import_export and not inv.slot(2).import_export
    assert inv.free_slots() == [slot(2)]
    assert inv.full_io_slots() == [io(3, "A3")]
    assert inv.free_io_slots() == [io(4)]
    assert inv.storage_slots == (slot(1, "A1"), slot(2))


def test_io_slots_between_storage_slots() -> None:
    """Amanda's mock interleaves the mail slots by address; the numbering still holds."""
    header = "  Storage Changer /dev/sg3:1 Drives, 3 Slots ( 1 Import/Export )\n"
    inv = one(
        "Data Transfer Element 0:Empty\n"
        "      Storage Element 1:Empty\n"
        "      Storage Element 2 IMPORT/EXPORT:Empty\n"
        "      Storage Element 3:Empty\n",
        header,
    )
    assert [s.number for s in inv.io_slots] == [2]


def test_zero_io_slots_after_fallback_is_flagged_against_the_previous_inventory() -> None:
    with_io = parse_status(shared_fixture("synth_nobarcode.status"))
    fallback = parse_status(
        "  Storage Changer /dev/sg3:2 Drives, 3 Slots ( 0 Import/Export )\n"
        "Data Transfer Element 0:Full (Storage Element 3 Loaded)\n"
        "Data Transfer Element 1:Empty\n"
        "      Storage Element 1:Full \n      Storage Element 2:Full \n"
        "      Storage Element 3:Empty\n"
    )
    assert fallback.io_slots == ()
    assert fallback.lost_io_slots(with_io)
    assert not with_io.lost_io_slots(fallback)
    assert not with_io.lost_io_slots(with_io)


def test_crlf_blank_lines_and_trailing_blanks() -> None:
    text = (
        "\r\n  Storage Changer /dev/sg3:1 Drives, 2 Slots ( 0 Import/Export )\r\n"
        "Data Transfer Element 0:Empty   \r\n\r\n"
        "      Storage Element 1:Full :VolumeTag=A00001L8                        \r\n"
        "      Storage Element 2:Empty\r\n"
    )
    inv = parse_status(text)
    assert inv.slot(1).volume_tag == "A00001L8"
    assert inv.drive(0) == drive(0)


def test_elements_come_back_in_number_order() -> None:
    inv = one(
        "Data Transfer Element 0:Empty\n      Storage Element 2:Empty\n"
        "      Storage Element 1:Full :VolumeTag=A\n"
    )
    assert [s.number for s in inv.slots] == [1, 2]


# -- what the parser refuses, naming the line -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line_number", "line"),
    [
        ("", 1, ""),
        ("Data Transfer Element 0:Empty\n", 1, "Data Transfer Element 0:Empty"),
        (HEADER + "Data Transfer Element 0:Empty\nfoo bar\n", 3, "foo bar"),
        (
            HEADER + "Data Transfer Element 0:Half full\n",
            2,
            "Data Transfer Element 0:Half full",
        ),
        (
            HEADER + "Data Transfer Element 0:Full (Storage Element X Loaded)\n",
            2,
            "Data Transfer Element 0:Full (Storage Element X Loaded)",
        ),
        (
            HEADER + "      Storage Element 1:Full junk\n",
            2,
            "      Storage Element 1:Full junk",
        ),
        (HEADER + HEADER, 2, HEADER.rstrip("\n")),
        (
            HEADER
            + "Data Transfer Element 0:Empty\nData Transfer Element 0:Empty\n"
            + "      Storage Element 1:Empty\n      Storage Element 2:Empty\n",
            3,
            "Data Transfer Element 0:Empty",
        ),
        (
            HEADER + "mtx: Request Sense: Long Report=yes\n",
            2,
            "mtx: Request Sense: Long Report=yes",
        ),
    ],
)
def test_unreadable_lines_are_named(text: str, line_number: int, line: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_status(text)
    assert caught.value.line_number == line_number
    assert caught.value.line == line
    assert f"line {line_number}" in caught.value.message


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        # cut off after the drives (a killed mtx, a full pipe): never a partial picture
        ("Data Transfer Element 0:Empty\n      Storage Element 1:Empty\n", "2 slots, 1 are listed"),
        (
            "      Storage Element 1:Empty\n      Storage Element 2:Empty\n",
            "the header says 1 drives, 0 are listed",
        ),
        (
            "Data Transfer Element 1:Empty\n      Storage Element 1:Empty\n"
            "      Storage Element 2:Empty\n",
            "not numbered 0..0",
        ),
        (
            "Data Transfer Element 0:Empty\n      Storage Element 1:Empty\n"
            "      Storage Element 3:Empty\n",
            "not numbered 1..2",
        ),
        (
            "Data Transfer Element 0:Empty\n      Storage Element 1:Empty\n"
            "      Storage Element 2 IMPORT/EXPORT:Empty\n",
            "0 I/O slots, 1 are listed",
        ),
    ],
)
def test_counts_must_match_the_header(body: str, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_status(HEADER + body)
    assert caught.value.line_number == 1
    assert reason in caught.value.reason


def test_parse_error_is_a_library_error_with_the_line() -> None:
    from drm_gui.library.base import LibraryError

    with pytest.raises(LibraryError) as caught:
        parse_status(HEADER + "what is this\n")
    assert isinstance(caught.value, ParseError)
    assert "'what is this'" in str(caught.value)
