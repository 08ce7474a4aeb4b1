"""The VAULTRETRIEVE expiry rules of DOMAIN.md, on hand-built data with a fixed `now`."""

from __future__ import annotations

import datetime as dt

from drm_gui.core import media, retention
from drm_gui.core.db import DatabaseInfo
from drm_gui.core.media import Actor
from drm_gui.core.models import (
    BatchKind,
    MoveBatch,
    Movement,
    PoolType,
    SeriesKind,
    StoragePool,
    Volume,
)
from drm_gui.core.states import DrmState, VolumeKind
from tests.helpers.factories import NOW, counts, make_pool, make_series, make_volume, state_of

S = DrmState
DAY = dt.timedelta(days=1)
ROBOT = Actor("cron", "drm-server")


def due_volsers(now: dt.datetime = NOW) -> list[str]:
    return [c.volser for c in retention.due_for_retrieve(now)]


def empty_tape(
    volser: str,
    pool: StoragePool,
    *,
    empty_days: float,
    state: DrmState = S.VAULT,
    pct_used: float = 0.0,
    kind: VolumeKind = VolumeKind.COPY_POOL,
    worm: bool = False,
) -> Volume:
    """A pool tape at the vault that became empty *empty_days* before NOW."""
    return make_volume(
        volser,
        state,
        kind=kind,
        pool=pool,
        location="VAULT",
        pct_used=pct_used,
        empty_since=NOW - empty_days * DAY,
        worm=worm,
    )


# --- The rules as pure functions ----------------------------------------------------------------


def test_empty_pool_tape_due() -> None:
    due = retention.empty_pool_tape_due
    assert due(0.0, NOW - 6 * DAY, 5, NOW)
    assert not due(0.0, NOW - 4 * DAY, 5, NOW)
    assert not due(0.1, NOW - 400 * DAY, 5, NOW)  # not empty: never
    assert not due(0.0, None, 0, NOW)  # empty since when? unknown: not due
    assert due(0.0, NOW, 0, NOW)  # no reuse delay


def test_series_expired() -> None:
    expired = retention.series_expired
    vaulted = [S.VAULT, S.VAULT]
    assert expired(NOW - 61 * DAY, vaulted, False, 60, NOW)
    assert not expired(NOW - 59 * DAY, vaulted, False, 60, NOW)
    assert not expired(NOW - 400 * DAY, vaulted, True, 60, NOW)  # the newest of its kind
    assert not expired(NOW - 400 * DAY, [S.VAULT, S.MOUNTABLE], False, 60, NOW)
    assert not expired(NOW - 400 * DAY, [], False, 60, NOW)


# --- Copy and active-data pool tapes ------------------------------------------------------------


def test_empty_pool_tapes_come_back_after_the_reuse_delay(db: DatabaseInfo) -> None:
    copy = make_pool("COPYPOOL", reuse_delay_days=5)
    active = make_pool("ACTIVEPOOL", PoolType.ACTIVEDATA, reuse_delay_days=2)
    empty_tape("A0001L8", copy, empty_days=6)  # delay passed
    empty_tape("A0002L8", copy, empty_days=4)  # not yet
    empty_tape("A0003L8", copy, empty_days=300, pct_used=0.5)  # not empty: never
    empty_tape("A0004L8", copy, empty_days=300, state=S.COURIER)  # not in the vault
    empty_tape("C0001L7", active, empty_days=3, kind=VolumeKind.ACTIVE_DATA_POOL)
    empty_tape("C0002L7", active, empty_days=1, kind=VolumeKind.ACTIVE_DATA_POOL)
    assert due_volsers() == ["A0001L8", "C0001L7"]
    # Two days on, the second copy tape's delay has passed too.
    assert due_volsers(NOW + 2 * DAY) == ["A0001L8", "A0002L8", "C0001L7", "C0002L7"]


def test_a_primary_pool_tape_is_never_expired(db: DatabaseInfo) -> None:
    primary = make_pool("PRIMARY", PoolType.PRIMARY)
    empty_tape("P0001L8", primary, empty_days=300)
    assert due_volsers() == []


# --- Database backup series ---------------------------------------------------------------------


def test_old_series_expire_but_the_newest_of_each_kind_never(db: DatabaseInfo) -> None:
    make_series(SeriesKind.FULL, 10, written_at=NOW - 100 * DAY, states=(S.VAULT, S.VAULT))
    make_series(SeriesKind.FULL, 11, written_at=NOW - 90 * DAY)  # newest full, still old
    make_series(SeriesKind.SNAPSHOT, 20, written_at=NOW - 100 * DAY)
    make_series(SeriesKind.SNAPSHOT, 21, written_at=NOW - 95 * DAY)  # newest snapshot
    assert due_volsers() == ["D00100L8", "D00101L8", "S00200L8"]


def test_a_series_with_a_volume_still_on_site_does_not_expire(db: DatabaseInfo) -> None:
    make_series(SeriesKind.FULL, 10, written_at=NOW - 100 * DAY, states=(S.VAULT, S.MOUNTABLE))
    make_series(SeriesKind.FULL, 11, written_at=NOW - 99 * DAY, states=(S.VAULT, S.COURIER))
    make_series(SeriesKind.FULL, 12, written_at=NOW - 1 * DAY)
    assert due_volsers() == []


def test_a_series_expires_only_when_older_than_the_setting(db: DatabaseInfo) -> None:
    make_series(SeriesKind.FULL, 10, written_at=NOW - 40 * DAY)
    make_series(SeriesKind.FULL, 11, written_at=NOW - 1 * DAY)
    assert due_volsers() == []  # 40 days < the default 60
    media.set_setting("db_backup_expire_days", "30")
    assert due_volsers() == ["D00100L8"]


def test_the_age_of_a_series_is_its_newest_volume(db: DatabaseInfo) -> None:
    _, volumes = make_series(SeriesKind.FULL, 10, written_at=NOW - 100 * DAY, states=(S.VAULT,) * 2)
    Volume.update(written_at=NOW - 10 * DAY).where(Volume.id == volumes[1].id).execute()
    make_series(SeriesKind.FULL, 11, written_at=NOW - 1 * DAY)
    assert due_volsers() == []


# --- The evaluation: one batch, a reason per volume, WORM flags -------------------------------


def test_evaluation_moves_the_due_volumes_each_with_its_own_reason(db: DatabaseInfo) -> None:
    copy = make_pool("COPYPOOL", reuse_delay_days=5)
    tape = empty_tape("A0001L8", copy, empty_days=6)
    Volume.update(location="Bunker 7").where(Volume.id == tape.id).execute()
    keep = empty_tape("A0002L8", copy, empty_days=1)
    _, old = make_series(SeriesKind.FULL, 10, written_at=NOW - 100 * DAY)
    _, newest = make_series(SeriesKind.FULL, 11, written_at=NOW - 1 * DAY)

    result = retention.evaluate_expiry(actor=ROBOT, now=NOW)

    assert [c.volser for c in result.changes] == ["A0001L8", "D00100L8"]
    assert state_of(tape.id) == (S.VAULTRETRIEVE, "Bunker 7")  # keeps its vault location
    assert state_of(old[0].id) == (S.VAULTRETRIEVE, "VAULT")
    assert state_of(keep.id)[0] is S.VAULT
    assert state_of(newest[0].id)[0] is S.VAULT

    batch = MoveBatch.get_by_id(result.batch_id)
    assert (batch.kind, batch.target_state, batch.os_user) == (
        BatchKind.EXPIRY,
        S.VAULTRETRIEVE,
        "cron",
    )
    rows = {
        m.volser: (m.kind, m.from_state, m.to_state, m.reason)
        for m in Movement.select().where(Movement.batch == result.batch_id)
    }
    assert rows == {
        "A0001L8": (
            BatchKind.EXPIRY,
            S.VAULT,
            S.VAULTRETRIEVE,
            "empty COPYPOOL tape, reuse delay of 5 day(s) passed",
        ),
        "D00100L8": (
            BatchKind.EXPIRY,
            S.VAULT,
            S.VAULTRETRIEVE,
            "database full series 10 older than 60 day(s) and not the newest",
        ),
    }


def test_a_second_evaluation_changes_nothing_more(db: DatabaseInfo) -> None:
    copy = make_pool("COPYPOOL", reuse_delay_days=0)
    empty_tape("A0001L8", copy, empty_days=1)
    assert len(retention.evaluate_expiry(actor=ROBOT, now=NOW).changes) == 1
    again = retention.evaluate_expiry(actor=ROBOT, now=NOW + DAY)
    assert again.changes == ()
    assert counts() == (2, 1)


def test_worm_tapes_are_flagged_and_never_scratch(db: DatabaseInfo) -> None:
    worm_pool = make_pool("ARCHCOPY", reuse_delay_days=0, worm=True)
    plain_pool = make_pool("COPYPOOL", reuse_delay_days=0)
    in_worm_pool = empty_tape("W0001LZ", worm_pool, empty_days=1)
    worm_cartridge = empty_tape("A0001LZ", plain_pool, empty_days=1, worm=True)
    plain = empty_tape("A0002L8", plain_pool, empty_days=1)

    result = retention.evaluate_expiry(actor=ROBOT, now=NOW)

    assert {c.volser: c.worm for c in result.changes} == {
        "A0001LZ": True,
        "A0002L8": False,
        "W0001LZ": True,
    }
    assert Volume.get_by_id(in_worm_pool.id).flag == retention.WORM_FLAG
    assert Volume.get_by_id(worm_cartridge.id).flag == retention.WORM_FLAG
    assert "never scratch" in retention.WORM_FLAG
    assert Volume.get_by_id(plain.id).flag == ""

    # On its way back and back on site, the flag stays: it is not a scratch tape.
    media.move_volumes([in_worm_pool.id], S.COURIERRETRIEVE, actor=ROBOT)
    media.move_volumes([in_worm_pool.id], S.ONSITERETRIEVE, actor=ROBOT)
    assert state_of(in_worm_pool.id) == (S.ONSITERETRIEVE, "ONSITE")
    assert Volume.get_by_id(in_worm_pool.id).flag == retention.WORM_FLAG


def test_an_evaluation_with_nothing_due_still_records_the_run(db: DatabaseInfo) -> None:
    assert retention.last_evaluation() is None
    make_volume("A0001L8", S.VAULT, location="VAULT", pool=make_pool())  # full: not due
    result = retention.evaluate_expiry(actor=ROBOT, now=NOW)
    assert result.changes == ()
    assert retention.last_evaluation() == NOW
    assert counts() == (1, 0)
    assert MoveBatch.get_by_id(result.batch_id).kind is BatchKind.EXPIRY

    later = NOW + dt.timedelta(hours=3)
    retention.evaluate_expiry(actor=ROBOT, now=later)
    assert retention.last_evaluation() == later


def test_a_move_batch_is_not_an_evaluation(db: DatabaseInfo) -> None:
    volume = make_volume(state=S.MOUNTABLE)
    media.move_volumes([volume.id], S.COURIER, actor=ROBOT, now=NOW)
    assert retention.last_evaluation() is None
