"""The operators' daily lists, as data: what goes on each, and the CSV."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

import pytest

from drm_gui.core import reports
from drm_gui.core.db import DatabaseInfo
from drm_gui.core.media import Actor, move_volumes, set_setting
from drm_gui.core.models import PoolType, SeriesKind
from drm_gui.core.reconcile import Resolution, reconcile, resolve
from drm_gui.core.reports import ReportName, build_report, to_csv
from drm_gui.core.states import DrmError, DrmState, VolumeKind
from drm_gui.core.vault_list import read_volser_list
from tests.helpers.factories import NOW, make_pool, make_series, make_volume

HOUR = dt.timedelta(hours=1)


def volsers(report: reports.Report, table: int = 0) -> list[str]:
    return [row[0] for row in report.tables[table].rows]


def test_tapes_to_send_today(db: DatabaseInfo) -> None:
    copy = make_pool("COPYPOOL")
    other = make_pool("OTHERCOPY")
    primary = make_pool("PRIMARY", PoolType.PRIMARY)
    make_series(SeriesKind.FULL, 7, written_at=NOW - HOUR, states=(DrmState.MOUNTABLE,))
    make_volume("C1", DrmState.NOTMOUNTABLE, pool=copy)
    make_volume("C2", DrmState.MOUNTABLE, pool=other, pct_used=0.0)
    make_volume("C3", DrmState.MOUNTABLE, pool=copy, flag="scratch")  # holds nothing
    make_volume("C4", DrmState.VAULT, pool=copy)  # already off site
    make_volume("A1", DrmState.MOUNTABLE, kind=VolumeKind.ACTIVE_DATA_POOL, pool=primary)
    report = reports.send_today(NOW)
    assert volsers(report) == ["C2", "D00070L8", "C1"]  # MOUNTABLE first, then by volser
    notes = {row[0]: row[-1] for row in report.tables[0].rows}
    assert notes["C2"] == "empty: will come straight back"
    assert report.description.startswith("3 tape(s)")
    set_setting("copy_pools", "COPYPOOL")
    assert volsers(reports.send_today(NOW)) == ["D00070L8", "C1"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.title = "x"  # type: ignore[misc]


def test_bring_back_and_vault_inventory(db: DatabaseInfo) -> None:
    make_volume("R1", DrmState.VAULTRETRIEVE, location="IRON")
    make_volume("V1", DrmState.VAULT, location="IRON")
    make_volume("V2", DrmState.VAULT, location="IRON")
    make_volume("M1", DrmState.MOUNTABLE)
    assert volsers(reports.bring_back(NOW)) == ["R1"]
    diff = {d.volser: d for d in reconcile(read_volser_list("V1\nR1\n")).differences}["V2"]
    resolve(diff, Resolution.MARK_MISSING, Actor("op", "ws"), now=NOW)
    inventory = reports.vault_inventory(NOW)
    assert volsers(inventory) == ["V1", "V2", "R1"]
    assert inventory.tables[0].rows[1][-1] == "MISSING since 2024-06-15 12:00 UTC"
    assert inventory.description == "3 tape(s) at the vault in the records, 1 marked missing."


def test_counts_per_state_and_location(db: DatabaseInfo) -> None:
    make_volume("A", DrmState.VAULT, location="IRON")
    make_volume("B", DrmState.VAULT, location="IRON")
    make_volume("C", DrmState.COURIER, location="COURIER")
    report = reports.counts(NOW)
    per_state = {row[0]: row[2] for row in report.tables[0].rows}
    assert per_state["VAULT"] == "2" and per_state["COURIER"] == "1"
    assert per_state["MOUNTABLE"] == "0" and len(per_state) == len(DrmState)
    assert report.tables[1].rows == (("COURIER", "1"), ("IRON", "2"))
    text = to_csv(report)
    assert text.splitlines()[:2] == ["Table,State,Name,Tapes", "Per state,MOUNTABLE,Mountable,0"]
    assert "Per location,IRON,2" in text.splitlines()


def test_tapes_in_transit_too_long(db: DatabaseInfo) -> None:
    make_volume("OLD", DrmState.COURIER, updated_at=NOW - 30 * HOUR)
    make_volume("NEW", DrmState.COURIER, updated_at=NOW - 2 * HOUR)
    make_volume("BACK", DrmState.COURIERRETRIEVE, updated_at=NOW - 50 * HOUR)
    make_volume("VLT", DrmState.VAULT, updated_at=NOW - 500 * HOUR)
    report = reports.in_transit(24, NOW)
    assert volsers(report) == ["BACK", "OLD"]  # longest first
    assert report.tables[0].rows[0][-1] == "50"
    assert volsers(reports.in_transit(1, NOW)) == ["BACK", "OLD", "NEW"]
    with pytest.raises(DrmError, match="negative"):
        reports.in_transit(-1, NOW)


def test_movement_history_of_a_period(db: DatabaseInfo) -> None:
    a = make_volume("A", DrmState.MOUNTABLE)
    actor = Actor("op", "ws1")
    move_volumes([a.id], DrmState.COURIER, actor=actor, now=NOW - 48 * HOUR, reason="Monday run")
    move_volumes([a.id], DrmState.VAULT, actor=actor, now=NOW - HOUR)
    report = reports.movements(NOW - 24 * HOUR, NOW)
    [row] = report.tables[0].rows
    assert row[0] == "2024-06-15 11:00 UTC" and row[1] == "A"
    assert row[3:6] == ("MOVE", "COURIER", "VAULT") and row[7] == "op@ws1"
    whole = reports.movements(NOW - 72 * HOUR, NOW)
    assert [r[5] for r in whole.tables[0].rows] == ["COURIER", "VAULT"]
    assert whole.tables[0].rows[0][-1] == "Monday run"
    assert "LIB1 → COURIER" in whole.tables[0].rows[0][6]
    with pytest.raises(DrmError, match="period is empty"):
        reports.movements(NOW, NOW)


def test_build_report_and_csv(db: DatabaseInfo) -> None:
    make_volume("R,1", DrmState.VAULTRETRIEVE, location='IRON "M"')
    for name in ReportName:
        report = build_report(name, now=NOW)
        assert report.name is name and report.title == name.title
    text = to_csv(build_report(ReportName.BRING_BACK, now=NOW))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(reports.TAPE_COLUMNS)
    assert rows[1][:5] == ["R,1", "Copy pool", "-", "VAULTRETRIEVE", 'IRON "M"']
