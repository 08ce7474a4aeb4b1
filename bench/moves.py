"""Moving 10,000 tapes in one drop (MOUNTABLE → COURIER) on a 100,000-volume SQLite file:
media.move_volumes against raw sqlite3, and the whole GUI path of a drop."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt

from bench.board import close_window, open_window
from bench.common import (
    Figure,
    Results,
    copy_database,
    demo_database,
    median,
    raw_connection,
    remove_database,
    sqlite_url,
)
from bench.qt import qapp
from drm_gui.core import media
from drm_gui.core.db import close_database, open_database
from drm_gui.core.media import MovedVolume
from drm_gui.core.states import DrmState

AREA = "moves"
MOVE_COUNT = 10_000
RUNS = 5  # after one warm-up run
GUI_RUNS = 5
SOURCE = DrmState.MOUNTABLE
TARGET = DrmState.COURIER


@dataclass(frozen=True)
class Template:
    path: Path  # the demo database with exactly MOVE_COUNT tapes in SOURCE
    ids: list[int]  # those tapes, in volser order (as a drag from the column carries them)


def prepare_template(demo: Path) -> Template:
    """A copy of the demo database where MOVE_COUNT tapes are MOUNTABLE: the demo's own,
    and enough VAULT tapes put there by raw SQL."""
    path = copy_database(demo, "move-template.db")
    with raw_connection(path) as conn:
        have = conn.execute("SELECT count(*) FROM volume WHERE state = ?", [SOURCE.value])
        missing = MOVE_COUNT - have.fetchone()[0]
        location = conn.execute(
            "SELECT location FROM volume WHERE state = ? LIMIT 1", [SOURCE.value]
        ).fetchone()[0]
        conn.execute("BEGIN")
        if missing > 0:
            conn.execute(
                "UPDATE volume SET state = ?, location = ? WHERE id IN "
                "(SELECT id FROM volume WHERE state = ? ORDER BY id LIMIT ?)",
                [SOURCE.value, location, DrmState.VAULT.value, missing],
            )
        conn.execute("COMMIT")
        ids = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM volume WHERE state = ? ORDER BY volser", [SOURCE.value]
            )
        ]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if len(ids) != MOVE_COUNT:
        raise RuntimeError(f"{len(ids):,} tapes in {SOURCE.value}, not {MOVE_COUNT:,}")
    return Template(path, ids)


def app_move(template: Template, name: str) -> tuple[float, tuple[MovedVolume, ...]]:
    """Seconds for media.move_volumes of every template tape on a fresh copy (opened, and
    so read once by its quick_check, before the clock starts)."""
    path = copy_database(template.path, name)
    open_database(sqlite_url(path))
    try:
        start = time.perf_counter()
        result = media.move_volumes(template.ids, TARGET)
        seconds = time.perf_counter() - start
    finally:
        close_database()
        remove_database(path)
    if len(result.moved) != MOVE_COUNT or result.refused:
        raise RuntimeError(f"moved {len(result.moved):,}, refused {len(result.refused):,}")
    return seconds, result.moved


def raw_move(template: Template, name: str, moved: tuple[MovedVolume, ...]) -> float:
    """Seconds for the same writes with plain sqlite3 in one transaction: a batch row, one
    UPDATE of state/location/updated_at per volume (executemany), the movement rows and the
    server command rows waiting to be sent (executemany). The rows are built before the
    clock starts."""
    path = copy_database(template.path, name)
    try:
        with raw_connection(path) as conn:
            conn.execute("PRAGMA quick_check").fetchall()  # as open_database does
            batch_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM move_batch")
            batch_id = batch_id.fetchone()[0]
            stamp = "2030-01-01 00:00:00.000000"
            updates = [(m.to_state.value, m.to_location, stamp, m.volume_id) for m in moved]
            movements = [
                (
                    batch_id,
                    m.volume_id,
                    m.volser,
                    "MOVE",
                    m.from_state.value,
                    m.to_state.value,
                    m.from_location,
                    m.to_location,
                    stamp,
                    "bench",
                    "bench-host",
                    "",
                )
                for m in moved
            ]
            start = time.perf_counter()
            conn.execute("BEGIN")
            conn.execute(
                "INSERT INTO move_batch (id, kind, at, os_user, workstation, reason, "
                "target_state) VALUES (?, 'MOVE', ?, 'bench', 'bench-host', '', ?)",
                [batch_id, stamp, TARGET.value],
            )
            conn.executemany(
                "UPDATE volume SET state = ?, location = ?, updated_at = ?, "
                "version = version + 1 WHERE id = ?",
                updates,
            )
            conn.executemany(
                "INSERT INTO movement (batch_id, volume_id, volser, kind, from_state, "
                "to_state, from_location, to_location, at, os_user, workstation, reason) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                movements,
            )
            first = conn.execute("SELECT min(id) FROM movement WHERE batch_id = ?", [batch_id])
            first_id = first.fetchone()[0]
            conn.executemany(
                "INSERT INTO server_command (movement_id, volume_id, volser, command, status, "
                "created_at, answer, target) VALUES (?, ?, ?, '', 'PENDING', ?, '', '')",
                [(first_id + i, m.volume_id, m.volser, stamp) for i, m in enumerate(moved)],
            )
            conn.execute("COMMIT")
            return time.perf_counter() - start
    finally:
        remove_database(path)


def gui_move(template: Template, name: str) -> tuple[float, int]:
    """Seconds from the drop of every template tape on the COURIER column's model
    (StateColumnModel.dropMimeData) until the controller has moved them, the store and
    window have taken in the result, and every column has repainted. The window is opened
    and painted on a fresh copy before the clock starts. Also returns the tapes then
    selected (the window selects the moved tapes)."""
    app = qapp()
    path = copy_database(template.path, name)
    opened = open_window(path, "moves.ini")
    try:
        board = opened.window.board
        source = board.columns[SOURCE].model
        rows = [source.index(row) for row in range(source.rowCount())]
        data = source.mimeData(rows)  # what a drag of the whole column carries
        target = board.columns[TARGET].model
        before = opened.store.total(TARGET)
        finished: list[bool] = []
        # Connected after the window's own slots: runs once they have taken in the move.
        opened.controller.moves_done.connect(
            lambda *_: (opened.watcher.arm(), finished.append(True))
        )
        start = time.perf_counter()
        if not target.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, QModelIndex()):
            raise RuntimeError("the drop was refused")
        while not finished:
            app.processEvents()
        opened.watcher.wait(app)
        seconds = time.perf_counter() - start
        if opened.store.total(TARGET) - before != MOVE_COUNT:
            raise RuntimeError("the store did not take in the move")
        selected = len(board.selected_ids())
    finally:
        close_window(opened)
        remove_database(path)
    return seconds, selected


def run(results: Results) -> None:
    template = prepare_template(demo_database())
    app_runs: list[float] = []
    raw_runs: list[float] = []
    for n in range(RUNS + 1):
        seconds, moved = app_move(template, f"move-app-{n}.db")
        raw = raw_move(template, f"move-raw-{n}.db", moved)
        if n > 0:  # the first pair is a warm-up
            app_runs.append(seconds)
            raw_runs.append(raw)
    raw_ms = median(raw_runs) * 1000
    results.add(
        Figure(
            "move_10k",
            median(app_runs) * 1000,
            "ms",
            raw_ms,
            "< 2x raw",
            how=(
                f"media.move_volumes of {MOVE_COUNT:,} {SOURCE.value} tapes → {TARGET.value} "
                f"on a copy of the 100,000-volume file, median of {RUNS} after a warm-up "
                f"(runs, ms: {', '.join(f'{s * 1000:.0f}' for s in app_runs)}); baseline: "
                "raw sqlite3 executemany, one UPDATE per volume + the movement rows, in one "
                f"transaction (runs, ms: {', '.join(f'{s * 1000:.0f}' for s in raw_runs)})"
            ),
        )
    )
    gui_runs: list[float] = []
    selected = 0
    for n in range(GUI_RUNS):
        seconds, selected = gui_move(template, f"move-gui-{n}.db")
        gui_runs.append(seconds)
    results.add(
        Figure(
            "move_10k_gui",
            median(gui_runs) * 1000,
            "ms",
            raw_ms,
            "none (for information)",
            how=(
                f"the drop of a whole {SOURCE.value} column ({MOVE_COUNT:,} tapes) on "
                f"{TARGET.value}: dropMimeData → controller.move → store → window (selects "
                f"the moved tapes: {selected:,} selected) → all columns repainted; median of "
                f"{GUI_RUNS} (runs, ms: {', '.join(f'{s * 1000:.0f}' for s in gui_runs)}); "
                "baseline as move_10k"
            ),
        )
    )
    remove_database(template.path)
