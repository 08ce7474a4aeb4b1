"""A second workstation for the concurrency tests: waits for a start file, then moves the
given tapes once (as the board would, with the states it saw) and prints the result as JSON.

    python -m tests.helpers.mover URL START_FILE TARGET SEEN VOLSER...
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from drm_gui.core import media
from drm_gui.core.db import close_database, open_database
from drm_gui.core.media import Actor
from drm_gui.core.states import DrmState


def main(argv: list[str]) -> int:
    url, start_file, target, seen, *volsers = argv
    open_database(url)
    try:
        ids, _ = media.resolve_volsers(volsers)
        actor = Actor(f"user-{Path(start_file).name}", f"ws-{Path(start_file).name}")
        while not Path(start_file).exists():
            time.sleep(0.002)
        result = media.move_volumes(
            ids, DrmState(target), actor=actor, seen={i: DrmState(seen) for i in ids}
        )
    finally:
        close_database()
    print(
        json.dumps(
            {
                "moved": [m.volser for m in result.moved],
                "refused": {r.volser: r.reason for r in result.refused},
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
