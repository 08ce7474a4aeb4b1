"""The server half of the fake dsmadmc (stdlib only; see fake_dsmadmc.py for the client half).

``Server.execute(command)`` runs one administrative command against the state dict and
returns an ``Answer``: a table (captions and row texts) and/or the server's messages and a
return code. How the table is printed (table, list, comma, tab) is the client's business.

Commands: SELECT (see fake_sql.py), QUERY DRMEDIA, MOVE DRMEDIA; anything else is an
unknown command (rc 2). Keywords take IBM's minimum abbreviations: the upper-case part of
the spellings below [K: the spellings of the DRM keywords are from memory].
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fake_sql import (
    DECIMAL,
    INTEGER,
    NUMERIC_TYPES,
    TEXT,
    TIMESTAMP,
    Select,
    SqlError,
    timestamp_key,
)

RC_OK, RC_UNKNOWN, RC_SYNTAX, RC_NOTFOUND, RC_INUSE = 0, 2, 3, 11, 12

# The server's messages, one table; the state's "messages" entry overrides any of them.
# Only ANR2034E is real output [R]; every other number and text is a guess [K], the ANR66xx
# MOVE DRMEDIA texts in particular (DSMADMC.md §4.2).
MESSAGES: dict[str, str] = {
    "no_match": "ANR2034E {command}: No match found using this criteria.",
    "unknown_command": "ANR2000E Unknown command - {command}.",
    "invalid_parameter": "ANR2020E {command}: Invalid parameter - {word}.",
    "extraneous_parameter": "ANR2023E {command}: Extraneous parameter - {word}.",
    "missing_parameter": "ANR2004E {command}: Missing parameter - {word}.",
    "sql_syntax": "ANR2904E Unexpected SQL token - '{word}'.",
    "sql_table": "ANR2939E The reference '{word}' is an unknown SQL table name.",
    "sql_column": "ANR2940E The reference '{word}' is an unknown SQL column name.",
    "move_bad_pair": (
        "ANR6694E MOVE DRMEDIA: TOSTATE={target} is not valid for volumes in WHERESTATE={source}."
    ),
    "move_started": "ANR0609I MOVE DRMEDIA started as process {process}.",
    "move_foreground": (
        "ANR0984I Process {process} for MOVE DRMEDIA started in the FOREGROUND at {time}."
    ),
    "move_moved": (
        "ANR6683I MOVE DRMEDIA: Volume {volume} was moved from {source} state to {target}."
    ),
    "move_refused": (
        "ANR6696E MOVE DRMEDIA: Volume {volume} cannot be moved from {source} state to {target}:"
        " the volume is in use."
    ),
    "move_ended": (
        "ANR0985I Process {process} for MOVE DRMEDIA running in the {mode} completed with"
        " completion state {completion} at {time}."
    ),
}

# QUERY DRMEDIA prints states as captions, SELECT as keywords [R for the two retrieve
# captions, K for the rest].
STATE_CAPTIONS = {
    "MOUNTABLE": "Mountable",
    "NOTMOUNTABLE": "Not mountable",
    "COURIER": "Courier",
    "VAULT": "Vault",
    "VAULTRETRIEVE": "Vault retrieve",
    "COURIERRETRIEVE": "Courier retrieve",
    "ONSITERETRIEVE": "Onsite retrieve",
}
STATE_KEYWORDS = (
    "MOuntable",
    "NOTMOuntable",
    "COUrier",
    "VAult",
    "VAULTRetrieve",
    "COURIERRetrieve",
    "ONSITERetrieve",
)
# The server's legal MOVE DRMEDIA moves: WHERESTATE -> (default TOSTATE, every TOSTATE).
MOVES: dict[str, tuple[str, tuple[str, ...]]] = {
    "MOUNTABLE": ("NOTMOUNTABLE", ("NOTMOUNTABLE", "COURIER", "VAULT")),
    "NOTMOUNTABLE": ("COURIER", ("COURIER", "VAULT")),
    "COURIER": ("VAULT", ("VAULT",)),
    "VAULTRETRIEVE": ("COURIERRETRIEVE", ("COURIERRETRIEVE", "ONSITERETRIEVE")),
    "COURIERRETRIEVE": ("ONSITERETRIEVE", ("ONSITERETRIEVE",)),
}
# The DRM setting naming the location a volume gets on entering a state.
LOCATION_SETTINGS = {
    "NOTMOUNTABLE": "notmountable_name",
    "COURIER": "courier_name",
    "VAULT": "vault_name",
    "COURIERRETRIEVE": "courier_name",
}
DEFAULT_DRM = {
    "courier_name": "COURIER",
    "vault_name": "VAULT",
    "notmountable_name": "NOTMOUNTABLE",
}
# SOURCE=: which database backup volumes a DRM command includes; copy and active-data
# pool volumes are always included [K: default DBBACKUP, so snapshots need SOURCE=DBSNAPSHOT].
DB_VOLTYPES = frozenset({"DBBackup", "DBSnapshot"})
SOURCE_SPELLINGS = ("DBBackup", "DBSnapshot", "DBNOne")
SOURCE_VOLTYPES = {"DBBACKUP": {"DBBackup"}, "DBSNAPSHOT": {"DBSnapshot"}, "DBNONE": set()}

# The SQL tables: (column, type) in the server's SELECT * order [K: the order]. State rows
# use the lower-case column names; a missing key is NULL.
SCHEMA: dict[str, tuple[tuple[str, str], ...]] = {
    "DRMEDIA": (
        ("VOLUME_NAME", TEXT),
        ("STATE", TEXT),
        ("UPD_DATE", TIMESTAMP),
        ("LOCATION", TEXT),
        ("STGPOOL_NAME", TEXT),
        ("LIB_NAME", TEXT),
        ("VOLTYPE", TEXT),
    ),
    "VOLUMES": (
        ("VOLUME_NAME", TEXT),
        ("STGPOOL_NAME", TEXT),
        ("DEVCLASS_NAME", TEXT),
        ("PCT_UTILIZED", DECIMAL),
        ("STATUS", TEXT),
        ("ACCESS", TEXT),
        ("LOCATION", TEXT),
    ),
    "STGPOOLS": (
        ("STGPOOL_NAME", TEXT),
        ("POOLTYPE", TEXT),
        ("DEVCLASS", TEXT),
        ("REUSEDELAY", INTEGER),
    ),
    "VOLHISTORY": (
        ("DATE_TIME", TIMESTAMP),
        ("TYPE", TEXT),
        ("BACKUP_SERIES", INTEGER),
        ("BACKUP_OPERATION", INTEGER),
        ("VOLUME_SEQ", INTEGER),
        ("DEVCLASS", TEXT),
        ("VOLUME_NAME", TEXT),
        ("LOCATION", TEXT),
    ),
}

_WORD = re.compile(r"""(?:[^\s"']+|"[^"]*"|'[^']*')+|["'].*""")


@dataclass
class Column:
    """One output column: its caption, table-mode width (0: sized to fit) and alignment."""

    caption: str
    width: int = 0
    right: bool = False
    header: tuple[str, ...] = ()  # the caption's lines in table mode, when IBM splits it so


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[str]]
    detailed: bool = False  # FORMAT=DETAILED: always list mode (labels are captions)
    fits_screen: bool = False  # SELECT: list mode when the table is wider than the screen
    indent: int = 0


@dataclass
class Answer:
    rc: int = RC_OK
    table: Table | None = None
    messages: list[str] = field(default_factory=list)
    process: int | None = None  # a background process the client reports (ANS8003I)


QUERY_DRMEDIA_COLUMNS = [
    Column("Volume Name", 16),
    Column("State", 16),
    Column("Last Update Date/Time", 19, header=("Last Update Date/", "Time")),
    Column("Automated LibName", 16, header=("Automated", "LibName")),
]
DETAILED_CAPTIONS = (
    "Volume Name",
    "State",
    "Last Update Date/Time",
    "Location",
    "Volume Type",
    "Copy Storage Pool Name",
    "Active-Data Storage Pool Name",
    "Automated LibName",
)


def minimum_length(spelling: str) -> int:
    """IBM's rule: the upper-case part of a spelling is its shortest abbreviation."""
    return len(spelling) - len(spelling.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ_-0123456789"))


def expand(word: str, spellings: tuple[str, ...]) -> str | None:
    """The full upper-case keyword that *word* abbreviates, or None (unknown, ambiguous)."""
    word = word.upper()
    hits = {
        s.upper()
        for s in spellings
        if s.upper().startswith(word) and len(word) >= minimum_length(s)
    }
    return hits.pop() if len(hits) == 1 else None


def unquote(text: str) -> str:
    """A quoted value's text; a quote inside is written twice [K]."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1].replace(text[0] * 2, text[0])
    return text


class CommandError(Exception):
    """A command the server refuses before doing anything."""

    def __init__(self, rc: int, message: str) -> None:
        super().__init__(message)
        self.rc = rc
        self.message = message


class Server:
    """The server's side of one session: the state dict it reads and changes."""

    def __init__(self, state: dict[str, Any], now: datetime, q_date_format: str) -> None:
        self.state = state
        self.now = now
        self.q_date_format = q_date_format
        self.messages = {**MESSAGES, **state.get("messages", {})}

    def message(self, name: str, **values: Any) -> str:
        return self.messages[name].format(**values)

    def execute(self, command: str) -> Answer:
        words = _WORD.findall(command)
        verb = expand(words[0], ("SELECT", "Query", "MOVe")) if words else None
        is_drmedia = len(words) > 1 and expand(words[1], ("DRMedia",)) is not None
        try:
            if verb == "SELECT":
                return self.select(command)
            if verb == "QUERY" and is_drmedia:
                return self.query_drmedia(words[2:])
            if verb == "MOVE" and is_drmedia:
                return self.move_drmedia(words[2:])
        except CommandError as refused:
            return Answer(refused.rc, messages=[refused.message])
        # A known verb names its object too ("QUERY FOO"); anything else only itself.
        name = " ".join(words[:2] if verb else words[:1]).upper()
        return Answer(RC_UNKNOWN, messages=[self.message("unknown_command", command=name)])

    # -- SELECT --------------------------------------------------------------------------

    def select(self, sql: str) -> Answer:
        try:
            result = Select(sql, SCHEMA).run(self.sql_tables())
        except SqlError as bad:
            return Answer(RC_SYNTAX, messages=[self.message(f"sql_{bad.kind}", word=bad.word)])
        if not result.rows:
            return Answer(RC_NOTFOUND, messages=[self.message("no_match", command="SELECT")])
        columns = [
            Column(c, right=t in NUMERIC_TYPES)
            for c, t in zip(result.captions, result.types, strict=True)
        ]
        rows = [
            [sql_text(v, t) for v, t in zip(row, result.types, strict=True)] for row in result.rows
        ]
        return Answer(table=Table(columns, rows, fits_screen=True, indent=2))

    def sql_tables(self) -> dict[str, list[dict[str, Any]]]:
        return {
            table: [
                {k.upper(): v for k, v in row.items()} for row in self.state.get(table.lower(), [])
            ]
            for table in SCHEMA
        }

    # -- QUERY DRMEDIA -------------------------------------------------------------------

    def query_drmedia(self, words: list[str]) -> Answer:
        command = "QUERY DRMEDIA"
        names, params = self.parameters(
            command, words, ("WHERESTate", "Format", "SOUrce"), max_names=1
        )
        where = self.value(command, params.get("WHERESTATE", "ALL"), (*STATE_KEYWORDS, "All"))
        states = None if where == "ALL" else {where}
        detailed = self.value(command, params.get("FORMAT", "STANDARD"), ("Standard", "Detailed"))
        db_source = self.value(command, params.get("SOURCE", "DBBACKUP"), SOURCE_SPELLINGS)
        rows = self.matching(names[0] if names else "*", states, db_source)
        if not rows:
            return Answer(RC_NOTFOUND, messages=[self.message("no_match", command=command)])
        if detailed == "DETAILED":
            columns = [Column(caption) for caption in DETAILED_CAPTIONS]
            return Answer(table=Table(columns, [self.detailed_row(r) for r in rows], detailed=True))
        return Answer(
            table=Table(list(QUERY_DRMEDIA_COLUMNS), [self.standard_row(r) for r in rows])
        )

    def standard_row(self, row: dict[str, Any]) -> list[str]:
        return [
            row["volume_name"],
            STATE_CAPTIONS[row["state"]],
            self.q_date(row.get("upd_date")),
            row.get("lib_name") or "",
        ]

    def detailed_row(self, row: dict[str, Any]) -> list[str]:
        voltype = row.get("voltype") or ""
        pool = row.get("stgpool_name") or ""
        return [
            row["volume_name"],
            STATE_CAPTIONS[row["state"]],
            self.q_date(row.get("upd_date")),
            row.get("location") or "",
            voltype,
            pool if voltype == "CopyStgPool" else "",
            pool if voltype == "ActiveDataStgPool" else "",
            row.get("lib_name") or "",
        ]

    def q_date(self, value: Any) -> str:
        """Q commands print MM/DD/YYYY HH:MM:SS (MM/DD/YY on a 5.x client) [R]."""
        if not value:
            return ""
        when = datetime.strptime(timestamp_key(value)[:19], "%Y-%m-%d %H:%M:%S")
        return when.strftime(f"{self.q_date_format} %H:%M:%S")

    # -- MOVE DRMEDIA --------------------------------------------------------------------

    def move_drmedia(self, words: list[str]) -> Answer:
        """Parameters are checked in the foreground (rc 3, or 11 when no volume matches);
        the moves run as a process whose messages go to the activity log, and to the
        client too with WAIT=YES [K: WAIT=NO is the default, as for other processes]."""
        command = "MOVE DRMEDIA"
        spellings = ("WHERESTate", "TOSTate", "TOLOCation", "REMove", "WAit", "SOUrce")
        names, params = self.parameters(command, words, spellings, max_names=1)
        for needed, present in (("volume name", names), ("WHERESTATE", "WHERESTATE" in params)):
            if not present:
                missing = self.message("missing_parameter", command=command, word=needed)
                raise CommandError(RC_SYNTAX, missing)
        source = self.state_value(command, params["WHERESTATE"])
        default_target, targets = MOVES.get(source, ("", ()))
        target = self.state_value(command, params.get("TOSTATE", default_target or source))
        if target not in targets:
            bad_pair = self.message("move_bad_pair", source=source, target=target)
            raise CommandError(RC_SYNTAX, bad_pair)
        self.value(command, params.get("REMOVE", "YES"), ("Yes", "No", "Bulk", "Untileefull"))
        wait = self.value(command, params.get("WAIT", "NO"), ("Yes", "No")) == "YES"
        db_source = self.value(command, params.get("SOURCE", "DBBACKUP"), SOURCE_SPELLINGS)
        rows = self.matching(names[0], {source}, db_source)
        if not rows:
            return Answer(RC_NOTFOUND, messages=[self.message("no_match", command=command)])
        process = int(self.state.get("next_process", 1))
        self.state["next_process"] = process + 1
        time = self.now.strftime("%H:%M:%S")
        log = [self.message("move_foreground", process=process, time=time)] if wait else []
        moved, rc = self.move_volumes(rows, source, target, params.get("TOLOCATION"))
        completion = "SUCCESS" if rc == RC_OK else "FAILURE"
        mode = "FOREGROUND" if wait else "BACKGROUND"
        ended = self.message(
            "move_ended", process=process, mode=mode, completion=completion, time=time
        )
        log += [*moved, ended]
        actlog = self.state.setdefault("actlog", [])
        actlog.extend({"date_time": str(self.now), "process": process, "message": m} for m in log)
        if wait:
            return Answer(rc, messages=log)
        started = self.message("move_started", process=process)
        return Answer(messages=[started], process=process)

    def move_volumes(
        self, rows: list[dict[str, Any]], source: str, target: str, to_location: str | None
    ) -> tuple[list[str], int]:
        """Moves each volume the faults allow; (per-volume messages, highest rc)."""
        refused = {v.upper() for v in self.state.get("faults", {}).get("refuse_move", [])}
        log, rc = [], RC_OK
        for row in rows:
            values = {"volume": row["volume_name"], "source": source, "target": target}
            if row["volume_name"].upper() in refused:
                log.append(self.message("move_refused", **values))
                rc = RC_INUSE
                continue
            self.move_one(row, target, to_location)
            log.append(self.message("move_moved", **values))
        return log, rc

    def move_one(self, row: dict[str, Any], target: str, to_location: str | None) -> None:
        """A volume back on site leaves DRM tracking: its DRMEDIA row goes [K]. Leaving
        MOUNTABLE takes it out of the library, so it has no library name any more."""
        if target == "ONSITERETRIEVE":
            self.state["drmedia"].remove(row)
            return
        if row["state"] == "MOUNTABLE":
            row["lib_name"] = ""
        drm = {**DEFAULT_DRM, **self.state.get("drm", {})}
        row["state"] = target
        row["upd_date"] = self.now.strftime("%Y-%m-%d %H:%M:%S")
        row["location"] = to_location if to_location is not None else drm[LOCATION_SETTINGS[target]]

    # -- shared --------------------------------------------------------------------------

    def matching(
        self, pattern: str, states: set[str] | None, db_source: str
    ) -> list[dict[str, Any]]:
        """DRMEDIA rows whose name matches the pattern (* and ?, any case), in one of the
        states (None: any), of a kind SOURCE= includes; in name order."""
        included = SOURCE_VOLTYPES[db_source]
        wanted = pattern.upper()
        return sorted(
            (
                row
                for row in self.state.get("drmedia", [])
                if fnmatch.fnmatchcase(row["volume_name"].upper(), wanted)
                and (states is None or row["state"] in states)
                and (row.get("voltype") not in DB_VOLTYPES or row.get("voltype") in included)
            ),
            key=lambda row: row["volume_name"],
        )

    def parameters(
        self, command: str, words: list[str], spellings: tuple[str, ...], max_names: int
    ) -> tuple[list[str], dict[str, str]]:
        """Positional names and KEYWORD=value parameters (keywords expanded, values unquoted)."""
        names: list[str] = []
        params: dict[str, str] = {}
        for word in words:
            key, equals, value = word.partition("=")
            if not equals:
                if len(names) >= max_names:
                    raise CommandError(
                        RC_SYNTAX, self.message("extraneous_parameter", command=command, word=word)
                    )
                names.append(unquote(word))
                continue
            full = expand(key, spellings)
            if full is None:
                raise CommandError(
                    RC_SYNTAX, self.message("invalid_parameter", command=command, word=key.upper())
                )
            params[full] = unquote(value)
        return names, params

    def value(self, command: str, word: str, spellings: tuple[str, ...]) -> str:
        full = expand(word, spellings)
        if full is None:
            raise CommandError(
                RC_SYNTAX, self.message("invalid_parameter", command=command, word=word.upper())
            )
        return full

    def state_value(self, command: str, word: str) -> str:
        return self.value(command, word, STATE_KEYWORDS)


def sql_text(value: Any, kind: str) -> str:
    """A SELECT value as the server prints it: timestamps with 6 fractional digits [R]."""
    if value is None:
        return ""
    if kind == TIMESTAMP:
        return timestamp_key(value)
    if kind == DECIMAL and not isinstance(value, str):
        return f"{float(value):.1f}"
    if kind == INTEGER and not isinstance(value, str):
        return str(int(value))
    return str(value)
