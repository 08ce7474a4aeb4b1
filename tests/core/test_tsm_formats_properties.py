"""Properties of the storage server parsers (tsm_formats, tsm_formats_files) on generated input.

* Any text at all: no exception, and every problem and record points at a line that exists
  (numbered as an editor numbers them) and carries that line's text.
* Valid records written in every form the parsers claim to read come back unchanged.
* Malformed lines of every kind mixed into valid files: each is reported once, on its own line,
  and every valid line around them still comes back.
"""

from __future__ import annotations

import calendar
import csv
import io
import string
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drm_gui.core.states import DrmError, DrmState, VolumeKind
from drm_gui.core.tsm_formats import (
    DateError,
    DrmediaForm,
    DrmediaRecord,
    ParseProblem,
    parse_client_datetime,
    parse_drmedia,
)
from drm_gui.core.tsm_formats_files import (
    DB_BACKUP_TYPES,
    VOLHIST_TYPES,
    DevconfigCommand,
    DeviceClass,
    Drive,
    Library,
    Path,
    VolhistEntry,
    db_backup_series,
    parse_devconfig,
    parse_volhist,
)
from drm_gui.core.volser import ALLOWED, MAX_LENGTH, check_volser

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- Lines and units -------------------------------------------------------------------------

Unit = tuple[list[str], object]  # some lines, and what they stand for (None: nothing to read)
Placed = TypeVar("Placed", DrmediaRecord, VolhistEntry)


def assemble(units: Sequence[Unit], ending: str = "\n") -> tuple[str, dict[int, object]]:
    """The text of *units*, and what each stands for by the number of its first line."""
    lines: list[str] = []
    by_line: dict[int, object] = {}
    for unit, what in units:
        by_line[len(lines) + 1] = what
        lines += unit
    return ending.join(lines) + ending, by_line


def placed(by_line: dict[int, object], kind: type[Placed]) -> list[Placed]:
    """The records (or entries) of *by_line*, each with the number of the line it starts on."""
    return [replace(w, line_number=n) for n, w in by_line.items() if isinstance(w, kind)]


def editor_lines(text: str) -> list[str]:
    """The lines as an editor (and Python's universal newlines) numbers them: only \\n, \\r\\n
    and \\r end a line. NULs are dropped, as the parsers drop them."""
    return [line.rstrip("\r\n").replace("\x00", "") for line in io.StringIO(text, newline="")]


def case_variants(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from([text, text.upper(), text.lower()])


def blanks(draw: st.DrawFn) -> str:
    return " " * draw(st.integers(1, 6))


# --- Building blocks -------------------------------------------------------------------------

BARCODES = st.builds(
    "{}{}{}".format,
    st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=3),
    st.text(alphabet=string.digits, min_size=3, max_size=5),
    st.sampled_from(["", "L4", "L5", "L6", "L7", "L8", "L9"]),
)
# Legal names that looked like something else to a parser: a message number, the command
# echo, the pager prompt (in lower case), punctuation only, a column name.
AWKWARD_VOLSERS = st.sampled_from(["ANR1234E", "ANS8000I", "MORE...", "-", "+&_.", "VOLUME"])
VOLSERS = st.one_of(
    st.text(alphabet=sorted(ALLOWED), min_size=1, max_size=MAX_LENGTH), BARCODES, AWKWARD_VOLSERS
)
NAMES = st.text(alphabet=string.ascii_uppercase + string.digits + "_.", min_size=1, max_size=12)
OPTIONAL_NAMES = st.just("") | NAMES
TEXT_CHARACTERS = string.ascii_letters + string.digits + " ,\"':;-/#&()éÜß"
LOCATIONS = st.text(alphabet=TEXT_CHARACTERS, max_size=30).map(str.strip)
WORDS = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=8)
LETTER_WORDS = st.text(alphabet=string.ascii_letters, min_size=1, max_size=8)
Q_TIMES = st.datetimes(datetime(1970, 1, 1), datetime(2068, 12, 31)).map(
    lambda when: when.replace(microsecond=0)
)
SQL_TIMES = st.datetimes(datetime(1000, 1, 1), datetime(9999, 12, 31))
# Characters no parser gives a meaning to: no letters, digits, blanks, delimiters, quotes,
# dashes, comment or continuation marks. A line of them is garbage to every parser.
GARBAGE = st.text(
    alphabet=[chr(c) for c in [*range(1, 32), *range(0x7F, 0xA0)] if not chr(c).isspace()]
    + list("§©¿÷¤¶@!$%^=~`|\\<>?;[]{}()\ufffd\x00"),
    min_size=1,
    max_size=40,
).filter(lambda text: text.replace("\x00", ""))


# --- DRMEDIA ---------------------------------------------------------------------------------

# Q DRMEDIA -comma/-tab by field count, and the columns of SELECT * FROM DRMEDIA [K].
Q_FIELDS = {
    4: ("volser", "state", "updated", "library"),
    7: ("volser", "state", "updated", "location", "kind", "pool", "library"),
    8: ("volser", "state", "updated", "location", "kind", "pool", "active_pool", "library"),
}
SQL_ORDER = ("volser", "state", "updated", "location", "pool", "library", "kind")
SQL_NAMES = {
    "volser": "VOLUME_NAME",
    "state": "STATE",
    "updated": "UPD_DATE",
    "location": "LOCATION",
    "pool": "STGPOOL_NAME",
    "library": "LIB_NAME",
    "kind": "VOLTYPE",
}
Q_CAPTIONS = {
    "volser": "Volume Name",
    "state": "State",
    "updated": "Last Update Date/Time",
    "location": "Location",
    "kind": "Volume Type",
    "pool": "Copy Storage Pool Name",
    "active_pool": "Active-Data Storage Pool Name",
    "library": "Automated LibName",
}
BANNER = [
    "IBM Storage Protect",
    "Command Line Administrative Interface - Version 8, Release 1, Level 21.0",
    "(c) Copyright by IBM Corporation and other(s) 1990, 2023. All Rights Reserved.",
    "",
    "Session established with server TSM8: Linux/x86_64",
    "  Server Version 8, Release 1, Level 21.000",
    "  Server date/time: 04/22/2024 09:38:27  Last access: 04/22/2024 09:36:23",
    "",
    "ANS8000I Server command: 'q drmedia'.",
    "",
]


def q_date(draw: st.DrawFn, when: datetime | None) -> str:
    """A date as Q commands print it: MM/DD/YYYY, or MM/DD/YY on 5.x clients, then blanks."""
    if when is None:
        return ""
    year = f"{when.year % 100:02d}" if draw(st.booleans()) else str(when.year)
    return f"{when:%m/%d}/{year}{' ' * draw(st.integers(1, 3))}{when:%H:%M:%S}"


def sql_date(when: datetime | None) -> str:
    return "" if when is None else f"{when:%Y-%m-%d %H:%M:%S}.{when.microsecond:06d}"


def cell(
    draw: st.DrawFn, record: DrmediaRecord, name: str, fields: Sequence[str], sql: bool
) -> str:
    """Column *name* of *record* in a form with *fields*: SELECT forms print state keywords
    and ISO timestamps, Q DRMEDIA captions ("Vault retrieve", "Onsite retrieve") and
    MM/DD/YYYY dates; an active-data pool has a column of its own in Q DRMEDIA F=D."""
    active = record.kind is VolumeKind.ACTIVE_DATA_POOL and "active_pool" in fields
    match name:
        case "volser":
            return draw(st.sampled_from([record.volser, record.volser.lower()]))
        case "state" if sql:
            return draw(case_variants(record.state.value))
        case "state":
            label = record.state.label
            return draw(case_variants(draw(st.sampled_from([label, label.replace("-", "")]))))
        case "updated":
            return sql_date(record.updated) if sql else q_date(draw, record.updated)
        case "kind":
            return "" if record.kind is None else draw(case_variants(record.kind.value))
        case "pool":
            return "" if active else record.pool
        case "active_pool":
            return record.pool if active else ""
        case "location":
            return record.location
    return record.library


@st.composite
def drmedia_records(
    draw: st.DrawFn,
    fields: Sequence[str],
    sql: bool,
    dated: bool = False,
    volsers: st.SearchStrategy[str] = VOLSERS,
) -> DrmediaRecord:
    """A record carrying only what a form with *fields* prints (the rest empty)."""
    times = SQL_TIMES if sql else Q_TIMES
    return DrmediaRecord(
        volser=draw(volsers).upper(),
        state=draw(st.sampled_from(DrmState)),
        updated=draw(times if dated else st.none() | times) if "updated" in fields else None,
        location=draw(LOCATIONS) if "location" in fields else "",
        kind=draw(st.none() | st.sampled_from(VolumeKind)) if "kind" in fields else None,
        pool=draw(OPTIONAL_NAMES) if "pool" in fields else "",
        library=draw(OPTIONAL_NAMES) if "library" in fields else "",
    )


def dsmadmc_output(draw: st.DrawFn, units: list[Unit]) -> list[Unit]:
    """*units* as the client prints them: with its banner and closing message, or with
    -dataonly=yes without."""
    if draw(st.booleans()):
        units = [(BANNER, None), *units, (["", "ANS8002I Highest return code was 0."], None)]
    return units


def comma_line(values: Sequence[str]) -> str:
    """Values joined by commas, quoted by csv rules (a comma or quote inside: "a ""b"", c")."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(values)
    return buffer.getvalue()


@dataclass(frozen=True)
class Layout:
    """One delimited DRMEDIA form: its columns, delimiter and header line."""

    form: DrmediaForm
    fields: tuple[str, ...]
    delimiter: str
    header: str | None
    counts: frozenset[int]  # the field counts the parser accepts in this form

    @property
    def sql(self) -> bool:
        return self.form in (DrmediaForm.SELECT_COMMA, DrmediaForm.SELECT_TAB)

    def join(self, values: Sequence[str]) -> str:
        return comma_line(values) if self.delimiter == "," else "\t".join(values)

    def records(
        self, volsers: st.SearchStrategy[str] = VOLSERS
    ) -> st.SearchStrategy[DrmediaRecord]:
        # A SELECT without a header is told from Q output by its ISO dates, so it has them.
        dated = self.sql and self.header is None
        return drmedia_records(self.fields, self.sql, dated, volsers)

    def row(self, draw: st.DrawFn, record: DrmediaRecord) -> list[str]:
        return [cell(draw, record, name, self.fields, self.sql) for name in self.fields]


DELIMITED = ["comma", "tab", "select-comma", "select-tab", "select-bare-comma", "select-bare-tab"]


@st.composite
def layouts(draw: st.DrawFn) -> Layout:
    """Q DRMEDIA -comma/-tab (4, 7 or 8 fields), or a SELECT with a header line (any columns
    in any order) or without one (the first columns of SELECT *)."""
    name = draw(st.sampled_from(DELIMITED))
    delimiter = "\t" if name.endswith("tab") else ","
    if not name.startswith("select"):
        count = draw(st.sampled_from(sorted(Q_FIELDS)))
        form = DrmediaForm.TAB if delimiter == "\t" else DrmediaForm.COMMA
        return Layout(form, Q_FIELDS[count], delimiter, None, frozenset(Q_FIELDS))
    form = DrmediaForm.SELECT_TAB if delimiter == "\t" else DrmediaForm.SELECT_COMMA
    if "bare" in name:
        fields = SQL_ORDER[: draw(st.integers(3, len(SQL_ORDER)))]
        return Layout(form, fields, delimiter, None, frozenset(range(3, len(SQL_ORDER) + 1)))
    fields = tuple(draw(sql_columns()))
    header = delimiter.join(draw(case_variants(SQL_NAMES[f])) for f in fields)
    return Layout(form, fields, delimiter, header, frozenset([len(fields)]))


def sql_columns() -> st.SearchStrategy[list[str]]:
    """The columns a SELECT names: the volume and its state, and any others, in any order."""
    others = st.lists(st.sampled_from(SQL_ORDER[2:]), unique=True)
    return others.flatmap(lambda extra: st.permutations(["volser", "state", *extra]))


@st.composite
def delimited_documents(draw: st.DrawFn) -> tuple[Layout, list[Unit]]:
    layout = draw(layouts())
    units: list[Unit] = [([layout.header], None)] if layout.header is not None else []
    for record in draw(st.lists(layout.records(), min_size=1, max_size=5)):
        units.append(([layout.join(layout.row(draw, record))], record))
    return layout, dsmadmc_output(draw, units)


@st.composite
def detailed_documents(draw: st.DrawFn) -> list[Unit]:
    """Q DRMEDIA FORMAT=DETAILED blocks, or a SELECT in list mode (any columns, any order)."""
    if draw(st.booleans()):
        fields: Sequence[str] = Q_FIELDS[8]
        labels = [Q_CAPTIONS[f] for f in fields]
    else:
        fields = draw(sql_columns())
        labels = [draw(case_variants(SQL_NAMES[f])) for f in fields]
    sql = "active_pool" not in fields
    width = max(len(label) for label in labels)
    units: list[Unit] = []
    for record in draw(st.lists(drmedia_records(fields, sql), min_size=1, max_size=4)):
        block = [
            f"{label:>{width}}: {cell(draw, record, name, fields, sql)}".rstrip()
            for label, name in zip(labels, fields, strict=True)
        ]
        units.append(([*block, ""], record))
    return dsmadmc_output(draw, units)


def split_caption(draw: st.DrawFn, caption: str) -> list[str]:
    """A caption over one to three header lines, split between words or inside the last word
    with a hyphen, as the client splits a caption wider than its column."""
    lines = [[caption.split()[0]]]
    for word in caption.split()[1:]:
        if len(lines) < 3 and draw(st.booleans()):
            lines.append([word])
        else:
            lines[-1].append(word)
    last = lines[-1][-1]
    if len(lines) < 3 and len(last) > 3 and draw(st.booleans()):
        at = draw(st.integers(2, len(last) - 1))
        lines[-1][-1] = last[:at] + "-"
        lines.append([last[at:]])
    return [" ".join(words) for words in lines]


@st.composite
def table_documents(draw: st.DrawFn) -> list[Unit]:
    """A fixed-width table: any columns in any order, captions over several lines, a dash rule
    under each, SELECT timestamps wrapped onto a continuation line (time under date)."""
    sql = draw(st.booleans())
    fields = draw(sql_columns())
    headers = [
        [draw(case_variants(SQL_NAMES[f]))] if sql else split_caption(draw, Q_CAPTIONS[f])
        for f in fields
    ]
    wrap = sql and draw(st.booleans())
    rows: list[tuple[DrmediaRecord, list[str], list[str]]] = []
    for record in draw(st.lists(drmedia_records(fields, sql), min_size=1, max_size=5)):
        cells = [cell(draw, record, name, fields, sql) for name in fields]
        under = [""] * len(fields)
        if wrap and record.updated is not None:
            at = fields.index("updated")
            cells[at], under[at] = cells[at].split(" ")
        rows.append((record, cells, under))
    widths = [len(max(header, key=len)) for header in headers]
    for _record, cells, under in rows:
        widths = [max(w, len(c), len(u)) for w, c, u in zip(widths, cells, under, strict=True)]
    indent = draw(st.sampled_from(["", "  "]))

    def line(texts: Sequence[str]) -> str:
        padded = [text.ljust(width) for text, width in zip(texts, widths, strict=True)]
        return (indent + "     ".join(padded)).rstrip()

    height = max(len(header) for header in headers)
    head = [line([h[i] if i < len(h) else "" for h in headers]) for i in range(height)]
    units: list[Unit] = [([*head, line(["-" * w for w in widths])], None)]
    for record, cells, under in rows:
        units.append(([line(cells), line(under)] if any(under) else [line(cells)], record))
    return dsmadmc_output(draw, units)


@PROPERTY
@given(document=delimited_documents(), ending=st.sampled_from(["\n", "\r\n"]))
def test_delimited_forms_read_back_what_was_written(
    document: tuple[Layout, list[Unit]], ending: str
) -> None:
    layout, units = document
    text, by_line = assemble(units, ending)
    result = parse_drmedia(text)
    assert (result.form, result.problems) == (layout.form, [])
    assert result.records == placed(by_line, DrmediaRecord)


@PROPERTY
@given(units=detailed_documents())
def test_detailed_blocks_read_back_what_was_written(units: list[Unit]) -> None:
    text, by_line = assemble(units)
    result = parse_drmedia(text)
    assert (result.form, result.problems) == (DrmediaForm.DETAILED, [])
    assert result.records == placed(by_line, DrmediaRecord)


@PROPERTY
@given(units=table_documents())
def test_tables_read_back_what_was_written(units: list[Unit]) -> None:
    text, by_line = assemble(units)
    result = parse_drmedia(text)
    assert (result.form, result.problems) == (DrmediaForm.TABLE, [])
    assert result.records == placed(by_line, DrmediaRecord)


# --- Volume history --------------------------------------------------------------------------

VOLHIST_HEADER = [
    "*" * 79,
    "*",
    "*  Sequential Volume Usage History",
    "*  Updated 03/01/2013 10:00:01",
    "*",
    "*" * 79,
]
VOLUME_NAMES = st.text(alphabet=TEXT_CHARACTERS.replace('"', "") + "./", min_size=1).map(str.strip)
COMMENT_LINES = st.sampled_from(["", "*", "*  Volume Name", " *"])


@st.composite
def volhist_units(draw: st.DrawFn) -> Unit:
    """An entry line (blanks of any width between its fields) with its indented extra lines,
    or a comment or blank line."""
    if draw(st.integers(0, 4)) == 0:
        return [draw(COMMENT_LINES)], None
    when = draw(SQL_TIMES).replace(microsecond=0)
    kind = draw(st.sampled_from(sorted(VOLHIST_TYPES)))
    series, operation, sequence = draw(st.lists(st.integers(0, 99999), min_size=3, max_size=3))
    device_class = draw(NAMES)
    volume = draw(VOLUME_NAMES.filter(bool))
    if draw(st.booleans()):
        location = written = " ".join(draw(st.lists(WORDS, max_size=3)))
    else:
        location = draw(LOCATIONS).replace('"', "")
        written = f'"{location}"'
    extras = draw(
        st.lists(st.lists(LETTER_WORDS, min_size=1, max_size=3).map(" ".join), max_size=2)
    )
    date = f"{when:%Y/%m/%d}" if draw(st.booleans()) else f"{when.year}/{when.month}/{when.day}"
    tokens = [date, f"{when:%H:%M:%S}", draw(case_variants(kind)), str(series), str(operation)]
    tokens += [str(sequence), device_class, f'"{volume}"', written]
    line = draw(st.sampled_from(["", " "])) + "".join(t + blanks(draw) for t in tokens).rstrip()
    extra_lines = [blanks(draw) + draw(st.sampled_from([e, f'"{e}"'])) for e in extras]
    entry = VolhistEntry(
        when,
        kind,
        series,
        operation,
        sequence,
        device_class,
        volume,
        location=location or (extras[0] if extras else ""),
        extra=tuple(extras),
    )
    return [line, *extra_lines], entry


@PROPERTY
@given(
    units=st.lists(volhist_units(), max_size=8),
    header=st.booleans(),
    ending=st.sampled_from(["\n", "\r\n"]),
)
def test_volume_history_reads_back_what_was_written(
    units: list[Unit], header: bool, ending: str
) -> None:
    text, by_line = assemble([(VOLHIST_HEADER, None), *units] if header else units, ending)
    result = parse_volhist(text)
    assert result.problems == []
    assert result.entries == placed(by_line, VolhistEntry)


@PROPERTY
@given(units=st.lists(volhist_units(), max_size=10))
def test_db_backup_series_hold_every_db_volume_once_in_order(units: list[Unit]) -> None:
    entries = parse_volhist(assemble(units)[0]).entries
    series = db_backup_series(entries)
    grouped = [v for s in series for op in s.operations for v in op.volumes]
    assert sorted(grouped, key=lambda v: v.line_number) == [
        e for e in entries if e.type in DB_BACKUP_TYPES
    ]
    assert [s.started for s in series] == sorted(s.started for s in series)
    for s in series:
        numbers = [op.operation for op in s.operations]
        assert numbers == sorted(set(numbers))
        for op in s.operations:
            assert {(v.series, v.operation, v.type == "DBSNAPSHOT") for v in op.volumes} == {
                (s.series, op.operation, s.snapshot)
            }
            assert [v.sequence for v in op.volumes] == sorted(v.sequence for v in op.volumes)
            assert op.when == min(v.when for v in op.volumes)


# --- Device configuration --------------------------------------------------------------------

# Every spelling the server accepts, from the full word down to the shortest abbreviation [K].
VERBS = {"DEFINE": ["DEFINE", "DEFIN", "DEFI", "DEF"], "SET": ["SET"]}
TARGETS = {
    "DEVCLASS": ["DEVCLASS", "DEVCLAS", "DEVCLA", "DEVCL", "DEVC"],
    "LIBRARY": ["LIBRARY", "LIBRAR", "LIBRA", "LIBR"],
    "DRIVE": ["DRIVE", "DRIV", "DRI", "DR"],
    "PATH": ["PATH"],
    "SERVERNAME": ["SERVERNAME"],
}
OPTION_KEYS = {
    "DEVCLASS": ["DEVTYPE", "LIBRARY", "FORMAT", "MOUNTRETENTION", "DIRECTORY"],
    "LIBRARY": ["LIBTYPE", "SHARED"],
    "DRIVE": ["ELEMENT", "ONLINE"],
    "PATH": ["SRCTYPE", "DESTTYPE", "LIBRARY", "DEVICE"],
    "SERVERNAME": [],
}
VALUES = st.text(alphabet=string.ascii_uppercase + string.digits + "_./:", min_size=1, max_size=12)
QUOTED_VALUES = st.text(alphabet=string.ascii_letters + string.digits + " _./", max_size=16)


@dataclass(frozen=True)
class Command:
    """A devconfig command as written (on one line, single blanks) and as it should be read:
    its full verb and target, positional names and KEY=value options."""

    verb: str
    target: str
    spelled: tuple[str, str]
    args: tuple[str, ...]
    options: tuple[tuple[str, str, str], ...]  # (key as written, value as written, value)

    def tokens(self) -> list[str]:
        written = [f"{key}={value}" for key, value, _ in self.options]
        return [*self.spelled, *self.args, *written]

    def parsed(self, line_number: int) -> DevconfigCommand:
        options = tuple((key.upper(), value) for key, _, value in self.options)
        text = " ".join(self.tokens())
        return DevconfigCommand(line_number, text, self.verb, self.target, self.args, options)

    def option(self, key: str) -> str:
        return next((value for k, _, value in self.options if k.upper() == key), "")

    def read(self, line_number: int) -> DeviceClass | Library | Drive | Path | None:
        """What parse_devconfig should make of it (None: a SET, kept as a command only)."""
        command, args, option = self.parsed(line_number), self.args, self.option
        match self.target:
            case "DEVCLASS":
                return DeviceClass(args[0], option("DEVTYPE").upper(), option("LIBRARY"), command)
            case "LIBRARY":
                return Library(args[0], option("LIBTYPE").upper(), command)
            case "DRIVE":
                return Drive(args[0], args[1], command)
            case "PATH":
                types = option("SRCTYPE").upper(), option("DESTTYPE").upper()
                return Path(args[0], args[1], *types, option("DEVICE"), command)
        return None


@st.composite
def commands(draw: st.DrawFn) -> Command:
    """DEFINE DEVCLASS/LIBRARY/DRIVE/PATH or SET SERVERNAME, abbreviated, in any case, with
    options in any order, bare or quoted."""
    target = draw(st.sampled_from(sorted(TARGETS)))
    verb = "SET" if target == "SERVERNAME" else "DEFINE"
    arity = 2 if target in ("DRIVE", "PATH") else 1
    args = tuple(draw(st.lists(VALUES, min_size=arity, max_size=arity)))
    options: list[tuple[str, str, str]] = []
    for key in draw(st.permutations(OPTION_KEYS[target])):
        quoted = draw(st.booleans())
        value = draw(QUOTED_VALUES if quoted else VALUES)
        options.append((draw(case_variants(key)), f'"{value}"' if quoted else value, value))
    spelled = (
        draw(case_variants(draw(st.sampled_from(VERBS[verb])))),
        draw(case_variants(draw(st.sampled_from(TARGETS[target])))),
    )
    return Command(verb, target, spelled, args, tuple(options))


def continued(draw: st.DrawFn, tokens: list[str]) -> list[str]:
    """A command over one or more lines: "-" between words, "+" inside a word (never before a
    blank: a continuation line is read from its first non-blank), indented continuations."""
    lines = [tokens[0]]
    for token in tokens[1:]:
        how = draw(st.sampled_from(["same", "same", "-", "+"]))
        splits = [i for i in range(1, len(token)) if not token[i].isspace()]
        if how == "-":
            lines[-1] += " -"
            lines.append(blanks(draw) + token)
        elif how == "+" and splits:
            at = draw(st.sampled_from(splits))
            lines[-1] += " " + token[:at] + "+"
            lines.append(blanks(draw) + token[at:])
        else:
            lines[-1] += " " + token
    if draw(st.booleans()):
        lines[-1] += " /* " + draw(LETTER_WORDS) + " */"
    return lines


COMMENTS = st.sampled_from(
    [
        ["/* Device Configuration */"],
        ["/* LIBRARYINVENTORY SCSI LIB1 A00010L4 4096 101*/"],
        ["/* a comment", "   over two lines */"],
        [""],
    ]
)


@st.composite
def devconfig_units(draw: st.DrawFn) -> Unit:
    if draw(st.integers(0, 3)) == 0:
        return draw(COMMENTS), None
    command = draw(commands())
    return continued(draw, command.tokens()), command


@PROPERTY
@given(
    units=st.lists(devconfig_units(), max_size=8),
    password=st.text(alphabet="abcdef0123456789", min_size=8, max_size=8).map("s3cr3t".__add__),
    at=st.integers(0, 8),
)
def test_device_configuration_reads_back_what_was_written(
    units: list[Unit], password: str, at: int
) -> None:
    units.insert(at, ([f"SET SERVERPASSWORD {password}"], None))
    text, by_line = assemble(units)
    result = parse_devconfig(text)
    assert result.problems == []
    written = [(n, c) for n, c in by_line.items() if isinstance(c, Command)]
    objects = [c.read(n) for n, c in written]
    assert result.device_classes == [o for o in objects if isinstance(o, DeviceClass)]
    assert result.libraries == [o for o in objects if isinstance(o, Library)]
    assert result.drives == [o for o in objects if isinstance(o, Drive)]
    assert result.paths == [o for o in objects if isinstance(o, Path)]
    names = [c.args[0] for _, c in written if c.target == "SERVERNAME"]
    assert result.server_name == (names[-1] if names else "")
    assert password not in repr(result)


# --- Any text at all -------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        ",", "\t", '"', "'", ":", ": ", " ", "     ", "-", "+", "*", "/*", "*/", "#", "=",
        "\x00", "\r", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\ufeff", "\ufffd",
        "ANS8000I Server command: 'q drm'.", "ANR2034E SELECT: No match found.",
        "more...   (<ENTER> to continue, 'C' to cancel)",
        "Volume Name", "State", "Location:", "Volume Type: ", "VOLUME_NAME", "UPD_DATE", "-----",
        "A00017L8", "ANR1234E", "Vault retrieve", "MOUNTABLE", "DBBackup",
        "04/22/2024 09:00:00", "02/30/2024", "12/11/12", "2008-03-05 11:00:00.000000", "25:61",
        "2013/02/27 22:30:45", "BACKUPFULL", "STGNEW", "12", "\u00b2", "\u0661\u0662",
        "DEFINE", "DEF", "DEVCLASS", "DRIVE", "PATH", "SET SERVERPASSWORD", "DEVTYPE=LTO",
        'DIRECTORY="/a b"',
    ]
)  # fmt: skip
SNIPPETS = FRAGMENTS | st.text(max_size=8)
LONG_LINES = st.builds(lambda piece, count: piece * count, SNIPPETS, st.integers(100, 3000))
VALID_TEXTS = st.one_of(
    delimited_documents().map(lambda document: document[1]),
    detailed_documents(),
    table_documents(),
    st.lists(volhist_units(), max_size=6),
    st.lists(devconfig_units(), max_size=6),
).map(lambda units: assemble(units)[0])


@st.composite
def fuzzed(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> str:
    """One of *texts* with a few pieces put in and a few ranges cut out."""
    text = draw(texts)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(SNIPPETS) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 30)) :]
    return text


ANY_TEXT = st.one_of(
    st.text(),
    st.lists(SNIPPETS, max_size=80).map("".join),
    st.tuples(st.lists(SNIPPETS, max_size=20).map("".join), LONG_LINES).map("".join),
    fuzzed(VALID_TEXTS),
)


def line_of(line_number: int, lines: list[str]) -> str:
    """The stripped text of line *line_number*, which must exist and hold something. (Line 0
    is where the parsers' last guard reports an exception that escaped.)"""
    assert 1 <= line_number <= len(lines), (line_number, len(lines))
    text = lines[line_number - 1].strip()
    assert text, line_number
    return text


@PROPERTY
@given(text=ANY_TEXT, columns=st.none() | st.lists(st.sampled_from(SQL_ORDER), max_size=7))
def test_drmedia_reads_any_text_and_locates_every_problem(
    text: str, columns: list[str] | None
) -> None:
    lines = editor_lines(text)
    result = parse_drmedia(text, columns)
    for problem in result.problems:
        line = line_of(problem.line_number, lines)
        # A row over several lines (a table's continuations, a detailed block) starts with it.
        assert problem.text.strip().startswith(line), (problem, line)
    for record in result.records:
        line_of(record.line_number, lines)
        assert check_volser(record.volser).volser == record.volser


@PROPERTY
@given(text=ANY_TEXT)
def test_volume_history_reads_any_text_and_locates_every_problem(text: str) -> None:
    lines = editor_lines(text)
    result = parse_volhist(text)
    for problem in result.problems:
        assert problem.text.strip() == line_of(problem.line_number, lines)
    for entry in result.entries:
        assert line_of(entry.line_number, lines)[:1].isdigit()
        assert entry.volume.strip()


@PROPERTY
@given(text=ANY_TEXT)
def test_device_configuration_reads_any_text_and_locates_every_problem(text: str) -> None:
    lines = editor_lines(text)
    result = parse_devconfig(text)
    items: list[ParseProblem | DevconfigCommand] = [*result.problems, *result.commands]
    for item in items:
        line = line_of(item.line_number, lines)
        # The command's text (comments removed, continuations joined) begins on its line.
        assert item.text[:1] in line, (item, line)


# --- Malformed lines among valid ones --------------------------------------------------------


@dataclass(frozen=True)
class BadLine:
    """A malformed line and what its problem's message must say ("": any message will do)."""

    text: str
    says: str


def mix(draw: st.DrawFn, units: list[Unit], bad: list[BadLine], head: int = 0) -> list[Unit]:
    """*units* with each *bad* line put in at a random place (not before the first *head*)."""
    mixed = list(units)
    for line in bad:
        mixed.insert(draw(st.integers(head, len(mixed))), ([line.text], line))
    return mixed


def assert_reported_once(problems: Sequence[ParseProblem], by_line: dict[int, object]) -> None:
    """Each bad line has one problem, on its line, with its text; nothing else has one."""
    bad = {number: what for number, what in by_line.items() if isinstance(what, BadLine)}
    assert sorted(p.line_number for p in problems) == sorted(bad)
    for problem in problems:
        line = bad[problem.line_number]
        assert problem.text.strip() == line.text.replace("\x00", "").strip()
        assert line.says in problem.message, (problem, line)


def impossible_day(draw: st.DrawFn) -> tuple[int, int, int]:
    """(year, month, day) of a day that does not exist: 02/30, 04/31, 02/29/2023..."""
    year, month = draw(st.integers(1970, 2068)), draw(st.integers(1, 12))
    return year, month, draw(st.integers(calendar.monthrange(year, month)[1] + 1, 39))


def is_state(text: str) -> bool:
    try:
        DrmState.parse(text.replace("-", ""))
    except DrmError:
        return False
    return True


BAD_STATES = st.text(alphabet=string.ascii_letters + " ", min_size=1, max_size=12).filter(
    lambda text: text.strip() and not is_state(text)
)
BAD_VOLSERS = st.one_of(
    st.builds("{} {}".format, BARCODES, BARCODES),
    st.builds("{}{}".format, BARCODES, st.sampled_from("#@!*ÄÖ§/")),
    st.text(alphabet=string.ascii_uppercase, min_size=MAX_LENGTH + 1, max_size=MAX_LENGTH + 8),
    st.just(""),
)
BAD_TIMES = st.sampled_from(["25:00:00", "10:60:00", "10:00:61", "9h", "10:00:00.1234567"])


def bad_row(draw: st.DrawFn, layout: Layout, values: list[str]) -> BadLine:
    """*values* (a valid row of *layout*) spoilt in one way. A row cut short keeps some of its
    volume name: a line of nothing but empty fields is a blank line."""
    at = {name: i for i, name in enumerate(layout.fields)}
    cuts = [k for k in range(at["volser"], len(values) - 1) if k + 1 not in layout.counts]
    kinds = ["state", "volser", "count", "garbage"]
    kinds += ["date", "time", "no such day"] if "updated" in at else []
    kinds += ["quote"] if layout.delimiter == "," else []
    kinds += ["truncated"] if cuts else []
    spoilt = list(values)
    match draw(st.sampled_from(kinds)):
        case "state":
            spoilt[at["state"]] = draw(BAD_STATES)
            return BadLine(layout.join(spoilt), "unknown state")
        case "volser":
            spoilt[at["volser"]] = draw(BAD_VOLSERS)
            return BadLine(layout.join(spoilt), "illegal volume name")
        case "date":
            spoilt[at["updated"]] = draw(LETTER_WORDS) + draw(st.sampled_from(["", " 10:00:00"]))
            return BadLine(layout.join(spoilt), "bad date")
        case "time":
            date = "2024-04-22" if layout.sql else "04/22/2024"
            spoilt[at["updated"]] = f"{date} {draw(BAD_TIMES)}"
            return BadLine(layout.join(spoilt), "bad time")
        case "no such day":
            y, m, d = impossible_day(draw)
            date = f"{y}-{m:02d}-{d:02d}" if layout.sql else f"{m:02d}/{d:02d}/{y}"
            spoilt[at["updated"]] = date + " 10:00:00"
            return BadLine(layout.join(spoilt), "no such day")
        case "count":
            counts = set(range(at["volser"] + 1, len(values) + 3)) - layout.counts
            count = draw(st.sampled_from(sorted(counts)))
            return BadLine(layout.join((spoilt + ["X"] * count)[:count]), "wrong number of fields")
        case "quote":
            spoilt[-1] = '"' + draw(st.text(alphabet=string.ascii_letters + " ,", max_size=12))
            return BadLine(comma_line(spoilt[:-1]) + "," + spoilt[-1], "unclosed quote")
        case "truncated":
            # Cut inside field k, leaving k + 1 fields: a number the form does not accept.
            k = draw(st.sampled_from(cuts))
            start = len(layout.join(values[:k])) + (1 if k else 0)
            end = len(layout.join(values[: k + 1]))
            cut = draw(st.integers(start + (k == at["volser"]), end))
            return BadLine(layout.join(values)[:cut], "")
    return BadLine(draw(GARBAGE), "")


@st.composite
def delimited_with_bad_lines(draw: st.DrawFn) -> tuple[Layout, list[Unit]]:
    layout = draw(layouts())
    # Barcode-like names: a row cut short after a name like VOLUME or "-" reads as a header
    # or a dash rule, and then it is no longer the same file.
    records = layout.records(volsers=BARCODES)
    good = draw(st.lists(records, min_size=2, max_size=5))
    units: list[Unit] = [([layout.join(layout.row(draw, r))], r) for r in good]
    head = [([layout.header], None)] if layout.header is not None else []
    # Fewer bad lines than good: the form is told by what most lines look like.
    bad = [
        bad_row(draw, layout, layout.row(draw, draw(records)))
        for _ in range(draw(st.integers(1, len(good) - 1)))
    ]
    return layout, mix(draw, [*head, *units], bad, head=len(head))


@PROPERTY
@given(document=delimited_with_bad_lines())
def test_delimited_forms_report_each_malformed_line_once(
    document: tuple[Layout, list[Unit]],
) -> None:
    layout, units = document
    text, by_line = assemble(units)
    result = parse_drmedia(text)
    assert_reported_once(result.problems, by_line)
    assert result.form is layout.form
    assert result.records == placed(by_line, DrmediaRecord)


VOLHIST_LINE = ["2013/02/27", "22:30:45", "BACKUPFULL", "12", "0", "1", "LTO4CLASS", '"A00010L4"']
NOT_NUMBERS = st.sampled_from(["x2", "-1", "1.5", "\u00b2", "\u0661\u0662"]) | st.text(
    alphabet=st.characters(exclude_categories=["Z", "C"], exclude_characters="\"'"),
    min_size=1,
    max_size=4,
).filter(lambda text: not (text.isascii() and text.isdigit()))
VOLHIST_DEFECTS = [
    "count", "no such day", "time", "type", "number", "quote", "empty", "truncated", "garbage"
]  # fmt: skip


def bad_volhist_line(draw: st.DrawFn) -> BadLine:
    tokens = list(VOLHIST_LINE)
    match kind := draw(st.sampled_from(VOLHIST_DEFECTS)):
        case "count":
            tokens, says = tokens[: draw(st.integers(2, 7))], "wrong number of fields"
        case "no such day":
            year, month, day = impossible_day(draw)
            tokens[0], says = f"{year}/{month:02d}/{day:02d}", "no such day"
        case "time":
            tokens[1], says = (
                draw(st.sampled_from(["25:30:45", "22h30", "1:2:3.1234567"])),
                "bad time",
            )
        case "type":
            tokens[2] = draw(LETTER_WORDS.filter(lambda word: word.upper() not in VOLHIST_TYPES))
            says = "unknown volume history type"
        case "number":
            at = draw(st.integers(3, 5))
            tokens[at] = draw(NOT_NUMBERS)
            says = "bad backup " + ["series", "operation", "sequence"][at - 3]
        case "quote":
            tokens[7], says = '"A00010L4', "unclosed quote"
        case "empty":
            tokens[7], says = '""', "empty volume name"
        case "truncated":
            says = ""
        case _:
            return BadLine(draw(GARBAGE), "not a volume history entry")
    line = draw(st.sampled_from(["", " "])) + " ".join(tokens)
    if kind == "truncated":
        # Cut after the time (still an entry line), before the volume name's closing quote.
        line = line[: draw(st.integers(len(" ".join(tokens[:2])) + 1, len(line) - 1))]
    return BadLine(line, says)


@st.composite
def volhist_with_bad_lines(draw: st.DrawFn) -> list[Unit]:
    units = draw(st.lists(volhist_units(), max_size=8))
    return mix(draw, units, [bad_volhist_line(draw) for _ in range(draw(st.integers(1, 5)))])


@PROPERTY
@given(units=volhist_with_bad_lines())
def test_volume_history_reports_each_malformed_line_once(units: list[Unit]) -> None:
    text, by_line = assemble(units)
    result = parse_volhist(text)
    assert_reported_once(result.problems, by_line)
    assert result.entries == placed(by_line, VolhistEntry)


def is_verb(word: str) -> bool:
    """Whether the server reads *word* as DEFINE, SET or UPDATE (three letters at least)."""
    return len(word) >= 3 and any(v.startswith(word.upper()) for v in ("DEFINE", "SET", "UPDATE"))


def bad_command(draw: st.DrawFn) -> BadLine:
    command = draw(commands())
    tokens = command.tokens()
    arity = len(command.args)
    match draw(st.sampled_from(["verb", "object", "names", "quote", "truncated", "garbage"])):
        case "verb":
            word = draw(st.sampled_from(["FROBNICATE", "QUERY", "DELETE"]) | LETTER_WORDS)
            return BadLine(" ".join([word, *tokens[1:]]), "" if is_verb(word) else "not a server")
        case "object":
            return BadLine(tokens[0], "without an object")
        case "names":
            kept = draw(st.integers(0, arity - 1))
            line = " ".join([*tokens[: 2 + kept], *tokens[2 + arity :]])
            return BadLine(line, f"needs {arity} name(s), found {kept}")
        case "quote":
            return BadLine(" ".join([*tokens, 'DIRECTORY="/open']), "unclosed quote")
        case "truncated":
            # Cut between the target and the last name: one name or more is missing.
            line = " ".join(tokens)
            last_name = len(" ".join(tokens[: 1 + arity]))
            return BadLine(line[: draw(st.integers(len(" ".join(tokens[:2])), last_name))], "needs")
    return BadLine(draw(GARBAGE), "not a server command")


@st.composite
def devconfig_with_bad_lines(draw: st.DrawFn) -> list[Unit]:
    units = draw(st.lists(devconfig_units(), max_size=6))
    return mix(draw, units, [bad_command(draw) for _ in range(draw(st.integers(1, 5)))])


@PROPERTY
@given(units=devconfig_with_bad_lines())
def test_device_configuration_reports_each_malformed_command_once(units: list[Unit]) -> None:
    text, by_line = assemble(units)
    result = parse_devconfig(text)
    assert_reported_once(result.problems, by_line)
    assert [c.line_number for c in result.commands] == [
        number for number, what in by_line.items() if isinstance(what, Command)
    ]


# --- Dates -----------------------------------------------------------------------------------


@st.composite
def written_dates(draw: st.DrawFn) -> tuple[str, datetime]:
    """A date-time in one of the client's formats, and the datetime it stands for."""
    fmt = draw(st.sampled_from(["q", "q2", "sql", "volhist", "date"]))
    first, last = (1969, 2068) if fmt == "q2" else (1000, 9999)
    when = draw(st.datetimes(datetime(first, 1, 1), datetime(last, 12, 31, 23, 59, 59)))
    if fmt != "sql":
        when = when.replace(microsecond=0)
    if fmt == "date":
        when = when.replace(hour=0, minute=0, second=0)
    month, day = str(when.month), str(when.day)
    if draw(st.booleans()):
        month, day = month.zfill(2), day.zfill(2)
    dates = {
        "q": f"{month}/{day}/{when.year}",
        "q2": f"{month}/{day}/{when.year % 100:02d}",
        "sql": f"{when.year}-{month}-{day}",
        "volhist": f"{when.year}/{month}/{day}",
    }
    if fmt == "date":
        text = draw(st.sampled_from([dates["q"], dates["sql"], dates["volhist"]]))
    elif fmt == "sql":
        fraction = f"{when.microsecond:06d}"
        fraction = draw(st.sampled_from([fraction, fraction.rstrip("0") or "0"]))
        text = f"{dates['sql']} {when:%H:%M:%S}.{fraction}"
    else:
        short = when.second == 0 and draw(st.booleans())
        text = f"{dates[fmt]}{blanks(draw)}{when:%H:%M}" + ("" if short else f":{when:%S}")
    margin = st.sampled_from(["", " ", "\t"])
    return draw(margin) + text + draw(margin), when


@PROPERTY
@given(written=written_dates())
def test_every_client_date_format_reads_back(written: tuple[str, datetime]) -> None:
    text, when = written
    assert parse_client_datetime(text) == when


DATE_PIECES = st.sampled_from([*"0123456789/-:. T\t", "2024", "12", "99", "\u00b2", "\u0661"])


@PROPERTY
@given(text=st.text() | st.lists(DATE_PIECES, max_size=30).map("".join))
def test_dates_are_a_datetime_none_or_a_date_error(text: str) -> None:
    try:
        result = parse_client_datetime(text)
    except DateError:
        assert text.strip()
    else:
        assert isinstance(result, datetime) if text.strip() else result is None
