"""What the storage server must hear of the moves made here, and what became of it.

Every movement of a local batch gets a ServerCommand row: the MOVE DRMEDIA command that
makes the same move on the server (PENDING until the link sends it, then SENT or REFUSED),
a line written to the administrator's command file when no link is set (WRITTEN), or no
command at all with the reason (NOT_NEEDED: the server makes that change itself, or no
server command can). The rules of which move becomes which command are here and nowhere
else [K where marked].
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from peewee import fn

from drm_gui.core import media
from drm_gui.core.files import write_text_atomically
from drm_gui.core.models import (
    BatchKind,
    CommandStatus,
    Movement,
    ServerCommand,
    database,
    utcnow,
)
from drm_gui.core.states import DrmError, DrmState, can_move

log = logging.getLogger(__name__)

# States whose MOVE DRMEDIA takes a TOLOCATION [K: the server rejects it for the others].
TOLOCATION_TARGETS = frozenset(
    {DrmState.NOTMOUNTABLE, DrmState.COURIER, DrmState.VAULT, DrmState.COURIERRETRIEVE}
)
# A tape leaving MOUNTABLE here was ejected by drm-gui's own library job (or taken out by
# hand): the server must not try to eject it again [K].
REMOVE_OPTION = "REMOVE=NO"
COMMAND_FILE_MODE = 0o640  # commands name volumes and locations, no secrets

# Why a local change has no server command, by batch kind.
_NO_COMMAND: dict[BatchKind, str] = {
    BatchKind.EXPIRY: "the server marks expired tapes VAULTRETRIEVE itself",
    BatchKind.CHECKIN: "a check-in is the library's business (CHECKIN LIBVOLUME), not DRM's",
    BatchKind.CORRECTION: "MOVE DRMEDIA cannot undo a move: correct the server by hand if the "
    "move had reached it",
    BatchKind.RECONCILE: "a reconciliation changes the local records only",
    BatchKind.IMPORT: "the change came from the server",
}


class CommandTemplateError(DrmError):
    """The command file template cannot be used."""


def _quoted(text: str) -> str:
    """A server command value: quoted when it holds blanks or quotes (quotes doubled)."""
    if re.fullmatch(r"[^\s\"',=]+", text):
        return text
    return '"' + text.replace('"', '""') + '"'


def location_options(to_state: DrmState, location: str, from_state: DrmState) -> str:
    """The TOLOCATION= and REMOVE= options a MOVE DRMEDIA to *to_state* needs."""
    options = []
    if to_state in TOLOCATION_TARGETS and location:
        options.append(f"TOLOCATION={_quoted(location)}")
    if from_state is DrmState.MOUNTABLE:
        options.append(REMOVE_OPTION)
    return " ".join(options)


def move_command(volser: str, from_state: DrmState, to_state: DrmState, location: str) -> str:
    """The MOVE DRMEDIA command that makes this move on the server (*volser* may be '*')."""
    options = location_options(to_state, location, from_state)
    command = f"MOVE DRMEDIA {volser} WHERESTATE={from_state.value} TOSTATE={to_state.value}"
    return f"{command} {options} WAIT=YES" if options else f"{command} WAIT=YES"


def fill_template(
    template: str, volser: str, from_state: DrmState, to_state: DrmState, location: str
) -> str:
    """A command-file line from the user's template (FORMAT=CMD style substitution)."""
    values = {
        "&TOLOC": location_options(to_state, location, from_state),
        "&FROM": from_state.value,
        "&VOL": volser,
        "&LOC": location,
        "&TO": to_state.value,
    }
    pattern = re.compile("|".join(re.escape(k) for k in values), re.IGNORECASE)
    line = pattern.sub(lambda m: values[m.group(0).upper()], template)
    return " ".join(line.split())


def no_command_reason(kind: BatchKind, from_state: DrmState, to_state: DrmState) -> str | None:
    """None when the movement is a MOVE DRMEDIA the server must hear; else why not."""
    if kind is BatchKind.MOVE:
        if can_move(from_state, to_state):
            return None
        return f"{from_state.value} → {to_state.value} is no MOVE DRMEDIA"
    return _NO_COMMAND.get(kind, f"a {kind.value.lower()} has no server command")


@dataclass(frozen=True)
class BatchCommands:
    """What recording a batch's commands did."""

    pending: int  # to be sent by the link
    written: int  # written to the command file
    not_needed: int
    command_file: Path | None = None

    def summary(self) -> str:
        if self.written:
            return (
                f"{self.written} MOVE DRMEDIA command(s) written to {self.command_file} "
                "for the server's administrator"
            )
        if self.pending:
            return f"{self.pending} move(s) to send to the server"
        return ""


def command_file_path(name: str, data_dir: Path) -> Path:
    """The command file setting as a path: relative names live in the user data folder."""
    path = Path(name).expanduser()
    return path if path.is_absolute() else data_dir / path


def record_batch(
    batch_id: int,
    *,
    link: bool,
    command_file: Path | None = None,
    template: str = "",
    now: dt.datetime | None = None,
) -> BatchCommands:
    """Records the server commands of batch *batch_id*: PENDING for the link, or lines
    appended to *command_file* (WRITTEN) when there is no link."""
    at = now or utcnow()
    movements = list(
        Movement.select(
            Movement.id,
            Movement.volume,
            Movement.volser,
            Movement.kind,
            Movement.from_state,
            Movement.to_state,
            Movement.to_location,
        )
        .where(Movement.batch == batch_id)
        .order_by(Movement.volser)
        .tuples()
    )
    rows: list[dict[str, object]] = []
    lines: list[str] = []
    for mid, vid, volser, kind, from_state, to_state, location in movements:
        why = no_command_reason(kind, from_state, to_state) if from_state else "new record"
        row: dict[str, object] = {
            "movement": mid,
            "volume": vid,
            "volser": volser,
            "created_at": at,
        }
        if why is not None:
            row.update(command="", status=CommandStatus.NOT_NEEDED, done_at=at, answer=why)
        elif link:
            command = move_command(volser, from_state, to_state, location)
            row.update(command=command, status=CommandStatus.PENDING)
        else:
            command = fill_template(template, volser, from_state, to_state, location)
            row.update(
                command=command,
                status=CommandStatus.WRITTEN,
                done_at=at,
                target=str(command_file),
            )
            lines.append(command)
        rows.append(row)
    if lines:
        if command_file is None:
            raise CommandTemplateError("no command file to write the server's commands to")
        append_lines(command_file, lines)
    with database.atomic():
        for start in range(0, len(rows), media.CHUNK):
            ServerCommand.insert_many(rows[start : start + media.CHUNK]).execute()
    counts = {status: 0 for status in CommandStatus}
    for row in rows:
        counts[row["status"]] += 1  # type: ignore[index]
    return BatchCommands(
        counts[CommandStatus.PENDING],
        counts[CommandStatus.WRITTEN],
        counts[CommandStatus.NOT_NEEDED],
        command_file if lines else None,
    )


def append_lines(path: Path, lines: Sequence[str]) -> None:
    """Appends *lines* to the command file through a temporary file renamed into place:
    an administrator's script never reads half a line."""
    try:
        old = path.read_text(encoding="utf-8") if path.exists() else ""
    except OSError as exc:
        raise DrmError(f"cannot read the command file {path}: {exc.strerror or exc}") from None
    if old and not old.endswith("\n"):
        old += "\n"
    try:
        write_text_atomically(path, old + "\n".join(lines) + "\n", COMMAND_FILE_MODE)
    except OSError as exc:
        raise DrmError(f"cannot write the command file {path}: {exc.strerror or exc}") from None
    log.info("%d command(s) appended to %s", len(lines), path)


# --- The link's queue ------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingCommand:
    id: int
    batch_id: int
    volume_id: int
    volser: str
    from_state: DrmState
    to_state: DrmState
    location: str
    command: str


def pending_commands() -> list[PendingCommand]:
    """The commands waiting for the link, oldest first."""
    query = (
        ServerCommand.select(
            ServerCommand.id,
            Movement.batch,
            ServerCommand.volume,
            ServerCommand.volser,
            Movement.from_state,
            Movement.to_state,
            Movement.to_location,
            ServerCommand.command,
        )
        .join(Movement)
        .where(ServerCommand.status == CommandStatus.PENDING)
        .order_by(ServerCommand.id)
        .tuples()
    )
    return [PendingCommand(*row) for row in query]


def finish_commands(
    outcomes: Mapping[int, tuple[CommandStatus, str]],
    *,
    target: str,
    now: dt.datetime | None = None,
) -> None:
    """Records each command's outcome (status, the server's answer) in one transaction."""
    at = now or utcnow()
    with database.atomic():
        for command_id, (status, answer) in outcomes.items():
            ServerCommand.update(status=status, answer=answer, done_at=at, target=target).where(
                ServerCommand.id == command_id
            ).execute()


def command_counts() -> dict[CommandStatus, int]:
    counts = {status: 0 for status in CommandStatus}
    for status, count in (
        ServerCommand.select(ServerCommand.status, fn.COUNT(ServerCommand.id))
        .group_by(ServerCommand.status)
        .tuples()
    ):
        counts[status] = count
    return counts


def volsers_of(commands: Iterable[PendingCommand]) -> list[str]:
    return sorted({c.volser for c in commands})
