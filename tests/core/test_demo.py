"""The demo site generator: exact counts, every state, DB backup series, refusals."""

from __future__ import annotations

import pytest

from drm_gui.core import demo, retention
from drm_gui.core.db import DatabaseInfo
from drm_gui.core.models import BatchKind, DbBackupSeries, MoveBatch, Movement, SeriesKind, Volume
from drm_gui.core.states import DrmError, DrmState, VolumeKind
from tests.helpers.factories import NOW, make_volume


@pytest.mark.parametrize("seed", [7, 19])
def test_demo_site_has_exactly_n_volumes_in_every_state(db: DatabaseInfo, seed: int) -> None:
    assert demo.create_demo_site(400, seed=seed, now=NOW) == 400
    assert Volume.select().count() == 400
    states = {state for (state,) in Volume.select(Volume.state).tuples()}
    assert states == set(DrmState)
    kinds = {kind for (kind,) in Volume.select(Volume.kind).tuples()}
    assert kinds == set(VolumeKind)


def test_demo_site_has_db_backup_series(db: DatabaseInfo) -> None:
    demo.create_demo_site(400, now=NOW)
    series_kinds = {kind for (kind,) in DbBackupSeries.select(DbBackupSeries.kind).tuples()}
    assert series_kinds == {SeriesKind.FULL, SeriesKind.SNAPSHOT}
    assert DbBackupSeries.select().count() >= 4
    for series in DbBackupSeries.select():
        members = list(series.volumes)
        assert members, f"series {series.number} has no volume"
        expected = (
            VolumeKind.DB_BACKUP if series.kind is SeriesKind.FULL else VolumeKind.DB_SNAPSHOT
        )
        assert {v.kind for v in members} == {expected}
    # Every database volume belongs to a series.
    orphans = Volume.select().where(
        Volume.kind.in_([VolumeKind.DB_BACKUP, VolumeKind.DB_SNAPSHOT]) & Volume.series.is_null()
    )
    assert orphans.count() == 0


def test_demo_site_is_recorded_as_an_import(db: DatabaseInfo) -> None:
    demo.create_demo_site(400, now=NOW)
    (batch,) = MoveBatch.select()
    assert batch.kind is BatchKind.IMPORT
    assert Movement.select().where(Movement.batch == batch.id).count() == 400


def test_the_oldest_demo_series_are_due_to_expire_but_never_the_newest(db: DatabaseInfo) -> None:
    demo.create_demo_site(400, now=NOW)
    changes = retention.due_for_retrieve(NOW)
    series_changes = [c for c in changes if "series" in c.reason]
    assert series_changes
    newest = {
        kind: DbBackupSeries.select()
        .where(DbBackupSeries.kind == kind)
        .order_by(DbBackupSeries.number.desc())
        .first()
        for kind in SeriesKind
    }
    newest_volumes = {
        v.id for s in newest.values() if s is not None for v in s.volumes.select(Volume.id)
    }
    assert not newest_volumes & {c.volume_id for c in changes}


@pytest.mark.parametrize("n", [1, 4, 5, 8, 9, 35, 36])
def test_small_demo_sites_have_exactly_n_volumes(db: DatabaseInfo, n: int) -> None:
    assert demo.create_demo_site(n, now=NOW) == n
    assert Volume.select().count() == n


def test_demo_refuses_a_database_that_holds_volumes(db: DatabaseInfo) -> None:
    make_volume("A0001L8")
    with pytest.raises(DrmError, match="already holds 1 volumes"):
        demo.create_demo_site(400, now=NOW)
    assert Volume.select().count() == 1
    assert MoveBatch.select().count() == 0


@pytest.mark.parametrize("n", [0, -1, demo.MAX_VOLUMES + 1])
def test_demo_refuses_n_out_of_range(db: DatabaseInfo, n: int) -> None:
    with pytest.raises(DrmError, match="--volumes must be between 1 and"):
        demo.create_demo_site(n)
    assert Volume.select().count() == 0
