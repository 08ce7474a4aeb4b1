"""The recovery plan (DRM's PREPARE): which database backup series it restores, which volumes
it needs, whether it is ready, and its stanzas in DOMAIN.md's order. Writing, splitting and
expiring plan files live in plan_files.py; the stanza texts in plan_stanzas.py. No Qt here."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from peewee import JOIN

from drm_gui.core import site
from drm_gui.core.media import SCRATCH_FLAG, load_settings, to_datetime
from drm_gui.core.models import DbBackupSeries, PoolType, SeriesKind, StoragePool, Volume, database
from drm_gui.core.plan_model import Readiness, RecoveryPlan, RequiredVolume, Stanza
from drm_gui.core.states import DrmError, DrmState, VolumeKind


class PlanError(DrmError):
    """No plan can be made (no backup series, unknown series...); the message says why."""


# [K] The stanza order after the first stanzas: kept in this one list (DOMAIN.md).
STANZA_ORDER: tuple[str, ...] = (
    "PLANFILE.DESCRIPTION",
    "PLANFILE.TABLE.OF.CONTENTS",
    "SERVER.REQUIREMENTS",
    *site.INSTRUCTION_NAMES,
    "RECOVERY.VOLUMES.REQUIRED",
    "RECOVERY.DEVICES.REQUIRED",
    "RECOVERY.SCRIPT.DISASTER.RECOVERY.MODE",
    "RECOVERY.SCRIPT.NORMAL.MODE",
    "DB.STORAGEPATHS",
    "LICENSE.REGISTRATION",
    "COPYSTGPOOL.VOLUMES.AVAILABLE",
    "COPYSTGPOOL.VOLUMES.DESTROYED",
    "ACTIVEDATASTGPOOL.VOLUMES.AVAILABLE",
    "ACTIVEDATASTGPOOL.VOLUMES.DESTROYED",
    "PRIMARY.VOLUMES.DESTROYED",
    "PRIMARY.VOLUMES.REPLACEMENT",
    "STGPOOLS.RESTORE",
    "VOLUME.HISTORY.FILE",
    "DEVICE.CONFIGURATION.FILE",
    "DSMSERV.OPT.FILE",
)
# Repeated once per machine, machines by priority (1 first), after the stanzas above.
MACHINE_STANZAS: tuple[str, ...] = (
    "MACHINE.GENERAL.INFORMATION",
    "MACHINE.RECOVERY.INSTRUCTIONS",
    "MACHINE.CHARACTERISTICS",
    "MACHINE.RECOVERY.MEDIA.REQUIRED",
)
# The third word of a stanza's begin/end line, as IBM wrote it (planexpl ignores it).
STANZA_TYPES: dict[str, str] = {
    "RECOVERY.SCRIPT.DISASTER.RECOVERY.MODE": "script",
    "RECOVERY.SCRIPT.NORMAL.MODE": "script",
    "LICENSE.REGISTRATION": "macro",
    "COPYSTGPOOL.VOLUMES.AVAILABLE": "macro",
    "COPYSTGPOOL.VOLUMES.DESTROYED": "macro",
    "ACTIVEDATASTGPOOL.VOLUMES.AVAILABLE": "macro",
    "ACTIVEDATASTGPOOL.VOLUMES.DESTROYED": "macro",
    "PRIMARY.VOLUMES.DESTROYED": "macro",
    "PRIMARY.VOLUMES.REPLACEMENT": "macro",
    "STGPOOLS.RESTORE": "macro",
}
# planexpl makes these files executable after a split.
EXECUTABLE_STANZAS = frozenset(
    {
        "RECOVERY.SCRIPT.DISASTER.RECOVERY.MODE",
        "RECOVERY.SCRIPT.NORMAL.MODE",
        "PRIMARY.VOLUMES.REPLACEMENT.CREATE",
    }
)

# What a line's first word must not start with: planexpl opens/closes files on them.
_MARKER_WORDS = ("begin", "end")
SAFE_LINE_PREFIX = "> "


def safe_line(line: str) -> str:
    """*line* made safe for planexpl: a content line whose first word starts with `begin` or
    `end` (any case), or that reads as a `DRM PLANPREFIX` line, gets SAFE_LINE_PREFIX."""
    line = line.rstrip("\r\n").replace("\n", " ").replace("\r", " ")
    words = line.split()
    if not words:
        return line
    first = words[0].lower()
    if first.startswith(_MARKER_WORDS) or (
        first == "drm" and len(words) > 1 and words[1].upper() == "PLANPREFIX"
    ):
        return SAFE_LINE_PREFIX + line
    return line


def make_stanza(name: str, lines: Sequence[str]) -> Stanza:
    """The one place stanzas are made: every content line goes through safe_line()."""
    return Stanza(
        name=name,
        lines=tuple(safe_line(line) for line in lines),
        executable=name in EXECUTABLE_STANZAS,
    )


# --- The plan prefix ------------------------------------------------------------------------


def resolve_prefix(prefix: str) -> str:
    """The plan prefix as an absolute path. Empty means DRM's "working folder", which for
    a workstation application is the 'plans' folder in the user's data folder (not the
    folder the program happened to be started from)."""
    if not prefix:
        from drm_gui.paths import data_dir  # platformdirs only when a default is needed

        return str(data_dir() / "plans") + "/"
    folder = prefix.endswith("/")
    absolute = os.path.abspath(os.path.expanduser(prefix))
    return absolute.rstrip("/") + "/" if folder else absolute


def prefix_in(directory: Path | str, prefix: str) -> str:
    """*prefix* moved into *directory* (`prepare --out DIR`): a folder prefix becomes DIR/,
    a file-name prefix keeps its name part inside DIR."""
    base = file_base(prefix)
    root = str(Path(directory).expanduser().resolve()) + "/"
    return root + base[:-1] if base else root


def file_base(prefix: str) -> str:
    """The part of a file name the prefix gives: '' for a folder, else its last part + '.'."""
    return "" if prefix.endswith("/") else os.path.basename(prefix) + "."


# --- The source: which database backup series ----------------------------------------------


@dataclass(frozen=True)
class SeriesInfo:
    id: int
    kind: SeriesKind
    number: int
    completed_at: dt.datetime  # the newest volume's write time (or the start time)


def _series_infos() -> list[SeriesInfo]:
    query = (
        DbBackupSeries.select(
            DbBackupSeries.id,
            DbBackupSeries.kind,
            DbBackupSeries.number,
            DbBackupSeries.started_at,
        )
        .order_by(DbBackupSeries.id)
        .tuples()
    )
    times: dict[int, list[dt.datetime]] = {}
    rows = Volume.select(Volume.series, Volume.written_at, Volume.updated_at).where(
        Volume.series.is_null(False)
    )
    for series_id, written, updated in rows.tuples():
        times.setdefault(series_id, []).append(to_datetime(written or updated))
    infos = []
    for series_id, kind, number, started in query:
        started_at = to_datetime(started)
        done = max(times.get(series_id, [started_at]))
        infos.append(SeriesInfo(series_id, SeriesKind(kind), number, done))
    return infos


def list_series() -> list[SeriesInfo]:
    """Every database backup series, newest first: what a point-in-time plan may use."""
    return sorted(_series_infos(), key=lambda i: (i.completed_at, i.number), reverse=True)


def choose_series(
    *, now: dt.datetime, series: int | None = None, as_of: dt.datetime | None = None
) -> tuple[SeriesInfo, dt.datetime, str]:
    """(series, cutoff, source text): the newest series completed before *now* (or *as_of*),
    or series number *series* (a full series before a snapshot of the same number)."""
    if series is not None and as_of is not None:
        raise PlanError("give either a series number or a point in time, not both")
    infos = _series_infos()
    if series is not None:
        matches = sorted(
            (i for i in infos if i.number == series), key=lambda i: i.kind is not SeriesKind.FULL
        )
        if not matches:
            raise PlanError(f"there is no database backup series {series}")
        chosen = matches[0]
        if chosen.completed_at > now:
            raise PlanError(f"database backup series {series} was not complete before {now}")
        return chosen, now, f"database {_label(chosen)} series {chosen.number} (chosen)"
    cutoff = as_of if as_of is not None else now
    if cutoff > now:
        raise PlanError("the point in time is in the future")
    candidates = [i for i in infos if i.completed_at <= cutoff]
    if not candidates:
        when = f"before {cutoff:%Y-%m-%d %H:%M}"
        raise PlanError(f"no database backup series was completed {when}: back up the database")
    # Newest by completion; on a tie a snapshot (written after the full) is not preferred.
    chosen = max(candidates, key=lambda i: (i.completed_at, i.kind is SeriesKind.FULL, i.number))
    if as_of is not None:
        source = (
            f"database {_label(chosen)} series {chosen.number} (as of {as_of:%Y-%m-%d %H:%M} UTC)"
        )
    else:
        source = f"database {_label(chosen)} series {chosen.number} (newest)"
    return chosen, cutoff, source


def _label(info: SeriesInfo) -> str:
    return "full" if info.kind is SeriesKind.FULL else "snapshot"


# --- Required volumes and readiness ---------------------------------------------------------

# [K] a required volume in one of these states is expired or already recalled.
EXPIRED_STATES = frozenset(
    {DrmState.VAULTRETRIEVE, DrmState.COURIERRETRIEVE, DrmState.ONSITERETRIEVE}
)


def matches_any(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(name.upper(), p.upper()) for p in patterns)


def _required(row: tuple[Any, ...]) -> RequiredVolume:
    volser, kind, state, location, devclass, pool, number, op, seq = row
    return RequiredVolume(
        volser=volser,
        kind=VolumeKind(kind),
        state=DrmState(state),
        location=location,
        device_class=devclass,
        pool=pool or "",
        series=number,
        operation=op,
        sequence=seq,
    )


def _volume_query() -> Any:
    return (
        Volume.select(
            Volume.volser,
            Volume.kind,
            Volume.state,
            Volume.location,
            Volume.device_class,
            StoragePool.name,
            DbBackupSeries.number,
            Volume.backup_operation,
            Volume.volume_seq,
        )
        .join(StoragePool, join_type=JOIN.LEFT_OUTER, on=(Volume.pool == StoragePool.id))
        .switch(Volume)
        .join(DbBackupSeries, join_type=JOIN.LEFT_OUTER, on=(Volume.series == DbBackupSeries.id))
    )


def series_volumes(info: SeriesInfo, cutoff: dt.datetime) -> list[RequiredVolume]:
    """The volumes of *info* written by *cutoff*, by operation and sequence."""
    rows = list(_volume_query().where(Volume.series == info.id).tuples())
    written = dict(
        Volume.select(Volume.volser, Volume.written_at).where(Volume.series == info.id).tuples()
    )
    volumes = [
        _required(r)
        for r in rows
        if written.get(r[0]) is None or to_datetime(written[r[0]]) <= cutoff
    ]
    return sorted(volumes, key=lambda v: (v.operation or 0, v.sequence or 0, v.volser))


def pool_volumes(settings: dict[str, Any]) -> list[RequiredVolume]:
    """[K] The copy-pool volumes (and active-data volumes where configured) that hold data:
    the pools chosen by copy_pools (empty = all) and active_data_pools (empty = none)."""
    copy_patterns = tuple(settings["copy_pools"]) or ("*",)
    active_patterns = tuple(settings["active_data_pools"])
    pools = []
    for name, pool_type in StoragePool.select(StoragePool.name, StoragePool.pool_type).tuples():
        kind = PoolType(pool_type)
        copy = kind is PoolType.COPY and matches_any(name, copy_patterns)
        active = kind is PoolType.ACTIVEDATA and matches_any(name, active_patterns)
        if copy or active:
            pools.append(name)
    if not pools:
        return []
    query = _volume_query().where(
        StoragePool.name.in_(pools),
        Volume.pct_used > 0,
        Volume.flag != SCRATCH_FLAG,
        Volume.kind.in_([VolumeKind.COPY_POOL.value, VolumeKind.ACTIVE_DATA_POOL.value]),
    )
    volumes = [_required(r) for r in query.tuples()]
    return sorted(volumes, key=lambda v: (v.kind.value, v.pool, v.volser))


def assess_readiness(volumes: Sequence[RequiredVolume], missing: Sequence[str] = ()) -> Readiness:
    """Ready only when every required volume is in VAULT [K: EXPIRED_STATES]."""
    not_in_vault = tuple(
        v for v in volumes if v.state is not DrmState.VAULT and v.state not in EXPIRED_STATES
    )
    expired = tuple(v.volser for v in volumes if v.state in EXPIRED_STATES)
    ready = not not_in_vault and not expired and not missing and bool(volumes)
    return Readiness(ready, not_in_vault, tuple(missing), expired)


def readiness_problems(readiness: Readiness) -> list[str]:
    """One sentence per problem, for the command line and the app."""
    problems = [
        f"{v.volser}: {v.state.value} at {v.location or '?'} (not in the vault)"
        for v in readiness.not_in_vault
    ]
    problems += [f"{volser}: required but not in the records" for volser in readiness.missing]
    problems += [f"{volser}: expired or recalled from the vault" for volser in readiness.expired]
    return problems


# --- Building the plan ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInputs:
    """Everything the stanza texts are made from (plan_stanzas.py)."""

    now: dt.datetime
    settings: dict[str, Any]
    plan_prefix: str
    series: SeriesInfo
    cutoff: dt.datetime
    source: str
    identity: site.ServerIdentity
    db_volumes: tuple[RequiredVolume, ...]
    pool_volumes: tuple[RequiredVolume, ...]
    primary_pools: tuple[str, ...]
    primary_volumes: tuple[tuple[str, str], ...]  # (pool, volser) known to the records
    readiness: Readiness
    instructions: dict[str, tuple[str, ...]]
    files: dict[str, str | None]  # stanza name -> the stored copy


def build_plan(
    *,
    now: dt.datetime,
    series: int | None = None,
    as_of: dt.datetime | None = None,
    primary_pools: Sequence[str] | None = None,
    out_dir: Path | str | None = None,
) -> RecoveryPlan:
    """The recovery plan as of *now* (naive UTC) from the newest backup series, series number
    *series*, or the newest as of *as_of*; *primary_pools* (patterns) narrows the pools
    restored (a partial recovery; default: the primary_pools setting, empty = all)."""
    from drm_gui.core.plan_stanzas import build_stanzas

    with database.atomic():
        settings = load_settings()
        info, cutoff, source = choose_series(now=now, series=series, as_of=as_of)
        db_volumes = series_volumes(info, cutoff)
        copy_volumes = pool_volumes(settings)
        patterns = tuple(primary_pools or settings["primary_pools"] or ("*",))
        pools = tuple(
            name
            for name, pool_type in StoragePool.select(StoragePool.name, StoragePool.pool_type)
            .order_by(StoragePool.name)
            .tuples()
            if PoolType(pool_type) is PoolType.PRIMARY and matches_any(name, patterns)
        )
        if primary_pools and not pools:
            raise PlanError(f"no primary storage pool matches {','.join(primary_pools)}")
        primary_volumes = tuple(_primary_volumes(pools) if pools else ())
        missing = [] if db_volumes else [f"(series {info.number} has no volumes)"]
        readiness = assess_readiness([*db_volumes, *copy_volumes], missing)
        identity = site.get_server_identity()
        instructions = {name: site.get_instructions(name) for name in site.INSTRUCTION_NAMES}
        files = {}
        for kind in site.ServerFile:
            copy = site.get_server_file(kind)
            files[kind.value] = None if copy is None else copy.text
        machines = tuple(site.list_machines())
        starter_kit = site.get_starter_kit()
        last_test = site.last_successful_test()
    prefix = resolve_prefix(str(settings["plan_prefix"]))
    inputs = PlanInputs(
        now=now,
        settings=settings,
        plan_prefix=prefix_in(out_dir, prefix) if out_dir is not None else prefix,
        series=info,
        cutoff=cutoff,
        source=source,
        identity=identity,
        db_volumes=tuple(db_volumes),
        pool_volumes=tuple(copy_volumes),
        primary_pools=pools,
        primary_volumes=primary_volumes,
        readiness=readiness,
        instructions=instructions,
        files=files,
    )
    return RecoveryPlan(
        server_name=identity.name or "SERVER1",
        created_at=now,
        plan_prefix=inputs.plan_prefix,
        source=source,
        readiness=readiness,
        volumes_required=(*db_volumes, *copy_volumes),
        stanzas=tuple(build_stanzas(inputs, machines)),
        instructions=instructions,
        machines=machines,
        starter_kit=starter_kit,
        last_recovery_test=last_test,
    )


def _primary_volumes(pools: Sequence[str]) -> list[tuple[str, str]]:
    """Volumes the records hold in primary pools (usually none: DRM tracks off-site media)."""
    query = (
        Volume.select(StoragePool.name, Volume.volser)
        .join(StoragePool, on=(Volume.pool == StoragePool.id))
        .where(StoragePool.name.in_(list(pools)))
        .order_by(StoragePool.name, Volume.volser)
    )
    return list(query.tuples())


# --- The plan as text -----------------------------------------------------------------------


def plan_lines(plan: RecoveryPlan) -> Iterator[str]:
    """The plan file's lines (without line ends): `DRM PLANPREFIX` first, then each stanza
    bracketed by `begin NAME [type]` / `end NAME [type]`."""
    yield f"DRM PLANPREFIX {plan.plan_prefix}"
    yield ""
    for stanza in plan.stanzas:
        kind = STANZA_TYPES.get(stanza.name)
        suffix = f" {kind}" if kind else ""
        yield f"begin {stanza.name}{suffix}"
        yield from stanza.lines
        yield f"end {stanza.name}{suffix}"
        yield ""


def parse_plan_stanzas(lines: Sequence[str]) -> list[tuple[str, list[str]]]:
    """The stanzas of a plan file read back by their markers (first two words, as planexpl)."""
    stanzas: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in lines:
        words = line.split()
        if words and words[0].startswith("begin") and len(words) > 1:
            current = []
            stanzas.append((words[1], current))
        elif words and words[0].startswith("end"):
            current = None
        elif current is not None:
            current.append(line)
    return stanzas
