"""Checking in returned tapes: check, the library job, record — through the fake mtx."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from drm_gui.core import library_ops as ops
from drm_gui.core import retention
from drm_gui.core.db import DatabaseInfo
from drm_gui.core.media import Actor, history
from drm_gui.core.models import BatchKind, Movement, SeriesKind, Volume
from drm_gui.core.states import DrmState
from drm_gui.library.base import HardwareError
from tests.fake_mtx import insert_io, io_tags, slot_tags
from tests.helpers.factories import NOW, make_pool, make_series
from tests.helpers.library_site import FakeSite, build_site

S = DrmState
A = ops.ImportAction
ALICE = Actor("alice", "ws-07")


@pytest.fixture
def site(db: DatabaseInfo, tmp_path: Path) -> FakeSite:
    """Slots 1-10, I/O slots 11-20 holding returned tapes of every kind; M0001L8 (whose
    home is slot 2) waits in the I/O station too."""
    pool = make_pool("COPYPOOL1")
    worm_pool = make_pool("ARCHCOPY", worm=True)
    empty = {"pct_used": 0.0, "pool": pool}
    site = build_site(
        tmp_path / "library.json",
        [
            ("O0001L8", S.ONSITERETRIEVE, 11),
            ("C0001L8", S.COURIERRETRIEVE, 12),
            ("X0001L8", S.ONSITERETRIEVE, 13),
            ("V0001L8", S.VAULT, 14),
            ("W0001L8", S.ONSITERETRIEVE, 15),
            ("M0001L8", S.MOUNTABLE, 16),
            ("K0001L8", S.MOUNTABLE, 1),
        ],
        slots=10,
        io_slots=10,
        extra_tags={17: "ZZZ999L8", 18: "CLN001L1"},
        volume_options={
            "O0001L8": empty,
            "C0001L8": empty,
            "X0001L8": {"pct_used": 12.5, "pool": pool},
            "W0001L8": {"pct_used": 0.0, "pool": worm_pool},
        },
    )
    Volume.update(library_slot=2).where(Volume.id == site.ids["M0001L8"]).execute()
    return site


def actions(plan: ops.ImportPlan) -> dict[str | None, tuple[ops.ImportAction, str]]:
    return {i.volser: (i.action, i.reason) for i in plan.items}


def test_check_decides_every_tape_in_the_io_station(site: FakeSite) -> None:
    plan = ops.check_import(site.inventory(), now=NOW)
    got = actions(plan)
    assert [i.io_slot for i in plan.items] == list(range(11, 19))
    assert got["O0001L8"] == (A.SCRATCH, "ONSITERETRIEVE, no valid data: checked in as scratch")
    assert got["C0001L8"][0] is A.SCRATCH
    assert got["X0001L8"] == (
        A.REFUSED,
        "it still holds valid data (12.5% of it is in use): never checked in as scratch",
    )
    assert got["V0001L8"][0] is A.REFUSED and "VAULT (off site)" in got["V0001L8"][1]
    assert got["W0001L8"] == (
        A.WORM,
        "a WORM cartridge cannot be rewritten: not scratch; destroy or archive it",
    )
    assert got["M0001L8"][0] is A.RETURN_HOME
    assert got["ZZZ999L8"][0] is A.UNKNOWN
    assert got["CLN001L1"] == (
        A.UNKNOWN,
        "a cleaning cartridge, not a DRM volume: add it at the library's panel",
    )
    assert [i.volser for i in plan.to_import] == ["O0001L8", "C0001L8", "M0001L8"]
    assert plan.homes == {"M0001L8": 2}


def test_import_moves_only_the_accepted_tapes_and_records_them(site: FakeSite) -> None:
    plan = ops.check_import(site.inventory(), now=NOW)
    lines: list[str] = []
    outcome = ops.run_import(site.library, plan, lines.append)
    assert outcome.complete
    assert dict(outcome.imported) == {"O0001L8": 3, "C0001L8": 4, "M0001L8": 2}
    assert io_tags(site.state) == ["X0001L8", "V0001L8", "W0001L8", "ZZZ999L8", "CLN001L1"]
    assert lines.count("Reading the library's inventory…") == 1

    assert outcome.inventory is not None
    result = ops.record_import(plan, outcome.inventory, ALICE, now=NOW)
    assert result.kind is BatchKind.CHECKIN
    assert sorted(m.volser for m in result.moved) == ["C0001L8", "O0001L8"]
    for volser, slot in (("O0001L8", 3), ("C0001L8", 4)):
        volume = site.volume(volser)
        assert (volume.state, volume.location, volume.flag, volume.pct_used) == (
            S.MOUNTABLE,
            "LIB1",
            ops.SCRATCH_FLAG,
            0.0,
        )
        assert (volume.library_slot, volume.pool_id, volume.series_id) == (slot, None, None)
    last = history(site.ids["O0001L8"])[-1]
    assert (last.kind, last.from_state, last.to_state, last.reason) == (
        BatchKind.CHECKIN,
        S.ONSITERETRIEVE,
        S.MOUNTABLE,
        "checked in as scratch into slot 3",
    )
    assert site.volume("M0001L8").library_slot == 2
    assert site.volume("M0001L8").state is S.MOUNTABLE
    assert site.volume("W0001L8").flag == retention.WORM_FLAG
    assert site.volume("W0001L8").state is S.ONSITERETRIEVE
    assert site.volume("X0001L8").state is S.ONSITERETRIEVE
    refused = {r.volser: r.reason for r in result.refused}
    assert set(refused) == {"X0001L8", "V0001L8", "W0001L8", "ZZZ999L8", "CLN001L1"}
    assert refused["X0001L8"].startswith("it still holds valid data")
    assert Movement.select().where(Movement.batch == result.batch_id).count() == 2


def test_nothing_recorded_that_the_library_did_not_confirm(site: FakeSite) -> None:
    plan = ops.check_import(site.inventory(), now=NOW)
    result = ops.record_import(plan, site.inventory(), ALICE)  # the job never ran
    assert result.batch_id is None and not result.moved
    assert {r.volser: r.reason for r in result.refused}["O0001L8"] == (
        "not checked in: it is still in I/O slot 11"
    )
    assert site.volume("O0001L8").state is S.ONSITERETRIEVE


def test_a_fault_mid_import(site: FakeSite) -> None:
    plan = ops.check_import(site.inventory(), now=NOW)

    def progress(text: str) -> None:
        if text.startswith("Moving C0001L8"):
            site.faults(next_move_sense=[4, 0x04, 0x03])

    outcome = ops.run_import(site.library, plan, progress)
    assert isinstance(outcome.error, HardwareError)
    assert dict(outcome.imported) == {"O0001L8": 3}
    assert dict(outcome.not_imported) == {
        "C0001L8": "still in I/O slot 12",
        "M0001L8": "still in I/O slot 16",
    }
    assert outcome.inventory is not None
    result = ops.record_import(plan, outcome.inventory, ALICE)
    assert [m.volser for m in result.moved] == ["O0001L8"]
    assert site.volume("C0001L8").state is S.COURIERRETRIEVE


def test_cancel_mid_import(site: FakeSite) -> None:
    plan = ops.check_import(site.inventory(), now=NOW)
    stop = threading.Event()

    def progress(text: str) -> None:
        if text.startswith("Moving O0001L8"):
            stop.set()

    outcome = ops.run_import(site.library, plan, progress, stop)
    assert outcome.cancelled and dict(outcome.imported) == {"O0001L8": 3}
    assert slot_tags(site.state)[12] == "C0001L8"


def test_a_tape_changed_since_the_check_is_left_alone(site: FakeSite) -> None:
    plan = ops.check_import(site.inventory(), now=NOW)
    outcome = ops.run_import(site.library, plan)
    Volume.update(state=S.VAULT).where(Volume.id == site.ids["O0001L8"]).execute()
    assert outcome.inventory is not None
    result = ops.record_import(plan, outcome.inventory, ALICE)
    assert [m.volser for m in result.moved] == ["C0001L8"]
    assert {r.volser: r.reason for r in result.refused}["O0001L8"] == (
        "changed since the check; left as it is"
    )


def test_database_backup_tapes(db: DatabaseInfo, tmp_path: Path) -> None:
    old = NOW - dt.timedelta(days=100)
    _, (expired,) = make_series(SeriesKind.FULL, 1, written_at=old, states=(S.ONSITERETRIEVE,))
    _, (young,) = make_series(
        SeriesKind.FULL, 2, written_at=NOW - dt.timedelta(days=10), states=(S.ONSITERETRIEVE,)
    )
    _, (newest,) = make_series(SeriesKind.FULL, 3, written_at=NOW, states=(S.ONSITERETRIEVE,))
    Volume.update(pct_used=0.0).execute()
    site = build_site(tmp_path / "library.json", [], slots=4, io_slots=3)
    insert_io(site.state, [expired.volser, young.volser, newest.volser])
    got = actions(ops.check_import(site.inventory(), now=NOW))
    assert got[expired.volser][0] is A.SCRATCH
    assert got[young.volser] == (
        A.REFUSED,
        "it still holds valid data (its database full series 2 is younger than 60 day(s) "
        "(db_backup_expire_days)): never checked in as scratch",
    )
    assert got[newest.volser] == (
        A.REFUSED,
        "it still holds valid data (it belongs to the newest database full series (3)): never "
        "checked in as scratch",
    )


def test_an_unreadable_barcode(db: DatabaseInfo, tmp_path: Path) -> None:
    site = build_site(tmp_path / "library.json", [], slots=2, io_slots=1)
    insert_io(site.state, [None])
    plan = ops.check_import(site.inventory())
    assert [(i.action, i.name) for i in plan.items] == [(A.UNREADABLE, "the tape in I/O slot 3")]
    result = ops.record_import(plan, site.inventory(), ALICE)
    assert result.refused[0].reason.startswith("its barcode cannot be read")
