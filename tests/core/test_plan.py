"""The recovery plan: its stanzas read back by their markers, its volumes, its readiness."""

from __future__ import annotations

import datetime as dt

import pytest

from drm_gui.core import site
from drm_gui.core.db import DatabaseInfo
from drm_gui.core.media import set_setting
from drm_gui.core.models import PoolType, SeriesKind
from drm_gui.core.plan import (
    MACHINE_STANZAS,
    SAFE_LINE_PREFIX,
    STANZA_ORDER,
    PlanError,
    build_plan,
    make_stanza,
    parse_plan_stanzas,
    plan_lines,
    safe_line,
)
from drm_gui.core.plan_model import Machine, MediaType, RecoveryMedia
from drm_gui.core.states import DrmState, VolumeKind
from tests.helpers.factories import NOW, make_pool, make_series, make_volume

S = DrmState


def known_site() -> None:
    """Two full series and a snapshot, a copy pool with two data tapes, a primary pool."""
    make_series(SeriesKind.FULL, 10, written_at=NOW - dt.timedelta(days=3))
    make_series(SeriesKind.FULL, 11, written_at=NOW - dt.timedelta(days=1), states=(S.VAULT,) * 2)
    make_series(SeriesKind.SNAPSHOT, 5, written_at=NOW - dt.timedelta(days=2))
    copy = make_pool("COPYPOOL", PoolType.COPY)
    make_pool("BACKUPPOOL", PoolType.PRIMARY)
    make_pool("ARCHPOOL", PoolType.PRIMARY)
    make_volume("C00001L8", S.VAULT, pool=copy, location="VAULT")
    make_volume("C00002L8", S.VAULT, pool=copy, location="VAULT")
    make_volume("C00003L8", S.MOUNTABLE, pool=copy, pct_used=0.0)  # empty: not needed
    site.set_server_identity(
        site.ServerIdentity(name="TSM1", db_storage_paths=("/tsmdb/1",), licenses=("tsmee.lic",))
    )
    site.set_instructions("GENERAL", "Call Jane Doe +1 555 0100\nend of list\n")
    media = RecoveryMedia("BOOT1", MediaType.BOOT, ("MKSYSB1", "MKSYSB2"), "VAULT", "AIX 7.3")
    site.save_recovery_media(media)
    site.save_machine(Machine("tsmsrv", priority=1, server=True, media=(media,)))


def test_every_stanza_in_order_with_the_prefix_first(db: DatabaseInfo) -> None:
    known_site()
    plan = build_plan(now=NOW)
    lines = list(plan_lines(plan))
    assert lines[0].split()[:2] == ["DRM", "PLANPREFIX"]
    begins = [line.split()[1] for line in lines if line.startswith("begin ")]
    assert begins == [*STANZA_ORDER, *MACHINE_STANZAS]
    ends = [line.split()[1] for line in lines if line.startswith("end ")]
    assert ends == begins
    stanzas = dict(parse_plan_stanzas(lines))
    required = "\n".join(stanzas["RECOVERY.VOLUMES.REQUIRED"])
    for volser in ("D00110L8", "D00111L8", "C00001L8", "C00002L8"):
        assert volser in required
    for volser in ("D00100L8", "S00050L8", "C00003L8"):
        assert volser not in required
    assert [v.volser for v in plan.volumes_required] == [
        "D00110L8",
        "D00111L8",
        "C00001L8",
        "C00002L8",
    ]
    assert plan.readiness.ready
    assert "RESTORE STGPOOL ARCHPOOL PREVIEW=NO" in stanzas["STGPOOLS.RESTORE"]
    assert "REGISTER LICENSE FILE=tsmee.lic" in stanzas["LICENSE.REGISTRATION"]
    assert stanzas["DB.STORAGEPATHS"] == ["/tsmdb/1"]
    assert f"{SAFE_LINE_PREFIX}end of list" in stanzas["RECOVERY.INSTRUCTIONS.GENERAL"]
    assert "Machine Priority: 1" in stanzas["MACHINE.GENERAL.INFORMATION"]
    assert "Volume Names: MKSYSB1 MKSYSB2" in stanzas["MACHINE.RECOVERY.MEDIA.REQUIRED"]


def test_the_scripts_call_the_macros_in_order(db: DatabaseInfo) -> None:
    known_site()
    plan = build_plan(now=NOW)
    dr = "\n".join(plan.stanza("RECOVERY.SCRIPT.DISASTER.RECOVERY.MODE").lines)
    assert dr.startswith("#!/bin/sh")
    order = [
        "DSMSERV.OPT.FILE",
        "dsmserv restore db",
        "LICENSE.REGISTRATION",
        "COPYSTGPOOL.VOLUMES.AVAILABLE",
        "COPYSTGPOOL.VOLUMES.DESTROYED",
        "PRIMARY.VOLUMES.DESTROYED",
    ]
    positions = [dr.index(step) for step in order]
    assert positions == sorted(positions)
    assert "source=dbb" in dr
    normal = "\n".join(plan.stanza("RECOVERY.SCRIPT.NORMAL.MODE").lines)
    assert normal.index("PRIMARY.VOLUMES.REPLACEMENT") < normal.index("STGPOOLS.RESTORE")
    assert plan.stanza("RECOVERY.SCRIPT.NORMAL.MODE").executable


def test_a_plan_for_an_older_series_lists_that_series(db: DatabaseInfo) -> None:
    known_site()
    plan = build_plan(now=NOW, series=10)
    db_volumes = [v.volser for v in plan.volumes_required if v.kind is VolumeKind.DB_BACKUP]
    assert db_volumes == ["D00100L8"]
    assert "series 10" in plan.source
    as_of = build_plan(now=NOW, as_of=NOW - dt.timedelta(days=2))  # the snapshot is newest
    assert [v.volser for v in as_of.volumes_required][:1] == ["S00050L8"]
    assert "source=dbs" in "\n".join(as_of.stanza("RECOVERY.SCRIPT.DISASTER.RECOVERY.MODE").lines)
    with pytest.raises(PlanError, match="no database backup series 99"):
        build_plan(now=NOW, series=99)
    with pytest.raises(PlanError, match="no database backup series was completed"):
        build_plan(now=NOW - dt.timedelta(days=30))


def test_not_ready_when_one_tape_is_with_the_courier(db: DatabaseInfo) -> None:
    known_site()
    make_series(SeriesKind.FULL, 12, written_at=NOW - dt.timedelta(hours=2), states=(S.COURIER,))
    plan = build_plan(now=NOW)
    assert not plan.readiness.ready
    assert [v.volser for v in plan.readiness.not_in_vault] == ["D00120L8"]
    assert "COURIER" in "\n".join(plan.stanza("RECOVERY.VOLUMES.REQUIRED").lines)


def test_expired_volumes_are_reported(db: DatabaseInfo) -> None:
    known_site()
    make_series(
        SeriesKind.FULL, 12, written_at=NOW - dt.timedelta(hours=2), states=(S.VAULTRETRIEVE,)
    )
    plan = build_plan(now=NOW)
    assert plan.readiness.expired == ("D00120L8",)
    assert not plan.readiness.ready


def test_partial_recovery_of_some_primary_pools(db: DatabaseInfo) -> None:
    known_site()
    set_setting("plan_volume_postfix", "#")
    plan = build_plan(now=NOW, primary_pools=["ARCH*"])
    restore = plan.stanza("STGPOOLS.RESTORE").lines
    assert "RESTORE STGPOOL ARCHPOOL PREVIEW=NO" in restore
    assert not any("BACKUPPOOL" in line for line in restore)
    assert "'#'" in "\n".join(plan.stanza("PRIMARY.VOLUMES.REPLACEMENT").lines)
    with pytest.raises(PlanError, match="no primary storage pool matches"):
        build_plan(now=NOW, primary_pools=["NOPE"])


@pytest.mark.parametrize(
    "line",
    [
        "begin X",
        "end",
        "endpoint is down",
        "  Beginning of the day",
        "END OF FILE",
        "DRM PLANPREFIX /x",
    ],
)
def test_marker_lines_are_made_safe(line: str) -> None:
    safe = safe_line(line)
    first = safe.split()[0]
    assert not first.lower().startswith(("begin", "end"))
    assert safe.split()[:2] != ["DRM", "PLANPREFIX"]
    stanza = make_stanza("RECOVERY.INSTRUCTIONS.GENERAL", [line, "friend"])
    assert stanza.lines == (safe, "friend")


@pytest.mark.parametrize("line", ["", "  ", "backend online", "the end", "append"])
def test_ordinary_lines_are_unchanged(line: str) -> None:
    assert safe_line(line) == line
