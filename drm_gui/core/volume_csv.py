"""The plain volume list (CSV), for a site whose storage server the app cannot reach.

The header line, the first that is not blank or a comment, names the columns in any order
and any case:

* ``volser``: required; also ``volume``, ``volume_name`` or ``volume name``. 1-32 of
  A-Z, 0-9 and ``_.-+&``, in any case.
* ``state``: required; a DRM state as keyword or caption: ``VAULTRETRIEVE``,
  ``Vault retrieve``.
* ``location``: free text.
* ``kind``: ``DBBackup``, ``DBSnapshot``, ``CopyStgPool``, ``ActiveDataStgPool``, or
  ``DB backup``, ``DB snapshot``, ``Copy pool``, ``Active-data pool``.
* ``pool``: the storage pool's name.
* ``updated``: ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM`` or ``YYYY-MM-DD HH:MM:SS``, or a date as
  the server prints it (``MM/DD/YYYY HH:MM:SS``).

Fields are separated by commas, semicolons (Excel in European locales) or tabs: whichever
the header line holds most of. Quoting follows the csv module (``"Iron Mountain, Box 7"``,
``"a ""quoted"" word"``, a quoted field may hold line breaks). Values are read without their
outer blanks; an empty optional value is no value. A UTF-8 byte order mark, blank lines,
lines of nothing but separators, and lines starting with ``#`` are skipped.

Unknown columns are ignored (one problem names them). A missing volser or state column
stops the reading. Every row that cannot be read is a problem naming the column at fault;
a volume listed twice is read from its first line only.

``format_volume_csv`` writes the six columns in the order above, separated by commas, with
states as keywords, kinds as ``DBBackup``..., and times as ``YYYY-MM-DD HH:MM:SS``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from drm_gui.core.progress import PROGRESS_ROWS
from drm_gui.core.progress import current as current_progress
from drm_gui.core.states import DrmError, DrmState, VolumeKind
from drm_gui.core.tsm_formats import (
    DateError,
    DrmediaForm,
    DrmediaRecord,
    ParseProblem,
    ParseResult,
    parse_client_datetime,
    parse_state,
)
from drm_gui.core.volser import normalize_volser

COLUMNS = ("volser", "state", "location", "kind", "pool", "updated")
REQUIRED = ("volser", "state")
DELIMITERS = (",", ";", "\t")  # the first is taken when the header line holds none
# Column names after _key(): lower case, "_" as a blank, blanks collapsed.
_NAMES = {name: name for name in COLUMNS} | {"volume": "volser", "volume name": "volser"}


def _key(name: str) -> str:
    return " ".join(name.replace("_", " ").split()).lower()


def _skipped(line: str) -> bool:
    """A line with nothing to read (blank, separators only, a comment), skipped where a row
    would start."""
    return not line.strip().strip(",;\t ") or line.lstrip().startswith("#")


class _Lines:
    """Hands the csv reader the text line by line, leaving out the blank and comment lines
    between rows (never those inside a quoted field), and remembers the lines of the row
    being read: a row's problem names the line it starts on."""

    def __init__(self, text: str) -> None:
        self._lines = enumerate(io.StringIO(text, newline=""), start=1)
        self._row: list[str] = []
        self.start = 0
        self.exhausted = False

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        for number, line in self._lines:
            if not self._row:
                if _skipped(line):
                    continue
                self.start = number
            self._row.append(line)
            return line
        self.exhausted = True
        raise StopIteration

    def take_row(self) -> str:
        """The text of the row just read, without its line end; the next row starts afresh."""
        text = "".join(self._row).rstrip("\r\n")
        self._row = []
        return text


def _rows(text: str) -> Iterator[tuple[int, str, list[str] | str]]:
    """Each row: the number of its first line, its text, and its fields or what is wrong with
    its quoting."""
    header = next((line for line in io.StringIO(text, newline="") if not _skipped(line)), "")
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=max(DELIMITERS, key=header.count), strict=True)
    while True:
        try:
            fields: list[str] | str = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The reader drops the rest of the line and goes on with the next.
            fields = (
                "unclosed quote: the quoted field runs on to the end of the file"
                if lines.exhausted
                else f"not readable as CSV: {exc}"
            )
        yield lines.start, lines.take_row(), fields


def _header(
    fields: list[str], number: int, text: str
) -> tuple[list[str | None] | None, list[ParseProblem]]:
    """The column of each header field (None: ignored), or None when the rows cannot be read;
    and what is wrong with the header."""
    columns = [_NAMES.get(_key(name)) for name in fields]
    problems: list[ParseProblem] = []
    unknown = [f.strip() for f, c in zip(fields, columns, strict=True) if c is None and f.strip()]
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        message = f"unknown column(s) {names} ignored; the columns are {', '.join(COLUMNS)}"
        problems.append(ParseProblem(number, text, message))
    twice = [c for c in COLUMNS if columns.count(c) > 1]
    if twice:
        problems.append(ParseProblem(number, text, f"column(s) named twice: {', '.join(twice)}"))
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        message = f"no {' and no '.join(missing)} column: required"
        problems.append(ParseProblem(number, text, message))
    return (None if twice or missing else columns), problems


class _ColumnError(Exception):
    """A value that cannot be read; the message starts with its column."""


T = TypeVar("T")


def _read(column: str, parse: Callable[[str], T], values: dict[str, str]) -> T:
    """*parse* applied to the value of *column*; a _ColumnError naming the column if it fails."""
    try:
        return parse(values.get(column, ""))
    except (DrmError, DateError) as exc:
        raise _ColumnError(f"{column}: {exc}") from None


def _state(text: str) -> DrmState:
    if not text:
        raise DrmError("empty; every volume needs one")
    return parse_state(text)


def _kind(text: str) -> VolumeKind | None:
    return VolumeKind.parse(text) if text else None


def _record(
    fields: list[str] | str, columns: list[str | None], number: int, text: str
) -> DrmediaRecord | ParseProblem:
    """The record of one row, or what is wrong with it."""
    if isinstance(fields, str):
        return ParseProblem(number, text, fields)
    if len(fields) < len(columns) or any(f.strip() for f in fields[len(columns) :]):
        message = f"{len(fields)} fields where the header line names {len(columns)} columns"
        return ParseProblem(number, text, message)
    values = {c: f.strip() for c, f in zip(columns, fields, strict=False) if c}
    try:
        volser = _read("volser", normalize_volser, values)
        state = _read("state", _state, values)
        kind = _read("kind", _kind, values)
        updated = _read("updated", parse_client_datetime, values)
    except _ColumnError as exc:
        return ParseProblem(number, text, str(exc))
    location, pool = values.get("location", ""), values.get("pool", "")
    return DrmediaRecord(volser, state, updated, location, kind, pool, line_number=number)


def parse_volume_csv(text: str) -> ParseResult:
    """Reads a volume list (see the module text); never raises."""
    rows = _rows(text.removeprefix("\ufeff"))
    header = next(rows, None)
    if header is None:
        return ParseResult([], [], DrmediaForm.CSV)
    number, line, fields = header
    if isinstance(fields, str):
        return ParseResult([], [ParseProblem(number, line, fields)], DrmediaForm.CSV)
    columns, problems = _header(fields, number, line)
    if columns is None:
        return ParseResult([], problems, DrmediaForm.CSV)
    records: list[DrmediaRecord] = []
    first_line: dict[str, int] = {}
    for number, line, fields in rows:
        item = _record(fields, columns, number, line)
        if isinstance(item, DrmediaRecord) and item.volser in first_line:
            message = f"volser {item.volser}: already on line {first_line[item.volser]}"
            item = ParseProblem(number, line, message)
        if isinstance(item, DrmediaRecord):
            first_line[item.volser] = number
            records.append(item)
        else:
            problems.append(item)
    return ParseResult(records, problems, DrmediaForm.CSV)


def format_volume_csv(records: Iterable[DrmediaRecord]) -> str:
    """The records as a volume list that parse_volume_csv reads back (libraries are left out)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    # csv quotes the line terminator's characters only: a carriage return needs quotes too.
    quoting_all = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    progress = current_progress()
    for n, r in enumerate(records):
        if n % PROGRESS_ROWS == 0:
            progress.update(n, 0, f"Writing the volume list: {n:,} volumes")
        kind = r.kind.value if r.kind else ""
        updated = r.updated.isoformat(" ", "seconds") if r.updated else ""
        row = [r.volser, r.state.value, r.location, kind, r.pool, updated]
        (quoting_all if any("\r" in value for value in row) else writer).writerow(row)
    return buffer.getvalue()
