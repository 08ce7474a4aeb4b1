"""The live link to the storage server: send the waiting moves, read the server for a
synchronisation. Plain Python (no Qt): the app runs these in the background, the command
line directly.

Sending: the waiting MOVE DRMEDIA commands go out one per volume, or one wildcard command
per batch where the batch holds every volume the server has in that state. Each answer is
checked, then the server's DRMEDIA is read again: a volume it reports in the new state is
SENT; any other is REFUSED, with the server's words, and its local move is rolled back
(a CORRECTION of just those volumes). A link failure (unreachable, bad password, timeout)
stops the run and leaves the rest waiting for the next time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from drm_gui.core import media, server_moves
from drm_gui.core.import_server import PoolInfo, SyncPreview, VolumeUsage, preview_sync
from drm_gui.core.media import MoveResult
from drm_gui.core.models import CommandStatus, PoolType, database
from drm_gui.core.progress import CancelledError
from drm_gui.core.progress import current as current_progress
from drm_gui.core.server_moves import PendingCommand, move_command
from drm_gui.core.states import DrmState, VolumeKind
from drm_gui.core.tsm_formats import (
    DrmediaRecord,
    ParseProblem,
    record_from_values,
)
from drm_gui.core.tsm_formats_files import VolhistEntry, entry_from_fields
from drm_gui.server.dsmadmc import (
    AdminClient,
    ServerCommandFailed,
    ServerLinkError,
    ServerProfile,
)

log = logging.getLogger(__name__)


VERIFY_CHUNK = 100  # volume names per IN (...) of the verifying SELECT


def profile_from_settings(settings: Mapping[str, object]) -> ServerProfile:
    """The link's profile from the server_* settings."""
    return ServerProfile(
        admin_id=str(settings["server_admin"]),
        command=str(settings["server_command"]),
        server_name=str(settings["server_name"]),
        options_file=str(settings["server_options_file"]),
        use_stored_password=bool(settings["server_stored_password"]),
        timeout_s=float(settings["server_timeout"]),  # type: ignore[arg-type]
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- Sending ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    command: PendingCommand
    status: CommandStatus  # SENT or REFUSED
    answer: str
    sent_as: str


@dataclass
class SendReport:
    sent: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (volser, the server's words)
    rolled_back: list[MoveResult] = field(default_factory=list)
    error: str = ""  # why the run stopped early (the rest stays waiting)
    waiting: int = 0

    def summary(self) -> str:
        parts = []
        if self.sent:
            parts.append(f"{self.sent:,} move(s) confirmed by the server")
        if self.refused:
            first = self.refused[0]
            parts.append(
                f"{len(self.refused):,} refused by the server and rolled back here "
                f"({first[0]}: {first[1]})"
            )
        if self.error:
            parts.append(f"stopped: {self.error}")
        if self.waiting:
            parts.append(f"{self.waiting:,} still waiting")
        return "; ".join(parts) or "no move was waiting for the server"


def _groups(pending: Sequence[PendingCommand]) -> list[list[PendingCommand]]:
    """The commands by batch and by move (same from, to and location), in order."""
    groups: dict[tuple[int, DrmState, DrmState, str, bool], list[PendingCommand]] = {}
    for command in pending:
        snapshot = command.kind is VolumeKind.DB_SNAPSHOT  # a wildcard needs its own SOURCE
        key = (command.batch_id, command.from_state, command.to_state, command.location, snapshot)
        groups.setdefault(key, []).append(command)
    return list(groups.values())


def _wildcard_fits(client: AdminClient, group: Sequence[PendingCommand]) -> bool:
    """Whether MOVE DRMEDIA * moves exactly this group: the server holds no other volume in
    the group's from-state that the command would take. A command without SOURCE takes the
    database backups and not the snapshots; one with SOURCE=DBSNAPSHOT the reverse; both
    take the pools' volumes [K]."""
    if len(group) < 2:
        return False
    state = group[0].from_state.value
    skipped = "DBBACKUP" if group[0].kind is VolumeKind.DB_SNAPSHOT else "DBSNAPSHOT"
    rows = client.select(f"SELECT volume_name,voltype FROM drmedia WHERE state={_quote(state)}")
    taken = {r[0].strip().upper() for r in rows if len(r) > 1 and r[1].strip().upper() != skipped}
    return taken == {c.volser.upper() for c in group}


def _send_group(client: AdminClient, group: Sequence[PendingCommand]) -> dict[int, str]:
    """Sends one group; the refusals by command id (the others were accepted)."""
    first = group[0]
    if _wildcard_fits(client, group):
        command = move_command("*", first.from_state, first.to_state, first.location, first.kind)
        try:
            client.run(command)
            return {}
        except ServerCommandFailed as exc:
            return {c.id: str(exc) for c in group}
    refused = {}
    for pending in group:
        try:
            client.run(pending.command)
        except ServerCommandFailed as exc:
            refused[pending.id] = str(exc)
    return refused


def _server_states(client: AdminClient, volsers: Iterable[str]) -> dict[str, str]:
    """volser -> the state the server reports (absent: not in DRMEDIA)."""
    names = sorted(set(volsers))
    states: dict[str, str] = {}
    for start in range(0, len(names), VERIFY_CHUNK):
        chunk = names[start : start + VERIFY_CHUNK]
        rows = client.select(
            "SELECT volume_name,state FROM drmedia WHERE volume_name IN ("
            + ",".join(_quote(n) for n in chunk)
            + ")"
        )
        states.update({r[0].strip().upper(): r[1].strip().upper() for r in rows if len(r) > 1})
    return states


def _confirmed(command: PendingCommand, state: str | None) -> bool:
    # A volume back on site (ONSITERETRIEVE) leaves the server's DRMEDIA [K].
    if command.to_state is DrmState.ONSITERETRIEVE and state is None:
        return True
    return state == command.to_state.value


def send_pending(client: AdminClient) -> SendReport:
    """Sends every waiting command; records each outcome and rolls refused moves back. A
    cancel (the current progress) stops between commands: what was sent is recorded, the
    rest waits for the next time."""
    progress = current_progress()
    pending = server_moves.pending_commands()
    report = SendReport()
    outcomes: list[Outcome] = []
    done: list[PendingCommand] = []
    refusals: dict[int, str] = {}
    try:
        for number, group in enumerate(_groups(pending)):
            try:
                progress.update(len(done), len(pending), f"Sending {group[0].command}")
            except CancelledError:
                report.error = "cancelled by the operator; the other moves wait"
                break
            refusals.update(_send_group(client, group))
            done.extend(group)
            log.debug("group %d of %d sent", number + 1, len(pending))
        states = _server_states(client, (c.volser.upper() for c in done)) if done else {}
    except ServerLinkError as exc:
        report.error = str(exc)
        states = {}
        done = [c for c in done if c.id in refusals]  # only what the server answered for sure
    for command in done:
        state = states.get(command.volser.upper())
        if command.id in refusals:
            outcomes.append(Outcome(command, CommandStatus.REFUSED, refusals[command.id], ""))
        elif _confirmed(command, state):
            outcomes.append(Outcome(command, CommandStatus.SENT, "", command.command))
        else:
            now = state or "no DRMEDIA record"
            answer = f"the server accepted the command but still reports {now}"
            outcomes.append(Outcome(command, CommandStatus.REFUSED, answer, command.command))
    record_outcomes(outcomes, target=client.profile.server_label, report=report)
    report.waiting = len(pending) - len(outcomes)
    log.info("server link: %s", report.summary())
    return report


def record_outcomes(outcomes: Sequence[Outcome], *, target: str, report: SendReport) -> None:
    """The outcomes and the rollback of refused moves, in one transaction."""
    if not outcomes:
        return
    with database.atomic():
        server_moves.finish_commands(
            {o.command.id: (o.status, o.answer, o.sent_as) for o in outcomes}, target=target
        )
        by_batch: dict[int, list[Outcome]] = {}
        for outcome in outcomes:
            if outcome.status is CommandStatus.REFUSED:
                by_batch.setdefault(outcome.command.batch_id, []).append(outcome)
        for batch_id, refused in by_batch.items():
            result = media.correct_batch(
                batch_id,
                only=[o.command.volume_id for o in refused],
                reason=f"refused by the storage server: {refused[0].answer}"[:2000],
            )
            report.rolled_back.append(result)
    report.sent += sum(1 for o in outcomes if o.status is CommandStatus.SENT)
    report.refused.extend(
        (o.command.volser, o.answer) for o in outcomes if o.status is CommandStatus.REFUSED
    )


# --- Reading the server -----------------------------------------------------------------------

DRMEDIA_COLUMNS = ("volser", "state", "updated", "location", "pool", "library", "kind")
DRMEDIA_SQL = (
    "SELECT volume_name,state,upd_date,location,stgpool_name,lib_name,voltype FROM drmedia"
)
VOLUMES_SQL = "SELECT volume_name,stgpool_name,status,pct_utilized FROM volumes"
STGPOOLS_SQL = "SELECT stgpool_name,pooltype,devclass,reusedelay FROM stgpools"
VOLHIST_SQL = (
    "SELECT date_time,type,backup_series,backup_operation,volume_seq,devclass,volume_name,"
    "location FROM volhistory WHERE type IN ('BACKUPFULL','BACKUPINCR','DBSNAPSHOT',"
    "'STGNEW','STGREUSE','STGDELETE')"
)


def _row_text(row: Sequence[str]) -> str:
    return ",".join(row)


def read_drmedia(client: AdminClient) -> tuple[list[DrmediaRecord], list[ParseProblem]]:
    records, problems = [], []
    for number, row in enumerate(client.select(DRMEDIA_SQL), start=1):
        values = dict(zip(DRMEDIA_COLUMNS, row, strict=False))
        item = record_from_values(values, number, _row_text(row))
        (records if isinstance(item, DrmediaRecord) else problems).append(item)
    return records, problems  # type: ignore[return-value]


def read_history(client: AdminClient) -> tuple[list[VolhistEntry], list[ParseProblem]]:
    entries, problems = [], []
    for number, row in enumerate(client.select(VOLHIST_SQL), start=1):
        item = entry_from_fields(number, _row_text(row), row)
        (entries if isinstance(item, VolhistEntry) else problems).append(item)
    return entries, problems  # type: ignore[return-value]


def _number(text: str) -> float:
    """A server number, with its thousands separator or decimal comma [R]."""
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned.replace(",", ""))
    except ValueError:
        return 0.0


def read_usage(client: AdminClient) -> list[VolumeUsage]:
    return [
        VolumeUsage(row[0].strip(), row[1].strip(), row[2].strip(), _number(row[3]))
        for row in client.select(VOLUMES_SQL)
        if len(row) >= 4
    ]


_POOL_TYPES = {t.value: t for t in PoolType}


def read_pools(client: AdminClient) -> list[PoolInfo]:
    pools = []
    for row in client.select(STGPOOLS_SQL):
        if len(row) < 4 or row[1].strip().upper() not in _POOL_TYPES:
            continue
        delay = int(_number(row[3]))
        pools.append(
            PoolInfo(row[0].strip(), _POOL_TYPES[row[1].strip().upper()], row[2].strip(), delay)
        )
    return pools


def read_server(client: AdminClient) -> SyncPreview:
    """Reads DRMEDIA, volumes, storage pools and the volume history, and compares them
    with the database; each query is a step of the current progress (a cancel stops
    between queries, before anything is changed)."""
    progress = current_progress()
    steps: list[tuple[str, Callable[[], object]]] = [
        ("storage pools", lambda: read_pools(client)),
        ("DRM media", lambda: read_drmedia(client)),
        ("volumes", lambda: read_usage(client)),
        ("volume history", lambda: read_history(client)),
    ]
    answers: dict[str, object] = {}
    for number, (what, read) in enumerate(steps):
        progress.update(number, len(steps), f"Reading the {what} from the server")
        answers[what] = read()
    progress.update(len(steps), len(steps), "Comparing with the records")
    records, problems = answers["DRM media"]  # type: ignore[misc]
    history, history_problems = answers["volume history"]  # type: ignore[misc]
    return preview_sync(
        server=client.profile.server_name or "the default server",
        records=records,
        history=history,
        usage=answers["volumes"],  # type: ignore[arg-type]
        pools=answers["storage pools"],  # type: ignore[arg-type]
        problems=[*problems, *history_problems],
    )
