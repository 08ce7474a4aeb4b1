"""What the storage server must hear of the moves made here, and what became of it.

Every movement of an operator's move batch gets a ServerCommand row in the move's own
transaction: PENDING until the link sends its MOVE DRMEDIA (then SENT, or REFUSED and rolled
back), or until it is written to the administrator's command file when no link is set
(WRITTEN). The rules of which move becomes which command are here and nowhere else [K where
marked].
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from peewee import fn

from drm_gui.core.db import executemany
from drm_gui.core.files import write_text_atomically
from drm_gui.core.models import (
    BatchKind,
    CommandStatus,
    Movement,
    ServerCommand,
    Volume,
    database,
    utcnow,
)
from drm_gui.core.states import DrmError, DrmState, VolumeKind

log = logging.getLogger(__name__)

# States whose MOVE DRMEDIA takes a TOLOCATION [K: the server rejects it for the others].
TOLOCATION_TARGETS = frozenset(
    {DrmState.NOTMOUNTABLE, DrmState.COURIER, DrmState.VAULT, DrmState.COURIERRETRIEVE}
)
# A tape leaving MOUNTABLE here was ejected by drm-gui's own library job (or taken out by
# hand): the server must not try to eject it again [K].
REMOVE_OPTION = "REMOVE=NO"
COMMAND_FILE_MODE = 0o640  # commands name volumes and locations, no secrets

# The batches the server must hear of: the operator's moves (MOVE DRMEDIA). The others have
# no server command: the server marks expired tapes itself (EXPIRY), a check-in is the
# library's (CHECKIN), MOVE DRMEDIA cannot undo a move (CORRECTION: the administrator
# corrects the server by hand if the move had reached it), a reconciliation and an import
# change the local records only.
SERVER_HEARS = frozenset({BatchKind.MOVE})


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


def move_command(
    volser: str,
    from_state: DrmState,
    to_state: DrmState,
    location: str,
    kind: VolumeKind | None = None,
) -> str:
    """The MOVE DRMEDIA command that makes this move on the server (*volser* may be '*').
    WAIT=YES: the answer tells the outcome (the server's default runs it as a process)."""
    options = location_options(to_state, location, from_state)
    command = f"MOVE DRMEDIA {volser} WHERESTATE={from_state.value} TOSTATE={to_state.value}"
    if kind is VolumeKind.DB_SNAPSHOT:
        # Without SOURCE the server considers database backups only, not snapshots [K].
        command += " SOURCE=DBSNAPSHOT"
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


@dataclass(frozen=True)
class BatchCommands:
    """What recording a batch's commands did."""

    pending: int  # to be sent by the link
    written: int  # written to the command file
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


def queue_batch(batch_id: int, kind: BatchKind, at: dt.datetime) -> None:
    """Queues a PENDING command for each movement of a batch the server must hear of; part
    of the move's own transaction (one statement: a 10,000-tape move stays fast)."""
    if kind not in SERVER_HEARS:
        return
    ct = ServerCommand._meta.table_name
    mt = Movement._meta.table_name
    p = database.param
    database.execute_sql(
        f"INSERT INTO {ct} (movement_id, volume_id, volser, command, status, created_at, "
        f"answer, target) SELECT id, volume_id, volser, '', {p}, {p}, '', '' FROM {mt} "
        f"WHERE batch_id = {p}",
        [CommandStatus.PENDING.value, str(at), batch_id],
    )


def write_pending(
    command_file: Path, template: str, now: dt.datetime | None = None
) -> BatchCommands:
    """No link: appends every waiting command to *command_file* from *template* and marks
    them WRITTEN. Should the file not be written they stay waiting, for the next time."""
    pending = pending_commands()
    if not pending:
        return BatchCommands(0, 0)
    lines = [
        fill_template(template, c.volser, c.from_state, c.to_state, c.location) for c in pending
    ]
    append_lines(command_file, lines)
    finish_commands(
        {c.id: (CommandStatus.WRITTEN, "", line) for c, line in zip(pending, lines, strict=True)},
        target=str(command_file),
        now=now,
    )
    return BatchCommands(0, len(lines), command_file)


def deliver_without_link(settings: Mapping[str, object]) -> BatchCommands | None:
    """Without a server link, writes the waiting commands to the command file (the
    cmd_file_name setting, relative to the user data folder); None when a link is set (the
    link sends them)."""
    if settings["server_link"]:
        return None
    from drm_gui.paths import data_dir  # platformdirs only when the file is written

    path = command_file_path(str(settings["cmd_file_name"]), data_dir())
    return write_pending(path, str(settings["cmd_template"]))


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
    kind: VolumeKind

    @property
    def command(self) -> str:
        return move_command(self.volser, self.from_state, self.to_state, self.location, self.kind)


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
            Volume.kind,
        )
        .join(Movement)
        .switch(ServerCommand)
        .join(Volume)
        .where(ServerCommand.status == CommandStatus.PENDING)
        .order_by(ServerCommand.id)
        .tuples()
    )
    return [PendingCommand(*row) for row in query]


def finish_commands(
    outcomes: Mapping[int, tuple[CommandStatus, str, str]],
    *,
    target: str,
    now: dt.datetime | None = None,
) -> None:
    """Records each command's outcome (status, the server's answer, the command as sent or
    written) in one transaction."""
    at = now or utcnow()
    ct = ServerCommand._meta.table_name
    p = database.param
    rows = [
        (status.value, answer, command, str(at), target, command_id)
        for command_id, (status, answer, command) in outcomes.items()
    ]
    with database.atomic():
        executemany(
            f"UPDATE {ct} SET status = {p}, answer = {p}, command = {p}, done_at = {p}, "
            f"target = {p} WHERE id = {p}",
            rows,
        )


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
