"""Importing the volume history and the device configuration: preview, one transaction."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from drm_gui.core import site
from drm_gui.core.import_history import (
    apply_devconfig,
    apply_volhist,
    preview_devconfig,
    preview_volhist,
    read_text_file,
    stored_devconfig,
)
from drm_gui.core.import_volumes import ImportRefusedError, Status, server_time
from drm_gui.core.media import Actor
from drm_gui.core.models import DbBackupSeries, MoveBatch, SeriesKind, Volume
from drm_gui.core.site import ServerFile
from drm_gui.core.states import DrmError, DrmState, VolumeKind
from tests.helpers.factories import NOW, make_volume
from tests.helpers.server_files import DEVCONFIG
from tests.helpers.server_files import VOLHIST as SHARED_VOLHIST

ACTOR = Actor("bob", "ws2")

# The shared history, and a tape emptied long ago and reused since.
VOLHIST = (
    SHARED_VOLHIST
    + """\
 2024/06/02 10:00:00  STGDELETE       0     0     0  LTOCLASS  "CP0002L8"
 2024/06/14 10:00:00  STGREUSE        0     0     0  LTOCLASS  "CP0002L8"
"""
)


@pytest.fixture
def tracked(db) -> dict[str, Volume]:
    vols = {
        name: make_volume(name, DrmState.VAULT, kind=VolumeKind.COPY_POOL)
        for name in ("DB0041L8", "DB0042L8", "DB0043L8", "SN0007L8", "CP0001L8")
    }
    vols["CP0002L8"] = make_volume(
        "CP0002L8", DrmState.VAULT, pct_used=0.0, empty_since=dt.datetime(2024, 6, 2, 10)
    )
    return vols


def test_series_and_their_volumes_are_recorded(tracked) -> None:
    preview = preview_volhist(VOLHIST, source="volhist.out")
    assert preview.entries == 9 and not preview.problems
    assert [(s.kind, s.series.series, s.status) for s in preview.series] == [
        (SeriesKind.FULL, 41, Status.NEW),
        (SeriesKind.SNAPSHOT, 7, Status.NEW),
        (SeriesKind.FULL, 42, Status.NEW),
    ]
    assert preview.untracked == ("GONE01L8",)
    assert "1 volume(s) not tracked here" in preview.summary()
    result = apply_volhist(preview, actor=ACTOR, now=NOW)
    assert (result.series_created, result.volumes_updated, result.storage_updated) == (3, 4, 2)
    full = DbBackupSeries.get(DbBackupSeries.kind == SeriesKind.FULL, DbBackupSeries.number == 41)
    assert full.started_at == server_time(dt.datetime(2024, 6, 10, 4))
    incr = Volume.get(Volume.volser == "DB0043L8")
    assert incr.kind is VolumeKind.DB_BACKUP and incr.pool is None
    assert (incr.series.id, incr.backup_operation, incr.volume_seq) == (full.id, 1, 1)
    assert (
        incr.written_at == server_time(dt.datetime(2024, 6, 11, 4))
        and incr.device_class == "LTOCLASS"
    )
    assert Volume.get(Volume.volser == "SN0007L8").kind is VolumeKind.DB_SNAPSHOT
    batch = MoveBatch.get_by_id(result.batch_id)
    assert batch.os_user == "bob" and "volhist.out" in batch.reason
    stored = site.get_server_file(ServerFile.VOLHIST)
    assert stored is not None and stored.text == VOLHIST and stored.source == "volhist.out"


def test_storage_events_mark_tapes_empty_or_in_use_the_latest_deciding(tracked) -> None:
    apply_volhist(preview_volhist(VOLHIST, source="v"), actor=ACTOR, now=NOW)
    emptied = Volume.get(Volume.volser == "CP0001L8")
    assert (
        emptied.empty_since == server_time(dt.datetime(2024, 6, 13, 10)) and emptied.pct_used == 0
    )
    assert Volume.get(Volume.volser == "CP0002L8").empty_since is None


def test_reimporting_the_same_history_changes_nothing(tracked) -> None:
    apply_volhist(preview_volhist(VOLHIST, source="v"), actor=ACTOR, now=NOW)
    batches = MoveBatch.select().count()
    again = preview_volhist(VOLHIST, source="v")
    assert not again.has_changes
    assert {v.status for v in again.volumes} == {Status.UNCHANGED}
    assert apply_volhist(again, actor=ACTOR, now=NOW).batch_id is None
    assert MoveBatch.select().count() == batches


def test_a_history_with_bad_lines_imports_nothing_unless_accepted(tracked) -> None:
    text = VOLHIST + ' 2024/13/01 04:00:00  BACKUPFULL  43  0  1  LTOCLASS  "DB0044L8"\n'
    text += ' 2024/06/14 04:00:00  BACKUPFULL  X  0  1  LTOCLASS  "DB0045L8"\n'
    preview = preview_volhist(text, source="v")
    assert [p.line_number for p in preview.problems] == [13, 14]
    assert "bad backup series 'X'" in preview.problems[1].message
    with pytest.raises(ImportRefusedError, match="line 13"):
        apply_volhist(preview, actor=ACTOR, now=NOW)
    assert DbBackupSeries.select().count() == 0
    assert apply_volhist(preview, accept_problems=True, actor=ACTOR, now=NOW).skipped_lines == 2
    assert DbBackupSeries.select().count() == 3


def test_the_device_configuration_is_kept_for_the_plan_and_listed(db) -> None:
    preview = preview_devconfig(DEVCONFIG, source="devconfig.out")
    assert preview.summary() == (
        "server SERVER1: 1 device class(es), 1 library(ies), 1 drive(s), 2 path(s)"
    )
    assert apply_devconfig(preview) is True
    stored = stored_devconfig()
    assert stored is not None
    assert [(c.name, c.devtype, c.library) for c in stored.device_classes] == [
        ("LTOCLASS", "LTO", "LIB1")
    ]
    assert [(lib.name, lib.libtype) for lib in stored.libraries] == [("LIB1", "SCSI")]
    again = preview_devconfig(DEVCONFIG, source="devconfig.out")
    assert not again.has_changes and "the stored copy is the same" in again.summary()
    assert apply_devconfig(again) is False


def test_a_device_configuration_with_bad_lines_is_refused_unless_accepted(db) -> None:
    text = DEVCONFIG + "DEFINE DRIVE LIB1\nFROBNICATE THE LIBRARY\n"
    preview = preview_devconfig(text, source="d")
    assert [p.line_number for p in preview.problems] == [11, 12]
    with pytest.raises(ImportRefusedError, match="2 bad line"):
        apply_devconfig(preview)
    assert site.get_server_file(ServerFile.DEVCONFIG) is None
    assert apply_devconfig(preview, accept_problems=True) is True


def test_reading_a_file_says_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(DrmError, match=r"cannot read .*missing\.out"):
        read_text_file(tmp_path / "missing.out", "volume history")
    with pytest.raises(DrmError, match="is a folder"):
        read_text_file(tmp_path, "volume history")
    path = tmp_path / "v.out"
    path.write_bytes(b"a\x00b\xffc\n")
    assert read_text_file(path, "x") == "ab\ufffdc\n"
