"""One entry for every kind of file the storage server's records come in: read the file,
parse it, preview it against the database, and apply the preview. The command line's
`import` and the app's File → Import both go through here."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from pathlib import Path

from drm_gui.core import import_history, import_volumes
from drm_gui.core.import_history import DevconfigPreview, VolhistPreview
from drm_gui.core.import_volumes import Resolution, VolumePreview
from drm_gui.core.progress import current as current_progress
from drm_gui.core.roles import Action, require
from drm_gui.core.tsm_formats import parse_drmedia
from drm_gui.core.volume_csv import parse_volume_csv


class ImportKind(enum.Enum):
    DRMEDIA = "drmedia"
    VOLHIST = "volhist"
    DEVCONFIG = "devconfig"
    CSV = "csv"

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES = {
    ImportKind.DRMEDIA: "QUERY DRMEDIA or SELECT ... FROM DRMEDIA output",
    ImportKind.VOLHIST: "Volume history (volhist.out)",
    ImportKind.DEVCONFIG: "Device configuration (devconfig.out)",
    ImportKind.CSV: "Volume list (CSV)",
}

Preview = VolumePreview | VolhistPreview | DevconfigPreview


def preview_text(
    kind: ImportKind, text: str, *, source: str, columns: Sequence[str] | None = None
) -> Preview:
    """The preview of *text* (the content of a file of *kind*); *columns* names the columns
    of a headerless SELECT ... FROM DRMEDIA output."""
    progress = current_progress()
    progress.stage(f"Reading: {kind.title}")
    if kind is ImportKind.VOLHIST:
        return import_history.preview_volhist(text, source=source)
    if kind is ImportKind.DEVCONFIG:
        return import_history.preview_devconfig(text, source=source)
    parsed = parse_volume_csv(text) if kind is ImportKind.CSV else parse_drmedia(text, columns)
    progress.stage(f"Comparing {len(parsed.records):,} tapes with the records")
    return import_volumes.preview_volumes(
        parsed.records, parsed.problems, source=source, form=parsed.form
    )


def preview_file(
    kind: ImportKind, path: str | Path, *, columns: Sequence[str] | None = None
) -> Preview:
    text = import_history.read_text_file(path, kind.title)
    return preview_text(kind, text, source=str(Path(path).expanduser()), columns=columns)


def apply_preview(
    preview: Preview,
    *,
    accept_problems: bool = False,
    resolutions: Mapping[str, Resolution] | None = None,
    default: Resolution = Resolution.KEEP_LOCAL,
) -> str:
    """Applies *preview* in one transaction; what was done, in a sentence. An
    administrator's work: the records then follow the server's. A cancel (the current
    progress) rolls the transaction back."""
    require(Action.SERVER)
    current_progress().stage("Writing the changes")
    if isinstance(preview, VolumePreview):
        return import_volumes.apply_volumes(
            preview, accept_problems=accept_problems, resolutions=resolutions, default=default
        ).summary()
    if isinstance(preview, VolhistPreview):
        return import_history.apply_volhist(preview, accept_problems=accept_problems).summary()
    if import_history.apply_devconfig(preview, accept_problems=accept_problems):
        return f"device configuration stored for the plan ({preview.summary()})"
    return "nothing to change: the stored device configuration is the same"
