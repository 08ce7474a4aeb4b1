"""The daily plan schedule: the local time turned into UTC (midnight, DST), a missed slot due
at once, off when disabled, and the run itself (a plan version and its PDF)."""

from __future__ import annotations

import datetime as dt
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from drm_gui.core.db import DatabaseInfo
from drm_gui.core.media import set_setting
from drm_gui.core.models import PlanVersion
from drm_gui.core.plan_files import list_plan_files
from drm_gui.core.plan_schedule import (
    is_due,
    last_run,
    next_run,
    run_scheduled,
    slot_on,
)
from drm_gui.core.settings import SettingError, defaults, parse_setting
from tests.core.test_plan import known_site
from tests.helpers.factories import NOW

# POSIX TZ strings: no tz database needed.
BERLIN = "CET-1CEST,M3.5.0,M10.5.0/3"  # DST 2024-03-31 02:00 -> 03:00, 2024-10-27 03:00 -> 02:00
SYDNEY_NO_DST = "AEST-10"  # UTC+10: local 06:00 is 20:00 UTC the day before

U = dt.datetime  # naive UTC throughout


@pytest.fixture
def local_tz() -> Iterator[Callable[[str], None]]:
    """Sets the process's local time zone (TZ + time.tzset()); restored after the test."""
    saved = os.environ.get("TZ")

    def use(zone: str) -> None:
        os.environ["TZ"] = zone
        time.tzset()

    yield use
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def on(at: str = "06:00", **more: Any) -> dict[str, Any]:
    return {**defaults(), "plan_schedule": True, "plan_schedule_time": at, **more}


def ran_at(when: dt.datetime) -> None:
    """A plan version written at *when* (naive UTC)."""
    PlanVersion.create(
        created_at=when, path=f"/plans/{when.isoformat()}", source="s", ready=True, sha256="0"
    )


# --- Settings ----------------------------------------------------------------------------------


def test_the_schedule_settings() -> None:
    assert (defaults()["plan_schedule"], defaults()["plan_schedule_time"]) == (False, "06:00")
    assert defaults()["plan_schedule_pdf"] is True
    assert parse_setting("plan_schedule_time", "7:05") == "07:05"
    with pytest.raises(SettingError, match=r"^plan_schedule_time: '25:00' is not a time of day"):
        parse_setting("plan_schedule_time", "25:00")


# --- When ---------------------------------------------------------------------------------


def test_off_when_disabled(db: DatabaseInfo, local_tz: Callable[[str], None]) -> None:
    local_tz(BERLIN)
    assert next_run(U(2024, 1, 10, 12)) is None
    assert not is_due(U(2024, 1, 10, 12))
    assert next_run(U(2024, 1, 10, 12), settings=on(plan_schedule=False)) is None
    set_setting("plan_schedule", "YES")
    assert is_due(U(2024, 1, 10, 12))  # no plan at all: due at once
    set_setting("plan_schedule", "NO")
    assert not is_due(U(2024, 1, 10, 12))


def test_next_slot_today_then_tomorrow(db: DatabaseInfo, local_tz: Callable[[str], None]) -> None:
    local_tz(BERLIN)  # winter: 06:00 local is 05:00 UTC
    ran_at(U(2024, 1, 9, 5, 0))
    assert last_run() == U(2024, 1, 9, 5, 0)
    assert next_run(U(2024, 1, 10, 4, 59), settings=on()) == U(2024, 1, 10, 5, 0)
    assert next_run(U(2024, 1, 10, 5, 0), settings=on()) == U(2024, 1, 10, 5, 0)  # due now
    ran_at(U(2024, 1, 10, 5, 0))
    assert next_run(U(2024, 1, 10, 5, 0), settings=on()) == U(2024, 1, 11, 5, 0)
    assert next_run(U(2024, 1, 10, 23, 30), settings=on()) == U(2024, 1, 11, 5, 0)
    # An aware "now" is taken as the same instant.
    aware = dt.datetime(2024, 1, 10, 6, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert next_run(aware, settings=on()) == U(2024, 1, 11, 5, 0)


def test_a_missed_slot_is_due_now(db: DatabaseInfo, local_tz: Callable[[str], None]) -> None:
    local_tz(BERLIN)
    set_setting("plan_schedule", "YES")
    ran_at(U(2024, 1, 9, 5, 0))
    now = U(2024, 1, 10, 9, 15)  # the app was closed at 06:00
    assert next_run(now) == now and is_due(now)
    assert not is_due(U(2024, 1, 10, 4, 0))  # before today's slot: yesterday's was done
    # A plan exported by hand after today's slot counts as today's run.
    ran_at(U(2024, 1, 10, 8, 0))
    assert not is_due(now)
    assert next_run(now) == U(2024, 1, 11, 5, 0)
    # Closed for days: one plan, at once.
    assert next_run(U(2024, 1, 14, 10, 0)) == U(2024, 1, 14, 10, 0)


def test_across_midnight(db: DatabaseInfo, local_tz: Callable[[str], None]) -> None:
    local_tz(SYDNEY_NO_DST)  # local 06:00 on the 16th is 20:00 UTC on the 15th
    ran_at(U(2024, 6, 14, 20, 0))
    now = U(2024, 6, 15, 12, 0)  # 22:00 local on the 15th
    assert next_run(now, settings=on()) == U(2024, 6, 15, 20, 0)
    assert not is_due(now)
    local_tz(BERLIN)  # summer: 23:30 local is 21:30 UTC
    ran_at(U(2024, 6, 15, 21, 30))
    for now in (U(2024, 6, 15, 21, 45), U(2024, 6, 15, 22, 30)):  # 23:45 and 00:30 local
        assert next_run(now, settings=on("23:30")) == U(2024, 6, 16, 21, 30)
    assert next_run(U(2024, 6, 15, 21, 0), settings=on("00:15")) == U(2024, 6, 15, 22, 15)


def test_across_dst_changes(db: DatabaseInfo, local_tz: Callable[[str], None]) -> None:
    local_tz(BERLIN)
    ran_at(U(2024, 3, 30, 5, 0))  # 06:00 CET
    assert next_run(U(2024, 3, 30, 12, 0), settings=on()) == U(2024, 3, 31, 4, 0)  # 06:00 CEST
    ran_at(U(2024, 10, 26, 4, 0))  # 06:00 CEST
    assert next_run(U(2024, 10, 26, 12, 0), settings=on()) == U(2024, 10, 27, 5, 0)  # CET
    # 02:30 does not exist on 2024-03-31: the plan runs after the gap (03:30 CEST).
    assert slot_on(dt.date(2024, 3, 31), dt.time(2, 30)) == U(2024, 3, 31, 1, 30)
    # 02:30 happens twice on 2024-10-27: the first one (CEST).
    assert slot_on(dt.date(2024, 10, 27), dt.time(2, 30)) == U(2024, 10, 27, 0, 30)


# --- The run --------------------------------------------------------------------------------


def test_run_scheduled_writes_a_version_and_its_pdf(
    db: DatabaseInfo, tmp_path: Path, local_tz: Callable[[str], None]
) -> None:
    local_tz("UTC0")
    known_site()
    set_setting("plan_prefix", f"{tmp_path}/plans/")
    set_setting("plan_schedule", "YES")
    set_setting("plan_schedule_time", "12:00")
    assert is_due(NOW)
    run = run_scheduled(NOW)
    assert run.plan_path.parent == tmp_path / "plans"
    assert run.pdf_path == run.plan_path.with_name(run.plan_path.name + ".pdf")
    assert run.pdf_path.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(run.pdf_path.stat().st_mode) == 0o600
    assert run.ready and run.summary.startswith("Ready") and run.problems == ()
    assert [v.path for v in list_plan_files()] == [run.plan_path]
    assert last_run() == NOW
    assert not is_due(NOW + dt.timedelta(seconds=1))
    assert next_run(NOW + dt.timedelta(seconds=1)) == NOW + dt.timedelta(days=1)

    set_setting("plan_schedule_pdf", "NO")
    later = NOW + dt.timedelta(days=1)
    assert is_due(later)
    second = run_scheduled(later)
    assert second.pdf_path is None
    assert len(list_plan_files()) == 2 and not is_due(later)
