"""Reconciling the vault's list with the records: every way they can disagree, each
resolution logged, a missing tape tracked until found, and the schema 3 -> 4 upgrade."""

from __future__ import annotations

import pytest

from drm_gui.core import db as db_mod
from drm_gui.core.db import DatabaseInfo, close_database, make_database, open_database
from drm_gui.core.media import Actor, move_volumes
from drm_gui.core.models import (
    MODELS,
    RECONCILE_MODELS,
    BatchKind,
    MissingTape,
    MoveBatch,
    Movement,
    SchemaVersion,
    Volume,
    database,
)
from drm_gui.core.reconcile import (
    DifferenceKind,
    Reconciliation,
    Resolution,
    mark_found,
    missing_tapes,
    reconcile,
    record_found,
    resolve,
)
from drm_gui.core.states import DrmError, DrmState
from drm_gui.core.vault_list import VaultListError, read_volser_list
from tests.helpers.factories import NOW, counts, make_volume, state_of

ACTOR = Actor("operator", "ws1")


def listing(*volsers: str) -> str:
    return "# the vault's list\n" + "\n".join(volsers) + "\n"


def site() -> dict[str, Volume]:
    """One tape in every state that matters, plus a second vaulted one."""
    tapes = {
        "V1": make_volume("V1", DrmState.VAULT, location="IRON MOUNTAIN"),
        "V2": make_volume("V2", DrmState.VAULT, location="IRON MOUNTAIN"),
        "R1": make_volume("R1", DrmState.VAULTRETRIEVE, location="IRON MOUNTAIN"),
        "C1": make_volume("C1", DrmState.COURIER, location="COURIER"),
        "N1": make_volume("N1", DrmState.NOTMOUNTABLE, location="NOTMOUNTABLE"),
        "CR": make_volume("CR", DrmState.COURIERRETRIEVE, location="COURIER"),
        "OR": make_volume("OR", DrmState.ONSITERETRIEVE, location="ONSITE"),
        "M1": make_volume("M1", DrmState.MOUNTABLE),
    }
    return tapes


def compare(*volsers: str) -> Reconciliation:
    return reconcile(read_volser_list(listing(*volsers), source="vault.txt"))


def by_volser(rec: Reconciliation) -> dict[str, tuple[DifferenceKind, tuple[Resolution, ...]]]:
    return {d.volser: (d.kind, d.resolutions) for d in rec.differences}


def test_lists_that_agree(db: DatabaseInfo) -> None:
    site()
    rec = compare("V1", "V2", "R1")
    assert rec.ok and rec.agreed == 3 and rec.listed == 3 and rec.found == ()


def test_lists_that_disagree_in_every_way(db: DatabaseInfo) -> None:
    site()
    rec = compare("V1", "R1", "C1", "N1", "CR", "OR", "M1", "ZZ9")
    assert by_volser(rec) == {
        "C1": (DifferenceKind.AT_VAULT_NOT_VAULT, (Resolution.MOVE, Resolution.IGNORE)),
        "N1": (DifferenceKind.AT_VAULT_NOT_VAULT, (Resolution.MOVE, Resolution.IGNORE)),
        "M1": (DifferenceKind.AT_VAULT_NOT_VAULT, (Resolution.MOVE, Resolution.IGNORE)),
        "CR": (DifferenceKind.AT_VAULT_NOT_VAULT, (Resolution.CORRECT, Resolution.IGNORE)),
        "OR": (DifferenceKind.AT_VAULT_NOT_VAULT, (Resolution.CORRECT, Resolution.IGNORE)),
        "V2": (DifferenceKind.VAULT_NOT_LISTED, (Resolution.MARK_MISSING, Resolution.IGNORE)),
        "ZZ9": (DifferenceKind.UNKNOWN, (Resolution.IGNORE,)),
    }
    assert [d.kind for d in rec.differences] == sorted(
        (d.kind for d in rec.differences), key=list(DifferenceKind).index
    )
    diff = {d.volser: d for d in rec.differences}
    assert diff["C1"].state is DrmState.COURIER and diff["C1"].line == 4
    assert diff["CR"].correction_target is DrmState.VAULTRETRIEVE
    assert "COURIERRETRIEVE → VAULT" in diff["CR"].note
    assert diff["ZZ9"].description.startswith("ZZ9 (line 9): not in the records")
    assert rec.agreed == 2 and not rec.ok
    assert counts() == (0, 0)  # comparing writes nothing


def test_a_list_with_bad_lines_is_refused_unless_accepted(db: DatabaseInfo) -> None:
    site()
    vault = read_volser_list("V1\nV 2\nV2\nR1\n")
    with pytest.raises(VaultListError, match="line 2"):
        reconcile(vault)
    rec = reconcile(vault, accept_valid=True)
    assert rec.ok and [str(e) for e in rec.skipped] == [str(vault.errors[0])]


def test_move_resolution_follows_the_rules_and_is_logged(db: DatabaseInfo) -> None:
    tapes = site()
    diff = {d.volser: d for d in compare("V1", "V2", "R1", "C1").differences}["C1"]
    result = resolve(diff, Resolution.MOVE, ACTOR, now=NOW)
    assert result.ok and result.kind is BatchKind.MOVE
    assert state_of(tapes["C1"].id)[0] is DrmState.VAULT
    movement = Movement.get(Movement.volume == tapes["C1"].id)
    assert movement.reason.startswith("vault reconciliation (at the vault")
    assert movement.os_user == "operator"
    # Settled: the same difference again is refused, nothing changes.
    again = resolve(diff, Resolution.MOVE, ACTOR, now=NOW)
    assert not again.ok and "changed since the comparison" in again.refused[0].reason
    assert compare("V1", "V2", "R1", "C1").ok


def test_correction_where_the_rules_forbid_a_move(db: DatabaseInfo) -> None:
    tapes = site()
    diffs = {d.volser: d for d in compare("V1", "V2", "R1", "CR", "OR").differences}
    result = resolve(diffs["OR"], Resolution.CORRECT, ACTOR, reason="seen on shelf 3", now=NOW)
    assert result.ok and result.kind is BatchKind.CORRECTION
    assert state_of(tapes["OR"].id) == (DrmState.VAULTRETRIEVE, "VAULT")
    batch = MoveBatch.get_by_id(result.batch_id)
    assert batch.kind is BatchKind.CORRECTION and batch.reason.endswith("seen on shelf 3")
    with pytest.raises(DrmError, match="does not settle"):
        resolve(diffs["CR"], Resolution.MOVE, ACTOR)


def test_ignore_is_logged_without_changing_anything(db: DatabaseInfo) -> None:
    tapes = site()
    diffs = {d.volser: d for d in compare("V1", "V2", "R1", "M1", "ZZ9").differences}
    resolve(diffs["M1"], Resolution.IGNORE, ACTOR, now=NOW)
    resolve(diffs["ZZ9"], Resolution.IGNORE, ACTOR, now=NOW)
    assert state_of(tapes["M1"].id) == (DrmState.MOUNTABLE, "LIB1")
    reasons = [b.reason for b in MoveBatch.select().order_by(MoveBatch.id)]
    assert reasons[0].endswith(": ignore")
    assert reasons[1].endswith("(ZZ9)")
    assert counts() == (2, 1)  # a movement row for the known tape only


def test_a_missing_tape_is_tracked_until_the_vault_lists_it_again(db: DatabaseInfo) -> None:
    tapes = site()
    diff = {d.volser: d for d in compare("V1", "R1").differences}["V2"]
    resolve(diff, Resolution.MARK_MISSING, ACTOR, now=NOW)
    assert [m.volser for m in missing_tapes()] == ["V2"]
    assert state_of(tapes["V2"].id)[0] is DrmState.VAULT  # the records keep its state
    # Next comparison: still missing, tracked, not offered for marking again.
    again = {d.volser: d for d in compare("V1", "R1").differences}["V2"]
    assert again.resolutions == (Resolution.IGNORE,)
    assert again.note == "marked missing since 2024-06-15 12:00 UTC"
    # The vault lists it again: found.
    rec = compare("V1", "V2", "R1")
    assert rec.ok and rec.found == ("V2",)
    assert record_found(rec, ACTOR, now=NOW) == ["V2"]
    assert missing_tapes() == []
    [row] = missing_tapes(include_found=True)
    assert row.found_at == NOW and "listed by the vault again (vault.txt)" in row.found_how
    assert record_found(rec, ACTOR) == []  # nothing left to find


def test_a_missing_tape_is_found_by_a_scan_or_a_move(db: DatabaseInfo) -> None:
    tapes = site()
    rec = compare("R1")
    diffs = {d.volser: d for d in rec.differences}
    resolve(diffs["V1"], Resolution.MARK_MISSING, ACTOR, now=NOW)
    resolve(diffs["V2"], Resolution.MARK_MISSING, ACTOR, now=NOW)
    assert mark_found([tapes["V1"].id], "scanned at the vault", ACTOR) == ["V1"]
    assert [m.volser for m in missing_tapes()] == ["V2"]
    # A recalled tape that moves on is found too (it was in hand).
    Volume.update(state=DrmState.VAULTRETRIEVE).where(Volume.id == tapes["V2"].id).execute()
    assert move_volumes([tapes["V2"].id], DrmState.COURIERRETRIEVE, actor=ACTOR).ok
    assert missing_tapes() == []
    found = MissingTape.get(MissingTape.volser == "V2")
    assert found.found_how.startswith("moved (move ")


def test_a_schema_3_database_gains_the_missing_table(db_url: str) -> None:
    raw, _ = make_database(db_url)
    raw.connect()
    database.initialize(raw)
    raw.create_tables([m for m in MODELS if m not in RECONCILE_MODELS])
    SchemaVersion.create(version=3)
    raw.close()
    open_database(db_url)
    try:
        assert [r.version for r in SchemaVersion.select()] == [db_mod.SCHEMA_VERSION]
        assert MissingTape._meta.table_name in database.get_tables()
        make_volume("V9", DrmState.VAULT)
        diff = {d.volser: d for d in compare("V8").differences}["V9"]
        resolve(diff, Resolution.MARK_MISSING, ACTOR)
        assert [m.volser for m in missing_tapes()] == ["V9"]
    finally:
        close_database()
