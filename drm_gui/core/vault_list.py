"""The vault company's inventory list: a CSV export (the user picks the column holding the
volser, and optionally the one holding the location) or a plain list of volsers.

Reading never touches the database. A file with bad lines gives a VaultList whose `errors`
name each line; `volsers()` refuses it unless the user accepts the valid lines. A file that
cannot be a list at all (empty, or the column is not there) raises VaultListError.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from drm_gui.core.states import DrmError
from drm_gui.core.volser import check_volser

DELIMITERS = ",;\t|"
SNIFF_BYTES = 8192


class VaultListError(DrmError):
    """The file cannot be used as a vault list; the message says why."""


@dataclass(frozen=True)
class VaultEntry:
    line: int  # 1-based line of the file
    volser: str
    location: str = ""


@dataclass(frozen=True)
class VaultListProblem:
    line: int
    text: str  # what the line held (the volser field for a CSV)
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class VaultList:
    entries: tuple[VaultEntry, ...]
    errors: tuple[VaultListProblem, ...]
    source: str = ""  # a file name, for messages

    @property
    def ok(self) -> bool:
        return not self.errors

    def volsers(self, *, accept_valid: bool = False) -> tuple[str, ...]:
        """The volsers of the valid lines; raises VaultListError when the file has errors
        and the user did not accept the valid lines."""
        if self.errors and not accept_valid:
            first = "; ".join(str(e) for e in self.errors[:5])
            more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
            raise VaultListError(
                f"{self.source or 'the list'}: {len(self.errors)} bad line(s), nothing "
                f"imported: {first}{more}; fix the file or accept only the valid lines"
            )
        return tuple(e.volser for e in self.entries)


def _text(data: str | bytes) -> str:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            data = data.decode("latin-1")
    return data.lstrip("\ufeff")


class _Collector:
    """Valid entries and problems, with duplicates reported against their first line."""

    def __init__(self) -> None:
        self.entries: list[VaultEntry] = []
        self.errors: list[VaultListProblem] = []
        self.seen: dict[str, int] = {}

    def add(self, line: int, text: str, location: str = "") -> None:
        check = check_volser(text)
        if check.volser is None:
            self.errors.append(VaultListProblem(line, text, check.problem or "not a volser"))
            return
        if check.volser in self.seen:
            first = self.seen[check.volser]
            self.errors.append(
                VaultListProblem(line, text, f"{check.volser}: listed twice (also line {first})")
            )
            return
        self.seen[check.volser] = line
        self.entries.append(VaultEntry(line, check.volser, location.strip()))

    def result(self, source: str) -> VaultList:
        return VaultList(tuple(self.entries), tuple(self.errors), source)


def read_volser_list(data: str | bytes, *, source: str = "") -> VaultList:
    """One volser per line; blank lines and #comments (whole-line or trailing) ignored."""
    collector = _Collector()
    text = _text(data)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0]
        if line.strip():
            collector.add(number, line)
    if not collector.entries and not collector.errors:
        raise VaultListError(f"{source or 'the list'}: the file is empty (no volsers in it)")
    return collector.result(source)


def sniff_delimiter(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:SNIFF_BYTES], delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = text.splitlines()[0] if text else ""
        counts = {d: header.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def csv_columns(data: str | bytes, delimiter: str | None = None) -> tuple[str, ...]:
    """The header of a CSV file, for the user to pick the volser column from."""
    text = _text(data)
    delimiter = delimiter or sniff_delimiter(text)
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        if any(cell.strip() for cell in row):
            return tuple(cell.strip() for cell in row)
    return ()


def _find_column(header: list[str], name: str, source: str) -> int:
    wanted = name.strip().casefold()
    for index, column in enumerate(header):
        if column.strip().casefold() == wanted:
            return index
    found = ", ".join(repr(c.strip()) for c in header if c.strip()) or "none"
    raise VaultListError(f"{source or 'the CSV file'}: no column {name!r}; columns found: {found}")


def read_vault_csv(
    data: str | bytes,
    volser_column: str,
    location_column: str | None = None,
    delimiter: str | None = None,
    *,
    source: str = "",
) -> VaultList:
    """A CSV export with a header line; *volser_column* (and *location_column*) named as in
    the header, case-insensitive. The delimiter is sniffed unless given."""
    text = _text(data)
    if not text.strip():
        raise VaultListError(f"{source or 'the CSV file'}: the file is empty")
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    collector = _Collector()
    header: list[str] | None = None
    volser_index = location_index = -1
    try:
        for row in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = row
                volser_index = _find_column(header, volser_column, source)
                if location_column:
                    location_index = _find_column(header, location_column, source)
                continue
            needed = max(volser_index, location_index) + 1
            if len(row) < needed:
                collector.errors.append(
                    VaultListProblem(
                        number,
                        delimiter.join(row),
                        f"{len(row)} field(s), the column {header[volser_index].strip()!r} "
                        f"is field {volser_index + 1}",
                    )
                )
                continue
            location = row[location_index] if location_index >= 0 else ""
            collector.add(number, row[volser_index], location)
    except csv.Error as exc:
        collector.errors.append(VaultListProblem(reader.line_num, "", f"not CSV: {exc}"))
    if header is None:
        raise VaultListError(f"{source or 'the CSV file'}: the file is empty")
    if not collector.entries and not collector.errors:
        raise VaultListError(f"{source or 'the CSV file'}: only a header line, no volsers")
    return collector.result(source)


def read_vault_file(
    data: str | bytes,
    *,
    volser_column: str | None = None,
    location_column: str | None = None,
    delimiter: str | None = None,
    source: str = "",
) -> VaultList:
    """A CSV when a column is named, else a plain list of volsers."""
    if volser_column:
        return read_vault_csv(data, volser_column, location_column, delimiter, source=source)
    return read_volser_list(data, source=source)
