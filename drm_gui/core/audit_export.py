"""The audit trail handed to an auditor: the rows of a period or of one tape, as CSV and as
the data of the PDF (drm_gui.reports.audit_pdf renders it).

The CSV holds every stored field, the hashes included, so that the chain can be checked
without drm-gui: a row's hash is the SHA-256 of the JSON array
[seq, at, os_user, workstation, kind, subject, details, prev_hash] written without blanks,
and prev_hash is the hash of the row before (64 zeros before the first). The PDF shows one
readable line per row under the whole chain's verdict. Plain values, no Qt.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from drm_gui.core.audit import (
    CREATED,
    MOVES,
    UPDATED,
    VOLSER_LISTS,
    VerifyResult,
    at_text,
    stored_rows,
    verify_chain,
)
from drm_gui.core.files import write_atomically
from drm_gui.core.models import AuditKind, BatchKind, database, utcnow
from drm_gui.core.progress import PROGRESS_ROWS
from drm_gui.core.progress import current as current_progress
from drm_gui.core.states import DrmError

AUDIT_FILE_MODE = 0o644  # handed to auditors; the trail holds no secrets
CSV_COLUMNS = (
    "seq",
    "at",
    "os_user",
    "workstation",
    "kind",
    "subject",
    "details",
    "prev_hash",
    "hash",
)
REPORT_COLUMNS = ("#", "When (UTC)", "Who", "Kind", "Subject", "What")
LISTED = 8  # volumes, or groups of moves, a line of the PDF names before "and N more"
BATCH_KINDS = frozenset(AuditKind(k.value) for k in BatchKind)


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: dt.datetime  # naive UTC
    os_user: str
    workstation: str
    kind: AuditKind
    subject: str
    details: str  # the canonical JSON, exactly as stored and hashed
    prev_hash: str
    hash: str

    def data(self) -> dict[str, Any]:
        """The details as values; empty when they are not JSON (a row altered by hand)."""
        try:
            value = json.loads(self.details)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def volsers(self) -> set[str]:
        """Every tape the row concerns: moved, created or updated."""
        data = self.data()
        found = {str(v) for group in _groups(data) for v in group.get("volsers") or ()}
        for key in VOLSER_LISTS:
            found.update(str(v) for v in data.get(key) or ())
        return found


def _groups(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [g for g in data.get(MOVES) or () if isinstance(g, dict)]


def audit_rows(
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    volser: str | None = None,
) -> Iterator[AuditRow]:
    """The rows recorded from *start* (inclusive) to *end* (exclusive), naive UTC, in
    sequence order; with *volser*, only those that concern that tape. Streamed: a long
    period never sits in memory at once."""
    if start is not None and end is not None and end <= start:
        raise DrmError(
            f"the period is empty: {start:%Y-%m-%d %H:%M} is not before {end:%Y-%m-%d %H:%M}"
        )
    p = database.param
    clauses: list[str] = []
    params: list[Any] = []
    if start is not None:
        clauses.append(f"at >= {p}")
        params.append(start)
    if end is not None:
        clauses.append(f"at < {p}")
        params.append(end)
    wanted = volser.strip().upper() if volser else None
    if wanted:
        # A quick filter in the database; the exact test is on the parsed details.
        clauses.append(f"details LIKE {p} ESCAPE '\\'")
        params.append(f"%{_like_escape(json.dumps(wanted))}%")
    for raw in stored_rows(" AND ".join(clauses), params):
        row = _row(raw)
        if wanted is None or wanted in row.volsers():
            yield row


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _row(raw: Sequence[Any]) -> AuditRow:
    seq, at, os_user, workstation, kind, subject, details, prev_hash, digest = raw
    try:
        when = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(at)
        what = AuditKind(kind)
    except ValueError:
        raise DrmError(
            f"audit row #{seq} holds a time or kind drm-gui never writes ({at!r}, {kind!r}): "
            "the trail was altered; run 'audit verify'"
        ) from None
    return AuditRow(seq, when, os_user, workstation, what, subject, details, prev_hash, digest)


# --- CSV --------------------------------------------------------------------------------------


def write_csv(rows: Iterable[AuditRow], out: TextIO) -> int:
    """The rows as CSV with a header line, every field as stored; returns the row count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    progress = current_progress()
    for r in rows:
        if count % PROGRESS_ROWS == 0:
            progress.update(count, 0, f"Writing the audit trail: {count:,} rows")
        writer.writerow(
            (
                r.seq,
                at_text(r.at),
                r.os_user,
                r.workstation,
                r.kind.value,
                r.subject,
                r.details,
                r.prev_hash,
                r.hash,
            )
        )
        count += 1
    return count


def export_csv(path: Path, rows: Iterable[AuditRow]) -> int:
    """Writes *rows* as CSV to *path* through a temporary file; returns the row count."""
    written = 0

    def write(temp: str) -> None:
        nonlocal written
        with open(temp, "w", encoding="utf-8", newline="") as out:
            written = write_csv(rows, out)

    write_atomically(Path(path), write, mode=AUDIT_FILE_MODE)
    return written


# --- The data of the PDF ------------------------------------------------------------------


@dataclass(frozen=True)
class AuditReport:
    title: str
    scope: str  # which rows: the period, the tape
    generated_at: dt.datetime  # naive UTC
    verdict: VerifyResult  # of the whole chain, not only of the rows listed
    rows: tuple[tuple[str, ...], ...]  # REPORT_COLUMNS cells


def audit_report(
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    volser: str | None = None,
    *,
    now: dt.datetime | None = None,
) -> AuditReport:
    """The audit trail of a period, or of one tape, with the verdict on the whole chain."""
    verdict = verify_chain()
    wanted = volser.strip().upper() if volser else None
    rows = tuple(_cells(r, wanted) for r in audit_rows(start, end, wanted))
    title = f"Audit trail of tape {wanted}" if wanted else "Audit trail"
    return AuditReport(title, _scope(start, end, wanted), now or utcnow(), verdict, rows)


def _scope(start: dt.datetime | None, end: dt.datetime | None, volser: str | None) -> str:
    what = f"Every recorded change that concerns tape {volser}" if volser else "Every row"
    if start is None and end is None:
        return f"{what}, since the trail began."
    since = f" from {start:%Y-%m-%d %H:%M} UTC" if start else ""
    until = f" until {end:%Y-%m-%d %H:%M} UTC" if end else ""
    return f"{what} recorded{since}{until}."


def _cells(row: AuditRow, volser: str | None) -> tuple[str, ...]:
    return (
        str(row.seq),
        f"{row.at:%Y-%m-%d %H:%M:%S}",
        f"{row.os_user} on {row.workstation}",
        row.kind.value,
        row.subject,
        describe(row, volser),
    )


def describe(row: AuditRow, volser: str | None = None) -> str:
    """What the row records, in one line; for a batch with *volser*, that tape's part."""
    data = row.data()
    if not data:
        return "(the details cannot be read)"
    if row.kind in BATCH_KINDS:
        return _describe_batch(data, volser)
    if row.kind is AuditKind.SETTING:
        return f"{data.get('setting')}: {data.get('old')} → {data.get('new')}"
    if row.kind is AuditKind.IMPORT_FILE:
        source = data.get("source") or "text typed in"
        return (
            f"{data.get('file')} stored from {source}: {data.get('lines')} line(s), "
            f"SHA-256 {str(data.get('sha256'))[:16]}…"
        )
    pools, used = data.get("pools") or [], data.get(UPDATED) or []
    return (
        f"from server {data.get('server')}: {len(pools)} storage pool(s), the use of "
        f"{len(used)} volume(s)"
    )


def _describe_batch(data: dict[str, Any], volser: str | None) -> str:
    parts = [f"batch {data.get('batch')}"]
    if data.get("reason"):
        parts.append(str(data["reason"]))
    moves = [text for group in _groups(data) if (text := _move_text(group, volser))]
    parts.extend(moves[:LISTED])
    if len(moves) > LISTED:
        parts.append(f"and {len(moves) - LISTED:,} more groups of moves")
    for key in (CREATED, UPDATED):
        volsers = _only(data.get(key), volser)
        if volsers:
            parts.append(f"{key}: {_listed(volsers)}")
    return "; ".join(parts)


def _move_text(group: dict[str, Any], volser: str | None) -> str:
    """One group of moves: the states, the locations, its volsers (or only *volser*)."""
    volsers = _only(group.get("volsers"), volser)
    if not volsers:
        return ""
    states = f"{group.get('from')} → {group.get('to')}"
    if group.get("from") == group.get("to"):
        states = f"{group.get('to')} (unchanged)"
    places = group.get("from_location"), group.get("to_location")
    where = places[1] if places[0] == places[1] else f"{places[0]} → {places[1]}"
    text = f"{states} at {where}: {_listed(volsers)}"
    return f"{text} ({group['reason']})" if group.get("reason") else text


def _only(volsers: Any, volser: str | None) -> list[str]:
    return [str(v) for v in volsers or () if volser is None or v == volser]


def _listed(volsers: Sequence[str]) -> str:
    shown = ", ".join(volsers[:LISTED])
    more = len(volsers) - LISTED
    return f"{shown} and {more:,} more" if more > 0 else shown
