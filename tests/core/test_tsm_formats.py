"""Parsers of the administrative client's DRMEDIA output and of volhist.out / devconfig.out,
with inputs shaped after ../shared/DSMADMC.md's examples and malformed lines of every kind."""

from __future__ import annotations

import random
import string
from datetime import datetime

import pytest

from drm_gui.core.states import DrmState, VolumeKind
from drm_gui.core.tsm_formats import (
    DateError,
    DrmediaForm,
    DrmediaRecord,
    parse_client_datetime,
    parse_drmedia,
)
from drm_gui.core.tsm_formats_files import (
    db_backup_series,
    parse_devconfig,
    parse_volhist,
)

# --- Dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04/22/2024 09:38:27", datetime(2024, 4, 22, 9, 38, 27)),
        ("12/12/12   11:33:35", datetime(2012, 12, 12, 11, 33, 35)),
        ("2008-11-19 04:01:55.000000", datetime(2008, 11, 19, 4, 1, 55)),
        ("2020-12-05 01:01:26.5", datetime(2020, 12, 5, 1, 1, 26, 500000)),
        ("2013/02/28 22:30:45", datetime(2013, 2, 28, 22, 30, 45)),
        ("2006-05-01", datetime(2006, 5, 1)),
        ("", None),
        ("   ", None),
    ],
)
def test_client_dates(text: str, expected: datetime | None) -> None:
    assert parse_client_datetime(text) == expected


@pytest.mark.parametrize(
    "text",
    ["13/45/2024 10:00:00", "02/30/2024 10:00:00", "yesterday", "04/22/2024 25:00:00",
     "04/22/2024 9h", "1 2 3"],
)  # fmt: skip
def test_bad_dates_raise_date_error(text: str) -> None:
    with pytest.raises(DateError):
        parse_client_datetime(text)


# --- DRMEDIA: the forms ----------------------------------------------------------------------

BANNER = """IBM Storage Protect
Command Line Administrative Interface - Version 8, Release 1, Level 21.0
(c) Copyright by IBM Corporation and other(s) 1990, 2023. All Rights Reserved.

Session established with server TSM8: Linux/x86_64
  Server Version 8, Release 1, Level 21.000
  Server date/time: 04/22/2024 09:38:27  Last access: 04/22/2024 09:36:23

ANS8000I Server command: 'q drmedia'.

"""

STANDARD_TABLE = (
    BANNER
    + """Volume Name          State                Last Update Date/       Automated
                                          Time                    LibName
----------------     ----------------     -------------------     ----------------
A00017L8             Mountable            04/22/2024 09:00:00     LIB1
A00018L8             Vault retrieve       04/21/2024 17:30:05
A00019L8             Courier retrieve     04/20/2024 08:00:00

ANS8002I Highest return code was 0.
"""
)

SELECT_TABLE = """  VOLUME_NAME            STATE                            UPD_DATE     LOCATION               VOLTYPE
  ------------------     ------------------     ------------------     ------------------     ------------
  tape10                 VAULT                          2008-03-05     Iron Mountain          DBBackup
                                                   11:00:00.000000
  TAPE11                 COURIERRETRIEVE                2008-03-06     Courier                CopyStgPool
                                                   12:30:00.000000
"""  # noqa: E501

DETAILED = (
    BANNER
    + """                  Volume Name: A00017L8
                        State: Mountable
        Last Update Date/Time: 04/22/2024 09:00:00
                     Location:
                  Volume Type: CopyStgPool
       Copy Storage Pool Name: COPYPOOL
Active-Data Storage Pool Name:
            Automated LibName: LIB1

                  Volume Name: DB0001L8
                        State: Vault
        Last Update Date/Time: 04/20/2024 10:15:00
                     Location: Iron Mountain, Box 7
                  Volume Type: DBBackup
       Copy Storage Pool Name:
Active-Data Storage Pool Name:
            Automated LibName:

ANS8002I Highest return code was 0.
"""
)

COMMA_STANDARD = """A00017L8,Mountable,04/22/2024 09:00:00,LIB1
A00018L8,Vault retrieve,04/21/2024 17:30:05,
A00019L8,Courier retrieve,12/11/12 07:00:00,
A00020L8,Onsite retrieve,04/19/2024 08:00:00,
A00021L8,Not mountable,04/19/2024 08:00:00,
"""

COMMA_DETAILED = """A00017L8,Mountable,04/22/2024 09:00:00,,CopyStgPool,COPYPOOL,,LIB1
DB0001L8,Vault,04/20/2024 10:15:00,"Iron Mountain, Box 7",DBBackup,,,
DB0002L8,Courier,04/20/2024 10:15:00,Courier,DBSnapshot,,
"""

SELECT_COMMA_HEADER = """VOLUME_NAME,STATE,UPD_DATE,LOCATION,VOLTYPE
TAPE10,VAULT,2008-03-05 11:00:00.000000,Iron Mountain,DBBackup
TAPE11,VAULTRETRIEVE,2008-03-06 12:00:00.000000,Iron Mountain,CopyStgPool
"""

SELECT_COMMA_BARE = """TAPE10,VAULT,2008-03-05 11:00:00.000000,Iron Mountain
TAPE11,MOUNTABLE,2008-03-06 12:00:00.000000,
ANR2034E SELECT: No match found using this criteria.
ANS8001I Return code 11.
"""


def test_standard_table_with_banner_and_multi_line_headers() -> None:
    result = parse_drmedia(STANDARD_TABLE)
    assert result.form is DrmediaForm.TABLE
    assert result.problems == []
    assert [r.volser for r in result.records] == ["A00017L8", "A00018L8", "A00019L8"]
    first = result.records[0]
    assert first.state is DrmState.MOUNTABLE
    assert first.updated == datetime(2024, 4, 22, 9, 0, 0)
    assert first.library == "LIB1"
    assert result.records[1].state is DrmState.VAULTRETRIEVE
    assert result.records[2].state is DrmState.COURIERRETRIEVE
    assert (
        result.records[1].line_number
        == STANDARD_TABLE.splitlines().index(
            "A00018L8             Vault retrieve       04/21/2024 17:30:05"
        )
        + 1
    )


def test_select_table_with_wrapped_timestamps() -> None:
    result = parse_drmedia(SELECT_TABLE)
    assert result.form is DrmediaForm.TABLE
    assert result.problems == []
    tape10, tape11 = result.records
    assert tape10 == DrmediaRecord(
        "TAPE10", DrmState.VAULT, datetime(2008, 3, 5, 11), "Iron Mountain",
        VolumeKind.DB_BACKUP, "", "", line_number=3,
    )  # fmt: skip
    assert tape11.state is DrmState.COURIERRETRIEVE
    assert tape11.kind is VolumeKind.COPY_POOL
    assert tape11.updated == datetime(2008, 3, 6, 12, 30)


def test_detailed_blocks() -> None:
    result = parse_drmedia(DETAILED)
    assert result.form is DrmediaForm.DETAILED
    assert result.problems == []
    copy, db = result.records
    assert copy.kind is VolumeKind.COPY_POOL
    assert copy.pool == "COPYPOOL"
    assert copy.library == "LIB1"
    assert copy.location == ""
    assert db.state is DrmState.VAULT
    assert db.location == "Iron Mountain, Box 7"
    assert db.kind is VolumeKind.DB_BACKUP
    assert (
        db.line_number == DETAILED.splitlines().index("                  Volume Name: DB0001L8") + 1
    )


def test_list_mode_select_with_column_names() -> None:
    text = "VOLUME_NAME: TAPE10\n      STATE: VAULT\n   UPD_DATE: 2008-03-05 11:00:00.000000\n"
    result = parse_drmedia(text)
    assert result.form is DrmediaForm.DETAILED
    assert result.records[0].updated == datetime(2008, 3, 5, 11)


def test_comma_standard_with_two_word_states() -> None:
    result = parse_drmedia(COMMA_STANDARD)
    assert result.form is DrmediaForm.COMMA
    assert result.problems == []
    assert [r.state for r in result.records] == [
        DrmState.MOUNTABLE,
        DrmState.VAULTRETRIEVE,
        DrmState.COURIERRETRIEVE,
        DrmState.ONSITERETRIEVE,
        DrmState.NOTMOUNTABLE,
    ]
    assert result.records[2].updated == datetime(2012, 12, 11, 7)
    assert result.records[0].library == "LIB1"
    assert result.records[1].library == ""


def test_comma_detailed_quoted_location_and_seven_or_eight_fields() -> None:
    result = parse_drmedia(COMMA_DETAILED)
    assert result.form is DrmediaForm.COMMA
    assert result.problems == []
    a, db, snap = result.records
    assert (a.kind, a.pool, a.library) == (VolumeKind.COPY_POOL, "COPYPOOL", "LIB1")
    assert db.location == "Iron Mountain, Box 7"
    assert snap.kind is VolumeKind.DB_SNAPSHOT


def test_tab_form_keeps_blanks_inside_fields() -> None:
    text = (
        "A00017L8\tMountable\t04/22/2024 09:00:00\tLIB1\n"
        "A00018L8\tVault retrieve\t04/21/2024 17:30:05\t\n"
    )
    result = parse_drmedia(text)
    assert result.form is DrmediaForm.TAB
    assert result.problems == []
    assert result.records[1].state is DrmState.VAULTRETRIEVE


def test_select_comma_with_header() -> None:
    result = parse_drmedia(SELECT_COMMA_HEADER)
    assert result.form is DrmediaForm.SELECT_COMMA
    assert result.problems == []
    assert result.records[0].kind is VolumeKind.DB_BACKUP
    assert result.records[1].state is DrmState.VAULTRETRIEVE
    assert result.records[1].line_number == 3


def test_select_comma_without_header_skips_messages() -> None:
    result = parse_drmedia(SELECT_COMMA_BARE)
    assert result.form is DrmediaForm.SELECT_COMMA
    assert result.problems == []
    assert [r.location for r in result.records] == ["Iron Mountain", ""]


def test_select_tab_with_caller_columns() -> None:
    text = "TAPE10\tVAULT\t2008-03-05 11:00:00.000000\tDBBackup\n"
    result = parse_drmedia(text, columns=["volser", "state", "updated", "kind"])
    assert result.form is DrmediaForm.SELECT_TAB
    assert result.records[0].kind is VolumeKind.DB_BACKUP


def test_no_match_answer_is_an_empty_result() -> None:
    text = "ANR2034E QUERY DRMEDIA: No match found using this criteria.\nANS8001I Return code 11.\n"
    result = parse_drmedia(text)
    assert (result.records, result.problems, result.form) == ([], [], DrmediaForm.EMPTY)


def test_volume_named_like_a_message_is_data() -> None:
    text = "ANR1234E,Vault,04/22/2024 09:00:00,\nANS8001I Return code 0.\n"
    result = parse_drmedia(text)
    assert [r.volser for r in result.records] == ["ANR1234E"]
    assert result.problems == []


def test_two_digit_years_follow_strptime() -> None:
    assert parse_client_datetime("01/02/99 10:00:00") == datetime(1999, 1, 2, 10)
    assert parse_client_datetime("01/02/68 10:00") == datetime(2068, 1, 2, 10)


def test_detailed_value_wrapped_onto_an_indented_line() -> None:
    text = (
        "Volume Name: A1\nState: Vault\nLast Update Date/Time: 04/22/2024 09:00:00\n"
        "Location: Iron Mountain, building\n          seven\n"
    )
    (record,) = parse_drmedia(text).records
    assert record.location == "Iron Mountain, building seven"


def test_table_with_hyphen_split_header_and_two_tables() -> None:
    text = (
        "Volume        Sta-      Loca-\n"
        "Name          te        tion\n"
        "--------      ------    --------------\n"
        "A1            VAULT     /long/path/-\n"
        "                        name\n"
        "\n"
        "Volume        State\n"
        "--------      ------\n"
        "B2            COURIER\n"
    )
    result = parse_drmedia(text)
    assert result.problems == []
    assert [(r.volser, r.state, r.location) for r in result.records] == [
        ("A1", DrmState.VAULT, "/long/path/name"),
        ("B2", DrmState.COURIER, ""),
    ]
    assert [r.line_number for r in result.records] == [4, 9]


# --- DRMEDIA: malformed lines ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("A00017L8,Mountable,04/22/2024 09:00:00", "wrong number of fields: 3, expected 4 or 7"),
        ("A00017L8,Lost,04/22/2024 09:00:00,LIB1", "A00017L8: unknown state 'Lost'"),
        ("A00017L8,,04/22/2024 09:00:00,LIB1", "A00017L8: no state"),
        ("A00017L8,Vault,02/30/2024 09:00:00,LIB1", "A00017L8: bad date '02/30/2024 09:00:00'"),
        ("A00017L8,Vault,tomorrow,LIB1", "A00017L8: bad date 'tomorrow'"),
        ("A00017L8,Vault,04/22/2024 9h,LIB1", "A00017L8: bad time '9h'"),
        ("A00 17L8,Vault,04/22/2024 09:00:00,LIB1", "illegal volume name: 'A00 17L8': contains"),
        (",Vault,04/22/2024 09:00:00,LIB1", "illegal volume name: empty"),
        ("A00017L8,Vault,04/22/2024 09:00:00,,Tape,POOL,LIB1", "A00017L8: unknown volume type"),
    ],
)  # fmt: skip
def test_bad_comma_lines_are_located_and_named(line: str, message: str) -> None:
    text = "GOOD0001,Mountable,04/22/2024 09:00:00,LIB1\n" + line + "\n"
    result = parse_drmedia(text)
    assert [r.volser for r in result.records] == ["GOOD0001"]
    (problem,) = result.problems
    assert problem.line_number == 2
    assert problem.text == line
    assert problem.message.startswith(message), problem.message


def test_bad_rows_in_a_table_and_detailed_block() -> None:
    table = STANDARD_TABLE.replace("Vault retrieve  ", "Lost somewhere  ").replace(
        "04/20/2024 08:00:00", "04/31/2024 08:00:00"
    )
    result = parse_drmedia(table)
    assert [r.volser for r in result.records] == ["A00017L8"]
    assert [p.message.split(": ", 1)[1] for p in result.problems] == [
        "unknown state 'Lost somewhere'",
        "bad date '04/31/2024 08:00:00': no such day",
    ]
    detailed = DETAILED.replace("State: Vault", "State: Nowhere")
    result = parse_drmedia(detailed)
    assert [r.volser for r in result.records] == ["A00017L8"]
    (problem,) = result.problems
    assert (
        problem.line_number
        == DETAILED.splitlines().index("                  Volume Name: DB0001L8") + 1
    )
    assert "unknown state 'Nowhere'" in problem.message


def test_select_with_header_wrong_count_and_table_without_volume_column() -> None:
    result = parse_drmedia(SELECT_COMMA_HEADER + "TAPE12,VAULT\n")
    assert result.problems[0].line_number == 4
    assert "expected 5" in result.problems[0].message
    result = parse_drmedia("STATE     COUNT\n-----     -----\nVAULT        3\n")
    assert result.records == []
    assert {p.line_number for p in result.problems} == {2, 3}


def test_detailed_text_line_without_label_is_a_problem() -> None:
    text = "Volume Name: A1\nState: Vault\nLast Update Date/Time:\nsome stray words\n"
    result = parse_drmedia(text)
    assert [r.volser for r in result.records] == ["A1"]
    assert result.records[0].updated is None
    assert result.problems[0].line_number == 4


# --- No exception escapes --------------------------------------------------------------------


def _garbage(rng: random.Random) -> str:
    alphabet = string.printable + '\x00\x01\x7f\u00e9\u2028\ufffd-:,\t"/*'
    pieces = [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        for _ in range(rng.randint(0, 30))
    ]
    fragments = [STANDARD_TABLE, DETAILED, COMMA_STANDARD, COMMA_DETAILED, SELECT_TABLE]
    if rng.random() < 0.5:
        source = rng.choice(fragments)
        start = rng.randint(0, len(source))
        pieces.append(source[start : start + rng.randint(0, 400)])
    return "\n".join(pieces)


@pytest.mark.parametrize("seed", range(200))
def test_random_garbage_never_raises(seed: int) -> None:
    rng = random.Random(seed)
    text = _garbage(rng)
    drm = parse_drmedia(text)
    assert all(p.line_number >= 0 for p in drm.problems)
    parse_volhist(text)
    parse_devconfig(text)


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "\x00\x00\x00", "-----", ":", ",", "\t", '"', "/*", "*", "-\n+\n", "\ufeff"],
)
def test_degenerate_inputs(text: str) -> None:
    parse_drmedia(text)
    parse_volhist(text)
    parse_devconfig(text)


def test_binary_bytes_decoded_leniently() -> None:
    text = bytes(range(256)).decode("latin-1") * 3
    parse_drmedia(text)
    parse_volhist(text)
    parse_devconfig(text)


# --- Volume history --------------------------------------------------------------------------

VOLHIST = """*******************************************************************************
*
*  Sequential Volume Usage History
*  Updated 03/01/2013 10:00:01
*
*  Operation Volume Backup Backup Volume Device Volume
*  Date/Time Type Series Oper. Seq Class Name Name
*******************************************************************************
 2013/02/27 22:30:45  BACKUPFULL       12      0      1 LTO4CLASS "A00010L4"
 2013/02/27 22:31:45  BACKUPFULL       12      0      2 LTO4CLASS "A00011L4"
 2013/02/28 22:30:45  BACKUPINCR       12      1      1 LTO4CLASS "A00012L4"
     "Iron Mountain"
 2013/02/28 08:00:12  STGNEW            0      0      0 LTO4CLASS "A00001L4"
 2013/03/01 06:00:00  DBSNAPSHOT        3      0      1 FILECLASS "/tsm/snap/123.DBV"
 2013/03/01 22:30:45  BACKUPFULL       13      0      1 LTO4CLASS "A00013L4" VAULT
 2013/03/01 23:00:00  STGDELETE         0      0      0 LTO4CLASS "A00001L4"
"""


def test_volhist_entries() -> None:
    result = parse_volhist(VOLHIST)
    assert result.problems == []
    assert len(result.entries) == 7
    first = result.entries[0]
    assert (first.when, first.type, first.series, first.operation, first.sequence) == (
        datetime(2013, 2, 27, 22, 30, 45), "BACKUPFULL", 12, 0, 1,
    )  # fmt: skip
    assert (first.device_class, first.volume, first.line_number) == ("LTO4CLASS", "A00010L4", 9)
    incr = result.entries[2]
    assert incr.location == "Iron Mountain"
    assert incr.extra == ("Iron Mountain",)
    assert result.entries[5].location == "VAULT"
    assert result.entries[4].volume == "/tsm/snap/123.DBV"


def test_db_backup_series() -> None:
    series = db_backup_series(parse_volhist(VOLHIST).entries)
    assert [(s.series, s.snapshot) for s in series] == [(12, False), (3, True), (13, False)]
    twelve = series[0]
    assert twelve.has_full
    assert [op.operation for op in twelve.operations] == [0, 1]
    assert [op.type for op in twelve.operations] == ["BACKUPFULL", "BACKUPINCR"]
    assert twelve.volumes == ("A00010L4", "A00011L4", "A00012L4")
    assert twelve.started == datetime(2013, 2, 27, 22, 30, 45)
    assert twelve.device_classes == ("LTO4CLASS",)
    assert series[1].volumes == ("/tsm/snap/123.DBV",)


def test_db_backup_series_orders_volumes_by_sequence() -> None:
    text = (
        ' 2013/02/27 22:31:45  BACKUPFULL  12  0  2 LTO "B"\n'
        ' 2013/02/27 22:30:45  BACKUPFULL  12  0  1 LTO "A"\n'
    )
    (series,) = db_backup_series(parse_volhist(text).entries)
    assert series.volumes == ("A", "B")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (' 2013/02/27 22:30:45  BACKUPFULL  12  0  1 LTO4CLASS', "wrong number of fields: 7"),
        (' 2013/02/30 22:30:45  BACKUPFULL  12  0  1 LTO4CLASS "A1"', "bad date '2013/02/30"),
        (' 2013/02/27 25:30:45  BACKUPFULL  12  0  1 LTO4CLASS "A1"', "bad time '25:30:45'"),
        (' 2013/02/27 22:30:45  BACKUPHALF  12  0  1 LTO4CLASS "A1"', "unknown volume history"),
        (' 2013/02/27 22:30:45  BACKUPFULL  x2  0  1 LTO4CLASS "A1"', "bad backup series 'x2'"),
        (' 2013/02/27 22:30:45  BACKUPFULL  12  0  -1 LTO4CLASS "A1"', "bad backup sequence '-1'"),
        (' 2013/02/27 22:30:45  BACKUPFULL  12  0  1 LTO4CLASS "A1', "unclosed quote"),
        (' 2013/02/27 22:30:45  BACKUPFULL  12  0  1 LTO4CLASS ""', "empty volume name"),
        ('garbage at the left margin', "not a volume history entry"),
    ],
)  # fmt: skip
def test_bad_volhist_lines(line: str, message: str) -> None:
    text = "* header\n" + line + '\n 2013/02/27 22:30:45  STGNEW  0 0 0 LTO "OK1"\n'
    result = parse_volhist(text)
    assert [e.volume for e in result.entries] == ["OK1"]
    (problem,) = result.problems
    assert (problem.line_number, problem.text) == (2, line)
    assert problem.message.startswith(message), problem.message


# --- Device configuration --------------------------------------------------------------------

DEVCONFIG = """/* Device Configuration */
SET SERVERNAME TSM1
SET SERVERPASSWORD 18c0be89
DEFINE DEVCLASS LTOCLASS2 devtype=LTO library=lb0.0.0.6 format=ULTRIUM4 -
  MOUNTRETENTION=60
DEFINE DEVCLASS FILECLASS DEVTYPE=FILE DIRECTORY="/tsm/file dir" MAXCAPACITY=50G
DEFINE LIBRARY lb0.0.0.6 libtype=scsi
DEFINE DRIVE lb0.0.0.6 mt0.1.0.6 element=257
DEFINE PATH TSM1 lb0.0.0.6 srctype=server desttype=library device=lb0.0.0.6
DEFINE PATH TSM1 mt0.1.0.6 SRCTYPE=SERVER DESTTYPE=DRIVE LIBRARY=lb0.0.0.6 DEVICE=/dev/rmt0
/* LIBRARYINVENTORY SCSI lb0.0.0.6 A00010L4 4096 101*/
DEF DRI lb0.0.0.6 mt1 +
element=258
"""


def test_devconfig_objects() -> None:
    result = parse_devconfig(DEVCONFIG)
    assert result.problems == []
    assert result.server_name == "TSM1"
    lto, file_class = result.device_classes
    assert (lto.name, lto.devtype, lto.library) == ("LTOCLASS2", "LTO", "lb0.0.0.6")
    assert lto.command.option("mountretention") == "60"
    assert lto.command.line_number == 4
    assert lto.command.text.endswith("format=ULTRIUM4 MOUNTRETENTION=60")
    assert file_class.command.option("DIRECTORY") == "/tsm/file dir"
    (library,) = result.libraries
    assert (library.name, library.libtype) == ("lb0.0.0.6", "SCSI")
    assert [(d.library, d.name) for d in result.drives] == [
        ("lb0.0.0.6", "mt0.1.0.6"),
        ("lb0.0.0.6", "mt1"),
    ]
    assert result.drives[1].command.option("ELEMENT") == "258"
    assert [(p.source, p.destination, p.desttype, p.device) for p in result.paths] == [
        ("TSM1", "lb0.0.0.6", "LIBRARY", "lb0.0.0.6"),
        ("TSM1", "mt0.1.0.6", "DRIVE", "/dev/rmt0"),
    ]
    assert [c.line_number for c in result.commands] == [2, 3, 4, 6, 7, 8, 9, 10, 12]


def test_quotes_with_apostrophes_and_blanks() -> None:
    line = """ 2013/02/27 22:30:45  BACKUPFULL  12  0  1 LTO "A1" "O'Brien vault"\n"""
    (entry,) = parse_volhist(line).entries
    assert entry.location == "O'Brien vault"


def test_devconfig_never_keeps_the_server_password() -> None:
    result = parse_devconfig(DEVCONFIG)
    assert "18c0be89" not in repr(result)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("FROBNICATE DEVCLASS X", "not a server command: 'FROBNICATE'"),
        ("DEFINE", "DEFINE without an object"),
        ("DEFINE DRIVE onlyone", "DEFINE DRIVE needs 2 name(s), found 1"),
        ("DEFINE PATH a", "DEFINE PATH needs 2 name(s)"),
        ('DEFINE DEVCLASS X DIRECTORY="/open', "unclosed quote"),
    ],
)
def test_bad_devconfig_lines(line: str, message: str) -> None:
    result = parse_devconfig("SET SERVERNAME S\n" + line + "\nDEFINE LIBRARY L LIBTYPE=MANUAL\n")
    assert [lib.name for lib in result.libraries] == ["L"]
    (problem,) = result.problems
    assert problem.line_number == 2
    assert problem.message.startswith(message), problem.message


# --- Found by the properties (test_tsm_formats_properties.py) --------------------------------


@pytest.mark.parametrize("inside", ["\x0c", "\x0b", "\x85", "\u2028", "\x1c"])
def test_only_line_ends_count_as_lines(inside: str) -> None:
    """str.splitlines() also broke lines at a form feed or U+2028: every number after was off."""
    text = f"A1,Vault,04/22/2024 09:00:00,LIB{inside}1\nB 2,Vault,04/22/2024 09:00:00,\n"
    assert [p.line_number for p in parse_drmedia(text).problems] == [2]
    volhist = f"* a comment with {inside} inside\ngarbage\n"
    assert [p.line_number for p in parse_volhist(volhist).problems] == [2]
    devconfig = f"/* a comment with {inside} inside */\nFROBNICATE\n"
    assert [p.line_number for p in parse_devconfig(devconfig).problems] == [2]


def test_a_nul_between_cr_and_lf_joins_no_lines() -> None:
    result = parse_volhist("* comment\r\x00\ngarbage\n")
    assert [p.line_number for p in result.problems] == [3]


def test_volumes_named_like_client_output_are_data() -> None:
    """A name like the command echo dropped every line before it; in a table, one like a
    message number dropped its row; in lower case, MORE... passed for the pager prompt."""
    comma = "A1,Vault,04/22/2024 09:00:00,\nANS8000I,Vault,04/22/2024 09:00:00,\n"
    assert [r.volser for r in parse_drmedia(comma).records] == ["A1", "ANS8000I"]
    table = "Volume Name     State\n-----------     -----\nANR1234E        Vault\n"
    assert [r.volser for r in parse_drmedia(table).records] == ["ANR1234E"]
    tab = "more...\tVault\t04/22/2024 09:00:00\t\nmore...   (<ENTER> to continue, 'C' to cancel)\n"
    result = parse_drmedia(tab)
    assert ([r.volser for r in result.records], result.problems) == (["MORE..."], [])


def test_table_rows_start_at_the_volume_name_column() -> None:
    """A row whose first column was empty (SELECT location, volume_name ...) was taken for a
    continuation of the row above."""
    text = (
        "LOCATION         VOLUME_NAME     STATE\n"
        "-------------    -----------     -----\n"
        "Iron Mountain    A1              VAULT\n"
        "                 A2              MOUNTABLE\n"
    )
    result = parse_drmedia(text)
    assert result.problems == []
    assert [(r.volser, r.location) for r in result.records] == [("A1", "Iron Mountain"), ("A2", "")]


def test_an_unclosed_quote_is_a_problem() -> None:
    """The csv module read the open quote to the end of the line: a cut-off line came back
    as a record with its fields shifted."""
    line = 'A1,Vault,04/22/2024 09:00:00,"Iron Mountain, Box 7,LIB1'
    result = parse_drmedia(f"A0,Vault,04/22/2024 09:00:00,LIB1\n{line}\n")
    assert [r.volser for r in result.records] == ["A0"]
    (problem,) = result.problems
    assert (problem.line_number, problem.text, problem.message) == (2, line, "unclosed quote")


def test_one_bad_first_date_does_not_make_a_select_a_query() -> None:
    """The first dated line alone decided between SELECT and Q DRMEDIA columns."""
    text = (
        "TAPE09,VAULT,yesterday,Iron Mountain\n"
        "TAPE10,VAULT,2008-03-05 11:00:00.000000,Iron Mountain\n"
        "TAPE11,VAULT,2008-03-05 11:00:00.000000,Iron Mountain\n"
    )
    result = parse_drmedia(text)
    assert result.form is DrmediaForm.SELECT_COMMA
    assert [r.location for r in result.records] == ["Iron Mountain", "Iron Mountain"]
    assert [p.line_number for p in result.problems] == [1]


@pytest.mark.parametrize("number", ["\u00b2", "\u0661\u0662"])
def test_volhist_numbers_are_ascii_digits(number: str) -> None:
    """str.isdigit() accepted "²", which int() refuses: the whole file was lost."""
    text = f' 2013/02/27 22:30:45  BACKUPFULL  {number}  0  1 LTO "A1"\n'
    text += ' 2013/02/27 22:31:45  BACKUPFULL  12  0  2 LTO "A2"\n'
    result = parse_volhist(text)
    assert [e.volume for e in result.entries] == ["A2"]
    (problem,) = result.problems
    assert problem.message == f"bad backup series {number!r}: not a number"


def test_devconfig_plus_continues_without_a_blank() -> None:
    text = 'DEFINE DEVCLASS FILE DEVTYPE=FILE DIRECTORY="/tsm/fi+\n   le dir" MAXCAP+\nACITY=50G\n'
    (device_class,) = parse_devconfig(text).device_classes
    assert device_class.command.options == (
        ("DEVTYPE", "FILE"), ("DIRECTORY", "/tsm/file dir"), ("MAXCAPACITY", "50G"),
    )  # fmt: skip


def test_devconfig_continuation_of_nothing_is_no_command() -> None:
    """A lone "-" before a blank line made an empty command, and the parser stopped there."""
    result = parse_devconfig("-\n\n  -\nDEFINE LIBRARY L LIBTYPE=MANUAL\n")
    assert result.problems == []
    (library,) = result.libraries
    assert library.command.line_number == 4
