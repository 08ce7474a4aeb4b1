"""Several workstations at once, as real processes on one database (SQLite file and
PostgreSQL): the same tapes moved twice at the same moment move once, and the loser is told
who moved them; disjoint moves all succeed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from drm_gui.core.models import BatchKind, Movement, Volume
from drm_gui.core.states import DrmState
from tests.helpers.factories import make_volume

ROOT = Path(__file__).resolve().parents[2]


def start_movers(
    url: str, start: Path, jobs: list[tuple[str, str, list[str]]]
) -> list[subprocess.Popen[str]]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.helpers.mover",
                url,
                str(start / f"{n}"),
                *job[:2],
                *job[2],
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, job in enumerate(jobs)
    ]


def run_together(url: str, tmp_path: Path, jobs: list[tuple[str, str, list[str]]]) -> list[dict]:
    """Starts one process per job, lets them all go at once, and returns their results."""
    start = tmp_path / "start"
    start.mkdir()
    movers = start_movers(url, start, jobs)
    for n in range(len(jobs)):
        (start / f"{n}").touch()
    results = []
    for mover in movers:
        out, err = mover.communicate(timeout=120)
        assert mover.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_the_same_tapes_moved_twice_at_once_move_once(db, db_url: str, tmp_path: Path) -> None:
    volsers = [f"A{n:05d}L8" for n in range(300)]
    for volser in volsers:
        make_volume(volser, DrmState.MOUNTABLE)
    first, second = run_together(
        db_url,
        tmp_path,
        [("COURIER", "MOUNTABLE", volsers), ("VAULT", "MOUNTABLE", volsers)],
    )
    assert sorted(first["moved"] + second["moved"]) == volsers
    loser = second if first["moved"] else first
    assert not loser["moved"] and len(loser["refused"]) == len(volsers)
    reason = loser["refused"][volsers[0]]
    assert reason.startswith("moved meanwhile by user-") and " on ws-" in reason
    moves = Movement.select().where(Movement.kind == BatchKind.MOVE)
    assert moves.count() == len(volsers)  # no duplicate movement row
    assert {v.version for v in Volume.select()} == {2}  # one state change each


def test_disjoint_moves_from_several_processes_all_succeed(db, db_url, tmp_path) -> None:
    sets = [[f"B{p}{n:04d}L8" for n in range(100)] for p in range(4)]
    for volsers in sets:
        for volser in volsers:
            make_volume(volser, DrmState.MOUNTABLE)
    results = run_together(db_url, tmp_path, [("COURIER", "MOUNTABLE", s) for s in sets])
    for volsers, result in zip(sets, results, strict=True):
        assert sorted(result["moved"]) == volsers and not result["refused"]
    assert Volume.select().where(Volume.state == DrmState.COURIER).count() == 400
    assert Movement.select().count() == 400
