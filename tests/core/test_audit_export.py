"""Exporting the audit trail, on SQLite and PostgreSQL: the rows of a period or of one tape,
CSV from which the chain can be recomputed without drm-gui, and the data of the PDF."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from drm_gui.core import audit, demo
from drm_gui.core.audit import AUDIT_GENESIS, Problem, row_hash, verify_chain
from drm_gui.core.audit_export import (
    REPORT_COLUMNS,
    AuditRow,
    audit_report,
    audit_rows,
    describe,
    export_csv,
    write_csv,
)
from drm_gui.core.db import DatabaseInfo, close_database, open_database
from drm_gui.core.media import Actor, move_volumes, set_setting
from drm_gui.core.models import AuditKind
from drm_gui.core.states import DrmError, DrmState
from tests.core.conftest import sqlite_url
from tests.helpers import rawdb
from tests.helpers.factories import NOW, make_volume

S = DrmState
ACTOR = Actor("alice", "ws-01")
DAY = dt.timedelta(days=1)


def moves_on_three_days() -> None:
    """A00001L8 moved two days ago (with A00002L8), yesterday and today."""
    a = make_volume("A00001L8", S.MOUNTABLE)
    b = make_volume("A00002L8", S.MOUNTABLE)
    move_volumes([a.id, b.id], S.NOTMOUNTABLE, actor=ACTOR, now=NOW - 2 * DAY)
    move_volumes([a.id], S.COURIER, actor=ACTOR, now=NOW - DAY)
    move_volumes([a.id], S.VAULT, actor=ACTOR, now=NOW)


def test_the_rows_of_a_period(db: DatabaseInfo) -> None:
    moves_on_three_days()
    assert [r.seq for r in audit_rows()] == [1, 2, 3]
    assert [r.seq for r in audit_rows(NOW - DAY, NOW)] == [2]  # the end is not included
    assert [r.seq for r in audit_rows(start=NOW - DAY)] == [2, 3]
    assert [r.seq for r in audit_rows(end=NOW - DAY)] == [1]
    row = next(audit_rows(NOW - DAY, NOW))
    assert (row.at, row.kind, row.subject, row.os_user) == (
        NOW - DAY,
        AuditKind.MOVE,
        "A00001L8",
        "alice",
    )


def test_an_empty_period_is_refused(db: DatabaseInfo) -> None:
    with pytest.raises(DrmError, match="the period is empty"):
        list(audit_rows(NOW, NOW - DAY))


def test_the_rows_of_a_tape_are_exactly_its_own(db: DatabaseInfo) -> None:
    moves_on_three_days()
    set_setting("vault_name", "A00002L8")  # a value that looks like the tape: not its row
    assert [r.seq for r in audit_rows(volser="A00001L8")] == [1, 2, 3]
    assert [r.seq for r in audit_rows(volser="a00002l8")] == [1]
    assert [r.seq for r in audit_rows(NOW - DAY, NOW + DAY, volser="A00001L8")] == [2, 3]
    assert list(audit_rows(volser="A0000")) == []


def test_a_tape_is_found_among_the_volumes_a_batch_created(db: DatabaseInfo) -> None:
    demo.create_demo_site(20, actor=ACTOR, now=NOW)
    [row] = list(audit_rows(volser="A00003L8"))
    assert "A00003L8" in row.volsers()
    assert describe(row, "A00003L8") == (
        "batch 1; demo site created (20 volumes); created: A00003L8"
    )


def test_the_csv_lets_anyone_recompute_the_chain(db: DatabaseInfo) -> None:
    moves_on_three_days()
    set_setting("vault_name", "Bunker «7»")
    out = io.StringIO()
    assert write_csv(audit_rows(), out) == 4
    lines = list(csv.DictReader(io.StringIO(out.getvalue())))
    previous = AUDIT_GENESIS
    for line in lines:
        fields = [line[c] for c in ("at", "os_user", "workstation", "kind", "subject")]
        digest = row_hash(int(line["seq"]), *fields, line["details"], line["prev_hash"])
        assert (line["prev_hash"], digest) == (previous, line["hash"])
        previous = digest
    assert lines[0]["at"] == "2024-06-13 12:00:00.000000"


def test_a_csv_file_is_written_whole(db: DatabaseInfo, tmp_path: Path) -> None:
    moves_on_three_days()
    path = tmp_path / "out" / "audit.csv"
    assert export_csv(path, audit_rows(volser="A00002L8")) == 1
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "seq,at,os_user,workstation,kind,subject,details,prev_hash,hash"
    assert text.count("\n") == 2 and not list(path.parent.glob(".*part"))


def test_the_report_has_the_rows_and_the_verdict(db: DatabaseInfo) -> None:
    moves_on_three_days()
    report = audit_report(volser="A00002L8", now=NOW)
    assert report.title == "Audit trail of tape A00002L8"
    assert report.scope == (
        "Every recorded change that concerns tape A00002L8, since the trail began."
    )
    assert report.verdict.ok and report.verdict.checked == 3
    assert report.rows == (
        (
            "1",
            "2024-06-13 12:00:00",
            "alice on ws-01",
            "MOVE",
            "2 volumes",
            "batch 1; MOUNTABLE → NOTMOUNTABLE at LIB1 → NOTMOUNTABLE: A00002L8",
        ),
    )
    assert len(report.rows[0]) == len(REPORT_COLUMNS)
    period = audit_report(NOW - DAY, NOW, now=NOW)
    assert period.scope == (
        "Every row recorded from 2024-06-14 12:00 UTC until 2024-06-15 12:00 UTC."
    )


def test_the_report_carries_a_broken_verdict(db: DatabaseInfo) -> None:
    moves_on_three_days()
    rawdb.execute(db.url, "DELETE FROM audit_entry WHERE seq = 2")
    report = audit_report(now=NOW)
    assert (report.verdict.problem, report.verdict.first_bad) == (Problem.REMOVED, 2)
    assert [r[0] for r in report.rows] == ["1", "3"]


def test_a_row_drm_gui_never_writes_stops_the_export(tmp_path: Path) -> None:
    """SQLite only: PostgreSQL keeps times in a timestamp column and refuses such a value."""
    url = sqlite_url(tmp_path / "drm.db")
    open_database(url)
    try:
        moves_on_three_days()
        rawdb.execute(url, "UPDATE audit_entry SET at = 'last Tuesday' WHERE seq = 2")
        assert verify_chain().first_bad == 2
        with pytest.raises(DrmError, match="audit row #2 holds a time or kind drm-gui never"):
            list(audit_rows())
    finally:
        close_database()


def _row(kind: AuditKind, details: str) -> AuditRow:
    return AuditRow(1, NOW, "alice", "ws-01", kind, "x", details, AUDIT_GENESIS, "f" * 64)


def test_each_kind_of_row_is_described_in_a_line() -> None:
    recalled = {"from": "VAULT", "to": "VAULTRETRIEVE", "from_location": "IRON",
                "to_location": "IRON", "volsers": [f"V{n}" for n in range(10)]}  # fmt: skip
    found = {"from": "VAULT", "to": "VAULT", "from_location": "IRON", "to_location": "IRON",
             "volsers": ["W1"], "reason": "scanned"}  # fmt: skip
    batch = audit.canonical_json(
        {"batch": 4, "reason": "expiry", "count": 11, "moves": [recalled, found]}
    )
    assert describe(_row(AuditKind.EXPIRY, batch)) == (
        "batch 4; expiry; VAULT → VAULTRETRIEVE at IRON: "
        + ", ".join(f"V{n}" for n in range(8))
        + " and 2 more; VAULT (unchanged) at IRON: W1 (scanned)"
    )
    assert describe(_row(AuditKind.EXPIRY, batch), "V9") == (
        "batch 4; expiry; VAULT → VAULTRETRIEVE at IRON: V9"
    )
    many = audit.canonical_json(
        {"batch": 5, "reason": "", "moves": [dict(found, volsers=[f"W{n}"]) for n in range(9)]}
    )
    assert describe(_row(AuditKind.RECONCILE, many)).endswith("; and 1 more groups of moves")
    setting = '{"new":"B","old":"A","setting":"vault_name"}'
    assert describe(_row(AuditKind.SETTING, setting)) == "vault_name: A → B"
    stored = audit.canonical_json(
        {"file": "devconfig", "source": "/srv/devconfig.out", "sha256": "ab" * 32, "lines": 9}
    )
    assert describe(_row(AuditKind.IMPORT_FILE, stored)) == (
        "devconfig stored from /srv/devconfig.out: 9 line(s), SHA-256 abababababababab…"
    )
    sync = '{"pools":["COPYPOOL"],"server":"TSM8","updated":["V1","V2"]}'
    assert describe(_row(AuditKind.SYNC, sync)) == (
        "from server TSM8: 1 storage pool(s), the use of 2 volume(s)"
    )
    assert describe(_row(AuditKind.MOVE, "not json")) == "(the details cannot be read)"
