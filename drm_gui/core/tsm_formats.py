"""Parsers for what the storage server's administrative client (dsmadmc) prints about DRM media.

Pure functions, no database, no Qt. Every parser takes the whole text and never raises:
each line it cannot use becomes a ParseProblem naming the line and what is wrong.

Forms of QUERY DRMEDIA / SELECT ... FROM DRMEDIA understood (../shared/DSMADMC.md §2, §4):

* table: column headers (possibly on several lines, hyphen-split), a dash rule, rows whose
  too-long values wrap onto continuation lines (a SELECT timestamp's time under its date);
* detailed / list: ``Label: value`` blocks separated by blank lines (FORMAT=DETAILED captions
  or SELECT column names in list mode);
* comma / tab (``-comma``, ``-tab``): values only, by position: 4 fields (standard Q DRMEDIA:
  volume, state, date, library), 7 or 8 fields (FORMAT=DETAILED: volume, state, date,
  location, volume type, copy pool, [active-data pool,] library) [K: field order];
* SELECT rows in comma/tab form, with a header line of column names or without one (then
  the columns of ``SELECT *`` in DRMEDIA's order, or the caller's ``columns``) [K: order].

Banner lines, the ``ANS8000I`` echo and every ANR/ANS message line are skipped.
The location and date rules live here and nowhere else (``parse_client_datetime``).
"""

from __future__ import annotations

import csv
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from drm_gui.core.states import DrmError, DrmState, VolumeKind
from drm_gui.core.volser import check_volser

# --- Shared by every parser of server text ---------------------------------------------------


@dataclass(frozen=True)
class ParseProblem:
    """One line that could not be used: its 1-based number, its text and what is wrong."""

    line_number: int
    text: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line_number}: {self.message}: {self.text!r}"


# A client or server message (ANR2034E SELECT: ..., ANS8001I Return code 11.): the number,
# one blank and the text, so that a volume named like one is still data, in a comma line
# (ANR1234E,Vault,...) as in a table row (whose columns are several blanks apart).
MESSAGE_LINE = re.compile(r"^\s*AN[A-Z]\d{4}[IESWK] \S")
_COMMAND_ECHO = re.compile(r"^\s*ANS8000I \S")
# The whole prompt, so that a volume named MORE... (printed in lower case) is still data.
_PAGER = re.compile(r"^\s*more\.\.\.\s+\(<ENTER> to continue")

# The client's date formats [R]: Q commands MM/DD/YYYY or MM/DD/YY (5.x), with one or more
# blanks before the time; SELECT timestamps ISO with 6 fractional digits; volhist YYYY/MM/DD.
_DATE_FORMATS = (
    ("%m/%d/%Y", re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")),
    ("%m/%d/%y", re.compile(r"^\d{1,2}/\d{1,2}/\d{2}$")),
    ("%Y-%m-%d", re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")),
    ("%Y/%m/%d", re.compile(r"^\d{4}/\d{1,2}/\d{1,2}$")),
)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$")


class DateError(ValueError):
    """A text that is none of the client's date formats."""


_FAST_DATETIME = re.compile(
    r"^\s*(?:(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})|(\d{4})[-/](\d{1,2})[-/](\d{1,2}))"
    r"(?:[ \tT]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*$"
)


def _from_groups(groups: tuple[str | None, ...]) -> datetime:
    """The datetime of _FAST_DATETIME's groups; ValueError for an impossible one."""
    month, day, year, iso_year, iso_month, iso_day, hour, minute, second, fraction = groups
    if iso_year is not None:
        y, m, d = int(iso_year), int(iso_month or 0), int(iso_day or 0)
    else:
        y, m, d = int(year or 0), int(month or 0), int(day or 0)
        if len(year or "") == 2:
            y += 1900 if y >= 69 else 2000  # as strptime's %y
    return datetime(
        y,
        m,
        d,
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        int((fraction or "0").ljust(6, "0")),
    )


def parse_client_datetime(text: str) -> datetime | None:
    """A date-time as the client prints it; None for an empty value; DateError otherwise.

    Accepts ``MM/DD/YYYY HH:MM:SS``, ``MM/DD/YY HH:MM:SS`` (any blanks between),
    ``YYYY-MM-DD HH:MM:SS.ffffff`` (SELECT), ``YYYY/MM/DD HH:MM:SS`` (volhist), and a date
    alone (midnight). [K: the DATEFORMAT option may give other orders; not handled.]
    """
    fast = _FAST_DATETIME.match(text)
    if fast:
        try:
            return _from_groups(fast.groups())
        except ValueError:
            pass  # the slow path below names what is wrong
    parts = text.replace("T", " ", 1).split() if "-" in text else text.split()
    if not parts:
        return None
    if len(parts) > 2:
        raise DateError(f"bad date {text.strip()!r}: too many parts")
    date_text = parts[0]
    for fmt, pattern in _DATE_FORMATS:
        if pattern.match(date_text):
            try:
                day = datetime.strptime(date_text, fmt)
            except ValueError:
                raise DateError(f"bad date {text.strip()!r}: no such day") from None
            break
    else:
        raise DateError(
            f"bad date {text.strip()!r}: expected MM/DD/YYYY, MM/DD/YY or YYYY-MM-DD"
            " followed by HH:MM:SS"
        )
    if len(parts) == 1:
        return day
    match = _TIME.match(parts[1])
    if not match:
        raise DateError(f"bad time {parts[1]!r} in {text.strip()!r}: expected HH:MM:SS")
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    micro = int((match.group(4) or "0").ljust(6, "0"))
    if hour > 23 or minute > 59 or second > 59:
        raise DateError(f"bad time {parts[1]!r} in {text.strip()!r}: out of range")
    return day.replace(hour=hour, minute=minute, second=second, microsecond=micro)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines of *text* as an editor numbers them: only \\n, \\r\\n and \\r end a line
    (str.splitlines also ends one at a form feed, U+0085 or U+2028 and so shifts every line
    number after it). NULs are dropped after the split, so that none joins two line ends."""
    return [line.replace("\x00", "") for line in _LINE_BREAK.split(text)]


def numbered_lines(text: str) -> list[tuple[int, str]]:
    """The lines worth parsing with their 1-based numbers: everything up to the ANS8000I echo
    (banner, session block) and every ANR/ANS message or pager line is dropped."""
    lines = split_lines(text)
    start = 0
    for i, line in enumerate(lines):
        if _COMMAND_ECHO.match(line):
            start = i + 1
    return [
        (i + 1, line)
        for i, line in enumerate(lines)
        if i >= start and not MESSAGE_LINE.match(line) and not _PAGER.match(line)
    ]


# --- DRMEDIA ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrmediaRecord:
    """One DRM volume as the server reports it."""

    volser: str
    state: DrmState
    updated: datetime | None
    location: str = ""
    kind: VolumeKind | None = None
    pool: str = ""
    library: str = ""
    line_number: int = 0


class DrmediaForm(enum.Enum):
    """Which output form a DRMEDIA text was in."""

    EMPTY = "empty"
    TABLE = "table"
    DETAILED = "detailed"
    COMMA = "comma"
    TAB = "tab"
    SELECT_COMMA = "select-comma"
    SELECT_TAB = "select-tab"
    CSV = "csv"  # the app's own volume list (volume_csv.py)


@dataclass(frozen=True)
class ParseResult:
    records: list[DrmediaRecord]
    problems: list[ParseProblem]
    form: DrmediaForm


# Record field -> normalised captions (Q DRMEDIA F=D) and SELECT column names meaning it.
# Normalised: upper case, only A-Z and 0-9.
_FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "volser": ("VOLUMENAME", "VOLNAME", "VOLUME"),
    "state": ("STATE",),
    "updated": ("LASTUPDATEDATETIME", "UPDDATE", "LASTUPDATE", "UPDATEDATE"),
    "location": ("LOCATION",),
    "kind": ("VOLUMETYPE", "VOLTYPE"),
    "pool": ("COPYSTORAGEPOOLNAME", "STGPOOLNAME", "STGPOOL", "POOLNAME", "COPYSTGPOOL"),
    "active_pool": ("ACTIVEDATASTORAGEPOOLNAME", "ACTIVEDATAPOOLNAME", "ACTIVEPOOL"),
    "library": ("AUTOMATEDLIBNAME", "LIBNAME", "LIBRARYNAME", "LIBRARY"),
}
_NAME_TO_FIELD = {name: field for field, names in _FIELD_NAMES.items() for name in names}

# Positional columns [K]: Q DRMEDIA with -comma/-tab, by field count.
Q_COLUMNS: dict[int, tuple[str, ...]] = {
    4: ("volser", "state", "updated", "library"),
    7: ("volser", "state", "updated", "location", "kind", "pool", "library"),
    8: ("volser", "state", "updated", "location", "kind", "pool", "active_pool", "library"),
}
# The columns of SELECT * FROM DRMEDIA, in the server's order [K]; a headerless SELECT with
# n columns is read as the first n of these unless the caller says otherwise.
SELECT_COLUMNS: tuple[str, ...] = (
    "volser",
    "state",
    "updated",
    "location",
    "pool",
    "library",
    "kind",
)
_ISO_START = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}")


def field_for_name(name: str) -> str | None:
    """The record field a caption or column name stands for, or None."""
    key = re.sub(r"[^A-Z0-9]", "", name.upper())
    return _NAME_TO_FIELD.get(key)


def parse_state(text: str) -> DrmState:
    """A state keyword or caption in any case; DrmError otherwise. "On-site retrieve" is the
    app's label; the server may print "Onsite retrieve"."""
    return DrmState.parse(text.replace("-", ""))


def _build_record(
    values: dict[str, str], line_number: int, text: str
) -> DrmediaRecord | ParseProblem:
    """A record from field -> raw value, or the first problem found."""
    raw_volser = values.get("volser", "")
    check = check_volser(raw_volser)
    if check.volser is None:
        return ParseProblem(line_number, text, f"illegal volume name: {check.problem}")
    raw_state = values.get("state", "").strip()
    if not raw_state:
        return ParseProblem(line_number, text, f"{check.volser}: no state")
    try:
        state = parse_state(raw_state)
    except DrmError:
        return ParseProblem(line_number, text, f"{check.volser}: unknown state {raw_state!r}")
    try:
        updated = parse_client_datetime(values.get("updated", ""))
    except DateError as exc:
        return ParseProblem(line_number, text, f"{check.volser}: {exc}")
    kind: VolumeKind | None = None
    raw_kind = values.get("kind", "").strip()
    if raw_kind:
        try:
            kind = VolumeKind.parse(raw_kind)
        except DrmError:
            return ParseProblem(
                line_number, text, f"{check.volser}: unknown volume type {raw_kind!r}"
            )
    pool = values.get("pool", "").strip() or values.get("active_pool", "").strip()
    return DrmediaRecord(
        volser=check.volser,
        state=state,
        updated=updated,
        location=values.get("location", "").strip(),
        kind=kind,
        pool=pool,
        library=values.get("library", "").strip(),
        line_number=line_number,
    )


def _collect(
    items: list[DrmediaRecord | ParseProblem],
) -> tuple[list[DrmediaRecord], list[ParseProblem]]:
    records = [x for x in items if isinstance(x, DrmediaRecord)]
    problems = [x for x in items if isinstance(x, ParseProblem)]
    return records, problems


# --- Detection -------------------------------------------------------------------------------

_DASH_RULE = re.compile(r"^\s*-+(\s+-+)*\s*$")
_LABEL_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_ ./-]*?)\s*:(\s|$)")


def detect_form(lines: list[tuple[int, str]]) -> DrmediaForm:
    data = [line for _, line in lines if line.strip()]
    if not data:
        return DrmediaForm.EMPTY
    if any(_DASH_RULE.match(line) for line in data[:12]):
        return DrmediaForm.TABLE
    labels = [_LABEL_LINE.match(line) for line in data[:20]]
    if any(m and field_for_name(m.group(1)) for m in labels) and sum(
        1 for m in labels if m
    ) * 2 > len(labels):
        return DrmediaForm.DETAILED
    tab = sum(1 for line in data if "\t" in line) * 2 >= len(data)
    fields = split_fields(data[0], "\t" if tab else ",")
    is_select = _is_header(fields) or _looks_select(data, "\t" if tab else ",")
    if tab:
        return DrmediaForm.SELECT_TAB if is_select else DrmediaForm.TAB
    return DrmediaForm.SELECT_COMMA if is_select else DrmediaForm.COMMA


def _is_header(fields: list[str]) -> bool:
    return bool(fields) and all(field_for_name(f) for f in fields if f.strip())


def _looks_select(data: list[str], delimiter: str) -> bool:
    """A headerless SELECT prints ISO timestamps where Q DRMEDIA prints MM/DD/YYYY. Most dated
    lines decide, so that one malformed line does not change how every other line is read."""
    split = (split_fields(line, delimiter) for line in data[:50])
    dates = [fields[2] for fields in split if len(fields) >= 3 and fields[2].strip()]
    return sum(1 for date in dates if _ISO_START.match(date)) * 2 > len(dates)


def split_fields(line: str, delimiter: str) -> list[str]:
    """One line's fields: comma lines with the client's "..." quoting, tab lines as they are."""
    if delimiter == "\t":
        return line.split("\t")
    if '"' not in line:
        return line.split(",")
    try:
        rows = list(csv.reader([line], delimiter=",", quotechar='"', strict=False))
    except csv.Error:
        return line.split(",")
    return rows[0] if rows else []


def _quote_left_open(line: str) -> bool:
    """Whether a comma line ends inside a "quoted field (csv rules): a line cut short, whose
    fields cannot be told apart. The csv module reads on into the next line it is given."""
    if '"' not in line:
        return False
    reader = csv.reader([line, ""], strict=False)
    try:
        next(reader)
    except csv.Error:
        return False  # a field too long for csv: split_fields splits it at every comma
    return reader.line_num > 1


# --- The parsers -----------------------------------------------------------------------------


def parse_drmedia(text: str, columns: Sequence[str] | None = None) -> ParseResult:
    """Parses QUERY DRMEDIA / SELECT ... FROM DRMEDIA output in whichever form it is.

    *columns*: the record fields (``SELECT_COLUMNS`` names) of a headerless SELECT, in order.
    """
    form = DrmediaForm.EMPTY
    try:
        lines = numbered_lines(text)
        form = detect_form(lines)
        if form is DrmediaForm.EMPTY:
            return ParseResult([], [], form)
        if form is DrmediaForm.TABLE:
            items = _parse_table(lines)
        elif form is DrmediaForm.DETAILED:
            items = _parse_detailed(lines)
        else:
            delimiter = "\t" if form in (DrmediaForm.TAB, DrmediaForm.SELECT_TAB) else ","
            select = form in (DrmediaForm.SELECT_COMMA, DrmediaForm.SELECT_TAB)
            items = _parse_delimited(lines, delimiter, select, columns)
        records, problems = _collect(items)
        return ParseResult(records, problems, form)
    except Exception as exc:  # pragma: no cover - a last guard: no exception escapes
        return ParseResult([], [ParseProblem(0, "", f"internal parser error: {exc}")], form)


def _parse_delimited(
    lines: list[tuple[int, str]],
    delimiter: str,
    select: bool,
    columns: Sequence[str] | None,
) -> list[DrmediaRecord | ParseProblem]:
    items: list[DrmediaRecord | ParseProblem] = []
    header: list[str | None] | None = None
    data_seen = False  # a header line comes first, or there is none
    for number, line in lines:
        if not line.strip():
            continue
        if delimiter == "," and _quote_left_open(line):
            items.append(ParseProblem(number, line, "unclosed quote"))
            continue
        fields = split_fields(line, delimiter)
        if header is None and not data_seen:
            if _is_header(fields):
                header = [field_for_name(f) for f in fields]
                continue
            data_seen = True
        if header is not None:
            names: Sequence[str | None] = header
            if len(fields) != len(header):
                items.append(_count_problem(number, line, len(fields), [len(header)]))
                continue
        elif select:
            wanted = list(columns) if columns else list(SELECT_COLUMNS)
            if not 3 <= len(fields) <= len(wanted):
                counts = list(range(3, len(wanted) + 1))
                items.append(_count_problem(number, line, len(fields), counts))
                continue
            names = wanted[: len(fields)]
        else:
            if columns:
                if len(fields) != len(columns):
                    items.append(_count_problem(number, line, len(fields), [len(columns)]))
                    continue
                names = list(columns)
            elif len(fields) in Q_COLUMNS:
                names = Q_COLUMNS[len(fields)]
            else:
                items.append(_count_problem(number, line, len(fields), sorted(Q_COLUMNS)))
                continue
        values = {name: value for name, value in zip(names, fields, strict=True) if name}
        items.append(_build_record(values, number, line))
    return items


def _count_problem(number: int, line: str, got: int, expected: list[int]) -> ParseProblem:
    wanted = " or ".join(str(n) for n in expected)
    return ParseProblem(number, line, f"wrong number of fields: {got}, expected {wanted}")


def _parse_detailed(lines: list[tuple[int, str]]) -> list[DrmediaRecord | ParseProblem]:
    items: list[DrmediaRecord | ParseProblem] = []
    block: dict[str, str] = {}
    block_start = 0
    block_text: list[str] = []
    last_field = ""

    def flush() -> None:
        if block:
            items.append(_build_record(dict(block), block_start, " | ".join(block_text)))
        block.clear()
        block_text.clear()

    for number, line in lines:
        if not line.strip():
            flush()
            continue
        match = _LABEL_LINE.match(line)
        field = field_for_name(match.group(1)) if match else None
        if match is None:
            if block and last_field and line[:1].isspace():
                # A long value wrapped onto an indented line of its own.
                block[last_field] = _append(block[last_field], line.strip())
                block_text.append(line.strip())
            else:
                items.append(ParseProblem(number, line, "not a 'Label: value' line"))
            continue
        if field is None:
            continue  # a caption we do not use (e.g. a newer release's extra field)
        if field == "volser" and "volser" in block:
            flush()  # a new record without the blank line between
        if not block:
            block_start = number
        last_field = field
        block[field] = line[match.end() :].strip() if match.end() < len(line) else ""
        block_text.append(line.strip())
    flush()
    return items


def _column_spans(rule: str) -> list[tuple[int, int]]:
    """(start, end) of each run of dashes; a column's text runs to the next column's start."""
    runs = [(m.start(), m.end()) for m in re.finditer(r"-+", rule)]
    spans = []
    for i, (start, _end) in enumerate(runs):
        stop = runs[i + 1][0] if i + 1 < len(runs) else 10**6
        spans.append((start, stop))
    return spans


def _cut(line: str, spans: list[tuple[int, int]]) -> list[str]:
    cells = [line[start:stop].strip() for start, stop in spans]
    # Text left of the first column belongs to it (a right-shifted or unindented value).
    if spans and line[: spans[0][0]].strip():
        cells[0] = (line[: spans[0][0]].strip() + " " + cells[0]).strip()
    return cells


def _join_header(parts: list[str]) -> str:
    text = ""
    for part in parts:
        text = _append(text, part)
    return text


def _append(value: str, more: str) -> str:
    if not more:
        return value
    if value.endswith("-"):
        return value[:-1] + more
    return f"{value} {more}".strip()


def _parse_table(lines: list[tuple[int, str]]) -> list[DrmediaRecord | ParseProblem]:
    """One or more tables (a header block, a dash rule, rows) in the fixed-width layout."""
    items: list[DrmediaRecord | ParseProblem] = []
    index = 0
    while index < len(lines):
        # Find the next dash rule; the non-blank lines just above it are the header.
        rule_at = next((i for i in range(index, len(lines)) if _DASH_RULE.match(lines[i][1])), None)
        if rule_at is None:
            for number, line in lines[index:]:
                if line.strip():
                    items.append(ParseProblem(number, line, "text outside a table"))
            break
        header_start = rule_at
        while header_start > index and lines[header_start - 1][1].strip():
            header_start -= 1
        for number, line in lines[index:header_start]:
            if line.strip():
                items.append(ParseProblem(number, line, "text outside a table"))
        spans = _column_spans(lines[rule_at][1])
        captions = [
            _join_header([_cut(line, spans)[c] for _, line in lines[header_start:rule_at]])
            for c in range(len(spans))
        ]
        names = [field_for_name(c) for c in captions]
        # A row starts with its volume name, wherever that column is; any other may be empty.
        key = names.index("volser") if "volser" in names else 0
        if "volser" not in names:
            number, line = lines[rule_at]
            items.append(ParseProblem(number, line, "a table without a volume name column"))
        index = rule_at + 1
        rows: list[tuple[int, str, list[str]]] = []
        while index < len(lines):
            number, line = lines[index]
            if not line.strip():
                # A blank line may end the table: another table follows if a rule is ahead.
                index += 1
                nxt = next((i for i in range(index, len(lines)) if lines[i][1].strip()), None)
                if nxt is None:
                    break
                ahead = [lines[i][1] for i in range(nxt, min(nxt + 6, len(lines)))]
                if any(_DASH_RULE.match(a) for a in ahead):
                    break
                continue
            cells = _cut(line, spans)
            if rows and not cells[key]:
                # A continuation line: each piece goes on the end of its column's value.
                prev_number, prev_text, prev_cells = rows[-1]
                merged = [_append(a, b) for a, b in zip(prev_cells, cells, strict=True)]
                rows[-1] = (prev_number, prev_text + " / " + line.strip(), merged)
            else:
                rows.append((number, line.strip(), cells))
            index += 1
        if "volser" in names:
            for number, text, cells in rows:
                values = {n: v for n, v in zip(names, cells, strict=True) if n}
                items.append(_build_record(values, number, text))
        else:
            for number, text, _cells in rows:
                items.append(ParseProblem(number, text, "row of a table without volume names"))
    return items


def record_from_values(
    values: Mapping[str, str], line_number: int, text: str
) -> DrmediaRecord | ParseProblem:
    """A record from record field -> value (a row the server link read by column, see
    field_for_name), or the problem with it, under the same rules as a parsed line."""
    return _build_record(dict(values), line_number, text)
