"""Eject: check, the library job, record — with the mtx backend on the fake mtx."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from drm_gui.core import library_ops as ops
from drm_gui.core.db import DatabaseInfo
from drm_gui.core.media import Actor, Refusal, history
from drm_gui.core.models import BatchKind, Movement, Volume
from drm_gui.core.states import DrmError, DrmState
from drm_gui.library.base import HardwareError, MoveNotVerifiedError, NotReadyError
from tests.fake_mtx import read_state, write_state
from tests.helpers.factories import counts, make_volume
from tests.helpers.library_site import FakeSite, build_site

S = DrmState
ALICE = Actor("alice", "ws-07")
SEVEN = [f"T{n:05d}L8" for n in range(1, 8)]


@pytest.fixture
def site(db: DatabaseInfo, tmp_path: Path) -> FakeSite:
    """Seven MOUNTABLE tapes in slots 1-7 of a library with a 3-slot I/O station."""
    return build_site(
        tmp_path / "library.json", [(v, S.MOUNTABLE, n) for n, v in enumerate(SEVEN, 1)]
    )


def plan_for(site: FakeSite, volsers: list[str], **options: object) -> ops.EjectPlan:
    target = options.pop("target", S.VAULT)
    mode = options.pop("remove_mode", ops.RemoveMode.YES)
    options.setdefault("check_label", False)
    return ops.check_eject(
        [site.ids[v] for v in volsers],
        target,
        mode,
        site.inventory(),
        **options,  # type: ignore[arg-type]
    )


def states(site: FakeSite) -> dict[str, DrmState]:
    return {v: site.volume(v).state for v in site.ids}


def test_remove_modes_parse() -> None:
    assert ops.RemoveMode.parse(" untileefull ") is ops.RemoveMode.UNTILEEFULL
    with pytest.raises(DrmError, match="use one of yes, untileefull, no"):
        ops.RemoveMode.parse("maybe")


# -- check ----------------------------------------------------------------------------------------


def test_check_decides_each_tape(db: DatabaseInfo, tmp_path: Path) -> None:
    site = build_site(
        tmp_path / "library.json",
        [
            ("M0001L8", S.MOUNTABLE, 5),
            ("M0002L8", S.MOUNTABLE, 2),
            ("M0003L8", S.MOUNTABLE, None),  # not in the library
            ("M0004L8", S.MOUNTABLE, 13),  # waits in the I/O station already
            ("E0001L8", S.MOUNTABLE, 3),  # empty
            ("N0001L8", S.NOTMOUNTABLE, None),
            ("V0001L8", S.VAULT, None),
        ],
        loaded={0: ("D0001L8", 4)},
        volume_options={"E0001L8": {"pct_used": 0.0}},
    )
    site.ids["D0001L8"] = make_volume("D0001L8", S.MOUNTABLE).id
    plan = plan_for(site, list(site.ids))
    assert [t.volser for t in plan.eject] == ["M0004L8", "M0002L8", "E0001L8", "M0001L8", "D0001L8"]
    assert [t.element for t in plan.eject] == [
        "I/O slot 13",
        "Slot 2",
        "Slot 3",
        "Slot 5",
        "Drive 0",
    ]
    assert [t.volser for t in plan.records_only] == ["N0001L8"]
    assert {r.volser: r.reason for r in plan.refused} == {
        "M0003L8": "MOUNTABLE, but the library does not hold it",
        "V0001L8": "VAULT → VAULT: the tape is already VAULT",
    }
    assert [(d.kind, d.volser) for d in plan.discrepancies] == [
        (ops.DiscrepancyKind.MISSING_FROM_LIBRARY, "M0003L8")
    ]
    assert "E0001L8 is empty: sent to VAULT, it will come straight back (VAULTRETRIEVE)" in (
        plan.warnings
    )
    assert "D0001L8 is in drive 0: the library will unload it" in plan.warnings
    assert any("runs in rounds" in w for w in plan.warnings)
    assert (plan.free_io_slots, plan.io_capacity, plan.rounds) == (2, 3, 2)
    assert plan.needs_robot and not plan.check_label


def test_check_label_follows_the_setting(site: FakeSite) -> None:
    ids = [site.ids[SEVEN[0]]]
    assert ops.check_eject(ids, S.VAULT, ops.RemoveMode.YES, site.inventory()).check_label
    assert not ops.check_eject(ids, S.VAULT, ops.RemoveMode.NO, None, check_label=True).check_label


def test_robot_needed(site: FakeSite) -> None:
    ids = list(site.ids.values())
    assert ops.robot_needed(ids, ops.RemoveMode.YES)
    assert not ops.robot_needed(ids, ops.RemoveMode.NO)


def test_scratch_tapes_are_not_drm_media(site: FakeSite) -> None:
    Volume.update(flag=ops.SCRATCH_FLAG).where(Volume.id == site.ids[SEVEN[0]]).execute()
    plan = plan_for(site, SEVEN[:1])
    assert plan.refused[0].reason.startswith("a scratch tape")


def test_a_library_without_io_station(db: DatabaseInfo, tmp_path: Path) -> None:
    site = build_site(tmp_path / "library.json", [("M0001L8", S.MOUNTABLE, 1)], io_slots=0)
    plan = plan_for(site, ["M0001L8"])
    assert "reports no I/O station" in plan.refused[0].reason and not plan.eject


# -- the job and the record -------------------------------------------------------------------


def test_seven_tapes_through_a_three_slot_station_take_three_rounds(site: FakeSite) -> None:
    plan = plan_for(site, SEVEN)
    asked: list[int] = []
    emptied: list[list[str | None]] = []

    def operator(waiting: int) -> bool:
        asked.append(waiting)
        emptied.append(site.take_io_station())
        return True

    lines: list[str] = []
    outcome = ops.run_eject(site.library, plan, lines.append, None, operator)
    assert outcome.complete and outcome.rounds == 3
    assert asked == [3, 3]
    assert emptied == [SEVEN[:3], SEVEN[3:6]]
    assert list(outcome.ejected) == SEVEN
    assert sum(1 for line in lines if line.startswith("Moving")) == 7

    result = ops.record_eject(plan, outcome, ALICE, "IRON MOUNTAIN")
    assert result.ok and result.kind is BatchKind.MOVE
    assert sorted(m.volser for m in result.moved) == SEVEN
    for volser in SEVEN:
        volume = site.volume(volser)
        assert (volume.state, volume.location, volume.library_slot) == (
            S.VAULT,
            "IRON MOUNTAIN",
            None,
        )
    rows = Movement.select().where(Movement.batch == result.batch_id)
    assert {m.reason for m in rows} == {"ejected to the I/O station (REMOVE=YES)"}
    assert counts() == (1, 7)


def test_cancel_after_round_one_records_exactly_the_tapes_that_left(site: FakeSite) -> None:
    plan = plan_for(site, SEVEN)
    stop = threading.Event()

    def operator(waiting: int) -> bool:
        site.take_io_station()
        stop.set()  # the operator presses Stop instead of Continue... after emptying
        return True

    outcome = ops.run_eject(site.library, plan, None, stop, operator)
    assert outcome.cancelled and outcome.rounds == 1
    assert list(outcome.ejected) == SEVEN[:3]
    assert [v for v, _ in outcome.not_ejected] == SEVEN[3:]
    result = ops.record_eject(plan, outcome, ALICE)
    assert sorted(m.volser for m in result.moved) == SEVEN[:3]
    assert {r.volser for r in result.refused} == set(SEVEN[3:])
    assert all("cancelled" in r.reason for r in result.refused)
    assert states(site) == {v: S.VAULT if v in SEVEN[:3] else S.MOUNTABLE for v in SEVEN}
    assert site.volume(SEVEN[3]).library_slot == 4  # still at home


def test_cancel_in_the_middle_of_a_round(site: FakeSite) -> None:
    plan = plan_for(site, SEVEN[:3])
    stop = threading.Event()

    def progress(text: str) -> None:
        if text.startswith(f"Moving {SEVEN[1]}"):
            stop.set()  # while the second tape moves: it finishes, the third stays

    outcome = ops.run_eject(site.library, plan, progress, stop)
    assert outcome.cancelled and list(outcome.ejected) == SEVEN[:2]
    ops.record_eject(plan, outcome, ALICE)
    assert states(site)[SEVEN[2]] is S.MOUNTABLE


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ({"next_move_sense": [4, 0x04, 0x03]}, HardwareError),
        ({"lie_on_move": 1}, MoveNotVerifiedError),
    ],
)
def test_a_fault_mid_round_records_only_what_the_inventory_confirms(
    fault: dict[str, object], kind: type, site: FakeSite
) -> None:
    plan = plan_for(site, SEVEN[:3])

    def progress(text: str) -> None:
        if text.startswith(f"Moving {SEVEN[1]}"):
            site.faults(**fault)  # the second move of the round goes wrong

    outcome = ops.run_eject(site.library, plan, progress)
    assert isinstance(outcome.error, kind)
    assert list(outcome.ejected) == SEVEN[:1]
    result = ops.record_eject(plan, outcome, ALICE)
    assert [m.volser for m in result.moved] == SEVEN[:1]
    assert {r.volser for r in result.refused} == set(SEVEN[1:3])
    assert all("the eject stopped" in r.reason for r in result.refused)
    assert states(site) == {v: S.VAULT if v == SEVEN[0] else S.MOUNTABLE for v in SEVEN}


def test_untileefull_leaves_the_rest_mountable(site: FakeSite) -> None:
    plan = plan_for(site, SEVEN, remove_mode=ops.RemoveMode.UNTILEEFULL)
    assert [t.volser for t in plan.eject] == SEVEN[:3]
    assert [t.volser for t in plan.next_round] == SEVEN[3:]

    def operator(waiting: int) -> bool:  # pragma: no cover - must not be asked
        raise AssertionError("UNTILEEFULL never waits for the operator")

    outcome = ops.run_eject(site.library, plan, None, None, operator)
    assert list(outcome.ejected) == SEVEN[:3] and outcome.rounds == 1
    result = ops.record_eject(plan, outcome, ALICE)
    assert sorted(m.volser for m in result.moved) == SEVEN[:3]
    assert {r.volser: r.reason for r in result.refused} == dict.fromkeys(
        SEVEN[3:], "left MOUNTABLE for the next round: the I/O station is full"
    )
    assert [v for v, s in states(site).items() if s is S.MOUNTABLE] == SEVEN[3:]


def test_remove_no_records_without_the_robot(site: FakeSite) -> None:
    ids = [site.ids[v] for v in SEVEN]
    plan = ops.check_eject(ids, S.COURIER, ops.RemoveMode.NO, site.inventory())
    assert not plan.needs_robot and len(plan.records_only) == 7
    before = site.commands()
    outcome = ops.run_eject(site.library, plan)
    assert site.commands() == before  # the library was not asked anything
    result = ops.record_eject(plan, outcome, ALICE, reason="manual pull")
    assert result.ok and len(result.moved) == 7
    assert (
        history(site.ids[SEVEN[0]])[-1].reason
        == "REMOVE=NO: left in Slot 1 for manual removal: manual pull"
    )
    assert site.volume(SEVEN[0]).library_slot is None
    nothing = ops.check_eject(ids, S.VAULT, ops.RemoveMode.NO)  # no inventory needed
    assert nothing.records_only and not nothing.refused


def test_tapes_out_of_mountable_need_no_robot(db: DatabaseInfo, tmp_path: Path) -> None:
    site = build_site(
        tmp_path / "library.json",
        [("M0001L8", S.MOUNTABLE, 1), ("N0001L8", S.NOTMOUNTABLE, None)],
    )
    plan = plan_for(site, ["M0001L8", "N0001L8"], target=S.COURIER)
    outcome = ops.run_eject(site.library, plan)
    result = ops.record_eject(plan, outcome, ALICE)
    assert result.ok
    reasons = {
        m.volser: m.reason for m in Movement.select().where(Movement.batch == result.batch_id)
    }
    assert reasons == {
        "M0001L8": "ejected to the I/O station (REMOVE=YES)",
        "N0001L8": "no robot needed (was NOTMOUNTABLE)",
    }


def test_an_offline_library_changes_nothing(site: FakeSite) -> None:
    site.faults(offline=True)
    with pytest.raises(NotReadyError, match="offline") as caught:
        site.inventory()
    assert "Set it online" in caught.value.message
    assert counts() == (0, 0)


def test_a_library_that_goes_offline_after_the_check(site: FakeSite) -> None:
    plan = plan_for(site, SEVEN[:2])
    site.faults(offline=True)
    outcome = ops.run_eject(site.library, plan)
    assert isinstance(outcome.error, NotReadyError) and outcome.ejected == ()
    result = ops.record_eject(plan, outcome, ALICE)
    assert result.batch_id is None and not result.moved and len(result.refused) == 2
    assert "offline" in result.refused[0].reason
    assert counts() == (0, 0) and set(states(site).values()) == {S.MOUNTABLE}


def test_the_operator_may_stop_between_rounds(site: FakeSite) -> None:
    plan = plan_for(site, SEVEN)
    run = ops.EjectRun(plan)
    assert run.next_round(site.library) is ops.EjectStep.NEEDS_OPERATOR
    assert run.io_waiting == 3
    # Continue without emptying: the station is still full, so it asks again, moving nothing
    assert run.next_round(site.library) is ops.EjectStep.NEEDS_OPERATOR
    run.stop()
    assert run.next_round(site.library) is ops.EjectStep.DONE
    outcome = run.outcome()
    assert outcome.stopped and list(outcome.ejected) == SEVEN[:3] and outcome.rounds == 1
    assert "stopped before its round" in dict(outcome.not_ejected)[SEVEN[3]]


def test_without_an_operator_the_job_stops_after_the_first_full_round(site: FakeSite) -> None:
    outcome = ops.run_eject(site.library, plan_for(site, SEVEN))
    assert outcome.stopped and len(outcome.ejected) == 3


def test_a_tape_taken_out_by_hand_is_not_recorded(site: FakeSite) -> None:
    plan = plan_for(site, SEVEN[:2])
    state = read_state(site.state)
    state["slots"][1]["tape"] = None  # someone opened the door and took T00002L8
    write_state(site.state, state)
    outcome = ops.run_eject(site.library, plan)
    assert list(outcome.ejected) == SEVEN[:1]
    assert "without being seen in the I/O station" in dict(outcome.not_ejected)[SEVEN[1]]


def test_labels_are_checked_before_the_eject(db: DatabaseInfo, tmp_path: Path) -> None:
    site = build_site(
        tmp_path / "library.json",
        [(v, S.MOUNTABLE, n) for n, v in enumerate(SEVEN[:3], 1)],
        labels={SEVEN[1]: {"format": "bareos", "name": "SOMEONE-ELSE"}},
    )
    plan = plan_for(site, SEVEN[:3], check_label=True)
    outcome = ops.run_eject(site.library, plan)
    assert list(outcome.ejected) == [SEVEN[0], SEVEN[2]]
    assert dict(outcome.not_ejected)[SEVEN[1]] == (
        f"not ejected: {SEVEN[1]}: the tape is labelled 'SOMEONE-ELSE', not {SEVEN[1]}"
    )
    result = ops.record_eject(plan, outcome, ALICE)
    assert Refusal(site.ids[SEVEN[1]], SEVEN[1], dict(outcome.not_ejected)[SEVEN[1]]) in (
        result.refused
    )
    assert states(site)[SEVEN[1]] is S.MOUNTABLE
