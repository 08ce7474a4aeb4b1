"""The tamper-evident audit trail: one row per change an auditor asks about (a batch of
movements, a setting change, an import of the server's records), each chained to the row
before it by a SHA-256 hash, and the check of that chain.

A row is appended inside the transaction of the change it records, so a change rolled back
leaves no row. The chain head (audit_head) is updated before the previous hash is read:
that write takes PostgreSQL's row lock, or SQLite's single write lock, until the change
commits, so appenders on several workstations take turns and never chain to the same
predecessor. Plain values, no Qt.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from peewee import PostgresqlDatabase

from drm_gui.core.models import (
    AUDIT_GENESIS,
    AuditEntry,
    AuditHead,
    AuditKind,
    BatchKind,
    database,
)
from drm_gui.core.states import DrmError

if TYPE_CHECKING:
    from drm_gui.core.media import Actor, MovedVolume
    from drm_gui.core.settings import SettingDef

HEAD_ID = 1
PAGE_ROWS = 2000  # rows per read while streaming the chain: memory stays flat
SECRET_MASK = "********"

# What a batch row's details hold about its volumes.
MOVES = "moves"  # groups of volsers moved the same way: from/to states and locations
CREATED = "created"  # volsers the batch created (their first movement rows)
UPDATED = "updated"  # volsers whose records the batch changed without moving them
VOLSER_LISTS = (CREATED, UPDATED)


class AuditError(DrmError):
    """The audit trail cannot take a row; the message says why."""


# --- Appending ---------------------------------------------------------------------------


def canonical_json(value: Any) -> str:
    """The one text of *value*: sorted keys, no blanks, ASCII only (any text is storable)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def at_text(value: dt.datetime | str) -> str:
    """A time as hashed: naive UTC to the microsecond, whatever the driver hands back
    (SQLite text, with or without the microseconds; PostgreSQL a datetime)."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value  # not a time: it cannot match the hash it was recorded with
    return value.isoformat(sep=" ", timespec="microseconds")


def row_hash(
    seq: int,
    at: str,
    os_user: str,
    workstation: str,
    kind: str,
    subject: str,
    details: str,
    prev_hash: str,
) -> str:
    """SHA-256 over the row's fields and the previous row's hash, as one JSON array (no
    field can bleed into the next)."""
    fields = [seq, at, os_user, workstation, kind, subject, details, prev_hash]
    payload = json.dumps(fields, separators=(",", ":"))
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


def append(
    kind: AuditKind,
    subject: str,
    details: Mapping[str, Any],
    *,
    actor: Actor,
    at: dt.datetime,
) -> int:
    """Appends one row in the caller's transaction (or a transaction of its own); returns
    its sequence number."""
    text = canonical_json(details)
    with database.atomic():
        seq, prev_hash = _take_head()
        digest = row_hash(
            seq, at_text(at), actor.os_user, actor.workstation, kind.value, subject, text, prev_hash
        )
        AuditEntry.insert(
            seq=seq,
            at=at,
            os_user=actor.os_user,
            workstation=actor.workstation,
            kind=kind,
            subject=subject,
            details=text,
            prev_hash=prev_hash,
            hash=digest,
        ).execute()
        AuditHead.update(hash=digest).where(AuditHead.id == HEAD_ID).execute()
    return seq


def _take_head() -> tuple[int, str]:
    """The next sequence number and the hash to chain to. The head is written first: from
    then on no other appender can pass it until this transaction ends."""
    taken = AuditHead.update(seq=AuditHead.seq + 1).where(AuditHead.id == HEAD_ID).execute()
    if taken != 1:
        raise AuditError(
            "the audit trail has no chain head, so nothing can be recorded; the database "
            "was altered outside drm-gui: have it checked (audit verify)"
        )
    seq, prev_hash = (
        AuditHead.select(AuditHead.seq, AuditHead.hash)
        .where(AuditHead.id == HEAD_ID)
        .tuples()
        .get()
    )
    return int(seq), str(prev_hash)


def record_batch(
    batch_id: int,
    kind: BatchKind,
    *,
    actor: Actor,
    at: dt.datetime,
    reason: str,
    moved: Sequence[MovedVolume] = (),
    reasons: Mapping[int, str] | None = None,
    created: Sequence[str] = (),
    updated: Sequence[str] = (),
    subject: str | None = None,
    facts: Mapping[str, Any] | None = None,
) -> int:
    """The row of one movement batch, from the values the batch was written with: the moved
    volumes grouped by their states and locations (and own reason, from *reasons*), the
    volsers the batch *created* or *updated* in place, and any *facts* (counts) of it.
    Grouped, 10,000 tapes moved together cost one short list, not 10,000 objects."""
    details: dict[str, Any] = {
        "batch": batch_id,
        "reason": reason,
        "count": len(moved) + len(created) + len(updated),
        MOVES: _grouped(moved, reasons or {}),
        **(facts or {}),
    }
    if created:
        details[CREATED] = list(created)
    if updated:
        details[UPDATED] = list(updated)
    if subject is None:
        volsers = [m.volser for m in moved] + list(created) + list(updated)
        subject = volsers[0] if len(volsers) == 1 else f"{len(volsers):,} volumes"
    return append(AuditKind(kind.value), subject, details, actor=actor, at=at)


def _grouped(moved: Sequence[MovedVolume], reasons: Mapping[int, str]) -> list[dict[str, Any]]:
    """The moves as groups of volsers that went the same way, in the order first met."""
    groups: dict[tuple[Any, ...], list[str]] = {}
    for m in moved:
        key = (m.from_state, m.to_state, m.from_location, m.to_location, reasons.get(m.volume_id))
        groups.setdefault(key, []).append(m.volser)
    out = []
    for (from_state, to_state, from_location, to_location, own_reason), volsers in groups.items():
        group = {
            "from": from_state.value,
            "to": to_state.value,
            "from_location": from_location,
            "to_location": to_location,
            "volsers": volsers,
        }
        if own_reason is not None:
            group["reason"] = own_reason
        out.append(group)
    return out


def record_setting(
    definition: SettingDef, old: str, new: str, *, actor: Actor, at: dt.datetime
) -> int | None:
    """The row of a setting change, old and new value (masked for a secret setting: the
    row then says only that it changed). None when the value did not change."""
    if old == new:
        return None
    if definition.secret:
        old, new = SECRET_MASK, SECRET_MASK
    details = {"setting": definition.name, "old": old, "new": new}
    return append(AuditKind.SETTING, definition.name, details, actor=actor, at=at)


def record_file(name: str, text: str, source: str, *, actor: Actor, at: dt.datetime) -> int:
    """The row of a server file stored for the plan: which file, from where, and the
    SHA-256 of the text kept (the text itself is in the database, not in the trail)."""
    details = {
        "file": name,
        "source": source,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "lines": len(text.splitlines()),
    }
    return append(AuditKind.IMPORT_FILE, source or name, details, actor=actor, at=at)


def record_sync(
    server: str, pools: Sequence[str], volsers: Sequence[str], *, actor: Actor, at: dt.datetime
) -> int:
    """The row of what a synchronisation took from the server beyond its import batches:
    the storage pools recorded and the volumes whose use was updated."""
    details = {"server": server, "pools": list(pools), UPDATED: list(volsers)}
    return append(AuditKind.SYNC, f"server {server}", details, actor=actor, at=at)


# --- Reading the chain --------------------------------------------------------------------

_COLUMNS = "seq, at, os_user, workstation, kind, subject, details, prev_hash, hash"


def stored_rows(where: str = "", params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
    """The rows (matching *where*, SQL over the columns) in sequence order, as raw tuples
    of _COLUMNS, read a page at a time: 100,000 rows never sit in memory at once."""
    table = AuditEntry._meta.table_name
    p = database.param
    condition = f"seq > {p}" + (f" AND ({where})" if where else "")
    sql = f"SELECT {_COLUMNS} FROM {table} WHERE {condition} ORDER BY seq LIMIT {PAGE_ROWS}"
    last = 0
    while True:
        page = database.execute_sql(sql, [last, *params]).fetchall()
        yield from page
        if len(page) < PAGE_ROWS:
            return
        last = page[-1][0]


def _snapshot() -> Any:
    """A transaction that sees the whole trail as of one moment, although appenders keep
    committing while it is read (PostgreSQL: repeatable read; SQLite: any read
    transaction)."""
    if isinstance(database.obj, PostgresqlDatabase):
        return database.atomic(isolation_level="REPEATABLE READ")
    return database.atomic()


# --- Verifying the chain ------------------------------------------------------------------


class Problem(enum.Enum):
    ALTERED = "altered"
    REMOVED = "removed"
    INSERTED = "inserted"


@dataclasses.dataclass(frozen=True)
class VerifyResult:
    checked: int  # rows read
    head_seq: int  # the last row the chain head names (0: none yet)
    head_hash: str
    problem: Problem | None  # None: the chain is intact
    first_bad: int | None  # the sequence number of the first row altered, removed or inserted
    message: str  # a sentence for an auditor

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclasses.dataclass
class _Walk:
    """Where a walk along the chain stands: the last two rows' hashes, and the last row the
    chain head names (None: no head)."""

    head_seq: int | None
    seq: int = 0
    hash: str = AUDIT_GENESIS
    before_hash: str | None = None
    checked: int = 0


_Found = tuple[Problem, int | None, str]


def verify_chain() -> VerifyResult:
    """Reads every row in sequence order, recomputes its hash and checks its link to the
    row before, then checks the last row against the chain head. Stops at the first row
    that was altered, removed or inserted, and names it."""
    with _snapshot():
        head = AuditHead.select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID)
        head_row = head.tuples().first()
        walk = _Walk(None if head_row is None else int(head_row[0]))
        for row in stored_rows():
            found = _check_row(row, walk)
            if found is not None:
                return _result(walk, head_row, *found)
            walk.before_hash, walk.hash, walk.seq = walk.hash, row[8], row[0]
            walk.checked += 1
    found = _check_end(walk, head_row)
    if found is not None:
        return _result(walk, head_row, *found)
    message = (
        f"The audit trail is intact: {walk.checked:,} row(s), each matching its hash and "
        "linked to the one before."
    )
    if walk.checked:
        message += f" The last row, #{walk.seq:,}, has the hash {walk.hash}."
    return _result(walk, head_row, None, None, message)


def _check_row(row: Sequence[Any], walk: _Walk) -> _Found | None:
    seq, at, os_user, workstation, kind, subject, details, prev_hash, digest = row
    if walk.head_seq is not None and seq > walk.head_seq:
        return (
            Problem.INSERTED,
            seq,
            f"Row #{seq:,} was added outside drm-gui: the chain head ends at row "
            f"#{walk.head_seq:,}.",
        )
    expected = walk.seq + 1
    if seq != expected:
        return Problem.REMOVED, expected, _removed(expected, seq - 1, f"row #{seq:,} follows")
    if prev_hash != walk.hash and prev_hash == walk.before_hash:
        return (
            Problem.INSERTED,
            walk.seq,
            f"Row #{walk.seq:,} was inserted into the trail: row #{seq:,} links to the row "
            "before it.",
        )
    recomputed = row_hash(seq, at_text(at), os_user, workstation, kind, subject, details, prev_hash)
    if recomputed != digest:
        return (
            Problem.ALTERED,
            seq,
            f"Row #{seq:,} ({kind} {subject}, by {os_user} on {workstation}) was altered: its "
            "contents no longer match its hash.",
        )
    if prev_hash != walk.hash:
        return (
            Problem.ALTERED,
            walk.seq,
            f"Row #{walk.seq:,} was altered and its hash recomputed: row #{seq:,} no longer "
            "links to it.",
        )
    return None


def _check_end(walk: _Walk, head_row: Sequence[Any] | None) -> _Found | None:
    if head_row is None:
        return (
            Problem.REMOVED,
            None,
            "The chain head is missing: the audit trail was altered outside drm-gui.",
        )
    head_seq, head_hash = int(head_row[0]), str(head_row[1])
    if walk.seq < head_seq:
        last = f"the last row is #{walk.seq:,}" if walk.seq else "no row is left"
        return Problem.REMOVED, walk.seq + 1, _removed(walk.seq + 1, head_seq, last)
    if walk.hash != head_hash:
        return (
            Problem.ALTERED,
            walk.seq,
            f"Row #{walk.seq:,} was altered and its hash recomputed: the chain head holds "
            "another hash for it.",
        )
    return None


def _removed(first: int, last: int, context: str) -> str:
    rows = f"Row #{first:,} is" if first == last else f"Rows #{first:,} to #{last:,} are"
    return f"{rows} missing: removed from the trail ({context})."


def _result(
    walk: _Walk,
    head_row: Sequence[Any] | None,
    problem: Problem | None,
    first_bad: int | None,
    message: str,
) -> VerifyResult:
    head_seq, head_hash = (int(head_row[0]), str(head_row[1])) if head_row else (0, "")
    return VerifyResult(walk.checked, head_seq, head_hash, problem, first_bad, message)
