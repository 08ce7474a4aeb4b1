"""The link to the storage server: one server command per run of IBM's ``dsmadmc``.

Each call runs ``dsmadmc -id=.. -password=.. [-servername=..] [-optfile=..] -dataonly=yes
-comma -noconfirm "<command>"`` with stdin from /dev/null, and reads back the rows, the
server's messages and the exit status (= the highest return code, DSMADMC.md §3.2). The
administrative client has no batch way to take a password other than its command line (or
a password it keeps itself: ``use_stored_password``), so the password goes there; it is
kept in memory only and masked in everything this module logs or raises.

Failures are classified from the messages first (they name the cause), the exit status
second (DSMADMC.md §3.3): return codes 0 and 11 (no match) are answers, not errors.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from drm_gui.core.states import DrmError
from drm_gui.core.tsm_formats import MESSAGE_LINE, split_fields

log = logging.getLogger(__name__)

MASK = "********"
RC_OK = 0
RC_NOT_FOUND = 11  # a SELECT or QUERY that matched nothing [V]
STOP_GRACE_S = 1.0  # after SIGTERM, before SIGKILL: time for dsmadmc to end its session
# The client's messages are read in English: LANG=en_US as the public scripts set it [R];
# the LC_* variables go so that none of them overrides it (a decimal comma, §2.6).
CLIENT_LANG = "en_US"


@dataclass(frozen=True, kw_only=True)
class ServerProfile:
    """How to reach one storage server through its administrative client."""

    admin_id: str
    command: str = "dsmadmc"
    server_name: str = ""  # "" = the client's default server stanza
    options_file: str = ""  # "" = the client's default options file
    use_stored_password: bool = False  # PASSWORDACCESS GENERATE: no -password option
    timeout_s: float = 120.0
    extra_env: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def server_label(self) -> str:
        return f"server {self.server_name}" if self.server_name else "the default server"


@dataclass(frozen=True)
class ServerMessage:
    """One ANR (server) or ANS (client) message: ``ANR2034E``, ``E``, its text."""

    number: str
    severity: str
    text: str

    def __str__(self) -> str:
        return f"{self.number} {self.text}"


@dataclass(frozen=True)
class CommandAnswer:
    """What the server answered: its return code, the data lines, and its messages."""

    rc: int
    lines: list[str]
    messages: list[ServerMessage]


def parse_message(line: str) -> ServerMessage | None:
    if not MESSAGE_LINE.match(line):
        return None
    number, _, text = line.strip().partition(" ")
    return ServerMessage(number, number[-1], text.strip())


# --- Errors --------------------------------------------------------------------------------


class ServerLinkError(DrmError):
    """The server could not be asked, or refused: the message says what to do about it.

    ``argv`` is the command line with the password masked, ``rc`` the client's exit status
    (None when it did not end by itself), ``messages`` what the client printed.
    """

    def __init__(
        self,
        message: str,
        *,
        argv: Sequence[str] = (),
        rc: int | None = None,
        messages: Sequence[ServerMessage] = (),
    ) -> None:
        super().__init__(message)
        self.argv = tuple(argv)
        self.rc = rc
        self.messages = tuple(messages)


class ClientNotFound(ServerLinkError):  # noqa: N818 - the link's agreed names
    """dsmadmc is not installed where the settings say, or cannot be run."""


class SessionFailed(ServerLinkError):  # noqa: N818 - the link's agreed names
    """The client could not open a session: no server command was run."""


class ServerUnreachable(SessionFailed):
    """No session: the server is down, or the network or the client's address is wrong."""

    @staticmethod
    def explain(profile: ServerProfile, detail: str) -> str:
        return (
            f"The storage server ({profile.server_label}) could not be reached: {detail}. "
            "Check that the server is running and that the client's server address "
            "(TCPSERVERADDRESS in dsm.sys or dsm.opt) is right, then try again."
        )


class AuthenticationFailed(SessionFailed):
    """The server refused the administrator ID or password."""

    @staticmethod
    def explain(profile: ServerProfile, detail: str) -> str:
        if profile.use_stored_password:
            what = (
                "The password the client keeps for it was refused or is missing: run dsmadmc "
                "once by hand to store it again, or turn off the stored password in the server "
                "settings and enter the password."
            )
        else:
            what = "Check the administrator ID and password in the server settings."
        return (
            f"The storage server ({profile.server_label}) refused administrator "
            f"{profile.admin_id!r} ({detail}). {what}"
        )


class UnknownServer(SessionFailed):
    """The server name is not a stanza of the client's options."""

    @staticmethod
    def explain(profile: ServerProfile, detail: str) -> str:
        name = repr(profile.server_name) if profile.server_name else "(default)"
        return (
            f"The administrative client does not know the server name {name} ({detail}). "
            "Correct the server name in the server settings (a SERVERNAME stanza of dsm.sys), "
            "or leave it empty for the client's default server."
        )


class ServerTimeout(ServerLinkError):  # noqa: N818 - the link's agreed names
    """No answer in time; the client was stopped."""


class ServerCommandFailed(ServerLinkError):  # noqa: N818 - the link's agreed names
    """The server ran the command and refused it (a return code other than 0 or 11)."""

    def __init__(
        self, command: str, rc: int, messages: Sequence[ServerMessage], argv: Sequence[str]
    ) -> None:
        errors = [m for m in messages if m.number.startswith("ANR") and m.severity in "ES"]
        first = (errors or list(messages) or [None])[0]
        reason = str(first) if first else "the server gave no message"
        super().__init__(
            f"The storage server refused the command {command!r} (return code {rc}): {reason}",
            argv=argv,
            rc=rc,
            messages=messages,
        )
        self.command = command


_SessionKind = type[UnknownServer] | type[AuthenticationFailed] | type[ServerUnreachable]

# What each session failure prints and how the client exits. Message numbers [R]; exit
# statuses: 255 for an unknown server [R], 137 DSM_RC_AUTH_FAILURE [R], 206/205/204 for the
# connection codes -50/-51/-52 (DSM_RC_TCPIP_FAILURE, _CONN_TIMEDOUT, _CONN_REFUSED) & 0xFF
# [K: that a negative code leaves the process that way].
_SESSION_FAILURES: tuple[tuple[_SessionKind, frozenset[str], frozenset[int]], ...] = (
    (UnknownServer, frozenset({"ANS1217E"}), frozenset({255})),
    (AuthenticationFailed, frozenset({"ANS1025E", "ANS1051I", "ANS1353E"}), frozenset({137})),
    (ServerUnreachable, frozenset({"ANS1017E"}), frozenset({206, 205, 204})),
)
# Printed after every failed session whatever the cause [R §3.3], so it decides only when
# neither a telling message nor the exit status did.
_NO_SESSION = "ANS8023E"


def classify(
    profile: ServerProfile,
    command: str,
    rc: int,
    messages: Sequence[ServerMessage],
    argv: Sequence[str],
) -> ServerLinkError | None:
    """The error an exit status and its messages mean; None for an answer (rc 0 or 11).

    The most telling evidence first: a message naming the cause, then the exit status,
    then the bare "no session" message.
    """
    if rc in (RC_OK, RC_NOT_FOUND):
        return None
    for kind, numbers, _statuses in _SESSION_FAILURES:
        telling = [m for m in messages if m.number in numbers]
        if telling:
            return _session_error(kind, profile, str(telling[0]), rc, messages, argv)
    for kind, _numbers, statuses in _SESSION_FAILURES:
        if rc in statuses:
            return _session_error(kind, profile, f"exit status {rc}", rc, messages, argv)
    no_session = [m for m in messages if m.number == _NO_SESSION]
    if no_session:
        return _session_error(ServerUnreachable, profile, str(no_session[0]), rc, messages, argv)
    return ServerCommandFailed(command, rc, messages, argv)


def _session_error(
    kind: _SessionKind,
    profile: ServerProfile,
    detail: str,
    rc: int,
    messages: Sequence[ServerMessage],
    argv: Sequence[str],
) -> SessionFailed:
    explanation = kind.explain(profile, detail.rstrip("."))
    return kind(explanation, argv=argv, rc=rc, messages=messages)


# --- The client ----------------------------------------------------------------------------


class _Secret:
    """A password that never shows in a repr (debuggers, locals dumps, dataclass reprs)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return MASK


@dataclass(frozen=True)
class _Run:
    """One finished run of the client."""

    rc: int
    stdout: str
    stderr: str


class AdminClient:
    """Runs server commands through dsmadmc for one profile and password.

    ``password`` None is for ``use_stored_password`` profiles, where the client keeps it.
    """

    def __init__(self, profile: ServerProfile, password: str | None) -> None:
        self.profile = profile
        self._password = _Secret(password) if password is not None else None

    def __repr__(self) -> str:
        return f"AdminClient(profile={self.profile!r}, password={MASK})"

    def select(self, sql: str) -> list[list[str]]:
        """The rows of a SELECT, each split into its fields; [] when nothing matched."""
        return [split_fields(line, ",") for line in self.run(sql).lines]

    def run(self, command: str) -> CommandAnswer:
        """One server command; its answer when the return code is 0 or 11, else raises."""
        shown = self.command_line(command)
        done = self._execute(self._argv(command, masked=False), shown, command)
        lines: list[str] = []
        messages: list[ServerMessage] = []
        for line in done.stdout.splitlines():
            message = parse_message(line)
            if message is not None:
                messages.append(message)
            elif line.strip():
                lines.append(line)
        messages += [m for m in map(parse_message, done.stderr.splitlines()) if m is not None]
        error = classify(self.profile, self._redact(command), done.rc, messages, shown)
        if error is not None:
            log.warning("%s", error)
            raise error
        return CommandAnswer(done.rc, lines, messages)

    def command_line(self, command: str) -> list[str]:
        """The client's argv as logs and errors show it: the password as ``********``."""
        return [self._redact(arg) for arg in self._argv(command, masked=True)]

    def _argv(self, command: str, masked: bool) -> list[str]:
        profile = self.profile
        argv = [profile.command, f"-id={profile.admin_id}"]
        if not profile.use_stored_password:
            if self._password is None:
                raise AuthenticationFailed(
                    f"No password was given for administrator {profile.admin_id!r}: enter it, "
                    "or let the client keep it (stored password in the server settings)."
                )
            argv.append(f"-password={MASK if masked else self._password.reveal()}")
        if profile.server_name:
            argv.append(f"-servername={profile.server_name}")
        if profile.options_file:
            argv.append(f"-optfile={profile.options_file}")
        return [*argv, "-dataonly=yes", "-comma", "-noconfirm", command]

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
        env["LANG"] = CLIENT_LANG
        env.update(self.profile.extra_env)
        return env

    def _redact(self, text: str) -> str:
        """Defence in depth: the password never leaves this object, even if echoed."""
        secret = self._password.reveal() if self._password else ""
        return text.replace(secret, MASK) if secret else text

    def _execute(self, argv: list[str], shown: list[str], command: str) -> _Run:
        """Runs the client in a process group of its own; raises ClientNotFound or
        ServerTimeout outside any ``except`` block, so that no exception carrying the real
        argv (TimeoutExpired does) is chained to them."""
        printable = shlex.join(shown)
        log.info("running %s", printable)
        started = time.monotonic()
        process, not_found = _start(argv, self._environment())
        if process is None:
            raise ClientNotFound(
                f"The administrative client {self.profile.command!r} cannot be run "
                f"({not_found}). Install the IBM Storage Protect administrative client "
                "(dsmadmc), or correct the client command in the server settings.",
                argv=shown,
            )
        finished = _wait(process, self.profile.timeout_s)
        elapsed = time.monotonic() - started
        if finished is None:
            log.warning("%s: no answer within %g s, stopped", printable, self.profile.timeout_s)
            raise ServerTimeout(
                f"The storage server ({self.profile.server_label}) did not answer "
                f"{self._redact(command)!r} within {self.profile.timeout_s:g} s; the client "
                "was stopped. The server may be busy or the network slow: try again, or raise "
                "the timeout in the server settings. After a change (MOVE DRMEDIA), read the "
                "volumes back before repeating it: it may have been done.",
                argv=shown,
            )
        stdout, stderr = (self._redact(text) for text in finished)
        log.info("%s: exit status %d after %.1f s", printable, process.returncode, elapsed)
        log.debug("output:\n%s%s", stdout, stderr)
        return _Run(process.returncode, stdout, stderr)


def _start(argv: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str] | None, str]:
    """The running client, or None and why it could not start."""
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
    except OSError as failure:  # not found, not executable, a folder...
        return None, failure.strerror or type(failure).__name__
    return process, ""


def _wait(process: subprocess.Popen[str], timeout_s: float) -> tuple[str, str] | None:
    """(stdout, stderr), or None when the client had to be stopped."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        return process.communicate(timeout=timeout_s)
    _stop(process)
    return None


def _stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM to the client's process group, SIGKILL if it lingers; reaps it."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.communicate(timeout=STOP_GRACE_S)
            break
        except subprocess.TimeoutExpired:
            continue
