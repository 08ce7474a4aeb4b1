"""What every bench area shares: an isolated environment, the demo database, raw sqlite3
connections, and the figures with their baselines (printed, and kept in results.json).

No Qt and no drm_gui at import time: this module sets up the environment they need.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_PATH = ROOT / "bench" / "results.json"
DEMO_VOLUMES = 100_000

# The board's columns, as the app reads them (media.board_tuples), written out here so that
# the raw baseline stays a fixed reference whatever the app's query becomes.
BOARD_SQL = (
    "SELECT v.id, v.volser, v.kind, COALESCE(p.name, ''), v.state, v.location, "
    "v.updated_at, v.media_type, v.worm, v.pct_used, v.flag "
    "FROM volume v LEFT JOIN storage_pool p ON p.id = v.pool_id ORDER BY v.volser"
)

_workdir: Path | None = None
_demo_databases: dict[int, Path] = {}


def setup_environment() -> Path:
    """Headless Qt, user folders in a temporary directory, the project importable. Runs once
    per process, before drm_gui or PySide6 is imported. Returns this run's scratch folder,
    removed when the process exits."""
    global _workdir
    if _workdir is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _workdir = Path(tempfile.mkdtemp(prefix="drm-bench-"))
        atexit.register(shutil.rmtree, _workdir, ignore_errors=True)
        for variable, name in (("DRM_GUI_DATA_DIR", "data"), ("DRM_GUI_CONFIG_DIR", "config")):
            folder = _workdir / name
            folder.mkdir()
            os.environ[variable] = str(folder)
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
    return _workdir


def workdir() -> Path:
    return setup_environment()


# Timing ----------------------------------------------------------------------------------
def timed(fn: Callable[[], Any]) -> float:
    """Seconds one call of *fn* takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def best_of(fn: Callable[[], Any], runs: int = 5) -> float:
    """The fastest of *runs* calls of *fn*, in seconds (for small, noisy baselines)."""
    return min(timed(fn) for _ in range(runs))


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


# Databases -------------------------------------------------------------------------------
def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"  # an absolute path gives sqlite:////...


def demo_database(volumes: int = DEMO_VOLUMES) -> Path:
    """A demo site of *volumes* tapes in a SQLite file, built once per run by the app's own
    demo.create_demo_site. Checkpointed and closed, so that the file alone can be copied."""
    if volumes not in _demo_databases:
        from drm_gui.core import demo
        from drm_gui.core.db import close_database, open_database

        path = workdir() / f"demo-{volumes}.db"
        open_database(sqlite_url(path))
        try:
            seconds = timed(lambda: demo.create_demo_site(volumes))
        finally:
            close_database()
        with raw_connection(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        print(f"  (demo database of {volumes:,} volumes built in {seconds:.1f} s: {path.name})")
        _demo_databases[volumes] = path
    return _demo_databases[volumes]


def copy_database(source: Path, name: str) -> Path:
    """A fresh copy of a checkpointed database file, in the scratch folder."""
    target = workdir() / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def raw_connection(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection with the app's pragmas (WAL, synchronous=NORMAL, foreign
    keys...), in autocommit mode: transactions are explicit BEGIN/COMMIT. Closed on exit."""
    from drm_gui.core.db import SQLITE_PRAGMAS

    conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        for name, value in SQLITE_PRAGMAS.items():
            conn.execute(f"PRAGMA {name} = {value}")
        yield conn
    finally:
        conn.close()


# Figures ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """One measured figure and the raw baseline it is compared with (same unit)."""

    name: str
    value: float
    unit: str
    baseline: float
    target: str
    how: str = ""  # how it was measured, printed under the figure (not stored)

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline > 0 else math.inf

    def as_json(self) -> dict[str, Any]:
        return {
            "value": round(self.value, 4),
            "unit": self.unit,
            "baseline": round(self.baseline, 4),
            "ratio": round(self.ratio, 3),
            "target": self.target,
        }


def _amount(value: float, unit: str) -> str:
    return f"{value:,.3f} {unit}" if value < 10 else f"{value:,.1f} {unit}"


class Results:
    """The figures of this run: printed as they come, then as a table, and merged into
    results.json (figures of areas not run this time are kept)."""

    def __init__(self) -> None:
        self.figures: list[Figure] = []

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        print(
            f"  {figure.name}: {_amount(figure.value, figure.unit)}  "
            f"(baseline {_amount(figure.baseline, figure.unit)}, ratio {figure.ratio:.2f}, "
            f"target {figure.target})",
            flush=True,
        )
        if figure.how:
            print(f"      {figure.how}", flush=True)

    def table(self) -> str:
        head = ("figure", "value", "baseline", "ratio", "target")
        rows = [
            (
                f.name,
                _amount(f.value, f.unit),
                _amount(f.baseline, f.unit),
                f"{f.ratio:.2f}x",
                f.target,
            )
            for f in self.figures
        ]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        lines = []
        for n, row in enumerate([head, *rows]):
            cells = [
                row[i].ljust(widths[i]) if i in (0, 4) else row[i].rjust(widths[i])
                for i in range(len(head))
            ]
            lines.append("  ".join(cells).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def save(self, path: Path = RESULTS_PATH) -> None:
        stored: dict[str, Any] = {}
        if path.exists():
            try:
                stored = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                stored = {}
        stored.update({f.name: f.as_json() for f in self.figures})
        path.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n", encoding="utf-8")
