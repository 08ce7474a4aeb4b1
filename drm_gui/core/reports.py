"""The operators' daily lists, as data (the render step is drm_gui.reports.operator_pdf).

Each report is a frozen `Report` of text tables, so that CSV, PDF and the GUI show the same
rows: tapes to send today, tapes to bring back, counts per state and per location, the
vault inventory, tapes in transit too long, and the movement history of a period. Times are
shown in UTC, marked so. Plain values, no Qt.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
from collections import Counter
from dataclasses import dataclass

from drm_gui.core.media import VolumeRow, load_settings, query_volumes, to_datetime
from drm_gui.core.models import Movement, utcnow
from drm_gui.core.reconcile import open_missing
from drm_gui.core.states import DrmError, DrmState, VolumeKind, state_order

DEFAULT_TRANSIT_HOURS = 24
# What leaves the building: DB backups and copy-pool volumes [V: MOVE DRMEDIA's volumes].
OFFSITE_KINDS = frozenset({VolumeKind.DB_BACKUP, VolumeKind.DB_SNAPSHOT, VolumeKind.COPY_POOL})
ONSITE_STATES = (DrmState.MOUNTABLE, DrmState.NOTMOUNTABLE)
AT_VAULT = (DrmState.VAULT, DrmState.VAULTRETRIEVE)
IN_TRANSIT = (DrmState.COURIER, DrmState.COURIERRETRIEVE)


class ReportName(enum.Enum):
    SEND = "send"
    BRING_BACK = "bring-back"
    COUNTS = "counts"
    VAULT = "vault"
    TRANSIT = "transit"
    MOVEMENTS = "movements"

    @property
    def title(self) -> str:
        return REPORT_TITLES[self]


REPORT_TITLES = {
    ReportName.SEND: "Tapes to send today",
    ReportName.BRING_BACK: "Tapes to bring back",
    ReportName.COUNTS: "Tapes per state and per location",
    ReportName.VAULT: "Vault inventory",
    ReportName.TRANSIT: "Tapes in transit too long",
    ReportName.MOVEMENTS: "Movement history",
}


@dataclass(frozen=True)
class ReportTable:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Report:
    name: ReportName
    title: str
    generated_at: dt.datetime  # naive UTC
    description: str  # what the list holds, with its parameters
    tables: tuple[ReportTable, ...]

    @property
    def row_count(self) -> int:
        return sum(len(t.rows) for t in self.tables)


def utc_text(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


TAPE_COLUMNS = ("Volser", "Kind", "Pool", "State", "Location", "Since", "Note")


def _tape_cells(row: VolumeRow, now: dt.datetime, note: str = "") -> tuple[str, ...]:
    notes = [*row.warnings(now), *([note] if note else [])]
    return (
        row.volser,
        row.kind.label,
        row.pool or "-",
        row.state.value,
        row.location,
        utc_text(row.updated_at),
        "; ".join(notes),
    )


def _rows(states: tuple[DrmState, ...]) -> list[VolumeRow]:
    rows = [r for s in states for r in query_volumes(state=s)]
    rows.sort(key=lambda r: (state_order(r.state), r.volser))
    return rows


def send_today(now: dt.datetime | None = None) -> Report:
    """On-site DB backup and copy-pool tapes that should go off site (not scratch; copy
    pools limited to the copy_pools setting when it names any)."""
    now = now or utcnow()
    pools = set(load_settings()["copy_pools"])  # type: ignore[arg-type]
    rows = [
        r
        for r in _rows(ONSITE_STATES)
        if r.kind in OFFSITE_KINDS
        and not r.scratch
        and (r.kind.is_database or not pools or r.pool in pools)
    ]
    return Report(
        ReportName.SEND,
        ReportName.SEND.title,
        now,
        f"{len(rows)} tape(s) on site (MOUNTABLE or NOTMOUNTABLE) that belong off site.",
        (ReportTable("To send", TAPE_COLUMNS, tuple(_tape_cells(r, now) for r in rows)),),
    )


def bring_back(now: dt.datetime | None = None) -> Report:
    now = now or utcnow()
    rows = _rows((DrmState.VAULTRETRIEVE,))
    return Report(
        ReportName.BRING_BACK,
        ReportName.BRING_BACK.title,
        now,
        f"{len(rows)} tape(s) at the vault whose data has expired (VAULTRETRIEVE).",
        (ReportTable("To bring back", TAPE_COLUMNS, tuple(_tape_cells(r, now) for r in rows)),),
    )


def counts(now: dt.datetime | None = None) -> Report:
    now = now or utcnow()
    rows = query_volumes()
    by_state = Counter(r.state for r in rows)
    by_location = Counter(r.location or "(none)" for r in rows)
    state_rows = tuple(
        (s.value, s.label, str(by_state[s])) for s in sorted(DrmState, key=state_order)
    )
    location_rows = tuple(
        (location, str(n)) for location, n in sorted(by_location.items(), key=lambda i: i[0])
    )
    return Report(
        ReportName.COUNTS,
        ReportName.COUNTS.title,
        now,
        f"{len(rows)} tape(s) in all.",
        (
            ReportTable("Per state", ("State", "Name", "Tapes"), (*state_rows,)),
            ReportTable("Per location", ("Location", "Tapes"), location_rows),
        ),
    )


def vault_inventory(now: dt.datetime | None = None) -> Report:
    """What the records hold at the vault (VAULT and VAULTRETRIEVE): the list to compare
    with the vault's own; tapes marked missing say so."""
    now = now or utcnow()
    missing = open_missing()
    rows = _rows(AT_VAULT)
    cells = tuple(
        _tape_cells(
            r, now, "MISSING since " + utc_text(missing[r.id][1]) if r.id in missing else ""
        )
        for r in rows
    )
    return Report(
        ReportName.VAULT,
        ReportName.VAULT.title,
        now,
        f"{len(rows)} tape(s) at the vault in the records, {len(missing)} marked missing.",
        (ReportTable("At the vault", TAPE_COLUMNS, cells),),
    )


def in_transit(hours: float = DEFAULT_TRANSIT_HOURS, now: dt.datetime | None = None) -> Report:
    """Tapes with the courier (COURIER, COURIERRETRIEVE) for more than *hours*."""
    if hours < 0:
        raise DrmError(f"hours: {hours} is negative; give 0 or more")
    now = now or utcnow()
    limit = dt.timedelta(hours=hours)
    rows = [r for r in _rows(IN_TRANSIT) if now - r.updated_at > limit]
    rows.sort(key=lambda r: (r.updated_at, r.volser))
    cells = tuple(
        (
            r.volser,
            r.kind.label,
            r.pool or "-",
            r.state.value,
            r.location,
            utc_text(r.updated_at),
            f"{(now - r.updated_at).total_seconds() / 3600:.0f}",
        )
        for r in rows
    )
    columns = ("Volser", "Kind", "Pool", "State", "Location", "Since", "Hours")
    return Report(
        ReportName.TRANSIT,
        ReportName.TRANSIT.title,
        now,
        f"{len(rows)} tape(s) with the courier for more than {hours:g} hour(s).",
        (ReportTable("In transit", columns, cells),),
    )


MOVEMENT_COLUMNS = ("When", "Volser", "Batch", "Kind", "From", "To", "Location", "Who", "Reason")


def movements(start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None) -> Report:
    """Every movement with start <= at < end (naive UTC), oldest first."""
    if end <= start:
        raise DrmError(f"the period is empty: {utc_text(start)} is not before {utc_text(end)}")
    now = now or utcnow()
    query = (
        Movement.select(
            Movement.at,
            Movement.volser,
            Movement.batch,
            Movement.kind,
            Movement.from_state,
            Movement.to_state,
            Movement.from_location,
            Movement.to_location,
            Movement.os_user,
            Movement.workstation,
            Movement.reason,
        )
        .where((Movement.at >= start) & (Movement.at < end))
        .order_by(Movement.at, Movement.id)
        .tuples()
    )
    cells = []
    for at, volser, batch, kind, src, dst, src_loc, dst_loc, user, ws, reason in query:
        location = dst_loc if src_loc == dst_loc else f"{src_loc} → {dst_loc}"
        cells.append(
            (
                utc_text(to_datetime(at)),
                volser,
                str(batch),
                str(kind.value if isinstance(kind, enum.Enum) else kind),
                (src.value if isinstance(src, enum.Enum) else src) or "-",
                dst.value if isinstance(dst, enum.Enum) else dst,
                location,
                f"{user}@{ws}",
                reason,
            )
        )
    return Report(
        ReportName.MOVEMENTS,
        ReportName.MOVEMENTS.title,
        now,
        f"{len(cells)} movement(s) from {utc_text(start)} to {utc_text(end)}.",
        (ReportTable("Movements", MOVEMENT_COLUMNS, tuple(cells)),),
    )


def build_report(
    name: ReportName,
    *,
    hours: float = DEFAULT_TRANSIT_HOURS,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Any report by name; the movement history defaults to the last 24 hours."""
    now = now or utcnow()
    if name is ReportName.TRANSIT:
        return in_transit(hours, now)
    if name is ReportName.MOVEMENTS:
        end = end or now
        return movements(start or end - dt.timedelta(days=1), end, now)
    builders = {
        ReportName.SEND: send_today,
        ReportName.BRING_BACK: bring_back,
        ReportName.COUNTS: counts,
        ReportName.VAULT: vault_inventory,
    }
    return builders[name](now)


def to_csv(report: Report) -> str:
    """The report's rows as CSV with a header line; a report of several tables gets a first
    column naming the table (and one header per table)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    several = len(report.tables) > 1
    for table in report.tables:
        writer.writerow((["Table"] if several else []) + list(table.columns))
        for row in table.rows:
            writer.writerow(([table.title] if several else []) + list(row))
    return out.getvalue()
