"""The recovery plan file for 100,000 required volumes, from the database: build_plan +
write_plan against writing the same lines with plain file writes.

The database is the 100,000-volume demo site with every storage pool tape made to hold
data (raw UPDATE: pct_used > 0, not scratch) and the active-data pool included, so that
nearly every volume is required; 1 in 5,000 is left in COURIER (a "not ready" plan, as
before a shipment). `python -m bench.plan_text` runs this area alone.
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from pathlib import Path

from bench.common import (
    DEMO_VOLUMES,
    Figure,
    Results,
    copy_database,
    demo_database,
    median,
    raw_connection,
    sqlite_url,
    workdir,
)

AREA = "plan_text"
RUNS = 3  # the median is reported
NOW = dt.datetime(2030, 1, 1, 12, 0)  # naive UTC, after every demo backup


def plan_database() -> Path:
    """A copy of the demo database where every pool tape holds data."""
    from drm_gui.core.states import DrmState, VolumeKind

    path = copy_database(demo_database(DEMO_VOLUMES), "plan-text.db")
    pool_kinds = (VolumeKind.COPY_POOL.value, VolumeKind.ACTIVE_DATA_POOL.value)
    with raw_connection(path) as conn:
        conn.execute("BEGIN")
        conn.execute(
            "UPDATE volume SET pct_used = CASE WHEN pct_used > 0 THEN pct_used ELSE 42.0 END, "
            "empty_since = NULL, flag = '', "
            "state = CASE WHEN id % 5000 = 0 THEN ? ELSE ? END, "
            "location = CASE WHEN id % 5000 = 0 THEN 'COURIER' ELSE 'VAULT' END "
            "WHERE kind IN (?, ?)",
            (DrmState.COURIER.value, DrmState.VAULT.value, *pool_kinds),
        )
        conn.execute(
            "INSERT INTO setting (name, value) VALUES ('active_data_pools', 'ACTIVEPOOL') "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value"
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def plain_write(lines: list[str], path: Path) -> float:
    """Seconds to write *lines* with open/write/close: no temporary file, rename, digest,
    fsync or version row."""
    start = time.perf_counter()
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for line in lines:
            out.write(line + "\n")
    return time.perf_counter() - start


def run(results: Results) -> None:
    from drm_gui.core.db import close_database, open_database
    from drm_gui.core.media import set_setting
    from drm_gui.core.plan import build_plan, plan_lines
    from drm_gui.core.plan_files import write_plan

    folder = workdir() / "plan_text"
    folder.mkdir(exist_ok=True)
    path = plan_database()
    open_database(sqlite_url(path))
    try:
        set_setting("plan_prefix", f"{folder}/BENCH")
        build_plan(now=NOW)  # warm-up: imports, page cache
        times: list[tuple[float, float]] = []
        plan = None
        written = folder
        for n in range(RUNS):
            gc.collect()
            start = time.perf_counter()
            plan = build_plan(now=NOW + dt.timedelta(seconds=n))
            built = time.perf_counter()
            written = write_plan(plan)
            times.append((built - start, time.perf_counter() - built))
        assert plan is not None
        lines = list(plan_lines(plan))
        gc.collect()
        baseline = median([plain_write(lines, folder / f"plain-{n}") for n in range(RUNS)])
    finally:
        close_database()
    totals = [b + w for b, w in times]
    seconds = median(totals)
    build_s, write_s = times[totals.index(seconds)]
    required = len(plan.volumes_required)
    results.add(
        Figure(
            "plan_text_100k",
            seconds,
            "s",
            baseline,
            "< 2 s",
            how=(
                f"build_plan + write_plan from a {DEMO_VOLUMES:,}-volume SQLite database, "
                f"{required:,} required volumes ({len(plan.readiness.not_in_vault)} not in "
                f"the vault), median of {RUNS}: build {build_s:.2f} s + write {write_s:.2f} s "
                f"(temporary file, sha256, fsync, rename, version row); {len(lines):,} lines, "
                f"{written.stat().st_size / 1e6:.1f} MB; baseline: the same lines written "
                "with open/write (already built, no fsync)"
            ),
        )
    )


if __name__ == "__main__":
    import bench  # noqa: F401 - the isolated environment first

    figures = Results()
    run(figures)
    print(figures.table())
