"""The board with 100,000 volumes: opening the database into the painted main window, and
one keystroke in the filter box.

`python -m bench.board --open-child DB` is one repetition of board_open_100k in a fresh
process; it prints its timings as JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings
from PySide6.QtTest import QTest

from bench.common import (
    BOARD_SQL,
    DEMO_VOLUMES,
    ROOT,
    Figure,
    Results,
    best_of,
    demo_database,
    median,
    raw_connection,
    sqlite_url,
    workdir,
)
from bench.qt import PaintWatcher, qapp
from drm_gui.core.db import close_database, open_database
from drm_gui.core.states import DrmState
from drm_gui.gui.board_model import BoardStore
from drm_gui.gui.controller import BoardController
from drm_gui.gui.main_window import MainWindow

AREA = "board"
OPEN_RUNS = 5  # fresh processes; the median is reported
KEYSTROKE_ROUNDS = 3  # after one warm-up round
CLEAR = ""  # the clear button (or Ctrl+Shift+F): one action, counted as a keystroke
# Typed one character at a time, then cleared; then a wildcard pattern, then cleared.
KEYSTROKES = ("A", "0", "0", CLEAR, "A", "0", "*", "L", "8", CLEAR)


# Opening -----------------------------------------------------------------------------------
@dataclass
class OpenedWindow:
    store: BoardStore
    controller: BoardController
    window: MainWindow
    watcher: PaintWatcher  # on the seven columns' viewports
    phases: dict[str, float]  # seconds


def open_window(path: Path, settings_name: str = "bench.ini") -> OpenedWindow:
    """What the app does from opening the database to the painted window: GuiSession's
    store, controller.reload() and MainWindow, then show() and wait until every column's
    viewport has painted. Without the first-start question (the database is not empty) and
    the start-up expiry evaluation (it would change the data between repetitions)."""
    app = qapp()
    settings = QSettings(str(workdir() / settings_name), QSettings.Format.IniFormat)
    t0 = time.perf_counter()
    info = open_database(sqlite_url(path))
    t1 = time.perf_counter()
    store = BoardStore()
    controller = BoardController(store, info)
    controller.reload()
    t2 = time.perf_counter()
    window = MainWindow(store, controller, settings)
    t3 = time.perf_counter()
    columns = [window.board.columns[state] for state in DrmState]
    watcher = PaintWatcher(column.view.viewport() for column in columns)
    window.show()
    watcher.wait(app)
    t4 = time.perf_counter()
    empty = [c.state.value for c in columns if c.view.model().rowCount() == 0]
    if empty:
        raise RuntimeError(f"columns without tapes after opening: {', '.join(empty)}")
    phases = {
        "open_database": t1 - t0,
        "reload": t2 - t1,
        "main_window": t3 - t2,
        "show_paint": t4 - t3,
        "total": t4 - t0,
    }
    return OpenedWindow(store, controller, window, watcher, phases)


def close_window(opened: OpenedWindow) -> None:
    app = qapp()
    opened.watcher.remove()
    opened.window.close()
    # The controller and the store too: the window's lambdas connected to their signals
    # hold the window, and Python's collector cannot see those references, so the next
    # measurement would run with this board's 100,000 records still in memory.
    for qobject in (opened.window, opened.controller, opened.store):
        qobject.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
    close_database()
    gc.collect()


def raw_board_select(path: Path) -> float:
    """Seconds for a plain sqlite3 SELECT of the board's columns, every row fetched."""
    with raw_connection(path) as conn:
        start = time.perf_counter()
        rows = conn.execute(BOARD_SQL).fetchall()
        seconds = time.perf_counter() - start
    if len(rows) != DEMO_VOLUMES:
        raise RuntimeError(f"the demo database holds {len(rows):,} volumes")
    return seconds


def _open_child(path: Path) -> None:
    """One repetition in this fresh process: the raw baseline, then the app's way."""
    qapp()  # the application exists before the database is opened, as in the app
    baseline = raw_board_select(path)
    opened = open_window(path)
    print(json.dumps({"baseline": baseline, **opened.phases}))
    close_window(opened)


def measure_open(results: Results, path: Path) -> None:
    runs: list[dict[str, float]] = []
    for _ in range(OPEN_RUNS):
        done = subprocess.run(
            [sys.executable, "-m", "bench.board", "--open-child", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"board_open child failed:\n{done.stderr}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    phases = ", ".join(
        f"{name} {median([r[name] for r in runs]):.3f}"
        for name in ("open_database", "reload", "main_window", "show_paint")
    )
    totals = ", ".join(f"{r['total']:.3f}" for r in runs)
    results.add(
        Figure(
            "board_open_100k",
            median([r["total"] for r in runs]),
            "s",
            median([r["baseline"] for r in runs]),
            "< 1.5 s",
            how=(
                f"median of {OPEN_RUNS} fresh processes (runs: {totals} s); median phases, "
                f"s: {phases}; baseline: raw sqlite3 SELECT + fetchall of the same rows"
            ),
        )
    )


# Filtering ---------------------------------------------------------------------------------
def _same_test(text: str) -> Callable[[str], bool]:
    """The board filter's test on a volser (BoardFilter.apply), as a plain function."""
    text = text.strip().upper()
    if "*" in text or "?" in text:
        body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
        match = re.compile(body + r"\Z").match
        return lambda volser: match(volser) is not None
    return lambda volser: text in volser


def raw_filter(volsers: list[str], text: str) -> tuple[float, int]:
    """Seconds for a list comprehension doing the same test over every volser (best of 5),
    and how many pass."""
    text = text.strip().upper()
    if "*" in text or "?" in text:
        test = _same_test(text)
        seconds = best_of(lambda: [v for v in volsers if test(v)])
        return seconds, sum(1 for v in volsers if test(v))
    seconds = best_of(lambda: [v for v in volsers if text in v])
    return seconds, sum(1 for v in volsers if text in v)


def measure_keystrokes(results: Results, path: Path) -> None:
    app = qapp()
    opened = open_window(path, "keystrokes.ini")
    window, watcher = opened.window, opened.watcher
    models = [window.board.columns[state].view.model() for state in DrmState]
    volsers = [r.volser for state in DrmState for r in opened.store.visible(state)]
    edit = window.filter_edit
    edit.setFocus()
    app.processEvents()

    samples: list[tuple[str, float, float]] = []  # text after, total s, filter part s
    mismatches: set[str] = set()
    for round_ in range(KEYSTROKE_ROUNDS + 1):
        for key in KEYSTROKES:
            watcher.arm()
            start = time.perf_counter()
            if key == CLEAR:
                edit.clear()
            else:
                QTest.keyClick(edit, key)
            filtered = time.perf_counter()  # the store has re-filtered; Qt has not laid out
            watcher.wait(app)
            end = time.perf_counter()
            text = edit.text()
            if round_ > 0:
                samples.append((text, end - start, filtered - start))
                shown = sum(m.rowCount() for m in models)
                if shown != sum(1 for v in volsers if _same_test(text)(v)):
                    mismatches.add(text)
    close_window(opened)

    baselines = {text: raw_filter(volsers, text)[0] for text in {s[0] for s in samples}}
    totals = [s[1] for s in samples]
    base = [baselines[s[0]] for s in samples]
    by_text: dict[str, list[float]] = {}
    for text, seconds, _ in samples:
        by_text.setdefault(text, []).append(seconds)
    per_text = ", ".join(
        f"{text or '(clear)'} {median(v) * 1000:.0f}" for text, v in by_text.items()
    )
    sequence = " ".join(repr(k) for k in KEYSTROKES)
    how = (
        f"{len(samples)} keystrokes ({KEYSTROKE_ROUNDS} rounds of {sequence} after a warm-up"
        " round), each until all 7 column viewports repainted; median ms "
        f"per text: {per_text}; of which the store's filter and model resets (median): "
        f"{median([s[2] for s in samples]) * 1000:.1f} ms; baseline: list comprehension "
        "with the same test over the 100,000 volsers (best of 5)"
    )
    if watcher.forced:
        how += f"; {watcher.forced} repaint(s) had to be forced"
    if mismatches:
        how += f"; WARNING: tape counts differ from the plain test for {sorted(mismatches)}"
    results.add(
        Figure(
            "filter_keystroke_100k",
            median(totals) * 1000,
            "ms",
            median(base) * 1000,
            "< 50 ms",
            how=how,
        )
    )
    worst = max(range(len(samples)), key=lambda i: totals[i])
    results.add(
        Figure(
            "filter_keystroke_100k_worst",
            totals[worst] * 1000,
            "ms",
            base[worst] * 1000,
            "< 50 ms",
            how=f"the slowest keystroke (text after it: {samples[worst][0]!r}), against the "
            "baseline of the same text",
        )
    )


def run(results: Results) -> None:
    path = demo_database()
    measure_open(results, path)
    measure_keystrokes(results, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--open-child", type=Path, metavar="DB", required=True)
    args = parser.parse_args(argv)
    _open_child(args.open_child)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
