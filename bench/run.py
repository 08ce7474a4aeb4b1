"""Runs drm-gui's benchmarks: every area, or those named (`bench/run.py board`). Prints each
figure with its ratio to a raw baseline measured in the same run, then a table, and merges
the figures into bench/results.json. Times are reported, never asserted."""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# One module per area in bench/, each with run(results).
AREAS = (
    "board",
    "moves",
    "imports",
    "concurrent",
    "plan_text",
    "plan_pdf",
    "manifest_pdf",
    "frozen",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("areas", nargs="*", metavar="AREA", help=f"one of: {', '.join(AREAS)}")
    args = parser.parse_args(argv)
    unknown = [a for a in args.areas if a not in AREAS]
    if unknown:
        parser.error(f"unknown area(s) {', '.join(unknown)}; choose from {', '.join(AREAS)}")
    areas = [a for a in AREAS if a in args.areas] if args.areas else list(AREAS)

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    importlib.import_module("bench")  # headless, isolated: before drm_gui and Qt load
    common = importlib.import_module("bench.common")
    qt = importlib.import_module("bench.qt")
    import PySide6

    qt.qapp()
    print(
        f"drm-gui bench: Python {platform.python_version()}, PySide6 {PySide6.__version__}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU(s), "
        f"QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}"
    )
    note = qt.none_refcount_note()
    if note:
        print(f"WARNING: {note}")

    results = common.Results()
    started = time.perf_counter()
    for area in areas:
        print(f"\n[{area}]", flush=True)
        module = importlib.import_module(f"bench.{area}")
        area_start = time.perf_counter()
        module.run(results)
        print(f"  ({area} took {time.perf_counter() - area_start:.0f} s)")

    results.save()
    print(f"\n{results.table()}\n")
    print(
        f"{len(results.figures)} figure(s) written to "
        f"{common.RESULTS_PATH.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
