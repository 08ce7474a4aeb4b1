"""The tamper-evident audit trail, on SQLite and PostgreSQL: every kind of change leaves its
row in the change's own transaction, the chain verifies, tampering is named, and appenders
in several processes at once leave one unbroken chain."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import multiprocessing
import time
from collections.abc import Sequence

import pytest

from drm_gui.core import audit, demo, media, retention
from drm_gui.core import settings as settings_mod
from drm_gui.core.audit import AuditError, Problem, row_hash, verify_chain
from drm_gui.core.db import (
    SCHEMA_VERSION,
    DatabaseInfo,
    close_database,
    make_database,
    open_database,
)
from drm_gui.core.import_history import (
    apply_devconfig,
    apply_volhist,
    preview_devconfig,
    preview_volhist,
)
from drm_gui.core.import_server import PoolInfo, VolumeUsage, apply_sync, preview_sync
from drm_gui.core.import_volumes import apply_volumes, preview_volumes
from drm_gui.core.library_discrepancies import Discrepancy, DiscrepancyKind
from drm_gui.core.library_discrepancies import Resolution as LibraryResolution
from drm_gui.core.library_discrepancies import resolve as resolve_discrepancy
from drm_gui.core.media import Actor, MovedVolume, correct_batch, move_volumes, set_setting
from drm_gui.core.models import (
    AUDIT_GENESIS,
    AUDIT_MODELS,
    MODELS,
    AuditEntry,
    AuditHead,
    AuditKind,
    BatchKind,
    MoveBatch,
    PoolType,
    SchemaVersion,
    Volume,
    database,
)
from drm_gui.core.reconcile import Resolution, mark_found, reconcile, resolve
from drm_gui.core.states import DrmState, VolumeKind
from drm_gui.core.tsm_formats import DrmediaRecord
from drm_gui.core.vault_list import read_volser_list
from tests.helpers import rawdb
from tests.helpers.factories import NOW, make_volume
from tests.helpers.server_files import DEVCONFIG, VOLHIST

S = DrmState
ACTOR = Actor("alice", "ws-01")


def rows() -> list[AuditEntry]:
    return list(AuditEntry.select().order_by(AuditEntry.seq))


def details(entry: AuditEntry) -> dict:
    return json.loads(entry.details)


def entries(count: int) -> None:
    """*count* rows appended straight to the chain, one a minute from NOW."""
    for n in range(count):
        at = NOW + dt.timedelta(minutes=n)
        audit.append(AuditKind.SETTING, f"s{n}", {"n": n}, actor=ACTOR, at=at)


def stored_hash(seq: int) -> str:
    return AuditEntry.get_by_id(seq).hash


# --- Each change leaves its row -----------------------------------------------------------


def test_a_move_leaves_one_row_with_its_volumes(db: DatabaseInfo) -> None:
    a = make_volume("A00001L8", S.MOUNTABLE, location="LIB1")
    b = make_volume("A00002L8", S.MOUNTABLE, location="LIB1")
    result = move_volumes([a.id, b.id], S.NOTMOUNTABLE, reason="to the shelf", actor=ACTOR, now=NOW)
    [row] = rows()
    assert (row.seq, row.kind, row.subject, row.os_user, row.workstation) == (
        1,
        AuditKind.MOVE,
        "2 volumes",
        "alice",
        "ws-01",
    )
    assert row.at == NOW and row.prev_hash == AUDIT_GENESIS
    assert details(row) == {
        "batch": result.batch_id,
        "reason": "to the shelf",
        "count": 2,
        "moves": [
            {
                "from": "MOUNTABLE",
                "to": "NOTMOUNTABLE",
                "from_location": "LIB1",
                "to_location": "NOTMOUNTABLE",
                "volsers": ["A00001L8", "A00002L8"],
            }
        ],
    }
    assert row.details == audit.canonical_json(details(row))
    assert AuditHead.get_by_id(1).seq == 1 and AuditHead.get_by_id(1).hash == row.hash
    assert verify_chain().ok


def test_the_moves_of_a_batch_are_grouped_by_where_they_went(db: DatabaseInfo) -> None:
    places = ("VAN 1", "VAN 1", "VAN 2", "VAN 1")
    tapes = [make_volume(f"A0000{n}L8", S.COURIER, location=p) for n, p in enumerate(places)]
    own = {tapes[3].id: "handed over at the gate"}
    move_volumes([t.id for t in tapes], S.VAULT, to_location="IRON", actor=ACTOR, reasons=own)
    [row] = rows()
    groups = [(g["from_location"], g["volsers"], g.get("reason")) for g in details(row)["moves"]]
    assert groups == [
        ("VAN 1", ["A00000L8", "A00001L8"], None),
        ("VAN 2", ["A00002L8"], None),
        ("VAN 1", ["A00003L8"], "handed over at the gate"),
    ]
    assert details(row)["count"] == 4 and row.subject == "4 volumes"


def test_every_kind_of_change_leaves_its_row(db: DatabaseInfo) -> None:
    """Every path that writes a batch or changes what an auditor asks about: one row per
    batch, of the batch's kind, and the chain intact at the end."""
    demo.create_demo_site(40, actor=ACTOR, now=NOW)  # IMPORT, the volumes created
    mountable = Volume.get(Volume.state == S.MOUNTABLE)
    moved = move_volumes([mountable.id], S.NOTMOUNTABLE, actor=ACTOR)  # MOVE
    assert moved.batch_id is not None
    correct_batch(moved.batch_id, actor=ACTOR)  # CORRECTION
    retention.evaluate_expiry(actor=ACTOR)  # EXPIRY
    set_setting("vault_name", "BUNKER 7")  # SETTING
    back = make_volume("R00001L8", S.ONSITERETRIEVE, location="ONSITE")
    with database.atomic():  # CHECKIN, as library_import records a check-in
        checkin = MovedVolume(back.id, back.volser, S.ONSITERETRIEVE, S.MOUNTABLE, "ONSITE", "LIB1")
        media.apply_batch(
            BatchKind.CHECKIN, [checkin], actor=ACTOR, at=NOW, reason="check-in", target=None
        )
    vaulted = make_volume("V00009L8", S.VAULT, location="BUNKER 7")
    listing = read_volser_list("ZZ0001L8\n", source="vault.txt")
    difference = {d.volser: d for d in reconcile(listing).differences}["V00009L8"]
    resolve(difference, Resolution.MARK_MISSING, ACTOR)  # RECONCILE, a note
    mark_found([vaulted.id], "scanned at the vault", ACTOR)  # RECONCILE, found
    unknown = Discrepancy(
        DiscrepancyKind.UNKNOWN_TAG, "ZZZ999L8", "unknown barcode", (LibraryResolution.IGNORE,)
    )
    resolve_discrepancy(unknown, LibraryResolution.IGNORE, ACTOR)  # CORRECTION, a note
    record = DrmediaRecord("N00001L8", S.VAULT, NOW, location="IRON", pool="COPYPOOL")
    apply_volumes(preview_volumes([record], source="drmedia.txt"), actor=ACTOR)  # IMPORT
    for volser in ("DB0041L8", "DB0042L8", "DB0043L8", "SN0007L8", "CP0001L8"):
        make_volume(volser, S.VAULT)
    apply_volhist(preview_volhist(VOLHIST, source="volhist.out"), actor=ACTOR)  # IMPORT
    apply_devconfig(preview_devconfig(DEVCONFIG, source="devconfig.out"))  # IMPORT_FILE
    sync = preview_sync(
        server="TSM8",
        records=[record],
        history=[],
        usage=[VolumeUsage("N00001L8", "COPYPOOL", "FILLING", 40.0)],
        pools=[PoolInfo("COPYPOOL", PoolType.COPY, "LTO8", 5)],
    )
    apply_sync(sync, actor=ACTOR)  # SYNC

    trail = rows()
    assert {r.kind for r in trail} == set(AuditKind)
    batch_rows = [(details(r)["batch"], r.kind.value) for r in trail if "batch" in details(r)]
    batches = [(b.id, b.kind.value) for b in MoveBatch.select().order_by(MoveBatch.id)]
    assert sorted(batch_rows) == batches  # one row per batch, of its kind
    assert [r.seq for r in trail] == list(range(1, len(trail) + 1))
    assert verify_chain().ok


def test_the_demo_import_names_every_volume_created(db: DatabaseInfo) -> None:
    count = demo.create_demo_site(25, actor=ACTOR, now=NOW)
    [row] = rows()
    created = details(row)["created"]
    assert (row.kind, details(row)["count"], len(created)) == (AuditKind.IMPORT, count, count)
    assert sorted(created) == sorted(v for (v,) in Volume.select(Volume.volser).tuples())


def test_an_import_row_has_the_new_the_moved_and_the_updated_volumes(db: DatabaseInfo) -> None:
    make_volume("OLD001L8", S.VAULT, location="IRON")
    make_volume("OLD002L8", S.VAULT, location="IRON", kind=VolumeKind.DB_BACKUP)
    records = [
        DrmediaRecord("NEW001L8", S.COURIER, NOW, location="COURIER"),
        DrmediaRecord("OLD001L8", S.VAULTRETRIEVE, NOW, location="IRON"),
        DrmediaRecord("OLD002L8", S.VAULT, NOW, location="IRON", kind=VolumeKind.COPY_POOL),
    ]
    result = apply_volumes(preview_volumes(records, source="/srv/drmedia.txt"), actor=ACTOR)
    [row] = rows()
    data = details(row)
    assert (row.kind, row.subject, data["batch"]) == (
        AuditKind.IMPORT,
        "/srv/drmedia.txt",
        result.batch_id,
    )
    assert data["created"] == ["NEW001L8"] and data["updated"] == ["OLD002L8"]
    assert [(g["volsers"], g["from"], g["to"]) for g in data["moves"]] == [
        (["OLD001L8"], "VAULT", "VAULTRETRIEVE")
    ]
    assert data["count"] == 3


def test_a_setting_change_records_the_old_and_new_value(db: DatabaseInfo) -> None:
    set_setting("vault_name", "IRON MOUNTAIN")
    set_setting("vault_name", "IRON MOUNTAIN")  # no change: no row
    set_setting("vault_name", "BUNKER 7")
    first, second = rows()
    assert (first.kind, first.subject) == (AuditKind.SETTING, "vault_name")
    assert details(first) == {"setting": "vault_name", "old": "VAULT", "new": "IRON MOUNTAIN"}
    assert details(second) == {"setting": "vault_name", "old": "IRON MOUNTAIN", "new": "BUNKER 7"}


def test_a_secret_setting_is_masked(db: DatabaseInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = dataclasses.replace(settings_mod.SETTINGS_BY_NAME["server_admin"], secret=True)
    monkeypatch.setitem(settings_mod.SETTINGS_BY_NAME, "server_admin", secret)
    set_setting("server_admin", "TOPSECRET")
    [row] = rows()
    assert "TOPSECRET" not in row.details
    assert details(row) == {"setting": "server_admin", "old": "********", "new": "********"}


def test_a_rolled_back_move_leaves_no_row(db: DatabaseInfo) -> None:
    tape = make_volume("A00001L8", S.MOUNTABLE)
    entries(2)
    head = AuditHead.get_by_id(1)
    with pytest.raises(RuntimeError), database.atomic():
        assert move_volumes([tape.id], S.NOTMOUNTABLE, actor=ACTOR).ok
        raise RuntimeError("the transaction fails after the move")
    assert len(rows()) == 2 and Volume.get_by_id(tape.id).state is S.MOUNTABLE
    assert (AuditHead.get_by_id(1).seq, AuditHead.get_by_id(1).hash) == (head.seq, head.hash)
    move_volumes([tape.id], S.NOTMOUNTABLE, actor=ACTOR)  # the next one takes number 3
    assert [r.seq for r in rows()] == [1, 2, 3] and verify_chain().ok


def test_no_chain_head_no_change(db: DatabaseInfo) -> None:
    tape = make_volume("A00001L8", S.MOUNTABLE)
    rawdb.execute(db.url, "DELETE FROM audit_head")
    with pytest.raises(AuditError, match="no chain head"):
        move_volumes([tape.id], S.NOTMOUNTABLE, actor=ACTOR)
    assert Volume.get_by_id(tape.id).state is S.MOUNTABLE  # the move was rolled back too
    result = verify_chain()
    assert (result.ok, result.problem) == (False, Problem.REMOVED)
    assert result.message.startswith("The chain head is missing: the audit trail was altered")


def test_a_schema_5_database_gains_the_audit_trail(db_url: str) -> None:
    raw, _ = make_database(db_url)
    raw.connect()
    database.initialize(raw)
    raw.create_tables([m for m in MODELS if m not in AUDIT_MODELS])
    SchemaVersion.create(version=5)
    raw.close()
    open_database(db_url)
    try:
        assert [r.version for r in SchemaVersion.select()] == [SCHEMA_VERSION]
        assert (AuditHead.get_by_id(1).seq, AuditHead.get_by_id(1).hash) == (0, AUDIT_GENESIS)
        set_setting("vault_name", "BUNKER 7")
        assert [r.seq for r in rows()] == [1] and verify_chain().ok
    finally:
        close_database()


# --- Verification -------------------------------------------------------------------------


def test_an_empty_trail_is_intact(db: DatabaseInfo) -> None:
    result = verify_chain()
    assert result.ok and result.checked == 0 and result.head_hash == AUDIT_GENESIS
    assert result.message.startswith("The audit trail is intact: 0 row(s)")


def test_an_intact_trail_names_its_last_hash(db: DatabaseInfo) -> None:
    entries(4)
    result = verify_chain()
    assert (result.ok, result.checked, result.head_seq) == (True, 4, 4)
    assert result.problem is None and result.first_bad is None
    assert f"The last row, #4, has the hash {stored_hash(4)}." in result.message


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("details", '{"n":99}'),
        ("os_user", "mallory"),
        ("at", "2024-06-15 12:01:30"),
        ("subject", "s9"),
        ("kind", "MOVE"),
    ],
)
def test_an_edited_row_is_named(db: DatabaseInfo, column: str, value: str) -> None:
    entries(5)
    rawdb.execute(db.url, f"UPDATE audit_entry SET {column} = ? WHERE seq = 3", (value,))
    result = verify_chain()
    assert (result.ok, result.problem, result.first_bad) == (False, Problem.ALTERED, 3)
    assert result.message.startswith("Row #3 (")
    assert "was altered: its contents no longer match its hash" in result.message
    assert result.checked == 2


def test_a_row_rewritten_with_a_fresh_hash_is_named(db: DatabaseInfo) -> None:
    """Whoever knows the hash recipe can make a row consistent in itself; the next row's
    link still names it."""
    entries(5)
    row = AuditEntry.get_by_id(3)
    forged = row_hash(3, audit.at_text(row.at), "mallory", row.workstation, "SETTING",
                      row.subject, row.details, row.prev_hash)  # fmt: skip
    rawdb.execute(
        db.url, "UPDATE audit_entry SET os_user = 'mallory', hash = ? WHERE seq = 3", (forged,)
    )
    result = verify_chain()
    assert (result.problem, result.first_bad) == (Problem.ALTERED, 3)
    assert "Row #3 was altered and its hash recomputed: row #4 no longer links" in result.message


def test_a_deleted_row_is_named(db: DatabaseInfo) -> None:
    entries(5)
    rawdb.execute(db.url, "DELETE FROM audit_entry WHERE seq = 2")
    result = verify_chain()
    assert (result.problem, result.first_bad) == (Problem.REMOVED, 2)
    assert result.message == "Row #2 is missing: removed from the trail (row #3 follows)."


def test_rows_deleted_from_the_start_are_named(db: DatabaseInfo) -> None:
    entries(5)
    rawdb.execute(db.url, "DELETE FROM audit_entry WHERE seq <= 2")
    result = verify_chain()
    assert (result.problem, result.first_bad) == (Problem.REMOVED, 1)
    assert result.message.startswith("Rows #1 to #2 are missing")


def test_rows_cut_off_the_end_are_named(db: DatabaseInfo) -> None:
    entries(5)
    rawdb.execute(db.url, "DELETE FROM audit_entry WHERE seq >= 4")
    result = verify_chain()
    assert (result.problem, result.first_bad) == (Problem.REMOVED, 4)
    assert "Rows #4 to #5 are missing" in result.message and "the last row is #3" in result.message


def test_a_last_row_rewritten_with_a_fresh_hash_is_named(db: DatabaseInfo) -> None:
    entries(3)
    row = AuditEntry.get_by_id(3)
    forged = row_hash(3, audit.at_text(row.at), row.os_user, row.workstation, "SETTING",
                      row.subject, '{"n":7}', row.prev_hash)  # fmt: skip
    rawdb.execute(
        db.url, "UPDATE audit_entry SET details = '{\"n\":7}', hash = ? WHERE seq = 3", (forged,)
    )
    result = verify_chain()
    assert (result.problem, result.first_bad) == (Problem.ALTERED, 3)
    assert "the chain head holds another hash" in result.message


def _forge(seq: int, prev_hash: str) -> tuple[object, ...]:
    at = "2024-06-15 13:00:00.000000"
    digest = row_hash(seq, at, "mallory", "ws-99", "SETTING", "forged", "{}", prev_hash)
    return (seq, at, "mallory", "ws-99", "SETTING", "forged", "{}", prev_hash, digest)


INSERT = (
    "INSERT INTO audit_entry (seq, at, os_user, workstation, kind, subject, details, "
    "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def test_a_row_added_after_the_head_is_named(db: DatabaseInfo) -> None:
    entries(3)
    rawdb.execute(db.url, INSERT, _forge(4, stored_hash(3)))
    result = verify_chain()
    assert (result.problem, result.first_bad) == (Problem.INSERTED, 4)
    assert result.message == ("Row #4 was added outside drm-gui: the chain head ends at row #3.")


def test_a_row_inserted_in_the_middle_is_named(db: DatabaseInfo) -> None:
    """A forged row 3, chained to row 2, and the later rows renumbered to make room."""
    entries(5)
    prev = stored_hash(2)
    rawdb.execute(db.url, "UPDATE audit_entry SET seq = -(seq + 1) WHERE seq >= 3")
    rawdb.execute(db.url, "UPDATE audit_entry SET seq = -seq WHERE seq < 0")
    rawdb.execute(db.url, "UPDATE audit_head SET seq = 6")
    rawdb.execute(db.url, INSERT, _forge(3, prev))
    result = verify_chain()
    assert (result.problem, result.first_bad) == (Problem.INSERTED, 3)
    assert (
        result.message == "Row #3 was inserted into the trail: row #4 links to the row before it."
    )


def test_the_check_streams_page_by_page(db: DatabaseInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "PAGE_ROWS", 3)
    entries(10)
    assert verify_chain().checked == 10
    rawdb.execute(db.url, "UPDATE audit_entry SET os_user = 'mallory' WHERE seq = 8")
    assert verify_chain().first_bad == 8


# --- Several processes at once ------------------------------------------------------------

PROCESSES = 4
MOVES_EACH = 50


def _mover(url: str, worker: int, volsers: Sequence[str], start_at: float) -> None:
    """One workstation: opens the database by URL, then moves its tapes one at a time, with
    a breath between moves (SQLite hands its lock back to the writer that just let it go
    unless it pauses, and the moves would run one process after another)."""
    open_database(url)
    try:
        ids = {v: i for v, i in Volume.select(Volume.volser, Volume.id).tuples()}
        time.sleep(max(0.0, start_at - time.time()))  # every process starts together
        actor = Actor(f"worker{worker}", f"ws-{worker}")
        for volser in volsers:
            if not move_volumes([ids[volser]], S.NOTMOUNTABLE, actor=actor).ok:
                raise AssertionError(f"{volser} was not moved")
            time.sleep(0.002)
    finally:
        close_database()


def test_concurrent_appends_leave_one_unbroken_chain(db: DatabaseInfo) -> None:
    volsers = [[f"P{w}{n:04d}L8" for n in range(MOVES_EACH)] for w in range(PROCESSES)]
    with database.atomic():
        for mine in volsers:
            for volser in mine:
                make_volume(volser, S.MOUNTABLE)
    close_database()
    context = multiprocessing.get_context("spawn")  # no connection inherited from here
    start_at = time.time() + 4
    with context.Pool(PROCESSES) as pool:
        pool.starmap(_mover, [(db.url, w, volsers[w], start_at) for w in range(PROCESSES)])
    open_database(db.url)

    trail = rows()
    assert len(trail) == PROCESSES * MOVES_EACH
    assert [r.seq for r in trail] == list(range(1, len(trail) + 1))
    assert len({r.prev_hash for r in trail}) == len(trail)  # no two share a predecessor
    assert verify_chain().ok
    users = [r.os_user for r in trail]
    switches = sum(a != b for a, b in itertools.pairwise(users))
    assert switches > PROCESSES  # the processes did write at the same time
    moved = {details(r)["moves"][0]["volsers"][0] for r in trail}
    assert moved == {v for mine in volsers for v in mine}
