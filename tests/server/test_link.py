"""The live link against the fake dsmadmc: a synchronisation into the database, moves sent
and checked, refused moves rolled back, link failures that leave the moves waiting."""

from __future__ import annotations

from pathlib import Path

import pytest

from drm_gui.core import media
from drm_gui.core.import_server import apply_sync
from drm_gui.core.import_volumes import Resolution, Status
from drm_gui.core.models import (
    BatchKind,
    CommandStatus,
    DbBackupSeries,
    MoveBatch,
    PoolType,
    ServerCommand,
    StoragePool,
    Volume,
)
from drm_gui.core.server_moves import pending_commands
from drm_gui.core.states import DrmState, VolumeKind
from drm_gui.server import AdminClient
from drm_gui.server.link import read_server, send_pending
from tests.fake_dsmadmc import (
    drmedia_rows,
    fake_profile,
    received,
    sample_server,
    set_faults,
    write_state,
)

PASSWORD = "Pw-s3cret-XYZ"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return write_state(tmp_path / "server.json", sample_server(admins={"ADMIN": PASSWORD}))


def client(state: Path) -> AdminClient:
    return AdminClient(fake_profile(state, server_name="TSM8"), PASSWORD)


def synchronised(state: Path) -> None:
    preview = read_server(client(state))
    assert not preview.problems
    apply_sync(preview)


def volume(volser: str) -> Volume:
    return Volume.get(Volume.volser == volser)


def test_a_first_synchronisation_takes_the_whole_server(db, state: Path) -> None:
    preview = read_server(client(state))
    assert preview.volumes.count(Status.NEW) == 10
    assert {p.pool.name for p in preview.pools} == {"BACKUPPOOL", "COPYPOOL", "ADPOOL"}
    summary = apply_sync(preview)
    assert "10 new" in summary
    vault = volume("A00021L8")
    assert (vault.state, vault.location) == (DrmState.VAULT, "Iron Mountain, Box 7")
    assert vault.pool.name == "COPYPOOL" and vault.pct_used == 100
    empty = volume("A00022L8")
    assert empty.pct_used == 0 and empty.empty_since is not None
    pool = StoragePool.get(StoragePool.name == "COPYPOOL")
    assert (pool.pool_type, pool.device_class, pool.reuse_delay_days) == (PoolType.COPY, "LTO8", 5)
    # The DB backup volumes new in this same synchronisation got their series.
    db_volume = volume("DB0002L8")
    assert db_volume.series is not None and db_volume.series.number == 12
    assert volume("SN0001L8").kind is VolumeKind.DB_SNAPSHOT
    assert DbBackupSeries.select().count() == 3


def test_a_second_synchronisation_finds_nothing_to_change(db, state: Path) -> None:
    synchronised(state)
    batches = MoveBatch.select().count()
    again = read_server(client(state))
    assert not again.has_changes, again.summary()
    assert again.summary() == "TSM8 and this database agree"
    apply_sync(again)
    assert MoveBatch.select().count() == batches


def test_moves_are_sent_checked_and_then_agree_with_the_server(db, state: Path) -> None:
    synchronised(state)
    ids = [volume(v).id for v in ("A00017L8", "DB0001L8")]
    media.move_volumes(ids, DrmState.COURIER)
    report = send_pending(client(state))
    assert report.sent == 2 and not report.refused and not report.error
    assert drmedia_rows(state)["A00017L8"]["state"] == "COURIER"
    commands = [c for c in received(state) if c.upper().startswith("MOVE DRMEDIA")]
    assert commands == [
        "MOVE DRMEDIA A00017L8 WHERESTATE=MOUNTABLE TOSTATE=COURIER TOLOCATION=COURIER "
        "REMOVE=NO WAIT=YES",
        "MOVE DRMEDIA DB0001L8 WHERESTATE=MOUNTABLE TOSTATE=COURIER TOLOCATION=COURIER "
        "REMOVE=NO WAIT=YES",
    ]
    assert {c.status for c in ServerCommand.select()} == {CommandStatus.SENT}
    # A synchronisation after the move shows no difference.
    after = read_server(client(state))
    assert after.volumes.count(Status.CHANGED) == 0
    assert after.volumes.count(Status.CONFLICT) == 0


def test_a_snapshot_volume_is_moved_with_its_source(db, state: Path) -> None:
    synchronised(state)
    media.move_volumes([volume("SN0001L8").id], DrmState.VAULT)
    report = send_pending(client(state))
    assert report.sent == 1, report.summary()
    assert any("SOURCE=DBSNAPSHOT" in c for c in received(state))


def test_a_whole_state_moves_with_one_wildcard_command(db, state: Path) -> None:
    synchronised(state)
    mountable = [volume(v).id for v in ("A00017L8", "A00018L8", "DB0001L8")]
    media.move_volumes([*mountable, volume("SN0001L8").id], DrmState.NOTMOUNTABLE)
    report = send_pending(client(state))
    assert report.sent == 4, report.summary()
    moves = [c for c in received(state) if c.upper().startswith("MOVE DRMEDIA")]
    assert len(moves) == 2  # the snapshot volume needs its own SOURCE, so its own command
    assert moves[0].startswith("MOVE DRMEDIA * WHERESTATE=MOUNTABLE TOSTATE=NOTMOUNTABLE")


def test_a_refused_move_is_rolled_back_and_the_others_stand(db, state: Path) -> None:
    synchronised(state)
    set_faults(state, refuse_move=["A00019L8"])
    ids = [volume(v).id for v in ("A00019L8", "A00020L8")]
    media.move_volumes([ids[0]], DrmState.COURIER)
    media.move_volumes([ids[1]], DrmState.VAULT)
    report = send_pending(client(state))
    assert report.sent == 1 and [r[0] for r in report.refused] == ["A00019L8"]
    assert "refused" in report.summary() and "A00019L8" in report.summary()
    assert volume("A00019L8").state is DrmState.NOTMOUNTABLE  # back where it was
    assert volume("A00020L8").state is DrmState.VAULT
    correction = MoveBatch.get(MoveBatch.kind == BatchKind.CORRECTION)
    assert "refused by the storage server" in correction.reason
    refused = ServerCommand.get(ServerCommand.volser == "A00019L8")
    assert refused.status is CommandStatus.REFUSED and "A00019L8" in refused.answer
    assert not pending_commands()


def test_an_unreachable_server_leaves_the_moves_waiting(db, state: Path) -> None:
    synchronised(state)
    media.move_volumes([volume("A00017L8").id], DrmState.COURIER)
    set_faults(state, unreachable=True)
    report = send_pending(client(state))
    assert report.sent == 0 and report.waiting == 1
    assert "reach" in report.error.lower() or "unreachable" in report.error.lower()
    assert volume("A00017L8").state is DrmState.COURIER  # nothing rolled back
    set_faults(state, unreachable=False)
    assert send_pending(client(state)).sent == 1


def test_a_local_move_not_yet_sent_conflicts_with_a_changed_server(db, state: Path) -> None:
    synchronised(state)
    media.move_volumes([volume("A00020L8").id], DrmState.VAULT)  # not sent
    rows = drmedia_rows(state)
    assert rows["A00020L8"]["state"] == "COURIER"
    preview = read_server(client(state))
    (conflict,) = preview.volumes.conflicts
    assert conflict.volser == "A00020L8" and "not yet confirmed" in conflict.note
    apply_sync(preview, resolutions={"A00020L8": Resolution.TAKE_SERVER})
    assert volume("A00020L8").state is DrmState.COURIER
    assert not pending_commands()  # the waiting command was voided
