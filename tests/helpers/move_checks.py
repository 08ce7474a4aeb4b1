"""Many tapes to move, and the checks that every move was written all or nothing: for the
crash test (a process killed in the middle of a move) and the backup test (a copy taken
while another process moves tapes).

A tape starts at version 1 with no movement row; each move adds one movement row and one
to its version, in the same transaction. So whatever a crash or a copy cut off, a database
where every move was all or nothing has: every batch with its full set of movements, every
tape's version one more than its movement count, and every tape in the state its last
movement took it to.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import SqliteDatabase

from drm_gui.core.models import Volume, database, utcnow
from drm_gui.core.states import DrmState, VolumeKind

START = DrmState.MOUNTABLE
INSERT_CHUNK = 500  # rows per INSERT: under SQLite's limit of host parameters


def volser(n: int) -> str:
    return f"K{n:05d}L8"


def seed_tapes(count: int) -> None:
    """*count* tapes in START, version 1, no movements, in the open database."""
    now = utcnow()
    rows = [
        {
            "volser": volser(n),
            "kind": VolumeKind.COPY_POOL,
            "state": START,
            "location": "LIB1",
            "updated_at": now,
        }
        for n in range(count)
    ]
    with database.atomic():
        for start in range(0, count, INSERT_CHUNK):
            Volume.insert_many(rows[start : start + INSERT_CHUNK]).execute()


@dataclass(frozen=True)
class MoveRecord:
    """What the open database holds of the moves."""

    batch_sizes: tuple[int, ...]  # movements per batch, in batch order
    states: dict[DrmState, int]  # tapes per state
    problems: tuple[str, ...]  # broken invariants, in words; empty when consistent

    @property
    def moved(self) -> int:
        return sum(self.batch_sizes)


def _scalar(sql: str) -> int:
    return int(database.execute_sql(sql).fetchone()[0])


def read_moves() -> MoveRecord:
    """The moves of the open database, and every all-or-nothing invariant that fails."""
    sizes = [
        count
        for _batch, count in database.execute_sql(
            "SELECT b.id, count(m.id) FROM move_batch b "
            "LEFT JOIN movement m ON m.batch_id = b.id GROUP BY b.id ORDER BY b.id"
        ).fetchall()
    ]
    counts = database.execute_sql("SELECT state, count(*) FROM volume GROUP BY state")
    states = {DrmState(state): n for state, n in counts.fetchall()}
    checks = {
        "batches without movements": sum(1 for size in sizes if size == 0),
        "tapes whose version is not 1 + their movements": _scalar(
            "SELECT count(*) FROM volume v WHERE v.version <> 1 + "
            "(SELECT count(*) FROM movement m WHERE m.volume_id = v.id)"
        ),
        "tapes not in the state of their last movement": _scalar(
            "SELECT count(*) FROM volume v JOIN movement m ON m.id = "
            "(SELECT max(id) FROM movement WHERE volume_id = v.id) WHERE m.to_state <> v.state"
        ),
        f"tapes that never moved, not in {START.value}": _scalar(
            "SELECT count(*) FROM volume v WHERE NOT EXISTS "
            f"(SELECT 1 FROM movement m WHERE m.volume_id = v.id) AND v.state <> '{START.value}'"
        ),
    }
    problems = [f"{n:,} {what}" for what, n in checks.items() if n]
    if isinstance(database.obj, SqliteDatabase):  # the pages and indexes, beyond quick_check
        integrity = [r[0] for r in database.execute_sql("PRAGMA integrity_check").fetchall()]
        if integrity != ["ok"]:
            problems.append(f"integrity_check: {'; '.join(integrity[:3])}")
    return MoveRecord(tuple(sizes), states, tuple(problems))
