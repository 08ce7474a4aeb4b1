"""The app's daily recovery plan: when it is due, and the run itself (the same export as the
`prepare` command). The app asks is_due() on a timer and calls run_scheduled(). No Qt here.

Times given and returned are naive UTC, as in the database (models.utcnow()); the setting
plan_schedule_time is a local wall-clock time, turned into UTC for each day with the
system's time zone, so that the plan follows the clock across DST changes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from peewee import fn

from drm_gui.core.media import load_settings, to_datetime
from drm_gui.core.models import PlanVersion
from drm_gui.core.plan_export import export_plan, pdf_renderer
from drm_gui.core.settings import SettingValue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledRun:
    """What a scheduled run wrote, and the plan's readiness."""

    plan_path: Path
    pdf_path: Path | None
    ready: bool
    summary: str
    problems: tuple[str, ...] = ()


def last_run() -> dt.datetime | None:
    """The time (naive UTC) of the newest plan version, written by any means, or None."""
    newest = PlanVersion.select(fn.MAX(PlanVersion.created_at)).scalar()
    return None if newest is None else to_datetime(newest)


def _as_utc(now: dt.datetime) -> dt.datetime:
    return now if now.tzinfo is None else now.astimezone(dt.UTC).replace(tzinfo=None)


def slot_on(day: dt.date, at: dt.time) -> dt.datetime:
    """The local wall-clock time *at* on local date *day*, as naive UTC. A time the clock
    skips (spring forward) falls after the gap; a time it repeats (fall back) is the first."""
    wall = dt.datetime.combine(day, at)
    first = wall.astimezone()  # a naive time is read as local time; fold=0: the first
    if first.replace(tzinfo=None) != wall:  # in a gap: fold picks which side's offset
        first = max(first, wall.replace(fold=1).astimezone())
    return first.astimezone(dt.UTC).replace(tzinfo=None)


def next_run(
    now: dt.datetime, *, settings: Mapping[str, SettingValue] | None = None
) -> dt.datetime | None:
    """When the next scheduled plan is due (naive UTC), or None when the schedule is off.

    *now* itself when the last slot was missed (the newest plan is older than the most
    recent slot at or before *now*, or there is no plan at all), else the next slot after
    *now*: today's or tomorrow's."""
    values = settings if settings is not None else load_settings()
    if not values["plan_schedule"]:
        return None
    now = _as_utc(now)
    at = dt.time.fromisoformat(str(values["plan_schedule_time"]))
    today = now.replace(tzinfo=dt.UTC).astimezone().date()  # the local date
    previous = slot_on(today, at)
    if previous > now:
        previous = slot_on(today - dt.timedelta(days=1), at)
    last = last_run()
    if last is None or last < previous:
        return now
    for days in (0, 1, 2):  # 2: a slot skipped by a DST gap could land before now
        candidate = slot_on(today + dt.timedelta(days=days), at)
        if candidate > now:
            return candidate
    raise AssertionError("no slot within two days")  # pragma: no cover


def is_due(now: dt.datetime) -> bool:
    """Whether the schedule is on and a plan is due at *now* (naive UTC)."""
    when = next_run(now)
    return when is not None and when <= _as_utc(now)


def run_scheduled(now: dt.datetime) -> ScheduledRun:
    """Writes the scheduled plan as of *now* (naive UTC) under the plan prefix, with its PDF
    when plan_schedule_pdf (and the renderer is in this build), and expires old versions.
    Raises as export_plan does."""
    values = load_settings()
    pdf = bool(values["plan_schedule_pdf"])
    if pdf and pdf_renderer() is None:
        log.warning("scheduled plan: no PDF, the renderer is not available in this build")
        pdf = False
    done = export_plan(_as_utc(now), pdf=pdf)
    log.info("scheduled recovery plan written: %s (%s)", done.plan_path, done.summary)
    return ScheduledRun(done.plan_path, done.pdf_path, done.ready, done.summary, done.problems)
