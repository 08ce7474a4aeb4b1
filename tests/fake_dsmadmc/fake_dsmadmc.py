#!/usr/bin/env python3
"""A fake ``dsmadmc`` (IBM's administrative command-line client) for tests, stdlib only.

It plays a small storage server kept in the JSON file named by ``$FAKE_DSMADMC_STATE``:
the client's options (any case, IBM's minimum abbreviations), its banner and session block,
``-dataonly``, ``-comma``/``-tab``, table and list layouts, return codes and the session
failures, all as ../../../shared/DSMADMC.md describes them; the server's commands live in
fake_server.py (SELECT in fake_sql.py). Each run locks the state (``<state>.lock``), appends
the command to ``"received"`` (never the password) and writes the state back atomically.

State keys (tests/fake_dsmadmc/__init__.py writes them): ``server_name``, ``variant``
(a key of VARIANTS), ``platform``, ``now`` ("YYYY-MM-DD HH:MM:SS"; absent: the clock),
``admins`` {id: password}, ``stored_password`` (PASSWORDACCESS GENERATE: no -password
needed), ``auth_failure`` ("ANS1051I" or "ANS1025E": how a wrong password is answered),
``stanzas`` (server names -servername may give; default [server_name]), ``screen_width``,
``drm`` (location names), the tables ``drmedia``, ``volumes``, ``stgpools``, ``volhistory``,
``messages`` (overrides of fake_server.MESSAGES), ``next_process``; the fake adds
``received`` and ``actlog``.

Faults (``"faults"``, every key optional):

``hang_seconds: s``         sleep s seconds before answering (the caller's timeout fires)
``unreachable: true``       ANS1017E + ANS8023E, highest rc -50, exit status 206
``reject_password: true | "ANS1025E" | "ANS1051I"``  every password is wrong (rc 137)
``unknown_server: true``    ANS1217E, exit status 255, whatever -servername says
``refuse_move: [vol, ...]`` MOVE DRMEDIA refuses these volumes (rc 12), moves the others

The fake's own misconfiguration (no or a broken state file, no command) exits 99 with
"fake dsmadmc:" on stderr.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fake_server import Answer, Server, Table, expand

FAKE_ERROR_RC = 99
SEPARATOR = "     "  # between table columns [R]
MAX_COLUMN_WIDTH = 18  # a SELECT column wider than this wraps [K; the samples' widest is 18]
DEFAULT_SCREEN_WIDTH = 120  # beyond it an unforced SELECT table prints as a list [K]


@dataclass(frozen=True)
class Variant:
    """What differs between client releases in the banner and the output [R, §2.1/§2.7]."""

    product: str
    client_level: str
    copyright_year: int
    server_level: str
    echo_period: bool  # ANS8000I Server command: '...'.  (8.x) or without the period (6.1)
    q_date_format: str  # MM/DD/YYYY, or MM/DD/YY on the 5.4 client
    date_time_gap: str  # blanks between date and time in the banner


VARIANTS = {
    "5.4": Variant(
        "IBM Tivoli Storage Manager",
        "Version 5, Release 4, Level 0.0",
        2007,
        "Version 5, Release 4, Level 3.0",
        False,  # [K: only the 6.1.4 sample shows the echo without its period]
        "%m/%d/%y",
        "   ",
    ),
    "6.1": Variant(
        "IBM Tivoli Storage Manager",
        "Version 6, Release 1, Level 4.0",
        2010,
        "Version 5, Release 5, Level 4.1",
        False,
        "%m/%d/%Y",
        " ",
    ),
    "8.1.8": Variant(
        "IBM Spectrum Protect",
        "Version 8, Release 1, Level 8.0",
        2019,
        "Version 8, Release 1, Level 8.000",
        True,
        "%m/%d/%Y",
        " ",
    ),
    "8.1.21": Variant(
        "IBM Storage Protect",
        "Version 8, Release 1, Level 21.0",
        2023,
        "Version 8, Release 1, Level 21.000",
        True,
        "%m/%d/%Y",
        " ",
    ),
}

# The client's options in IBM's capitalisation (the upper-case part is the shortest
# abbreviation) -> whether it takes a value: True required, False never, None optional.
OPTIONS: dict[str, bool | None] = {
    "ID": True,
    "PAssword": True,
    "SErvername": True,
    "DATAONLY": True,
    "COMMAdelimited": False,
    "TABdelimited": False,
    "DISPLaymode": True,
    "OUTfile": None,
    "NOConfirm": False,
    "ITEMCommit": False,
    "OPTfile": True,
    "Quiet": False,
    "ERRORLOGName": True,
    "TCPServeraddress": True,
    "TCPPort": True,
    "COMMMethod": True,
    "ALWAYSPrompt": False,
}
_TAKES_VALUE = {name.upper(): takes for name, takes in OPTIONS.items()}
OPTION_VALUES = {"DATAONLY": ("Yes", "No"), "DISPLAYMODE": ("LISt", "TABle")}
# [K] The text of the client's answer to a bad option is a guess; its rc is the API's
# DSM_RC_INVALID_OPT (400, dsmrc.h [R]), so the exit status is 400 & 0xFF.
BAD_OPTION = "ANS1107E Invalid option/value: '{arg}'"
RC_BAD_OPTION = 400
RC_AUTH_FAILURE = 137  # DSM_RC_AUTH_FAILURE [R]
RC_TCPIP_FAILURE = -50  # DSM_RC_TCPIP_FAILURE [R]
EXIT_UNKNOWN_SERVER = 255  # [R: python Tsm treats 255 as "server not in dsm.sys"]


class FakeError(Exception):
    """The fake itself is misused (no state file, no command)."""


class OptionError(Exception):
    """A command-line option the client rejects."""


@dataclass
class Options:
    values: dict[str, str] = field(default_factory=dict)  # upper-case name -> value
    command: str = ""
    delimiter: str = ""  # "," for -comma, "\t" for -tab: the last one given wins [K]

    @property
    def dataonly(self) -> bool:
        return self.values.get("DATAONLY") == "YES"


def parse_options(args: list[str]) -> Options:
    """Options up to the first word that is not one; the rest is the server command."""
    options = Options()
    for index, arg in enumerate(args):
        if not arg.startswith("-"):
            options.command = " ".join(args[index:])
            break
        name, equals, value = arg[1:].partition("=")
        full = expand(name, tuple(OPTIONS))
        takes = _TAKES_VALUE.get(full or "")
        if full is None or (takes is True and not equals) or (takes is False and equals):
            raise OptionError(arg)
        if full in OPTION_VALUES:
            checked = expand(value, OPTION_VALUES[full])
            if checked is None:
                raise OptionError(arg)
            value = checked
        options.values[full] = value
        if full in ("COMMADELIMITED", "TABDELIMITED"):
            options.delimiter = "," if full == "COMMADELIMITED" else "\t"
    return options


# --- The state file ------------------------------------------------------------------------


def load_state(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def save_state(path: Path, data: dict[str, Any]) -> None:
    """Atomic: readers see the old file or the new one, never half of one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


@contextlib.contextmanager
def locked_state(path: Path) -> Iterator[dict[str, Any]]:
    """The state under an exclusive lock (one server, parallel sessions); saved on exit."""
    lock = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = load_state(path)
        yield data
        save_state(path, data)
    finally:
        os.close(lock)


# --- Output --------------------------------------------------------------------------------


def wrap(text: str, width: int) -> list[str]:
    """A value cut to the column: at blanks, else mid-word with a hyphen [R, §2.4]."""
    if len(text) <= width:
        return [text]
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[: width - 1] + "-")
            word = word[width - 1 :]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    return [*lines, current] if current else lines


def column_widths(table: Table) -> list[int]:
    widths = []
    for index, column in enumerate(table.columns):
        longest = max((len(row[index]) for row in table.rows), default=0)
        widths.append(column.width or max(len(column.caption), min(longest, MAX_COLUMN_WIDTH)))
    return widths


def table_lines(table: Table, headers: bool) -> list[str]:
    """Table mode: captions over dash rules, values wrapped within their columns."""
    widths = column_widths(table)
    pad = " " * table.indent

    def line(cells: list[list[str]], row: int) -> str:
        texts = []
        for cell, width, column in zip(cells, widths, table.columns, strict=True):
            text = cell[row] if row < len(cell) else ""
            texts.append(text.rjust(width) if column.right else text.ljust(width))
        return (pad + SEPARATOR.join(texts)).rstrip()

    blocks = []
    if headers:
        captions = [
            list(c.header) or wrap(c.caption, w) for c, w in zip(table.columns, widths, strict=True)
        ]
        blocks.append(captions)
    blocks += [[wrap(v, w) for v, w in zip(row, widths, strict=True)] for row in table.rows]
    lines = []
    for number, cells in enumerate(blocks):
        lines += [line(cells, i) for i in range(max(len(c) for c in cells))]
        if headers and number == 0:
            lines.append(pad + SEPARATOR.join("-" * w for w in widths))
    return lines


def list_lines(table: Table) -> list[str]:
    """List mode: right-aligned labels, ``LABEL: value``, a blank line after each record."""
    width = max(len(c.caption) for c in table.columns)
    lines = []
    for row in table.rows:
        for column, value in zip(table.columns, row, strict=True):
            lines.append(f"{column.caption.rjust(width)}: {value}".rstrip())
        lines.append("")
    return lines[:-1]


def delimited(value: str, delimiter: str) -> str:
    """-comma quotes a field holding a comma [R]; a quote inside is doubled [K]."""
    if delimiter == "," and ("," in value or '"' in value):
        return '"' + value.replace('"', '""') + '"'
    return value


def body_lines(table: Table, options: Options, screen_width: int) -> list[str]:
    if options.delimiter:
        sep = options.delimiter
        return [sep.join(delimited(v, sep) for v in row) for row in table.rows]
    mode = options.values.get("DISPLAYMODE")
    if mode is None and table.fits_screen:
        width = table.indent + sum(column_widths(table)) + len(SEPARATOR) * (len(table.columns) - 1)
        mode = "LIST" if width > screen_width else "TABLE"
    if table.detailed or mode == "LIST":
        return list_lines(table)
    # -dataonly=yes drops the headers (IBM: "suppresses ... output headers") [K for tables].
    return table_lines(table, headers=not options.dataonly)


class Client:
    """One run of the client: options, session, one command, output."""

    def __init__(self, args: list[str], env: dict[str, str], stdin: TextIO, out: TextIO) -> None:
        self.env = env
        self.stdin = stdin
        self.out = out
        self.lines: list[str] = []
        self.options = parse_options(args)
        if not self.options.command:
            raise FakeError("no server command (interactive mode is not simulated)")
        state = env.get("FAKE_DSMADMC_STATE", "")
        if not state:
            raise FakeError("FAKE_DSMADMC_STATE is not set: it must name the state file")
        self.path = Path(state)
        if not self.path.is_file():
            raise FakeError(f"the state file {state} does not exist")
        self.state = load_state(self.path)
        self.variant = VARIANTS[self.state.get("variant", "8.1.21")]
        now = self.state.get("now")
        self.now = datetime.fromisoformat(now) if now else datetime.now().replace(microsecond=0)

    @property
    def faults(self) -> dict[str, Any]:
        faults: dict[str, Any] = self.state.get("faults", {})
        return faults

    def emit(self, *lines: str) -> None:
        self.lines.extend(lines)

    def flush(self) -> None:
        text = "".join(line + "\n" for line in self.lines)
        self.lines = []
        outfile = self.options.values.get("OUTFILE")
        if outfile:  # -outfile=name: the output goes to the file instead [K]
            with open(outfile, "a", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self.out.write(text)
            self.out.flush()

    def ask(self, prompt: str) -> str | None:
        """Prompts on stdout and reads one line of stdin; None at end of input."""
        self.emit(prompt)
        self.flush()
        answer = self.stdin.readline()
        self.emit("")
        return answer.rstrip("\r\n") if answer else None

    def end(self, rc: int) -> int:
        """The closing ANS8002I line (not with -dataonly) and the exit status."""
        if not self.options.dataonly:
            self.emit("", f"ANS8002I Highest return code was {rc}.")
        self.flush()
        return rc & 0xFF

    # -- the session ---------------------------------------------------------------------

    def banner(self) -> None:
        if self.options.dataonly:
            return
        v = self.variant
        self.emit(
            v.product,
            f"Command Line Administrative Interface - {v.client_level}",
            f"(c) Copyright by IBM Corporation and other(s) 1990, {v.copyright_year}."
            " All Rights Reserved.",
            "",
        )

    def session_block(self) -> None:
        if self.options.dataonly:
            return
        v = self.variant
        stamp = self.now.strftime(f"{v.q_date_format}{v.date_time_gap}%H:%M:%S")
        name = self.state.get("server_name", "SERVER1")
        self.emit(
            f"Session established with server {name}: {self.state.get('platform', 'Linux/x86_64')}",
            f"  Server {v.server_level}",
            f"  Server date/time: {stamp}  Last access: {stamp}",
            "",
            f"ANS8000I Server command: '{self.options.command}'{'.' if v.echo_period else ''}",
            "",
        )

    def run(self) -> int:
        hang = float(self.faults.get("hang_seconds", 0))
        if hang:
            time.sleep(hang)
        self.banner()
        if self.unknown_server():
            self.emit("ANS1217E Server name not found in System Options File")
            self.flush()
            return EXIT_UNKNOWN_SERVER
        if self.faults.get("unreachable"):
            self.emit(
                "ANS1017E Session rejected: TCP/IP connection failure.",
                "ANS8023E Unable to establish session with server.",
            )
            return self.end(RC_TCPIP_FAILURE)
        admin = self.authenticate()
        if admin is None:
            self.emit("ANS8023E Unable to establish session with server.")
            return self.end(RC_AUTH_FAILURE)
        self.session_block()
        with locked_state(self.path) as state:
            answer = self.execute(state, admin)
        self.show(answer)
        return self.end(answer.rc)

    def unknown_server(self) -> bool:
        if self.faults.get("unknown_server"):
            return True
        wanted = self.options.values.get("SERVERNAME")
        stanzas = self.state.get("stanzas") or [self.state.get("server_name", "SERVER1")]
        return wanted is not None and wanted.upper() not in {s.upper() for s in stanzas}

    def authenticate(self) -> str | None:
        """The admin id once the server accepts the password; None after the failure lines.

        ANS1051I lets the user try again, up to three times; ANS1025E ends at once [R §3.3].
        With ``stored_password`` the client sends the password it keeps, so -password is
        not needed (the server may still reject it).
        """
        reject = self.faults.get("reject_password")
        failure = reject if isinstance(reject, str) else self.state.get("auth_failure", "ANS1051I")
        admin = self.options.values.get("ID")
        if admin is None:
            admin = self.ask("Enter your user id:  ")
        password = self.options.values.get("PASSWORD")
        known = self.state.get("admins", {})
        expected = next((p for a, p in known.items() if admin and a.upper() == admin.upper()), None)
        if password is None and self.state.get("stored_password"):
            password = expected
        for _ in range(3 if failure == "ANS1051I" else 1):
            if password is None and admin is not None:
                password = self.ask("Enter your password:")
            if password is None:
                break
            if not reject and expected is not None and password == expected:
                return admin
            if failure == "ANS1051I":
                self.emit("ANS1051I Invalid user id or password")
            password = None
        if failure == "ANS1025E":
            self.emit("ANS1025E Session rejected: Authentication failure")
        return None

    def execute(self, state: dict[str, Any], admin: str) -> Answer:
        options = {k: v for k, v in self.options.values.items() if k != "PASSWORD"}
        state.setdefault("received", []).append(
            {"command": self.options.command, "admin": admin, "options": options}
        )
        return Server(state, self.now, self.variant.q_date_format).execute(self.options.command)

    def show(self, answer: Answer) -> None:
        if answer.table is not None:
            width = int(self.state.get("screen_width", DEFAULT_SCREEN_WIDTH))
            self.emit(*body_lines(answer.table, self.options, width))
        self.emit(*answer.messages)
        if answer.process is not None:
            self.emit(f"ANS8003I Process number {answer.process} started.")
        if answer.rc:
            self.emit(f"ANS8001I Return code {answer.rc}.")


def main(
    argv: list[str] | None = None,
    env: dict[str, str] | None = None,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    args = list(sys.argv if argv is None else argv)[1:]
    error = sys.stderr if err is None else err
    output = sys.stdout if out is None else out
    try:
        client = Client(
            args,
            dict(os.environ if env is None else env),
            sys.stdin if stdin is None else stdin,
            output,
        )
        return client.run()
    except OptionError as bad:
        output.write(BAD_OPTION.format(arg=bad.args[0]) + "\n")
        return RC_BAD_OPTION & 0xFF
    except (FakeError, OSError, ValueError, KeyError, TypeError) as bad:
        error.write(f"fake dsmadmc: {bad}\n")
        return FAKE_ERROR_RC


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
