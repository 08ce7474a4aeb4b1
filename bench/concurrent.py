"""Several workstations at once: 4 processes each moving its own 1,000 tapes on one
PostgreSQL database at the same moment, against the same 4 moves made one process after
another. The server is a private one started on a temporary folder and port (as the tests
do) and stopped at the end."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT, Figure, Results, median, workdir
from drm_gui.core.db import close_database, open_database
from tests.helpers.pgserver import PostgresServer, PostgresUnavailableError

AREA = "concurrent"
PROCESSES = 4
TAPES = 1_000
RUNS = 3

# One workstation: opens the database, waits for the start file, moves its tapes in one
# move (MOUNTABLE -> COURIER, as a drop would), prints the seconds the move took.
MOVER = """
import sys, time
from pathlib import Path
from drm_gui.core import media
from drm_gui.core.db import open_database, close_database
from drm_gui.core.states import DrmState
url, start, prefix = sys.argv[1:]
open_database(url)
ids, _ = media.resolve_volsers([prefix + "*"])
while not Path(start).exists():
    time.sleep(0.001)
began = time.perf_counter()
result = media.move_volumes(ids, DrmState.COURIER)
assert len(result.moved) == len(ids) and not result.refused, result.refused[:3]
print(time.perf_counter() - began)
close_database()
"""


def _prefix(process: int) -> str:
    return f"W{process}"


def fill(url: str) -> None:
    """PROCESSES sets of TAPES MOUNTABLE tapes, W0..., W1..., through the app's demo tables."""
    from drm_gui.core.db import executemany
    from drm_gui.core.models import database, utcnow

    open_database(url)
    try:
        stamp = str(utcnow())
        rows = [
            (f"{_prefix(p)}{n:05d}L8", "CopyStgPool", None, "MOUNTABLE", "LIB1", stamp, "LTO-8",
             "LTO", False, 50.0, None, None, None, None, None, None, "", 1)
            for p in range(PROCESSES)
            for n in range(TAPES)
        ]  # fmt: skip
        with database.atomic():
            executemany(
                "INSERT INTO volume (volser, kind, pool_id, state, location, updated_at, "
                "media_type, device_class, worm, pct_used, empty_since, series_id, "
                "backup_operation, volume_seq, written_at, library_slot, flag, version) VALUES "
                "(" + ", ".join(["%s"] * 18) + ")",
                rows,
            )
    finally:
        close_database()


def run_movers(url: str, processes: list[int], together: bool) -> float:
    """Seconds from the first move's start to the last one's end (the processes are
    started and connected before the clock)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = workdir() / f"start-{time.monotonic_ns()}"
    movers = [
        subprocess.Popen(
            [sys.executable, "-c", MOVER, url, f"{start}-{p if not together else 'all'}",
             _prefix(p)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for p in processes
    ]  # fmt: skip
    time.sleep(1.5)  # every mover has opened the database and found its tapes
    began = time.perf_counter()
    if together:
        Path(f"{start}-all").touch()
    for p, mover in zip(processes, movers, strict=True):
        if not together:
            Path(f"{start}-{p}").touch()
            mover.wait(timeout=300)
    for mover in movers:
        _out, err = mover.communicate(timeout=300)
        if mover.returncode != 0:
            raise RuntimeError(f"a mover failed: {err.strip()[-500:]}")
    return time.perf_counter() - began


def run(results: Results) -> None:
    try:
        server = PostgresServer()
        server.start()
    except PostgresUnavailableError as exc:
        print(f"  skipped: no PostgreSQL server to start ({exc})")
        return
    together_runs, serial_runs = [], []
    try:
        for n in range(RUNS):
            url = server.reset_database(f"bench_concurrent_{n}")
            open_database(url)  # creates the schema
            close_database()
            fill(url)
            together_runs.append(run_movers(url, list(range(PROCESSES)), together=True))
            url = server.reset_database(f"bench_serial_{n}")
            open_database(url)
            close_database()
            fill(url)
            serial_runs.append(run_movers(url, list(range(PROCESSES)), together=False))
    finally:
        server.stop()
    results.add(
        Figure(
            "concurrent_moves_4x1k_pg",
            median(together_runs),
            "s",
            median(serial_runs),
            "< 1x serial (for information)",
            how=(
                f"{PROCESSES} processes each moving its own {TAPES:,} tapes MOUNTABLE → COURIER "
                "on one PostgreSQL database at once, from the first start to the last end; "
                f"median of {RUNS} (runs, s: {', '.join(f'{s:.2f}' for s in together_runs)}); "
                "baseline: the same 4 moves one process after another (runs, s: "
                f"{', '.join(f'{s:.2f}' for s in serial_runs)})"
            ),
        )
    )
