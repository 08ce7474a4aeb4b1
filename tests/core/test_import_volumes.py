"""Importing volume records: the preview's sorting, one transaction, conflicts with local moves."""

from __future__ import annotations

import datetime as dt

import pytest

from drm_gui.core import media
from drm_gui.core.import_volumes import (
    ImportRefusedError,
    Resolution,
    Status,
    apply_volumes,
    preview_volumes,
    server_time,
)
from drm_gui.core.media import Actor, ConcurrentChangeError
from drm_gui.core.models import (
    AuditEntry,
    BatchKind,
    CommandStatus,
    Movement,
    PoolType,
    ServerCommand,
    StoragePool,
    Volume,
)
from drm_gui.core.progress import CancelledError, running
from drm_gui.core.states import DrmState, VolumeKind
from drm_gui.core.tsm_formats import DrmediaRecord, ParseProblem, parse_drmedia
from tests.helpers.factories import NOW, counts, make_pool, make_volume, state_of
from tests.helpers.progress import CancellingProgress

ACTOR = Actor("alice", "ws1")
WHEN = dt.datetime(2024, 6, 14, 9, 30)

COMMA = """\
VOL001L8,Vault,06/14/2024 09:30:00,IRON MOUNTAIN,CopyStgPool,COPYPOOL,,LIB1
VOL002L8,Courier,06/14/2024 09:30:00,COURIER,CopyStgPool,COPYPOOL,,LIB1
DB0001L8,Vault retrieve,06/14/2024 09:30:00,IRON MOUNTAIN,DBBackup,,,LIB1
"""


def record(volser: str, state: DrmState, **kw: object) -> DrmediaRecord:
    return DrmediaRecord(volser, state, kw.pop("updated", WHEN), **kw)  # type: ignore[arg-type]


def preview_text(text: str, source: str = "drmedia.txt"):
    parsed = parse_drmedia(text)
    return preview_volumes(parsed.records, parsed.problems, source=source, form=parsed.form)


def test_new_volumes_are_created_in_one_batch_with_their_pools(db) -> None:
    preview = preview_text(COMMA)
    assert [d.status for d in preview.diffs] == [Status.NEW] * 3
    assert preview.summary().startswith("3 volume(s) read: 3 new, 0 changed")
    result = apply_volumes(preview, actor=ACTOR, now=NOW)
    assert (result.created, result.changed) == (3, 0)
    vol = Volume.get(Volume.volser == "VOL001L8")
    assert (vol.state, vol.location, vol.kind) == (
        DrmState.VAULT,
        "IRON MOUNTAIN",
        VolumeKind.COPY_POOL,
    )
    assert vol.updated_at == server_time(WHEN)  # the server's local time, kept as UTC
    assert StoragePool.get(StoragePool.name == "COPYPOOL").pool_type is PoolType.COPY
    db_vol = Volume.get(Volume.volser == "DB0001L8")
    assert db_vol.pool is None and db_vol.state is DrmState.VAULTRETRIEVE
    assert db_vol.pct_used == 0.0 and vol.pct_used > 0  # unknown use: never taken as empty
    assert counts() == (1, 3)
    movement = Movement.get(Movement.volser == "VOL002L8")
    assert movement.kind is BatchKind.IMPORT and movement.from_state is None
    assert (movement.os_user, movement.workstation) == ("alice", "ws1")
    assert "drmedia.txt" in movement.reason


def test_reimporting_the_same_file_changes_nothing(db) -> None:
    apply_volumes(preview_text(COMMA), actor=ACTOR, now=NOW)
    before = counts()
    again = preview_text(COMMA)
    assert [d.status for d in again.diffs] == [Status.UNCHANGED] * 3
    assert not again.has_changes
    result = apply_volumes(again, actor=ACTOR, now=NOW)
    assert result.batch_id is None and "already agrees" in result.summary()
    assert counts() == before


def test_changed_state_location_kind_and_pool_are_shown_and_written(db) -> None:
    pool = make_pool("OLDPOOL")
    vol = make_volume("VOL001L8", DrmState.COURIER, pool=pool, location="COURIER")
    preview = preview_text(COMMA)
    diff = next(d for d in preview.diffs if d.volser == "VOL001L8")
    assert diff.status is Status.CHANGED
    assert diff.fields == ("state", "location", "pool")
    assert diff.describe() == (
        "COURIER → VAULT; location 'COURIER' → 'IRON MOUNTAIN'; pool 'OLDPOOL' → 'COPYPOOL'"
    )
    apply_volumes(preview, actor=ACTOR, now=NOW)
    assert state_of(vol.id) == (DrmState.VAULT, "IRON MOUNTAIN")
    stored = Volume.get_by_id(vol.id)
    assert stored.pool.name == "COPYPOOL" and stored.version == 2
    assert stored.updated_at == server_time(WHEN)  # the server's date of the change
    history = media.history(vol.id)
    assert history[0].kind is BatchKind.IMPORT


def test_a_record_without_type_or_location_takes_defaults_and_says_so(db) -> None:
    preview = preview_text("NEW001L8,Mountable,06/14/2024 09:30:00,LIB1\n")
    (diff,) = preview.diffs
    assert diff.record.kind is VolumeKind.COPY_POOL
    assert "no volume type" in diff.note
    assert diff.record.location == "LIB1"  # the library name setting, as a local move gives
    # For a known volume the file's missing location and type keep ours.
    apply_volumes(preview, actor=ACTOR, now=NOW)
    Volume.update(kind=VolumeKind.DB_BACKUP, location="SHELF 3").execute()
    again = preview_text("NEW001L8,Mountable,06/14/2024 09:30:00,LIB1\n")
    assert again.diffs[0].status is Status.UNCHANGED


def test_bad_lines_import_nothing_unless_accepted(db) -> None:
    text = COMMA + "BAD VOLUME,Vault,06/14/2024 09:30:00,X,CopyStgPool,P,,L\n"
    text += "VOL009L8,Elsewhere,06/14/2024 09:30:00,X,CopyStgPool,P,,L\n"
    preview = preview_text(text)
    assert [p.line_number for p in preview.problems] == [4, 5]
    with pytest.raises(ImportRefusedError, match=r"2 bad line.*line 4"):
        apply_volumes(preview, actor=ACTOR, now=NOW)
    assert counts() == (0, 0) and Volume.select().count() == 0
    result = apply_volumes(preview, accept_problems=True, actor=ACTOR, now=NOW)
    assert result.created == 3 and result.skipped_lines == 2
    assert "2 bad line(s) skipped" in result.summary()


def test_a_volume_listed_twice_is_a_problem_on_the_later_line(db) -> None:
    records = [
        record("VOL001L8", DrmState.VAULT, line_number=1),
        record("VOL001L8", DrmState.COURIER, line_number=7),
    ]
    preview = preview_volumes(records, source="x")
    assert len(preview.diffs) == 1 and preview.diffs[0].record.state is DrmState.VAULT
    assert preview.problems == (
        ParseProblem(
            7, "VOL001L8", "VOL001L8 is listed twice (first on line 1); the first is used"
        ),
    )


def test_volumes_missing_from_a_full_list_are_listed_not_changed(db) -> None:
    make_volume("HERE01L8", DrmState.VAULT)
    make_volume("BACK01L8", DrmState.ONSITERETRIEVE)  # the server no longer lists these
    preview = preview_text(COMMA)
    assert preview.only_here == ("HERE01L8",)
    partial = preview_volumes([], source="x", full_list=False)
    assert partial.only_here == ()


def _local_move(vol: Volume, target: DrmState) -> int:
    result = media.move_volumes([vol.id], target, actor=ACTOR, now=NOW)
    assert result.ok
    return Movement.get(Movement.batch == result.batch_id).id


def test_an_unsent_local_move_conflicts_and_is_kept_by_default(db) -> None:
    vol = make_volume("VOL002L8", DrmState.MOUNTABLE, pool=make_pool())
    _local_move(vol, DrmState.COURIER)  # the server has not heard of it
    text = "VOL002L8,Mountable,06/14/2024 09:30:00,,CopyStgPool,COPYPOOL,,LIB1\n"
    preview = preview_text(text)
    (diff,) = preview.diffs
    assert diff.status is Status.CONFLICT
    assert "move to COURIER by alice" in diff.note and "not yet confirmed" in diff.note
    before = counts()
    result = apply_volumes(preview, actor=ACTOR, now=NOW)
    assert result.batch_id is None and result.kept_local == 1
    assert counts() == before and state_of(vol.id)[0] is DrmState.COURIER


def test_taking_the_servers_record_voids_the_waiting_command(db) -> None:
    vol = make_volume("VOL002L8", DrmState.MOUNTABLE, pool=make_pool())
    movement = _local_move(vol, DrmState.COURIER)
    command = ServerCommand.create(
        movement=movement,
        volume=vol.id,
        volser=vol.volser,
        command="MOVE DRMEDIA VOL002L8 WHERESTATE=MOUNTABLE TOSTATE=COURIER",
        status=CommandStatus.PENDING,
        created_at=NOW,
    )
    text = "VOL002L8,Mountable,06/14/2024 09:30:00,,CopyStgPool,COPYPOOL,,LIB1\n"
    preview = preview_text(text)
    apply_volumes(preview, resolutions={"VOL002L8": Resolution.TAKE_SERVER}, now=NOW)
    assert state_of(vol.id)[0] is DrmState.MOUNTABLE
    assert ServerCommand.get_by_id(command.id).status is CommandStatus.SUPERSEDED
    # The server's record is now ours: the next import of the same list is unchanged.
    assert preview_text(text).diffs[0].status is Status.UNCHANGED


def test_a_move_the_server_confirmed_is_no_conflict(db) -> None:
    vol = make_volume("VOL002L8", DrmState.MOUNTABLE, pool=make_pool())
    movement = _local_move(vol, DrmState.COURIER)
    ServerCommand.create(
        movement=movement,
        volume=vol.id,
        volser=vol.volser,
        command="MOVE DRMEDIA VOL002L8 WHERESTATE=MOUNTABLE TOSTATE=COURIER",
        status=CommandStatus.SENT,
        created_at=NOW,
    )
    # Since then the server moved it on by itself: a plain change, taken.
    text = "VOL002L8,Vault,06/14/2024 09:30:00,VAULT,CopyStgPool,COPYPOOL,,LIB1\n"
    (diff,) = preview_text(text).diffs
    assert diff.status is Status.CHANGED


def test_a_change_by_someone_else_after_the_preview_writes_nothing(db) -> None:
    vol = make_volume("VOL001L8", DrmState.COURIER, pool=make_pool("COPYPOOL"))
    preview = preview_text(COMMA)
    Volume.update(state=DrmState.VAULT).where(Volume.id == vol.id).execute()
    before = counts()
    with pytest.raises(ConcurrentChangeError):
        apply_volumes(preview, actor=ACTOR, now=NOW)
    assert counts() == before
    assert Volume.select().count() == 1  # the new volumes of the same file were not kept


def test_a_volume_added_by_someone_else_after_the_preview_writes_nothing(db) -> None:
    preview = preview_text(COMMA)
    make_volume("VOL002L8", DrmState.COURIER)
    with pytest.raises(ConcurrentChangeError, match="preview the file again"):
        apply_volumes(preview, actor=ACTOR, now=NOW)
    assert Volume.select().count() == 1


@pytest.mark.parametrize("at", ["Writing", "Recording"])
def test_a_cancelled_import_changes_nothing(db, at: str) -> None:
    vol = make_volume("VOL001L8", DrmState.COURIER, location="COURIER")
    preview = preview_text(COMMA)
    before = counts()
    progress = CancellingProgress(at=at)  # after the new tapes were added, in the transaction
    with running(progress), pytest.raises(CancelledError):
        apply_volumes(preview, actor=ACTOR, now=NOW)
    texts = [text for _d, _t, text in progress.reports]
    assert texts[0] == "Adding 2 new tapes"
    assert counts() == before
    assert Volume.select().count() == 1 and state_of(vol.id) == (DrmState.COURIER, "COURIER")
    assert AuditEntry.select().count() == 0
