"""Moves (one transaction, one movement row per volume), refusals, undo, queries, history."""

from __future__ import annotations

import datetime as dt
import getpass
import socket
from typing import Any

import pytest

from drm_gui.core import media
from drm_gui.core.db import DatabaseInfo
from drm_gui.core.media import Actor, ConcurrentChangeError, Refusal
from drm_gui.core.models import BatchKind, MoveBatch, Movement, PoolType, Volume, database
from drm_gui.core.settings import SettingError
from drm_gui.core.states import DrmError, DrmState, VolumeKind, refusal_reason
from tests.helpers.factories import NOW, counts, make_pool, make_volume, state_of

S = DrmState
ALICE = Actor("alice", "ws-07.example")


def movement_rows(batch_id: int) -> dict[str, tuple[Any, ...]]:
    """volser -> (kind, from, to, from location, to location, user, workstation, reason)."""
    query = Movement.select().where(Movement.batch == batch_id)
    return {
        m.volser: (
            m.kind,
            m.from_state,
            m.to_state,
            m.from_location,
            m.to_location,
            m.os_user,
            m.workstation,
            m.reason,
        )
        for m in query
    }


# --- Moves ----------------------------------------------------------------------------------


def test_a_mixed_batch_moves_the_legal_ones_and_reports_the_others(db: DatabaseInfo) -> None:
    m1 = make_volume("M0001L8", S.MOUNTABLE, location="LIB1")
    m2 = make_volume("M0002L8", S.MOUNTABLE, location="LIB1")
    nm = make_volume("N0001L8", S.NOTMOUNTABLE, location="SHELF 3")
    vault = make_volume("V0001L8", S.VAULT, location="VAULT")
    courier = make_volume("C0001L8", S.COURIER, location="COURIER")
    back = make_volume("O0001L8", S.ONSITERETRIEVE, location="ONSITE")

    ids = [m1.id, vault.id, m2.id, courier.id, nm.id, back.id]
    result = media.move_volumes(ids, S.COURIER, reason="Tuesday run", actor=ALICE, now=NOW)

    assert not result.ok
    assert result.kind is BatchKind.MOVE
    assert result.at == NOW
    assert sorted(m.volser for m in result.moved) == ["M0001L8", "M0002L8", "N0001L8"]
    assert set(result.refused) == {
        Refusal(vault.id, "V0001L8", refusal_reason(S.VAULT, S.COURIER) or ""),
        Refusal(courier.id, "C0001L8", refusal_reason(S.COURIER, S.COURIER) or ""),
        Refusal(back.id, "O0001L8", refusal_reason(S.ONSITERETRIEVE, S.COURIER) or ""),
    }
    assert all(r.reason for r in result.refused)

    # One movement row per moved volume, with who, where, why, from and to.
    who = ("alice", "ws-07.example", "Tuesday run")
    assert movement_rows(result.batch_id or -1) == {
        "M0001L8": (BatchKind.MOVE, S.MOUNTABLE, S.COURIER, "LIB1", "COURIER", *who),
        "M0002L8": (BatchKind.MOVE, S.MOUNTABLE, S.COURIER, "LIB1", "COURIER", *who),
        "N0001L8": (BatchKind.MOVE, S.NOTMOUNTABLE, S.COURIER, "SHELF 3", "COURIER", *who),
    }
    batch = MoveBatch.get_by_id(result.batch_id)
    assert (batch.kind, batch.target_state, batch.os_user, batch.reason) == (
        BatchKind.MOVE,
        S.COURIER,
        "alice",
        "Tuesday run",
    )
    assert counts() == (1, 3)

    for vid in (m1.id, m2.id, nm.id):
        volume = Volume.get_by_id(vid)
        assert (volume.state, volume.location, volume.version) == (S.COURIER, "COURIER", 2)
        assert media.to_datetime(volume.updated_at) == NOW
    # The refused ones are untouched.
    assert state_of(vault.id) == (S.VAULT, "VAULT")
    assert state_of(courier.id) == (S.COURIER, "COURIER")
    assert state_of(back.id) == (S.ONSITERETRIEVE, "ONSITE")
    assert Volume.get_by_id(vault.id).version == 1


def test_the_default_actor_is_the_os_user_on_this_workstation(db: DatabaseInfo) -> None:
    volume = make_volume(state=S.MOUNTABLE)
    result = media.move_volumes([volume.id], S.NOTMOUNTABLE)
    row = Movement.get(Movement.batch == result.batch_id)
    assert row.os_user == getpass.getuser()
    assert row.workstation == socket.gethostname()


def test_location_text_follows_the_settings(db: DatabaseInfo) -> None:
    media.set_setting("courier_name", "Iron Mountain van")
    media.set_setting("vault_name", "Bunker 7")
    a = make_volume(state=S.MOUNTABLE)
    b = make_volume(state=S.COURIER)
    media.move_volumes([a.id], S.COURIER, actor=ALICE)
    media.move_volumes([b.id], S.VAULT, actor=ALICE)
    assert state_of(a.id) == (S.COURIER, "Iron Mountain van")
    assert state_of(b.id) == (S.VAULT, "Bunker 7")


def test_to_location_overrides_the_setting(db: DatabaseInfo) -> None:
    volume = make_volume(state=S.MOUNTABLE)
    result = media.move_volumes([volume.id], S.NOTMOUNTABLE, to_location="  Safe, room 2 ")
    assert state_of(volume.id) == (S.NOTMOUNTABLE, "Safe, room 2")
    assert result.moved[0].to_location == "Safe, room 2"


def test_a_bad_to_location_moves_nothing(db: DatabaseInfo) -> None:
    volume = make_volume(state=S.MOUNTABLE)
    with pytest.raises(SettingError, match="to-location"):
        media.move_volumes([volume.id], S.NOTMOUNTABLE, to_location="line\nbreak")
    assert state_of(volume.id) == (S.MOUNTABLE, "LIB1")
    assert counts() == (0, 0)


def test_from_state_filter(db: DatabaseInfo) -> None:
    m = make_volume("M0001L8", S.MOUNTABLE)
    nm = make_volume("N0001L8", S.NOTMOUNTABLE)
    result = media.move_volumes([m.id, nm.id], S.COURIER, from_state=S.NOTMOUNTABLE)
    assert [v.volser for v in result.moved] == ["N0001L8"]
    assert result.refused == (Refusal(m.id, "M0001L8", "is MOUNTABLE, not NOTMOUNTABLE"),)
    assert state_of(m.id)[0] is S.MOUNTABLE


def test_unknown_and_duplicate_ids(db: DatabaseInfo) -> None:
    volume = make_volume(state=S.MOUNTABLE)
    result = media.move_volumes([volume.id, 987654, volume.id], S.VAULT)
    assert [v.volume_id for v in result.moved] == [volume.id]
    assert result.refused == (Refusal(987654, "#987654", "no such volume"),)
    assert counts() == (1, 1)


def test_a_batch_with_nothing_legal_writes_nothing(db: DatabaseInfo) -> None:
    volume = make_volume(state=S.VAULT, location="VAULT")
    result = media.move_volumes([volume.id], S.COURIER)
    assert result.batch_id is None
    assert result.moved == ()
    assert len(result.refused) == 1
    assert counts() == (0, 0)


def test_a_move_of_many_volumes_spans_several_chunks(db: DatabaseInfo) -> None:
    """More ids than one IN (...) list holds: every one moved, one row each."""
    n = media.CHUNK + 7
    tail = (False, 10.0, "", 1)  # worm, pct_used, flag, version
    database.cursor().executemany(
        f"INSERT INTO volume (volser, kind, state, location, updated_at, media_type, "
        f"device_class, worm, pct_used, flag, version) VALUES "
        f"({', '.join([database.param] * 11)})",
        [
            (f"B{i:05d}L8", "CopyStgPool", "MOUNTABLE", "LIB1", str(NOW), "LTO-8", "LTO", *tail)
            for i in range(n)
        ],
    )
    ids = [v.id for v in Volume.select(Volume.id)]
    result = media.move_volumes(ids, S.VAULT, now=NOW)
    assert len(result.moved) == n and result.ok
    assert Volume.select().where(Volume.state == S.VAULT).count() == n
    assert counts() == (1, n)


class _FailingCursor:
    """A cursor that works, except that the movement rows cannot be written."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def executemany(self, sql: str, rows: Any) -> Any:
        if "INSERT INTO movement" in sql:
            raise RuntimeError("disk full")
        return self._real.executemany(sql, rows)


def test_a_batch_failing_midway_leaves_nothing_half_moved(
    db: DatabaseInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch row and the volumes' UPDATEs are written, then the movement rows fail:
    everything is rolled back."""
    m = make_volume("M0001L8", S.MOUNTABLE, location="LIB1")
    nm = make_volume("N0001L8", S.NOTMOUNTABLE, location="SHELF")
    real_cursor = database.obj.cursor
    written: list[str] = []

    def cursor(*args: Any, **kwargs: Any) -> Any:
        written.append("cursor")
        return _FailingCursor(real_cursor(*args, **kwargs))

    monkeypatch.setattr(database.obj, "cursor", cursor)
    with pytest.raises(RuntimeError, match="disk full"):
        media.move_volumes([m.id, nm.id], S.VAULT, actor=ALICE)
    monkeypatch.undo()

    assert written  # the failure did happen inside the move
    assert state_of(m.id) == (S.MOUNTABLE, "LIB1")
    assert state_of(nm.id) == (S.NOTMOUNTABLE, "SHELF")
    assert Volume.get_by_id(m.id).version == 1
    assert counts() == (0, 0)
    # And the connection is usable afterwards: the same move now succeeds.
    assert media.move_volumes([m.id, nm.id], S.VAULT, actor=ALICE).ok


def test_a_volume_changed_by_someone_else_aborts_the_whole_batch(
    db: DatabaseInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The move read a stale state for one volume; its guarded UPDATE matches nothing, and
    the volumes already updated in the same transaction are rolled back."""
    nm = make_volume("N0001L8", S.NOTMOUNTABLE, location="SHELF")
    stale = make_volume("M0001L8", S.MOUNTABLE, location="LIB1")
    real_current = media._current

    def current(ids: Any) -> Any:
        found = real_current(ids)
        # Another workstation moved it to NOTMOUNTABLE after our read.
        Volume.update(state=S.NOTMOUNTABLE, location="OTHER WS").where(
            Volume.id == stale.id
        ).execute()
        return found

    monkeypatch.setattr(media, "_current", current)
    with pytest.raises(ConcurrentChangeError, match="nothing was moved"):
        media.move_volumes([nm.id, stale.id], S.VAULT, actor=ALICE)
    assert state_of(nm.id) == (S.NOTMOUNTABLE, "SHELF")
    # The other workstation's change was inside our rolled-back transaction too.
    assert state_of(stale.id) == (S.MOUNTABLE, "LIB1")
    assert counts() == (0, 0)


# --- Undo (correct_batch) ---------------------------------------------------------------------


def test_undo_restores_the_exact_state_and_location(db: DatabaseInfo) -> None:
    a = make_volume("A0001L8", S.MOUNTABLE, location="LIB1 slot 12")
    b = make_volume("A0002L8", S.NOTMOUNTABLE, location="Shelf 3, box 4")
    moved = media.move_volumes([a.id, b.id], S.VAULT, actor=ALICE, now=NOW)
    assert state_of(a.id) == (S.VAULT, "VAULT")

    later = NOW + dt.timedelta(minutes=5)
    bob = Actor("bob", "ws-09")
    undo = media.correct_batch(moved.batch_id or -1, actor=bob, now=later)

    assert undo.ok
    assert undo.kind is BatchKind.CORRECTION
    assert state_of(a.id) == (S.MOUNTABLE, "LIB1 slot 12")
    assert state_of(b.id) == (S.NOTMOUNTABLE, "Shelf 3, box 4")
    batch = MoveBatch.get_by_id(undo.batch_id)
    assert batch.kind is BatchKind.CORRECTION
    assert batch.corrects_id == moved.batch_id
    assert batch.reason == f"undo of batch {moved.batch_id}"
    reason = f"undo of batch {moved.batch_id}"
    assert movement_rows(undo.batch_id or -1) == {
        "A0001L8": (
            BatchKind.CORRECTION,
            S.VAULT,
            S.MOUNTABLE,
            "VAULT",
            "LIB1 slot 12",
            "bob",
            "ws-09",
            reason,
        ),
        "A0002L8": (
            BatchKind.CORRECTION,
            S.VAULT,
            S.NOTMOUNTABLE,
            "VAULT",
            "Shelf 3, box 4",
            "bob",
            "ws-09",
            reason,
        ),
    }
    assert counts() == (2, 4)


def test_a_second_undo_of_the_same_batch_is_refused(db: DatabaseInfo) -> None:
    a = make_volume(state=S.MOUNTABLE)
    moved = media.move_volumes([a.id], S.COURIER, actor=ALICE)
    media.correct_batch(moved.batch_id or -1, actor=ALICE)
    before = counts()
    with pytest.raises(DrmError, match="already been undone"):
        media.correct_batch(moved.batch_id or -1, actor=ALICE)
    assert counts() == before
    assert state_of(a.id)[0] is S.MOUNTABLE


def test_only_move_batches_can_be_undone(db: DatabaseInfo) -> None:
    a = make_volume(state=S.MOUNTABLE)
    moved = media.move_volumes([a.id], S.COURIER, actor=ALICE)
    undo = media.correct_batch(moved.batch_id or -1, actor=ALICE)
    with pytest.raises(DrmError, match="is a correction, not a move"):
        media.correct_batch(undo.batch_id or -1)
    with pytest.raises(DrmError, match="there is no move batch 424242"):
        media.correct_batch(424242)


def test_undo_leaves_a_tape_that_moved_on_alone(db: DatabaseInfo) -> None:
    a = make_volume("A0001L8", S.MOUNTABLE, location="LIB1")
    b = make_volume("A0002L8", S.MOUNTABLE, location="LIB1")
    c = make_volume("A0003L8", S.MOUNTABLE, location="LIB1")
    first = media.move_volumes([a.id, b.id, c.id], S.NOTMOUNTABLE, actor=ALICE)
    media.move_volumes([b.id], S.COURIER, actor=ALICE)  # b moved on
    # c was re-shelved (same state, another location) by an import or by hand.
    Volume.update(location="Shelf 9").where(Volume.id == c.id).execute()

    undo = media.correct_batch(first.batch_id or -1, actor=ALICE)
    assert [v.volser for v in undo.moved] == ["A0001L8"]
    reasons = {r.volser: r.reason for r in undo.refused}
    assert set(reasons) == {"A0002L8", "A0003L8"}
    assert "moved on" in reasons["A0002L8"] and "COURIER" in reasons["A0002L8"]
    assert "moved on" in reasons["A0003L8"] and "Shelf 9" in reasons["A0003L8"]
    assert state_of(a.id) == (S.MOUNTABLE, "LIB1")
    assert state_of(b.id) == (S.COURIER, "COURIER")
    assert state_of(c.id) == (S.NOTMOUNTABLE, "Shelf 9")


def test_history_lists_every_movement_oldest_first(db: DatabaseInfo) -> None:
    a = make_volume("A0001L8", S.MOUNTABLE, location="LIB1")
    t1 = NOW
    t2 = NOW + dt.timedelta(hours=1)
    t3 = NOW + dt.timedelta(hours=2)
    first = media.move_volumes([a.id], S.NOTMOUNTABLE, actor=ALICE, now=t1, reason="out")
    media.move_volumes([a.id], S.COURIER, actor=ALICE, now=t2, reason="ship")
    media.correct_batch(first.batch_id or -1, now=t3)  # refused: a moved on; no row
    rows = media.history(a.id)
    assert [(h.at, h.kind, h.from_state, h.to_state, h.reason) for h in rows] == [
        (t1, BatchKind.MOVE, S.MOUNTABLE, S.NOTMOUNTABLE, "out"),
        (t2, BatchKind.MOVE, S.NOTMOUNTABLE, S.COURIER, "ship"),
    ]
    assert rows[0].batch_id == first.batch_id
    assert media.history(make_volume(state=S.VAULT).id) == []


# --- Queries -----------------------------------------------------------------------------------


@pytest.fixture
def catalogue(db: DatabaseInfo) -> dict[str, int]:
    """A small site: volser -> id."""
    copy = make_pool("COPYPOOL1")
    copy2 = make_pool("COPYPOOL2")
    active = make_pool("ACTIVEPOOL", PoolType.ACTIVEDATA)
    specs = [
        ("A00001L8", S.VAULT, VolumeKind.COPY_POOL, copy),
        ("A00002L8", S.MOUNTABLE, VolumeKind.COPY_POOL, copy),
        ("A00010L8", S.VAULT, VolumeKind.COPY_POOL, copy2),
        ("B00001L7", S.COURIER, VolumeKind.ACTIVE_DATA_POOL, active),
        ("D00001L8", S.VAULT, VolumeKind.DB_BACKUP, None),
        ("X%Y01", S.MOUNTABLE, VolumeKind.COPY_POOL, copy),
        ("X_Y01", S.MOUNTABLE, VolumeKind.COPY_POOL, copy),
        ("XAY01", S.MOUNTABLE, VolumeKind.COPY_POOL, copy),
        ("X\\Y01", S.MOUNTABLE, VolumeKind.COPY_POOL, copy),
    ]
    return {
        volser: make_volume(volser, state, kind=kind, pool=pool).id
        for volser, state, kind, pool in specs
    }


def volsers(rows: list[media.VolumeRow]) -> list[str]:
    return [r.volser for r in rows]


@pytest.mark.parametrize(
    ("patterns", "expected"),
    [
        (["A*"], ["A00001L8", "A00002L8", "A00010L8"]),
        (["a0000?l8"], ["A00001L8", "A00002L8"]),  # case-insensitive; ? is one character
        (["*L7"], ["B00001L7"]),
        (["A00001L8", "B*"], ["A00001L8", "B00001L7"]),  # any of the patterns
        (["X%Y01"], ["X%Y01"]),  # % is literal
        (["X_Y01"], ["X_Y01"]),  # _ is literal
        (["X\\Y01"], ["X\\Y01"]),  # the escape character is literal too
        (["X?Y01"], ["X%Y01", "XAY01", "XY01".replace("Y", "\\Y"), "X_Y01"]),
        (["%"], []),
        (["ZZZ*"], []),
    ],
)
def test_query_patterns(
    catalogue: dict[str, int], patterns: list[str], expected: list[str]
) -> None:
    assert volsers(media.query_volumes(patterns)) == sorted(expected)


def test_query_without_patterns_lists_everything_sorted(catalogue: dict[str, int]) -> None:
    assert volsers(media.query_volumes()) == sorted(catalogue)
    assert volsers(media.query_volumes(["*"])) == sorted(catalogue)


def test_query_filters(catalogue: dict[str, int]) -> None:
    assert volsers(media.query_volumes(state=S.VAULT)) == ["A00001L8", "A00010L8", "D00001L8"]
    assert volsers(media.query_volumes(["A*"], state=S.VAULT)) == ["A00001L8", "A00010L8"]
    assert volsers(media.query_volumes(pool="copypool2")) == ["A00010L8"]
    assert volsers(media.query_volumes(pool="COPY*", state=S.VAULT)) == ["A00001L8", "A00010L8"]
    assert volsers(media.query_volumes(kind=VolumeKind.ACTIVE_DATA_POOL)) == ["B00001L7"]
    assert volsers(media.query_volumes(kind=VolumeKind.DB_BACKUP)) == ["D00001L8"]
    assert media.query_volumes(state=S.ONSITERETRIEVE) == []


def test_query_rows_carry_the_volume(catalogue: dict[str, int]) -> None:
    (row,) = media.query_volumes(["B00001L7"])
    assert row.id == catalogue["B00001L7"]
    assert (row.kind, row.pool, row.state, row.location) == (
        VolumeKind.ACTIVE_DATA_POOL,
        "ACTIVEPOOL",
        S.COURIER,
        "LIB1",
    )
    assert row.updated_at == NOW - dt.timedelta(days=1)
    assert row.days_in_state(NOW) == 1
    (db_row,) = media.query_volumes(["D00001L8"])
    assert db_row.pool == ""  # a database volume belongs to no pool


def test_volumes_by_ids_and_board_tuples(catalogue: dict[str, int]) -> None:
    ids = [catalogue["XAY01"], catalogue["A00002L8"], 999999]
    assert volsers(media.volumes_by_ids(ids)) == ["A00002L8", "XAY01"]
    board = media.board_tuples()
    assert [t[1] for t in board] == sorted(catalogue)
    some = media.board_tuples(ids)
    assert [(t[0], t[1], t[4]) for t in some] == [
        (catalogue["A00002L8"], "A00002L8", "MOUNTABLE"),
        (catalogue["XAY01"], "XAY01", "MOUNTABLE"),
    ]
    assert media.board_tuples([]) == []
    assert media.counts_by_state()[S.MOUNTABLE] == 5
    assert sum(media.counts_by_state().values()) == len(catalogue)


def test_resolve_volsers(catalogue: dict[str, int]) -> None:
    ids, unmatched = media.resolve_volsers(["A0000*", "A00001L8", "NOPE*"])
    assert ids == [catalogue["A00001L8"], catalogue["A00002L8"]]  # no duplicates
    assert unmatched == ["NOPE*"]
    assert media.volume_by_volser("a00010l8") is not None
    assert media.volume_by_volser("A0001") is None
