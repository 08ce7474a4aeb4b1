"""The plain volume list: every rule of volume_csv's module text, every message, and a round
trip of generated records through format_volume_csv and parse_volume_csv."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drm_gui.core.states import KIND_LABELS, DrmState, VolumeKind
from drm_gui.core.tsm_formats import DrmediaForm, DrmediaRecord, ParseProblem, ParseResult
from drm_gui.core.volser import ALLOWED, MAX_LENGTH
from drm_gui.core.volume_csv import format_volume_csv, parse_volume_csv

HEADER = "volser,state,location,kind,pool,updated\n"


def record(volser: str, state: DrmState, line: int, **values: Any) -> DrmediaRecord:
    """A record read from *line*, with the *values* given and nothing else."""
    return replace(DrmediaRecord(volser, state, None, line_number=line), **values)


def only_problem(result: ParseResult) -> tuple[int, str, str]:
    (problem,) = result.problems
    return problem.line_number, problem.text, problem.message


# --- Columns ---------------------------------------------------------------------------------


def test_a_full_list() -> None:
    text = (
        HEADER
        + "A00017L8,VAULT,Iron Mountain,DBBackup,,2024-04-22 09:30:00\n"
        + "a00018l8,Vault retrieve,,CopyStgPool,COPYPOOL,\n"
    )
    result = parse_volume_csv(text)
    assert result.form is DrmediaForm.CSV
    assert result.problems == []
    assert result.records == [
        DrmediaRecord(
            "A00017L8", DrmState.VAULT, datetime(2024, 4, 22, 9, 30), "Iron Mountain",
            VolumeKind.DB_BACKUP, "", line_number=2,
        ),
        DrmediaRecord(
            "A00018L8", DrmState.VAULTRETRIEVE, None, "", VolumeKind.COPY_POOL, "COPYPOOL",
            line_number=3,
        ),
    ]  # fmt: skip


@pytest.mark.parametrize("name", ["volser", "VOLSER", "volume", "Volume_Name", "Volume  Name"])
def test_the_volume_column_and_its_aliases(name: str) -> None:
    result = parse_volume_csv(f"State,{name}\nVAULT,A1\n")
    assert [(r.volser, r.state) for r in result.records] == [("A1", DrmState.VAULT)]


def test_columns_in_any_order_and_case_and_only_the_required_ones() -> None:
    result = parse_volume_csv("UPDATED,Pool,STATE,Volser\n2024-04-22,P1,Courier,A1\n")
    assert result.records == [
        record("A1", DrmState.COURIER, 2, updated=datetime(2024, 4, 22), pool="P1")
    ]
    assert parse_volume_csv("state,volser\nVAULT,A1\n").records == [record("A1", DrmState.VAULT, 2)]


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("VAULTRETRIEVE", DrmState.VAULTRETRIEVE),
        ("Vault retrieve", DrmState.VAULTRETRIEVE),
        ("On-site retrieve", DrmState.ONSITERETRIEVE),
        ("Onsite retrieve", DrmState.ONSITERETRIEVE),
        ("not mountable", DrmState.NOTMOUNTABLE),
    ],
)
def test_states_as_keywords_or_captions(text: str, state: DrmState) -> None:
    (result,) = parse_volume_csv(f"volser,state\nA1,{text}\n").records
    assert result.state is state


@pytest.mark.parametrize(
    ("text", "kind"),
    [(k.value, k) for k in VolumeKind] + [(label, k) for k, label in KIND_LABELS.items()],
)
def test_kinds_as_server_values_or_app_names(text: str, kind: VolumeKind) -> None:
    (result,) = parse_volume_csv(f"volser,state,kind\nA1,VAULT,{text}\n").records
    assert result.kind is kind


@pytest.mark.parametrize(
    ("text", "updated"),
    [
        ("2024-04-22", datetime(2024, 4, 22)),
        ("2024-04-22 09:30", datetime(2024, 4, 22, 9, 30)),
        ("2024-04-22 09:30:15", datetime(2024, 4, 22, 9, 30, 15)),
        ("04/22/2024 09:30:15", datetime(2024, 4, 22, 9, 30, 15)),
        ("12/11/12 07:00:00", datetime(2012, 12, 11, 7)),
        ("", None),
    ],
)
def test_update_times(text: str, updated: datetime | None) -> None:
    (result,) = parse_volume_csv(f"volser,state,updated\nA1,VAULT,{text}\n").records
    assert result.updated == updated


def test_values_lose_their_outer_blanks() -> None:
    (result,) = parse_volume_csv("volser,state,location\n  a1 , Vault ,  Iron  Mountain \n").records
    assert result == record("A1", DrmState.VAULT, 2, location="Iron  Mountain")


def test_unknown_columns_are_named_once_and_ignored() -> None:
    text = "volser,Status,state,Where,\nA1,x,VAULT,Iron Mountain,\n"
    result = parse_volume_csv(text)
    assert result.records == [record("A1", DrmState.VAULT, 2)]
    assert only_problem(result) == (
        1,
        "volser,Status,state,Where,",
        "unknown column(s) 'Status', 'Where' ignored; "
        "the columns are volser, state, location, kind, pool, updated",
    )


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("volser,location", "no state column: required"),
        ("state,location", "no volser column: required"),
        ("A00017L8,VAULT", "no volser and no state column: required"),
        ("volser,state,volume", "column(s) named twice: volser"),
    ],
)
def test_a_header_without_its_columns_reads_no_rows(header: str, message: str) -> None:
    result = parse_volume_csv(f"{header}\nA1,VAULT,x\n")
    assert result.records == []
    assert {p.line_number for p in result.problems} == {1}
    assert result.problems[-1].message == message


# --- Layout ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "location"),
    [(",", "Box 7; row 1"), (";", "Box 7, row 1"), ("\t", "Box 7, row 1; shelf 2")],
)
def test_the_delimiter_is_the_header_lines(delimiter: str, location: str) -> None:
    """A location holding the other separators is read whole."""
    text = delimiter.join(["volser", "state", "location"]) + "\n"
    text += delimiter.join(["A1", "VAULT", location]) + "\n"
    (result,) = parse_volume_csv(text).records
    assert result.location == location


def test_byte_order_mark_blank_comment_and_separator_lines_are_skipped() -> None:
    text = "\ufeff# written by hand\n\nvolser;state\nA1;VAULT\n   \n;;\n  # A2;VAULT\nA3;COURIER\n"
    result = parse_volume_csv(text)
    assert result.problems == []
    assert [(r.volser, r.line_number) for r in result.records] == [("A1", 4), ("A3", 8)]


def test_quoted_fields_follow_csv_rules() -> None:
    text = (
        HEADER
        + 'A1,VAULT,"Iron Mountain, ""Box"" 7",,,\n'
        + 'A2,VAULT,"two\n'
        + "# not a comment\n"
        + 'lines",,,\n'
        + "A3,VAULT,,,,\n"
    )
    result = parse_volume_csv(text)
    assert result.problems == []
    assert [(r.location, r.line_number) for r in result.records] == [
        ('Iron Mountain, "Box" 7', 2),
        ("two\n# not a comment\nlines", 3),
        ("", 6),
    ]


def test_empty_text_is_an_empty_list() -> None:
    for text in ["", "\ufeff", "# nothing yet\n\n"]:
        assert parse_volume_csv(text) == ParseResult([], [], DrmediaForm.CSV)


# --- Bad rows --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("A 1,VAULT,,,,", "volser: 'A 1': contains a blank (allowed: A-Z, 0-9 and _.-+&)"),
        (",VAULT,,,,", "volser: empty: no volume name"),
        ("A" * 33 + ",VAULT,,,,", "volser: too long: 33 characters, at most 32"),
        ("A2,,,,,", "state: empty; every volume needs one"),
        ("A2,Lost,,,,", "state: unknown state 'Lost': use one of MOUNTABLE, NOTMOUNTABLE, "
         "COURIER, VAULT, VAULTRETRIEVE, COURIERRETRIEVE, ONSITERETRIEVE"),
        ("A2,VAULT,,Tape,,", "kind: unknown volume kind 'Tape': use one of DBBackup, "
         "DBSnapshot, CopyStgPool, ActiveDataStgPool"),
        ("A2,VAULT,,,,2024-02-30", "updated: bad date '2024-02-30': no such day"),
        ("A2,VAULT,,,,tomorrow", "updated: bad date 'tomorrow': expected MM/DD/YYYY, "
         "MM/DD/YY or YYYY-MM-DD followed by HH:MM:SS"),
        ("A2,VAULT,,,,2024-04-22 25:00", "updated: bad time '25:00' in '2024-04-22 25:00': "
         "out of range"),
        ("A2,VAULT,,,", "5 fields where the header line names 6 columns"),
        ("A2,VAULT,,,,,x", "7 fields where the header line names 6 columns"),
        ('A2,VAULT,"Iron" Mountain,,,', "not readable as CSV: ',' expected after '\"'"),
        ("A1,COURIER,,,,", "volser A1: already on line 2"),
    ],
)  # fmt: skip
def test_each_bad_row_is_named_on_its_line(row: str, message: str) -> None:
    result = parse_volume_csv(HEADER + "A1,VAULT,,,,\n" + row + "\nA3,VAULT,,,,\n")
    assert [r.volser for r in result.records] == ["A1", "A3"]
    assert only_problem(result) == (3, row, message)


def test_trailing_empty_fields_are_no_error() -> None:
    result = parse_volume_csv("volser,state\nA1,VAULT,,\n")
    assert (result.records, result.problems) == ([record("A1", DrmState.VAULT, 2)], [])


def test_an_unclosed_quote_takes_the_rest_of_the_file() -> None:
    result = parse_volume_csv(HEADER + 'A1,VAULT,"Iron Mountain,,,\nA2,VAULT,,,,\n')
    assert result.records == []
    assert only_problem(result) == (
        2,
        'A1,VAULT,"Iron Mountain,,,\nA2,VAULT,,,,',
        "unclosed quote: the quoted field runs on to the end of the file",
    )


def test_a_header_with_bad_quoting_reads_no_rows() -> None:
    result = parse_volume_csv('"volser"x,state\nA1,VAULT\n')
    assert result.records == []
    assert only_problem(result)[:2] == (1, '"volser"x,state')


# --- Writing ---------------------------------------------------------------------------------


def test_format_writes_the_documented_columns() -> None:
    records = [
        DrmediaRecord("A1", DrmState.VAULTRETRIEVE, datetime(2024, 4, 22, 9, 30, 15, 500),
                      'Iron Mountain, "Box" 7', VolumeKind.ACTIVE_DATA_POOL, "ADPOOL", "LIB1"),
        DrmediaRecord("A2", DrmState.MOUNTABLE, None),
    ]  # fmt: skip
    assert format_volume_csv(records) == (
        HEADER
        + 'A1,VAULTRETRIEVE,"Iron Mountain, ""Box"" 7",ActiveDataStgPool,ADPOOL,'
        + "2024-04-22 09:30:15\n"
        + "A2,MOUNTABLE,,,,\n"
    )
    assert format_volume_csv([]) == HEADER


def test_a_carriage_return_in_a_value_is_quoted() -> None:
    """The csv module quotes only its line terminator's characters: a bare \\r in a value
    ended the row early when read back."""
    records = [DrmediaRecord("A1", DrmState.VAULT, None, "Iron\rMountain", line_number=2)]
    written = format_volume_csv(records)
    assert written == HEADER + '"A1","VAULT","Iron\rMountain","","",""\n'
    assert parse_volume_csv(written).records == records


# --- Properties ------------------------------------------------------------------------------

VOLSERS = st.text(alphabet=sorted(ALLOWED), min_size=1, max_size=MAX_LENGTH)
TEXTS = st.text().map(str.strip)
RECORDS = st.builds(
    DrmediaRecord,
    volser=VOLSERS,
    state=st.sampled_from(DrmState),
    updated=st.none() | st.datetimes().map(lambda when: when.replace(microsecond=0)),
    location=TEXTS,
    kind=st.none() | st.sampled_from(VolumeKind),
    pool=TEXTS,
)
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@settings(max_examples=200, deadline=None, database=None)
@given(records=st.lists(RECORDS, max_size=8, unique_by=lambda r: r.volser))
def test_what_is_written_reads_back(records: list[DrmediaRecord]) -> None:
    """Same records; each on the line where its row starts (quoted line breaks counted)."""
    line = 2
    expected: list[DrmediaRecord] = []
    for r in records:
        expected.append(replace(r, line_number=line))
        line += 1 + sum(len(LINE_BREAK.findall(text)) for text in (r.location, r.pool))
    assert parse_volume_csv(format_volume_csv(records)) == ParseResult(
        expected, [], DrmediaForm.CSV
    )


CSV_PIECES = st.sampled_from(
    [",", ";", "\t", '"', '""', "#", "\n", "\r", "\r\n", "\ufeff", "\x00", " ", "volser", "state",
     "location", "A1", "VAULT", "Vault retrieve", "DBBackup", "2024-02-30", "12/11/12 07:00"]
)  # fmt: skip


@settings(max_examples=200, deadline=None, database=None)
@given(text=st.text() | st.lists(CSV_PIECES | st.text(max_size=5), max_size=60).map("".join))
def test_any_text_is_read_without_raising(text: str) -> None:
    lines = list(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    result = parse_volume_csv(text)
    items: list[ParseProblem | DrmediaRecord] = [*result.problems, *result.records]
    for item in items:
        assert 1 <= item.line_number <= len(lines)
    for problem in result.problems:
        assert problem.text.startswith(lines[problem.line_number - 1].rstrip("\r\n"))
