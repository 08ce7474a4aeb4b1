"""A site with a real mtx backend on the fake mtx: volumes in the database, tapes in slots.

The core's library operations are tested through the real subprocess path (MtxLibrary →
the fake ``mtx``, ``mt`` and ``dd``), never through the simulator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drm_gui.core.models import Volume
from drm_gui.core.states import DrmState
from drm_gui.library.base import Inventory
from drm_gui.library.mtx import MtxLibrary
from tests.fake_mtx import (
    DD,
    MT,
    MTX,
    fake_env,
    make_state,
    read_state,
    set_faults,
    take_io_station,
)
from tests.helpers.factories import make_volume

DEV = "/dev/sg3"


@dataclass
class FakeSite:
    state: Path
    library: MtxLibrary
    ids: dict[str, int] = field(default_factory=dict)

    def inventory(self) -> Inventory:
        return self.library.inventory()

    def take_io_station(self) -> list[str | None]:
        """The operator empties the fake library's I/O station."""
        return take_io_station(self.state)

    def faults(self, **faults: Any) -> None:
        set_faults(self.state, **faults)

    def commands(self) -> list[str]:
        return [" ".join(argv[2:]) for argv in read_state(self.state)["history"]]

    def volume(self, volser: str) -> Volume:
        return Volume.get_by_id(self.ids[volser])


def mtx_library(state: Path) -> MtxLibrary:
    return MtxLibrary(
        DEV,
        str(MTX),
        env=fake_env(state),
        drive_devices=["/dev/nst0", "/dev/nst1"],
        mt_path=str(MT),
        label_command=[str(DD), "if={device}", "bs=262144", "count=1"],
        ready_poll=0.01,
        ready_timeout=2.0,
    )


def build_site(
    state: Path,
    volumes: Sequence[tuple[str, DrmState, int | None]],
    *,
    drives: int = 2,
    slots: int = 12,
    io_slots: int = 3,
    extra_tags: Mapping[int, str] | None = None,
    loaded: Mapping[int, tuple[str, int | None]] | None = None,
    volume_options: Mapping[str, Mapping[str, Any]] | None = None,
    **state_options: Any,
) -> FakeSite:
    """Volumes (volser, state, slot in the fake library or None) in the database and the
    fake library; ``extra_tags`` are cartridges the database does not know (slot → tag)."""
    tags: dict[int, str] = dict(extra_tags or {})
    ids: dict[str, int] = {}
    for volser, state_, slot in volumes:
        options = dict((volume_options or {}).get(volser, {}))
        options.setdefault("location", "LIB1" if state_ is DrmState.MOUNTABLE else state_.value)
        volume = make_volume(volser, state_, **options)
        if state_ is DrmState.MOUNTABLE and slot is not None and slot <= slots:
            Volume.update(library_slot=slot).where(Volume.id == volume.id).execute()
        ids[volser] = volume.id
        if slot is not None:
            tags[slot] = volser
    make_state(
        state,
        drives=drives,
        slots=slots,
        io_slots=io_slots,
        tags=tags,
        loaded=loaded,
        **state_options,
    )
    return FakeSite(state, mtx_library(state), ids)
