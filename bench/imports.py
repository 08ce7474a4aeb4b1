"""Importing the storage server's records: a 100,000-volume QUERY DRMEDIA list into an empty
SQLite file, then a 100,000-line volume history over those volumes, each through the app's
whole path (read the file, parse, compare, apply in one transaction) against raw sqlite3
executemany of the same rows."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path

from bench.common import (
    Figure,
    Results,
    copy_database,
    median,
    raw_connection,
    remove_database,
    sqlite_url,
    workdir,
)
from drm_gui.core import imports
from drm_gui.core.db import close_database, open_database
from drm_gui.core.import_volumes import server_time
from drm_gui.core.imports import ImportKind

AREA = "imports"
VOLUMES = 100_000
DB_VOLUMES = 20_000  # DB backup volumes, 5 to a series; the rest copy pool tapes
RUNS = 3
START = dt.datetime(2024, 1, 1, 4, 0)
STATES = (
    ("VAULT", "Vault", "IRON MOUNTAIN"),
    ("VAULT", "Vault", "IRON MOUNTAIN"),
    ("VAULT", "Vault", "IRON MOUNTAIN"),
    ("MOUNTABLE", "Mountable", ""),
    ("COURIER", "Courier", "COURIER"),
    ("VAULTRETRIEVE", "Vault retrieve", "IRON MOUNTAIN"),
)


def volser(n: int) -> str:
    return f"{'D' if n < DB_VOLUMES else 'C'}{n:05d}L8"


def drmedia_text() -> str:
    """QUERY DRMEDIA FORMAT=DETAILED through `dsmadmc -dataonly=yes -comma`: 8 fields."""
    lines = []
    for n in range(VOLUMES):
        _, caption, location = STATES[n % len(STATES)]
        when = START + dt.timedelta(minutes=n)
        kind, pool = ("DBBackup", "") if n < DB_VOLUMES else ("CopyStgPool", f"COPY{n % 4}")
        lines.append(
            f"{volser(n)},{caption},{when:%m/%d/%Y %H:%M:%S},{location},{kind},{pool},,LIB1"
        )
    return "\n".join(lines) + "\n"


def volhist_text() -> str:
    """A volume history of 100,000 entries: the DB backup volumes in series of 5 (a full and
    four incrementals), then STGNEW / STGDELETE events of the copy pool tapes."""
    lines = ["*" * 79, "*  Sequential Volume Usage History", "*" * 79]
    for n in range(DB_VOLUMES):
        series, operation = divmod(n, 5)
        kind = "BACKUPFULL" if operation == 0 else "BACKUPINCR"
        when = START + dt.timedelta(hours=n)
        lines.append(
            f" {when:%Y/%m/%d %H:%M:%S}  {kind}  {series + 1}  {operation}  1  LTOCLASS  "
            f'"{volser(n)}"'
        )
    for n in range(DB_VOLUMES, VOLUMES):
        kind = "STGDELETE" if n % 2 else "STGNEW"
        when = START + dt.timedelta(minutes=n)
        lines.append(f' {when:%Y/%m/%d %H:%M:%S}  {kind}  0  0  0  LTOCLASS  "{volser(n)}"')
    return "\n".join(lines) + "\n"


def empty_database(name: str) -> Path:
    """A new, empty database file of the current schema (made by the app, then closed)."""
    path = workdir() / name
    remove_database(path)
    open_database(sqlite_url(path))
    close_database()
    return path


def app_import(kind: ImportKind, source: Path, database: Path) -> tuple[float, str]:
    open_database(sqlite_url(database))
    try:
        start = time.perf_counter()
        preview = imports.preview_file(kind, source)
        summary = imports.apply_preview(preview)
        seconds = time.perf_counter() - start
    finally:
        close_database()
    return seconds, summary


def raw_drmedia(database: Path) -> float:
    """The same volume and movement rows, built before the clock, written by executemany."""
    stamp = "2030-01-01 00:00:00.000000"
    volumes, movements = [], []
    for n in range(VOLUMES):
        state, _, location = STATES[n % len(STATES)]
        when = str(server_time(START + dt.timedelta(minutes=n)))
        kind = "DBBackup" if n < DB_VOLUMES else "CopyStgPool"
        pool = None if n < DB_VOLUMES else 1 + n % 4
        volumes.append(
            (volser(n), kind, pool, state, location or "LIB1", when, "LTO-8", "LTO", 0, 100.0,
             None, None, None, None, None, None, "", 1)
        )  # fmt: skip
        movements.append(
            (1, n + 1, volser(n), "IMPORT", None, state, "", location, stamp, "b", "h", "")
        )
    with raw_connection(database) as conn:
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO move_batch (id, kind, at, os_user, workstation, reason) "
            "VALUES (1, 'IMPORT', ?, 'b', 'h', '')",
            [stamp],
        )
        conn.executemany(
            "INSERT INTO storage_pool (id, name, pool_type, device_class, reuse_delay_days, "
            "worm) VALUES (?, ?, 'COPY', 'LTO', 0, 0)",
            [(i + 1, f"COPY{i}") for i in range(4)],
        )
        _insert(conn, volumes, movements)
        conn.execute("COMMIT")
        return time.perf_counter() - start


def _insert(conn: sqlite3.Connection, volumes: list[tuple], movements: list[tuple]) -> None:
    conn.executemany(
        "INSERT INTO volume (volser, kind, pool_id, state, location, updated_at, media_type, "
        "device_class, worm, pct_used, empty_since, series_id, backup_operation, volume_seq, "
        "written_at, library_slot, flag, version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        volumes,
    )
    conn.executemany(
        "INSERT INTO movement (batch_id, volume_id, volser, kind, from_state, to_state, "
        "from_location, to_location, at, os_user, workstation, reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        movements,
    )


def raw_volhist(database: Path) -> float:
    """The same series rows and volume updates, built before the clock, by executemany."""
    series = [
        (s + 1, "FULL", s + 1, str(server_time(START + dt.timedelta(hours=s * 5))))
        for s in range(DB_VOLUMES // 5)
    ]
    updates = []
    for n in range(DB_VOLUMES):
        number, operation = divmod(n, 5)
        when = str(server_time(START + dt.timedelta(hours=n)))
        updates.append(("DBBackup", number + 1, operation, 1, "LTOCLASS", when, n + 1))
    emptied = [
        (str(server_time(START + dt.timedelta(minutes=n))), n + 1)
        for n in range(DB_VOLUMES, VOLUMES)
        if n % 2
    ]
    with raw_connection(database) as conn:
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO db_backup_series (id, kind, number, started_at) VALUES (?, ?, ?, ?)",
            series,
        )
        conn.executemany(
            "UPDATE volume SET kind = ?, pool_id = NULL, series_id = ?, backup_operation = ?, "
            "volume_seq = ?, device_class = ?, written_at = ? WHERE id = ?",
            updates,
        )
        conn.executemany("UPDATE volume SET empty_since = ?, pct_used = 0 WHERE id = ?", emptied)
        conn.execute("COMMIT")
        return time.perf_counter() - start


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def run(results: Results) -> None:
    folder = workdir()
    drmedia = folder / "drmedia.csv"
    drmedia.write_text(drmedia_text())
    volhist = folder / "volhist.out"
    volhist.write_text(volhist_text())
    empty = empty_database("import-empty.db")
    imported: Path | None = None
    app_runs, raw_runs, summary = [], [], ""
    for n in range(RUNS):
        target = copy_database(empty, f"import-app-{n}.db")
        seconds, summary = app_import(ImportKind.DRMEDIA, drmedia, target)
        app_runs.append(seconds)
        raw_runs.append(raw_drmedia(copy_database(empty, f"import-raw-{n}.db")))
        if imported is None:
            with raw_connection(target) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            imported = target
        else:
            remove_database(target)
    results.add(
        Figure(
            "import_drmedia_100k",
            median(app_runs),
            "s",
            median(raw_runs),
            "< 3 s",
            how=(
                f"import drmedia of a {VOLUMES:,}-line QUERY DRMEDIA F=D -comma file into an "
                "empty SQLite file: read, parse, preview, apply (volumes, movement rows, pools) "
                f"in one transaction; median of {RUNS} (runs, s: {_runs(app_runs)}); "
                f"result: {summary}; baseline: raw executemany of the same volume and movement "
                f"rows (runs, s: {_runs(raw_runs)})"
            ),
        )
    )
    assert imported is not None
    app_runs, raw_runs = [], []
    for n in range(RUNS):
        target = copy_database(imported, f"volhist-app-{n}.db")
        seconds, summary = app_import(ImportKind.VOLHIST, volhist, target)
        app_runs.append(seconds)
        remove_database(target)
        raw = copy_database(imported, f"volhist-raw-{n}.db")
        raw_runs.append(raw_volhist(raw))
        remove_database(raw)
    results.add(
        Figure(
            "import_volhist_100k",
            median(app_runs),
            "s",
            median(raw_runs),
            "< 3 s",
            how=(
                f"import volhist of a {VOLUMES:,}-entry volume history ({DB_VOLUMES // 5:,} DB "
                f"backup series of 5 volumes, {VOLUMES - DB_VOLUMES:,} storage volume events) "
                f"over the imported volumes: read, parse, preview, apply; median of {RUNS} "
                f"(runs, s: {_runs(app_runs)}); result: {summary}; baseline: raw executemany "
                f"of the same series rows and volume updates (runs, s: {_runs(raw_runs)})"
            ),
        )
    )
    for path in (empty, imported):
        remove_database(path)
