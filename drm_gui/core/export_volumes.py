"""Every volume as the plain volume CSV (see volume_csv.py), which `import csv` reads back:
the records of a site without a server link, moved between databases or edited by hand."""

from __future__ import annotations

from pathlib import Path

from drm_gui.core import media
from drm_gui.core.files import write_text_atomically
from drm_gui.core.tsm_formats import DrmediaRecord
from drm_gui.core.volume_csv import format_volume_csv

EXPORT_FILE_MODE = 0o640  # volume lists name no secrets, but stay off world-readable


def volume_records() -> list[DrmediaRecord]:
    """Every volume as a record, by volser."""
    rows = (media.to_row(t) for t in media.board_tuples())
    return [
        DrmediaRecord(r.volser, r.state, r.updated_at, r.location, r.kind, r.pool) for r in rows
    ]


def volumes_csv() -> str:
    return format_volume_csv(volume_records())


def write_volumes_csv(path: Path) -> int:
    """Writes every volume to *path* (through a temporary file); the number written."""
    records = volume_records()
    write_text_atomically(Path(path), format_volume_csv(records), EXPORT_FILE_MODE)
    return len(records)
