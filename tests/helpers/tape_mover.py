"""A process that moves every tape of a database, for the crash and backup tests: through
each TARGET state in turn, CHUNK tapes per move (all of them in one move when CHUNK is 0).

    python -m tests.helpers.tape_mover URL CHUNK TARGET...

It prints `moving` just before its first move starts, so that a kill lands inside a move,
and `committed N` after the N-th move has returned.
"""

from __future__ import annotations

import sys

from drm_gui.core import media
from drm_gui.core.db import close_database, open_database
from drm_gui.core.models import Volume
from drm_gui.core.states import DrmState

MOVING = "moving"
COMMITTED = "committed"


def main(argv: list[str]) -> int:
    url, chunk_text, *targets = argv
    open_database(url)
    try:
        ids = [v.id for v in Volume.select(Volume.id).order_by(Volume.id)]
        chunk = int(chunk_text) or len(ids)
        print(MOVING, flush=True)
        done = 0
        for target in targets:
            for start in range(0, len(ids), chunk):
                result = media.move_volumes(ids[start : start + chunk], DrmState(target))
                if result.refused:
                    raise SystemExit(f"refused: {result.refused[0].reason}")
                done += 1
                print(COMMITTED, done, flush=True)
    finally:
        close_database()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
