"""Parsers for the server's own files: the volume history (volhist.out) and the device
configuration (devconfig.out). Pure functions; they never raise.

Both layouts are known from memory only (../shared/DSMADMC.md §5.3, [K]); the rules are kept
here, lenient: comments are skipped, keywords are read in any case and any order.

volhist.out: ``*`` comment lines, then one line per entry
``yyyy/mm/dd hh:mm:ss  TYPE  series  oper  seq  DEVCLASS  "VOLNAME"  [location]``; indented
lines that follow an entry (not starting with a date) are kept as its extra lines, and the
first of them is the location when the entry line has none [K].

devconfig.out: server commands (``SET SERVERNAME``, ``DEFINE DEVCLASS``/``LIBRARY``/``DRIVE``/
``PATH`` ...), a line ending in ``-`` continues on the next (``+`` continues without a blank),
and ``/* ... */`` comments (the SCSI library inventory) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from drm_gui.core.tsm_formats import (
    DateError,
    ParseProblem,
    parse_client_datetime,
    split_lines,
)

# --- Volume history --------------------------------------------------------------------------

VOLHIST_TYPES = frozenset(
    {
        "BACKUPFULL",
        "BACKUPINCR",
        "DBSNAPSHOT",
        "STGNEW",
        "STGREUSE",
        "STGDELETE",
        "EXPORT",
        "BACKUPSET",
        "RPFILE",
        "RPFSNAPSHOT",
    }
)
DB_BACKUP_TYPES = frozenset({"BACKUPFULL", "BACKUPINCR", "DBSNAPSHOT"})


@dataclass(frozen=True)
class VolhistEntry:
    """One line of the volume history."""

    when: datetime
    type: str
    series: int
    operation: int
    sequence: int
    device_class: str
    volume: str
    location: str = ""
    line_number: int = 0
    extra: tuple[str, ...] = ()


@dataclass(frozen=True)
class VolhistResult:
    entries: list[VolhistEntry]
    problems: list[ParseProblem]


_DATE_START = re.compile(r"^\s*\d{1,4}[/-]\d{1,2}[/-]\d{1,4}\s")
_WHOLE_TOKEN = r"""(?:[^\s"']+|"[^"]*"|'[^']*')+"""
_TOKEN = re.compile(_WHOLE_TOKEN + r"""|["'].*""")
_CLOSED = re.compile(_WHOLE_TOKEN)


def _unquote(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
        return token[1:-1]
    return token


# The usual entry line: seven plain words and a "quoted" volume name, nothing after it.
_PLAIN_ENTRY = re.compile(r'^\s*((?:[^\s"\']+\s+){7})"([^"\s]*)"\s*$')


def _tokens(text: str) -> list[str] | None:
    """Blank-separated tokens with "quoted strings" kept whole; None on an unclosed quote."""
    plain = _PLAIN_ENTRY.match(text)
    if plain:  # the fast path for the usual line: a tenth of the general one's cost
        return [*plain.group(1).split(), f'"{plain.group(2)}"']
    tokens = _TOKEN.findall(text)
    for token in tokens:
        if not _CLOSED.fullmatch(token):
            return None
    return tokens


def _entry_or_problem(number: int, line: str) -> VolhistEntry | ParseProblem:
    tokens = _tokens(line)
    if tokens is None:
        return ParseProblem(number, line, "unclosed quote")
    if len(tokens) < 8:
        return ParseProblem(
            number,
            line,
            f"wrong number of fields: {len(tokens)}, expected at least 8 (date, time, type,"
            " series, operation, sequence, device class, volume)",
        )
    try:
        when = parse_client_datetime(f"{tokens[0]} {tokens[1]}")
    except DateError as exc:
        return ParseProblem(number, line, str(exc))
    if when is None:  # pragma: no cover - tokens are never blank
        return ParseProblem(number, line, "no date")
    kind = tokens[2].upper()
    if kind not in VOLHIST_TYPES:
        return ParseProblem(number, line, f"unknown volume history type {tokens[2]!r}")
    series, operation, sequence = tokens[3:6]
    if not (series + operation + sequence).isascii() or not (
        series.isdigit() and operation.isdigit() and sequence.isdigit()
    ):  # isdigit() alone takes "²" too
        for caption, token in (
            ("series", series),
            ("operation", operation),
            ("sequence", sequence),
        ):
            if not (token.isascii() and token.isdigit()):
                return ParseProblem(number, line, f"bad backup {caption} {token!r}: not a number")
    numbers = [int(series), int(operation), int(sequence)]
    volume = _unquote(tokens[7]).strip()
    if not volume:
        return ParseProblem(number, line, "empty volume name")
    location = " ".join(_unquote(t) for t in tokens[8:]).strip()
    return VolhistEntry(
        when=when,
        type=kind,
        series=numbers[0],
        operation=numbers[1],
        sequence=numbers[2],
        device_class=_unquote(tokens[6]),
        volume=volume,
        location=location,
        line_number=number,
    )


def parse_volhist(text: str) -> VolhistResult:
    """Parses a volume history file (see the module text for the layout)."""
    entries: list[VolhistEntry] = []
    problems: list[ParseProblem] = []
    try:
        last: VolhistEntry | None = None
        for index, raw in enumerate(split_lines(text)):
            number = index + 1
            line = raw.rstrip()
            stripped = line.strip()
            if not stripped or stripped.startswith("*"):
                continue
            if _DATE_START.match(line):
                item = _entry_or_problem(number, line)
                if isinstance(item, ParseProblem):
                    problems.append(item)
                    last = None
                else:
                    entries.append(item)
                    last = item
                continue
            if last is not None and raw[:1].isspace():
                value = _unquote(stripped)
                updated = replace(last, extra=(*last.extra, value), location=last.location or value)
                entries[-1] = updated
                last = updated
                continue
            problems.append(ParseProblem(number, line, "not a volume history entry"))
    except Exception as exc:  # pragma: no cover - a last guard: no exception escapes
        problems.append(ParseProblem(0, "", f"internal parser error: {exc}"))
    return VolhistResult(entries, problems)


@dataclass(frozen=True)
class DbBackupOperation:
    """One backup run of a series: the full (operation 0) or an incremental."""

    operation: int
    type: str
    when: datetime
    volumes: tuple[VolhistEntry, ...]


@dataclass(frozen=True)
class DbBackupSeries:
    """A database backup series: a full backup and its incrementals, or one snapshot."""

    series: int
    snapshot: bool
    operations: tuple[DbBackupOperation, ...]
    device_classes: tuple[str, ...] = field(default=())

    @property
    def started(self) -> datetime:
        return self.operations[0].when

    @property
    def volumes(self) -> tuple[str, ...]:
        """Every volume name of the series, in operation then sequence order, once each."""
        names = (v.volume for op in self.operations for v in op.volumes)
        return tuple(dict.fromkeys(names))

    @property
    def has_full(self) -> bool:
        return any(op.operation == 0 for op in self.operations)


def db_backup_series(entries: Iterable[VolhistEntry]) -> list[DbBackupSeries]:
    """Groups the DB backup volumes into series (BACKUPFULL + BACKUPINCR share a series number;
    DBSNAPSHOT series apart), each with its operations and volumes in order; oldest first."""
    groups: dict[tuple[bool, int], dict[int, list[VolhistEntry]]] = {}
    for entry in entries:
        if entry.type not in DB_BACKUP_TYPES:
            continue
        key = (entry.type == "DBSNAPSHOT", entry.series)
        groups.setdefault(key, {}).setdefault(entry.operation, []).append(entry)
    result = []
    for (snapshot, series), by_operation in groups.items():
        operations = []
        for operation in sorted(by_operation):
            volumes = sorted(by_operation[operation], key=lambda e: (e.sequence, e.line_number))
            operations.append(
                DbBackupOperation(
                    operation=operation,
                    type=volumes[0].type,
                    when=min(v.when for v in volumes),
                    volumes=tuple(volumes),
                )
            )
        classes = tuple(dict.fromkeys(v.device_class for op in operations for v in op.volumes))
        result.append(DbBackupSeries(series, snapshot, tuple(operations), classes))
    result.sort(key=lambda s: (s.started, s.snapshot, s.series))
    return result


# --- Device configuration --------------------------------------------------------------------


@dataclass(frozen=True)
class DevconfigCommand:
    """One server command of the file, its continuation lines joined."""

    line_number: int
    text: str
    verb: str  # DEFINE, SET, ...
    target: str  # DEVCLASS, LIBRARY, DRIVE, PATH, SERVERNAME, ...
    args: tuple[str, ...]  # positional words after the target
    options: tuple[tuple[str, str], ...]  # KEY=value pairs, keys upper case

    def option(self, key: str, default: str = "") -> str:
        key = key.upper()
        return next((v for k, v in self.options if k == key), default)


@dataclass(frozen=True)
class DeviceClass:
    name: str
    devtype: str
    library: str
    command: DevconfigCommand


@dataclass(frozen=True)
class Library:
    name: str
    libtype: str
    command: DevconfigCommand


@dataclass(frozen=True)
class Drive:
    library: str
    name: str
    command: DevconfigCommand


@dataclass(frozen=True)
class Path:
    source: str
    destination: str
    srctype: str
    desttype: str
    device: str
    command: DevconfigCommand


@dataclass(frozen=True)
class DevconfigResult:
    device_classes: list[DeviceClass]
    libraries: list[Library]
    drives: list[Drive]
    paths: list[Path]
    problems: list[ParseProblem]
    server_name: str = ""
    other_commands: list[DevconfigCommand] = field(default_factory=list)

    @property
    def commands(self) -> list[DevconfigCommand]:
        """Every command in file order (for the plan)."""
        every = [x.command for x in (*self.device_classes, *self.libraries)]
        every += [x.command for x in (*self.drives, *self.paths)]
        every += self.other_commands
        return sorted(every, key=lambda c: c.line_number)


# Full names and the shortest abbreviation the server accepts [K for the abbreviations].
_VERBS = {"DEFINE": "DEF", "SET": "SET", "UPDATE": "UPD"}
_TARGETS = {
    "DEVCLASS": "DEVC",
    "LIBRARY": "LIBR",
    "DRIVE": "DR",
    "PATH": "PATH",
    "SERVER": "SERVER",
    "SERVERNAME": "SERVERNAME",
    "SERVERPASSWORD": "SERVERPASSWORD",
    "SERVERHLADDRESS": "SERVERHLADDRESS",
    "SERVERLLADDRESS": "SERVERLLADDRESS",
}
_OPTION = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)=(.*)$", re.DOTALL)
_HIDDEN = "********"


def _expand(word: str, table: dict[str, str]) -> str | None:
    word = word.upper()
    if word in table:
        return word
    matches = [
        full for full, short in table.items() if full.startswith(word) and len(word) >= len(short)
    ]
    return matches[0] if len(matches) == 1 else None


def _logical_lines(text: str) -> Iterable[tuple[int, str]]:
    """(first line number, command text): comments removed, continuations joined: a line
    ending in ``-`` goes on after a blank, one ending in ``+`` without one (inside a word)."""
    command = ""  # the text so far of a command continued onto the next line
    start = 0
    in_comment = False
    for index, raw in enumerate(split_lines(text)):
        line = raw
        # Remove /* ... */ comments, also those spanning lines.
        out = ""
        rest = line
        while rest:
            if in_comment:
                end = rest.find("*/")
                if end < 0:
                    rest = ""
                else:
                    rest = rest[end + 2 :]
                    in_comment = False
            else:
                begin = rest.find("/*")
                if begin < 0:
                    out += rest
                    rest = ""
                else:
                    out += rest[:begin]
                    rest = rest[begin + 2 :]
                    in_comment = True
        stripped = out.strip()
        if not stripped:
            if not in_comment:  # a blank line ends a continued command
                if command.strip():
                    yield start, command.strip()
                command = ""
            continue
        if not command.strip():
            start = index + 1
        if stripped.endswith("-"):
            command += stripped[:-1].rstrip() + " "
        elif stripped.endswith("+"):
            command += stripped[:-1]
        else:
            yield start, (command + stripped).strip()
            command = ""
    if command.strip():
        yield start, command.strip()


def _command(number: int, text: str) -> DevconfigCommand | ParseProblem:
    tokens = _tokens(text)
    if tokens is None:
        return ParseProblem(number, text, "unclosed quote")
    verb = _expand(tokens[0], _VERBS)
    if verb is None:
        return ParseProblem(number, text, f"not a server command: {tokens[0]!r}")
    if len(tokens) < 2:
        return ParseProblem(number, text, f"{verb} without an object")
    target = _expand(tokens[1], _TARGETS) or tokens[1].upper()
    args: list[str] = []
    options: list[tuple[str, str]] = []
    for token in tokens[2:]:
        match = _OPTION.match(token)
        if match:
            options.append((match.group(1).upper(), _unquote(match.group(2))))
        else:
            args.append(_unquote(token))
    if verb == "SET" and target == "SERVERPASSWORD":
        text = f"{tokens[0]} {tokens[1]} {_HIDDEN}"
        args = [_HIDDEN] if args else []
    return DevconfigCommand(number, text, verb, target, tuple(args), tuple(options))


_NEEDED_ARGS = {"DEVCLASS": 1, "LIBRARY": 1, "DRIVE": 2, "PATH": 2, "SERVERNAME": 1}


def parse_devconfig(text: str) -> DevconfigResult:
    """Parses a device configuration file; SET SERVERPASSWORD's value is never kept."""
    result = DevconfigResult([], [], [], [], [])
    server_name = ""
    try:
        for number, line in _logical_lines(text):
            item = _command(number, line)
            if isinstance(item, ParseProblem):
                result.problems.append(item)
                continue
            needed = _NEEDED_ARGS.get(item.target, 0) if item.verb in ("DEFINE", "SET") else 0
            if len(item.args) < needed:
                result.problems.append(
                    ParseProblem(
                        number,
                        line,
                        f"{item.verb} {item.target} needs {needed} name(s), found {len(item.args)}",
                    )
                )
                continue
            if item.verb != "DEFINE":
                if item.verb == "SET" and item.target == "SERVERNAME":
                    server_name = item.args[0]
                result.other_commands.append(item)
            elif item.target == "DEVCLASS":
                result.device_classes.append(
                    DeviceClass(
                        item.args[0],
                        item.option("DEVTYPE").upper(),
                        item.option("LIBRARY"),
                        item,
                    )
                )
            elif item.target == "LIBRARY":
                result.libraries.append(Library(item.args[0], item.option("LIBTYPE").upper(), item))
            elif item.target == "DRIVE":
                result.drives.append(Drive(item.args[0], item.args[1], item))
            elif item.target == "PATH":
                result.paths.append(
                    Path(
                        item.args[0],
                        item.args[1],
                        item.option("SRCTYPE").upper(),
                        item.option("DESTTYPE").upper(),
                        item.option("DEVICE"),
                        item,
                    )
                )
            else:
                result.other_commands.append(item)
    except Exception as exc:  # pragma: no cover - a last guard: no exception escapes
        result.problems.append(ParseProblem(0, "", f"internal parser error: {exc}"))
    return DevconfigResult(
        result.device_classes,
        result.libraries,
        result.drives,
        result.paths,
        result.problems,
        server_name,
        result.other_commands,
    )


def _quoted(value: str) -> str:
    return '"' + value.replace('"', "") + '"'


def entry_from_fields(number: int, text: str, fields: Sequence[str]) -> VolhistEntry | ParseProblem:
    """An entry from the fields of a ``SELECT date_time, type, backup_series,
    backup_operation, volume_seq, devclass, volume_name[, location] FROM volhistory`` row (the
    date and time in one field), or the problem with it, under the rules of a file line."""
    if len(fields) < 7:
        return ParseProblem(
            number, text, f"wrong number of columns: {len(fields)}, expected at least 7"
        )
    date_time = fields[0].split()
    if len(date_time) != 2:
        return ParseProblem(number, text, f"bad date {fields[0].strip()!r}")
    words = [*date_time, *(f.strip() for f in fields[1:5])]
    words += [_quoted(fields[5].strip()), _quoted(fields[6].strip())]
    location = fields[7].strip() if len(fields) > 7 else ""
    if location:
        words.append(_quoted(location))
    entry = _entry_or_problem(number, " ".join(words))
    if isinstance(entry, ParseProblem):
        return ParseProblem(number, text, entry.message)
    return replace(entry, line_number=number)
