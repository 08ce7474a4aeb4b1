"""Where the records and the library disagree: found, resolved, logged (fake mtx)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drm_gui.core import library_ops as ops
from drm_gui.core.db import DatabaseInfo
from drm_gui.core.media import Actor, history
from drm_gui.core.models import BatchKind, MoveBatch, Movement, Volume
from drm_gui.core.states import DrmError, DrmState
from tests.helpers.factories import NOW, counts, make_volume
from tests.helpers.library_site import FakeSite, build_site

S = DrmState
K = ops.DiscrepancyKind
R = ops.Resolution
ALICE = Actor("alice", "ws-07")


@pytest.fixture
def site(db: DatabaseInfo, tmp_path: Path) -> FakeSite:
    site = build_site(
        tmp_path / "library.json",
        [
            ("M0001L8", S.MOUNTABLE, 1),  # as it should be
            ("M0002L8", S.MOUNTABLE, None),  # missing from the library
            ("M0003L8", S.MOUNTABLE, 11),  # waiting in the I/O station
            ("V0001L8", S.VAULT, 3),  # off site in the records, in slot 3
            ("R0001L8", S.COURIERRETRIEVE, 12),  # back, waiting for its check-in: fine
            ("N0001L8", S.NOTMOUNTABLE, None),  # on the shelf: fine
        ],
        slots=10,
        io_slots=2,
        extra_tags={5: "U0001L8", 6: "CLN001L1"},
        loaded={0: ("C0001L8", 4)},
    )
    site.ids["C0001L8"] = make_volume("C0001L8", S.COURIER, location="COURIER").id
    return site


def found(site: FakeSite) -> dict[str, ops.Discrepancy]:
    return {d.volser: d for d in ops.find_discrepancies(site.inventory())}


def test_every_kind_is_found(site: FakeSite) -> None:
    listed = ops.find_discrepancies(site.inventory())
    assert [(d.kind, d.volser) for d in listed] == [
        (K.OFF_SITE_IN_LIBRARY, "C0001L8"),
        (K.OFF_SITE_IN_LIBRARY, "V0001L8"),
        (K.MISSING_FROM_LIBRARY, "M0002L8"),
        (K.IN_IO_STATION, "M0003L8"),
        (K.UNKNOWN_TAG, "U0001L8"),
    ]
    by = {d.volser: d for d in listed}
    assert by["V0001L8"].description == (
        "V0001L8 is VAULT in the records (VAULT), but the library holds it in Slot 3. Record "
        "it as MOUNTABLE if it never left, or eject it."
    )
    assert (by["V0001L8"].element, by["V0001L8"].slot) == ("Slot 3", 3)
    assert (by["C0001L8"].element, by["C0001L8"].slot) == ("Drive 0", 4)  # its home slot
    assert by["V0001L8"].resolutions == (R.MARK_MOUNTABLE, R.IGNORE)
    assert by["M0002L8"].resolutions == (
        R.MARK_NOTMOUNTABLE,
        R.MARK_COURIER,
        R.MARK_VAULT,
        R.IGNORE,
    )
    assert by["M0003L8"].element == "I/O slot 11"
    assert by["U0001L8"].resolutions == (R.IGNORE,) and by["U0001L8"].volume_id is None


def test_mark_mountable(site: FakeSite) -> None:
    d = found(site)["V0001L8"]
    result = ops.resolve(d, R.MARK_MOUNTABLE, ALICE, reason="never shipped", now=NOW)
    assert result.kind is BatchKind.CORRECTION and not result.refused
    volume = site.volume("V0001L8")
    assert (volume.state, volume.location, volume.library_slot) == (S.MOUNTABLE, "LIB1", 3)
    last = history(volume.id)[-1]
    assert (last.kind, last.from_state, last.to_state, last.os_user) == (
        BatchKind.CORRECTION,
        S.VAULT,
        S.MOUNTABLE,
        "alice",
    )
    assert last.reason == (
        "discrepancy (off site in the records, in the library): record it as mountable: "
        "never shipped"
    )
    assert "V0001L8" not in found(site)
    ops.resolve(found(site)["C0001L8"], R.MARK_MOUNTABLE, ALICE)
    assert site.volume("C0001L8").library_slot == 4


def test_record_where_a_missing_tape_went(site: FakeSite) -> None:
    Volume.update(library_slot=7).where(Volume.id == site.ids["M0002L8"]).execute()
    ops.resolve(found(site)["M0002L8"], R.MARK_VAULT, ALICE)
    volume = site.volume("M0002L8")
    assert (volume.state, volume.location, volume.library_slot) == (S.VAULT, "VAULT", None)
    assert history(volume.id)[-1].kind is BatchKind.CORRECTION


def test_ignore_logs_a_note(site: FakeSite) -> None:
    before = counts()
    result = ops.resolve(found(site)["U0001L8"], R.IGNORE, ALICE)
    batch = MoveBatch.get_by_id(result.batch_id)
    assert batch.kind is BatchKind.CORRECTION
    assert batch.reason == "discrepancy (unknown barcode): ignore (log a note) (U0001L8)"
    assert counts() == (before[0] + 1, before[1])  # no movement: no such volume

    result = ops.resolve(found(site)["M0003L8"], R.IGNORE, ALICE)
    row = Movement.get(Movement.batch == result.batch_id)
    assert (row.from_state, row.to_state, row.from_location, row.to_location) == (
        S.MOUNTABLE,
        S.MOUNTABLE,
        "LIB1",
        "LIB1",
    )
    assert site.volume("M0003L8").state is S.MOUNTABLE
    assert "M0003L8" in found(site)  # ignoring does not make it true


def test_only_the_offered_resolutions(site: FakeSite) -> None:
    with pytest.raises(DrmError, match="does not settle this discrepancy"):
        ops.resolve(found(site)["V0001L8"], R.MARK_COURIER, ALICE)
    with pytest.raises(DrmError, match="unknown resolution"):
        R.parse("burn it")
    assert R.parse("MARK_VAULT") is R.MARK_VAULT and R.parse("ignore") is R.IGNORE


def test_a_volume_changed_since_is_left_alone(site: FakeSite) -> None:
    d = found(site)["V0001L8"]
    Volume.update(state=S.VAULTRETRIEVE).where(Volume.id == site.ids["V0001L8"]).execute()
    result = ops.resolve(d, R.MARK_MOUNTABLE, ALICE)
    assert result.batch_id is None and "changed since the check" in result.refused[0].reason
    assert site.volume("V0001L8").state is S.VAULTRETRIEVE


def test_update_slots(site: FakeSite) -> None:
    Volume.update(library_slot=9).where(Volume.id == site.ids["M0001L8"]).execute()
    assert ops.update_slots(site.inventory()) == 1
    assert site.volume("M0001L8").library_slot == 1
    assert site.volume("M0003L8").library_slot is None  # in the I/O station: unchanged
    assert ops.update_slots(site.inventory()) == 0


def test_what_a_simulated_library_is_filled_with(site: FakeSite) -> None:
    make_volume("O0001L8", S.ONSITERETRIEVE)
    assert ops.library_contents() == {"M0001L8": 1, "M0002L8": None, "M0003L8": None}
    assert ops.returned_volsers(5) == ["O0001L8"]
