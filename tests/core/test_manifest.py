"""Courier manifests, the data: which tapes go on each, totals, the hash, numbering, and the
schema upgrade that adds the tables. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from drm_gui.core import db as db_mod
from drm_gui.core.db import DatabaseInfo, close_database, make_database, open_database
from drm_gui.core.manifest import (
    ManifestError,
    PoolKindTotal,
    create_manifest,
    get_manifest,
    list_manifests,
    manifest_hash,
    moved_to_courier_today,
)
from drm_gui.core.media import Actor, move_volumes, set_setting
from drm_gui.core.models import (
    MANIFEST_MODELS,
    MODELS,
    Manifest,
    ManifestDirection,
    ManifestTape,
    SchemaVersion,
    Setting,
    database,
)
from drm_gui.core.states import DrmState, VolumeKind
from tests.helpers.factories import NOW, make_pool, make_volume

OUT = ManifestDirection.OUT
IN = ManifestDirection.IN
ACTOR = Actor("alice", "ws-07")


def site() -> dict[str, int]:
    """Two pools, tapes in every state that matters, by volser -> id."""
    copy = make_pool("COPYPOOL")
    offsite = make_pool("OFFSITE")
    volumes = [
        make_volume("A00001L8", DrmState.COURIER, pool=copy, location="COURIER"),
        make_volume("A00002L8", DrmState.COURIER, pool=offsite, location="COURIER"),
        make_volume("D00001L8", DrmState.COURIER, kind=VolumeKind.DB_BACKUP, location="COURIER"),
        make_volume("A00003L8", DrmState.MOUNTABLE, pool=copy, location="LIB1"),
        make_volume("A00004L8", DrmState.VAULT, pool=copy, location="IRON MOUNTAIN"),
        make_volume("R00001L8", DrmState.VAULTRETRIEVE, pool=copy, location="IRON MOUNTAIN"),
        make_volume("R00002L8", DrmState.COURIERRETRIEVE, pool=copy, location="COURIER"),
        make_volume("R00003L8", DrmState.ONSITERETRIEVE, pool=copy, location="ONSITE"),
    ]
    return {v.volser: v.id for v in volumes}


def test_out_defaults_to_every_tape_in_courier(db: DatabaseInfo) -> None:
    set_setting("vault_name", "IRON MOUNTAIN")
    set_setting("courier_name", "SAFE TRANSIT")
    site()
    info = create_manifest(OUT, actor=ACTOR, now=NOW)
    assert info.number == 1 and info.direction is OUT
    assert info.volsers == ("A00001L8", "A00002L8", "D00001L8")
    assert info.courier == "SAFE TRANSIT" and info.vault == "IRON MOUNTAIN"
    assert (info.os_user, info.workstation, info.created_at) == ("alice", "ws-07", NOW)
    assert {t.to_location for t in info.tapes} == {"IRON MOUNTAIN"}
    assert info.tapes[2].kind is VolumeKind.DB_BACKUP and info.tapes[2].pool == ""
    assert info.hash_ok
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.number = 2  # type: ignore[misc]


def test_in_defaults_to_the_recalled_tapes(db: DatabaseInfo) -> None:
    site()
    info = create_manifest(IN, actor=ACTOR, now=NOW, courier="Night run")
    assert info.volsers == ("R00001L8", "R00002L8")
    assert info.courier == "Night run"
    assert [(t.from_location, t.to_location) for t in info.tapes] == [
        ("IRON MOUNTAIN", "ONSITE"),
        ("COURIER", "ONSITE"),  # no movement log: where the record says it is
    ]


def test_from_location_is_where_the_tape_was_before_transit(db: DatabaseInfo) -> None:
    ids = site()
    move_volumes([ids["A00003L8"]], DrmState.COURIER, actor=ACTOR, now=NOW)
    info = create_manifest(OUT, [ids["A00003L8"]], actor=ACTOR, now=NOW)
    assert [(t.volser, t.from_location) for t in info.tapes] == [("A00003L8", "LIB1")]


def test_explicit_volumes_and_a_container(db: DatabaseInfo) -> None:
    ids = site()
    chosen = [ids["A00003L8"], ids["A00001L8"], ids["A00001L8"]]  # a duplicate: once
    info = create_manifest(OUT, chosen, container="CASE-17", actor=ACTOR, now=NOW)
    assert info.volsers == ("A00001L8", "A00003L8")  # sorted by volser
    assert {t.container for t in info.tapes} == {"CASE-17"}
    assert info.tapes[1].from_location == "LIB1"  # still on site: its location


@pytest.mark.parametrize(
    ("direction", "volser", "state"),
    [(OUT, "A00004L8", "VAULT"), (OUT, "R00001L8", "VAULTRETRIEVE"), (IN, "A00001L8", "COURIER")],
)
def test_a_tape_in_the_wrong_state_refuses_the_whole_manifest(
    db: DatabaseInfo, direction: ManifestDirection, volser: str, state: str
) -> None:
    ids = site()
    ok = ids["A00001L8"] if direction is OUT else ids["R00001L8"]
    with pytest.raises(ManifestError, match=f"{volser} \\({state}\\)"):
        create_manifest(direction, [ok, ids[volser]], actor=ACTOR, now=NOW)
    assert Manifest.select().count() == 0 and ManifestTape.select().count() == 0


def test_an_empty_manifest_is_refused(db: DatabaseInfo) -> None:
    with pytest.raises(ManifestError, match="no tape is in COURIER"):
        create_manifest(OUT, actor=ACTOR, now=NOW)
    with pytest.raises(ManifestError, match="VAULTRETRIEVE or COURIERRETRIEVE"):
        create_manifest(IN, actor=ACTOR, now=NOW)
    with pytest.raises(ManifestError, match="no tapes given"):
        create_manifest(OUT, [], actor=ACTOR, now=NOW)
    with pytest.raises(ManifestError, match="no longer exist"):
        create_manifest(OUT, [12345], actor=ACTOR, now=NOW)
    assert Manifest.select().count() == 0


def test_totals_per_pool_and_kind(db: DatabaseInfo) -> None:
    ids = site()
    info = create_manifest(
        OUT, [ids[v] for v in ("A00001L8", "A00002L8", "A00003L8", "D00001L8")], actor=ACTOR
    )
    assert info.totals == (
        PoolKindTotal("", VolumeKind.DB_BACKUP, 1),
        PoolKindTotal("COPYPOOL", VolumeKind.COPY_POOL, 2),
        PoolKindTotal("OFFSITE", VolumeKind.COPY_POOL, 1),
    )
    assert sum(t.count for t in info.totals) == len(info.tapes) == 4


def test_hash_is_stable_and_changes_with_the_list() -> None:
    one = manifest_hash(5, OUT, ["B00002L8", "A00001L8"])
    assert one == manifest_hash(5, OUT, ["a00001l8", "B00002L8"])  # order and case
    assert len(one) == 64 and int(one, 16) >= 0
    assert one != manifest_hash(5, OUT, ["A00001L8"])
    assert one != manifest_hash(5, OUT, ["A00001L8", "B00002L8", "C00003L8"])
    assert one != manifest_hash(6, OUT, ["A00001L8", "B00002L8"])
    assert one != manifest_hash(5, IN, ["A00001L8", "B00002L8"])


def test_numbering_reading_back_and_listing(db: DatabaseInfo) -> None:
    ids = site()
    first = create_manifest(OUT, actor=ACTOR, now=NOW)
    second = create_manifest(IN, actor=ACTOR, now=NOW + dt.timedelta(hours=1))
    third = create_manifest(OUT, [ids["A00003L8"]], actor=ACTOR, now=NOW)
    assert (first.number, second.number, third.number) == (1, 2, 3)
    assert get_manifest(1) == first and get_manifest(2) == second
    assert get_manifest(1).hash_ok
    assert first.sha256 == manifest_hash(1, OUT, first.volsers)
    # The same tapes on another number: another hash.
    assert create_manifest(OUT, actor=ACTOR, now=NOW).sha256 != first.sha256
    listed = list_manifests()
    assert [m.number for m in listed] == [4, 3, 2, 1]
    assert [m.tape_count for m in listed] == [3, 1, 2, 3]
    assert listed[2].direction is IN and listed[2].os_user == "alice"
    with pytest.raises(ManifestError, match="no manifest 99"):
        get_manifest(99)


def test_a_tampered_record_fails_the_hash(db: DatabaseInfo) -> None:
    site()
    create_manifest(OUT, actor=ACTOR, now=NOW)
    ManifestTape.update(volser="X99999L8").where(ManifestTape.position == 0).execute()
    assert not get_manifest(1).hash_ok


def test_a_manifest_keeps_the_tapes_as_they_were(db: DatabaseInfo) -> None:
    ids = site()
    info = create_manifest(OUT, actor=ACTOR, now=NOW)
    move_volumes([ids["A00001L8"]], DrmState.VAULT, to_location="ELSEWHERE", actor=ACTOR)
    assert get_manifest(info.number) == info


def test_moved_to_courier_today(db: DatabaseInfo) -> None:
    ids = site()
    today = [ids["A00003L8"]]
    move_volumes(today, DrmState.COURIER, actor=ACTOR, now=NOW - dt.timedelta(minutes=30))
    # Moved to COURIER two days ago: not today.
    old = make_volume("A00009L8", DrmState.MOUNTABLE)
    move_volumes([old.id], DrmState.COURIER, actor=ACTOR, now=NOW - dt.timedelta(days=2))
    # Moved today, then on to the vault: no longer on the courier's cart.
    gone = make_volume("A00010L8", DrmState.MOUNTABLE)
    move_volumes([gone.id], DrmState.COURIER, actor=ACTOR, now=NOW - dt.timedelta(minutes=20))
    move_volumes([gone.id], DrmState.VAULT, actor=ACTOR, now=NOW - dt.timedelta(minutes=10))
    assert moved_to_courier_today(NOW) == today
    info = create_manifest(OUT, moved_to_courier_today(NOW), actor=ACTOR, now=NOW)
    assert info.volsers == ("A00003L8",)


def test_a_schema_2_database_gains_the_manifest_tables(db_url: str) -> None:
    raw, _ = make_database(db_url)
    raw.connect()
    database.initialize(raw)
    raw.create_tables(MODELS[: MODELS.index(MANIFEST_MODELS[0])])  # schema 2's tables
    SchemaVersion.create(version=2)
    Setting.create(name="vault_name", value="IRON MOUNTAIN")
    make_volume("A00001L8", DrmState.COURIER, location="COURIER")
    raw.close()

    open_database(db_url)
    try:
        assert [r.version for r in SchemaVersion.select()] == [db_mod.SCHEMA_VERSION]
        assert db_mod.MIGRATIONS[1] is db_mod._add_manifest_tables  # schema 2 -> 3
        assert {m._meta.table_name for m in MANIFEST_MODELS} <= set(database.get_tables())
        info = create_manifest(OUT, actor=ACTOR, now=NOW)
        assert info.volsers == ("A00001L8",) and info.vault == "IRON MOUNTAIN"
    finally:
        close_database()


def test_a_reprint_from_the_record_is_byte_identical(db: DatabaseInfo, tmp_path: Path) -> None:
    from drm_gui.reports.manifest_pdf import render_manifest_pdf

    site()
    made = create_manifest(OUT, actor=ACTOR)  # the wall clock: microseconds and all
    first = render_manifest_pdf(made, tmp_path / "first.pdf", invariant=True)
    again = render_manifest_pdf(get_manifest(made.number), tmp_path / "again.pdf", invariant=True)
    assert first.read_bytes() == again.read_bytes()
