"""Taking the server's volume history and device configuration into the database: a preview
first, then one transaction.

Volume history (volhist.out, or SELECT ... FROM VOLHISTORY): the database backup series
(full with its incrementals, snapshots) are recorded with their volumes, operations,
sequences, device classes and dates; the tracked volumes of a series get their kind from it
(a standard QUERY DRMEDIA list gives no type). Volumes of the history that are not tracked
here are listed, not created: the history says nothing of where a tape is (import the
QUERY DRMEDIA list first). Storage volume events mark copy-pool tapes empty (STGDELETE) or
in use again (STGNEW, STGREUSE), the latest event deciding, which the expiry rules read.
The file itself is kept for the recovery plan (VOLUME.HISTORY.FILE).

Device configuration (devconfig.out): kept for the plan (DEVICE.CONFIGURATION.FILE); its
device classes, libraries, drives and paths are listed from the stored copy.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from drm_gui.core import audit, media, site
from drm_gui.core.db import executemany
from drm_gui.core.import_volumes import ImportRefusedError, Status, server_time
from drm_gui.core.media import Actor, current_actor
from drm_gui.core.models import (
    BatchKind,
    DbBackupSeries,
    SeriesKind,
    Volume,
    database,
    utcnow,
)
from drm_gui.core.site import ServerFile
from drm_gui.core.states import DrmError, VolumeKind
from drm_gui.core.tsm_formats import ParseProblem
from drm_gui.core.tsm_formats_files import (
    DB_BACKUP_TYPES,
    DevconfigResult,
    VolhistEntry,
    db_backup_series,
    parse_devconfig,
    parse_volhist,
)
from drm_gui.core.tsm_formats_files import (
    DbBackupSeries as ParsedSeries,
)

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 256 * 1024 * 1024
STORAGE_EVENTS = frozenset({"STGNEW", "STGREUSE", "STGDELETE"})


def read_text_file(path: str | Path, what: str) -> str:
    """The text of a file to import; DrmError naming the file and what is wrong."""
    source = Path(path).expanduser()
    try:
        if source.is_dir():
            raise DrmError(f"{what}: {source} is a folder, not a file")
        if source.stat().st_size > MAX_FILE_BYTES:
            raise DrmError(f"{what}: {source} is larger than 256 MB")
        return source.read_text(encoding="utf-8", errors="replace").replace("\x00", "")
    except OSError as exc:
        raise DrmError(f"{what}: cannot read {source}: {exc.strerror or exc}") from None


def refuse_problems(source: str, problems: Sequence[ParseProblem]) -> None:
    first = problems[0]
    raise ImportRefusedError(
        f"{source}: {len(problems):,} bad line(s), the first on line {first.line_number}: "
        f"{first.message}; nothing was imported (accept the valid lines to import them "
        "without the bad ones)"
    )


# --- Volume history ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesDiff:
    status: Status  # NEW, CHANGED (start time) or UNCHANGED
    series: ParsedSeries

    @property
    def kind(self) -> SeriesKind:
        return SeriesKind.SNAPSHOT if self.series.snapshot else SeriesKind.FULL


@dataclass(frozen=True)
class HistoryVolumeDiff:
    """A tracked volume of a DB backup series, and what the history changes on it."""

    status: Status  # CHANGED or UNCHANGED
    volume_id: int
    entry: VolhistEntry
    kind: VolumeKind
    series: tuple[SeriesKind, int]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class EmptyDiff:
    """A tracked storage-pool volume whose latest history event changes whether it is empty."""

    volume_id: int
    volser: str
    event: VolhistEntry
    empty_since: dt.datetime | None  # the new value (None: in use again)


@dataclass(frozen=True)
class VolhistPreview:
    source: str
    text: str
    entries: int
    problems: tuple[ParseProblem, ...]
    series: tuple[SeriesDiff, ...]
    volumes: tuple[HistoryVolumeDiff, ...]
    storage: tuple[EmptyDiff, ...]
    untracked: tuple[str, ...]  # DB backup volumes of the history not tracked here
    file_changed: bool

    @property
    def has_changes(self) -> bool:
        return (
            self.file_changed
            or bool(self.storage)
            or any(s.status is not Status.UNCHANGED for s in self.series)
            or any(v.status is not Status.UNCHANGED for v in self.volumes)
        )

    def summary(self) -> str:
        new = sum(1 for s in self.series if s.status is Status.NEW)
        changed = sum(1 for v in self.volumes if v.status is Status.CHANGED)
        parts = [
            f"{self.entries:,} entries read",
            f"{len(self.series):,} DB backup series ({new:,} new)",
            f"{changed:,} volume(s) to update",
            f"{len(self.storage):,} storage volume(s) emptied or reused",
        ]
        if self.untracked:
            parts.append(f"{len(self.untracked):,} volume(s) not tracked here")
        if self.problems:
            parts.append(f"{len(self.problems):,} bad line(s)")
        return ", ".join(parts)


def utc_entries(entries: Iterable[VolhistEntry]) -> list[VolhistEntry]:
    """The entries with their server times made UTC (built directly: dataclasses.replace is
    five times slower over 100,000 entries)."""
    return [
        VolhistEntry(
            server_time(e.when),
            e.type,
            e.series,
            e.operation,
            e.sequence,
            e.device_class,
            e.volume,
            e.location,
            e.line_number,
            e.extra,
        )
        for e in entries
    ]


def _kind_of(series: ParsedSeries) -> VolumeKind:
    return VolumeKind.DB_SNAPSHOT if series.snapshot else VolumeKind.DB_BACKUP


def _tracked() -> dict[str, tuple[int, str, int | None, int | None, int | None, str, str, object]]:
    """volser -> (id, kind, series id, operation, sequence, device class, written_at,
    empty_since) of every volume."""
    vt = Volume._meta.table_name
    cursor = database.execute_sql(
        f"SELECT volser, id, kind, series_id, backup_operation, volume_seq, device_class, "
        f"written_at, empty_since FROM {vt}"
    )
    return {row[0].upper(): row[1:] for row in cursor.fetchall()}


def _stored_series() -> dict[tuple[SeriesKind, int], tuple[int, dt.datetime]]:
    rows = DbBackupSeries.select(
        DbBackupSeries.kind, DbBackupSeries.number, DbBackupSeries.id, DbBackupSeries.started_at
    ).tuples()
    return {(kind, number): (sid, started) for kind, number, sid, started in rows}


def preview_volhist(
    text: str,
    *,
    source: str,
    entries: Sequence[VolhistEntry] | None = None,
    problems: Sequence[ParseProblem] = (),
) -> VolhistPreview:
    """Compares a volume history (its *text*, or *entries* read from the server) with the
    database."""
    if entries is None:
        parsed = parse_volhist(text)
        entries = utc_entries(parsed.entries)
        problems = parsed.problems
    tracked = _tracked()
    stored = _stored_series()
    series_diffs: list[SeriesDiff] = []
    volume_diffs: list[HistoryVolumeDiff] = []
    untracked: dict[str, None] = {}
    # A volume written more than once (reused in a later series) belongs to its latest use.
    latest: dict[str, VolhistEntry] = {}
    for entry in entries:
        if entry.type in DB_BACKUP_TYPES:
            key = entry.volume.upper()
            if key not in latest or entry.when >= latest[key].when:
                latest[key] = entry
    for series in db_backup_series(entries):
        kind = SeriesKind.SNAPSHOT if series.snapshot else SeriesKind.FULL
        known = stored.get((kind, series.series))
        if known is None:
            status = Status.NEW
        else:
            status = Status.UNCHANGED if known[1] == series.started else Status.CHANGED
        series_diffs.append(SeriesDiff(status, series))
        for operation in series.operations:
            for entry in operation.volumes:
                if latest[entry.volume.upper()] is not entry:
                    continue
                row = tracked.get(entry.volume.upper())
                if row is None:
                    untracked[entry.volume] = None
                    continue
                diff = _volume_diff(row, entry, _kind_of(series), kind, known)
                volume_diffs.append(diff)
    storage = _storage_diffs(entries, tracked)
    stored_file = site.get_server_file(ServerFile.VOLHIST)
    return VolhistPreview(
        source=source,
        text=text,
        entries=len(entries),
        problems=tuple(problems),
        series=tuple(series_diffs),
        volumes=tuple(volume_diffs),
        storage=tuple(storage),
        untracked=tuple(untracked),
        file_changed=bool(text) and (stored_file is None or stored_file.text != text),
    )


def _volume_diff(
    row: tuple,
    entry: VolhistEntry,
    kind: VolumeKind,
    series_kind: SeriesKind,
    known: tuple[int, dt.datetime] | None,
) -> HistoryVolumeDiff:
    vid, local_kind, series_id, operation, sequence, device_class, written_at = row[:7]
    fields = []
    if local_kind != kind.value:
        fields.append("kind")
    if known is None or series_id != known[0]:
        fields.append("series")
    if operation != entry.operation or sequence != entry.sequence:
        fields.append("sequence")
    if device_class != entry.device_class:
        fields.append("device class")
    if written_at is None or media.to_datetime(written_at) != entry.when:
        fields.append("written")
    status = Status.CHANGED if fields else Status.UNCHANGED
    return HistoryVolumeDiff(status, vid, entry, kind, (series_kind, entry.series), tuple(fields))


def _storage_diffs(entries: Iterable[VolhistEntry], tracked: dict[str, tuple]) -> list[EmptyDiff]:
    latest: dict[str, VolhistEntry] = {}
    for entry in entries:
        if entry.type not in STORAGE_EVENTS:
            continue
        key = entry.volume.upper()
        if key not in latest or entry.when >= latest[key].when:
            latest[key] = entry
    diffs = []
    for key, event in sorted(latest.items()):
        row = tracked.get(key)
        if row is None or VolumeKind(row[1]).is_database:
            continue
        empty_since = event.when if event.type == "STGDELETE" else None
        current = media.to_datetime(row[7]) if row[7] is not None else None
        if current != empty_since:
            diffs.append(EmptyDiff(row[0], key, event, empty_since))
    return diffs


@dataclass(frozen=True)
class HistoryResult:
    batch_id: int | None
    series_created: int
    volumes_updated: int
    storage_updated: int
    skipped_lines: int

    def summary(self) -> str:
        if self.batch_id is None:
            return "nothing to change: the database already agrees with the history"
        text = (
            f"{self.series_created:,} new series, {self.volumes_updated:,} volume(s) updated, "
            f"{self.storage_updated:,} storage volume(s) emptied or reused"
        )
        if self.skipped_lines:
            text += f"; {self.skipped_lines:,} bad line(s) skipped"
        return f"{text} (batch {self.batch_id})"


def apply_volhist(
    preview: VolhistPreview,
    *,
    accept_problems: bool = False,
    actor: Actor | None = None,
    now: dt.datetime | None = None,
) -> HistoryResult:
    """Writes what *preview* shows in one transaction (an IMPORT batch row says who and
    when); nothing when nothing differs."""
    if preview.problems and not accept_problems:
        refuse_problems(preview.source, preview.problems)
    skipped = len(preview.problems)
    if not preview.has_changes:
        return HistoryResult(None, 0, 0, 0, skipped)
    actor = actor or current_actor()
    at = now or utcnow()
    new_series = [s for s in preview.series if s.status is Status.NEW]
    changed = [v for v in preview.volumes if v.status is Status.CHANGED]
    reason = f"import of {preview.source}"
    with database.atomic():
        batch_id = media.new_batch(BatchKind.IMPORT, actor=actor, at=at, reason=reason)
        _write_series(preview.series)
        ids = _stored_series()
        _write_volumes(changed, ids)
        _write_storage(preview.storage)
        audit.record_batch(
            batch_id,
            BatchKind.IMPORT,
            actor=actor,
            at=at,
            reason=reason,
            updated=[d.entry.volume.upper() for d in changed] + [d.volser for d in preview.storage],
            subject=preview.source,
            facts={"series_created": len(new_series)},
        )
        if preview.file_changed:
            site.set_server_file(ServerFile.VOLHIST, preview.text, source=preview.source)
    log.info("volume history %s imported: %s", preview.source, preview.summary())
    return HistoryResult(batch_id, len(new_series), len(changed), len(preview.storage), skipped)


def _write_series(diffs: Sequence[SeriesDiff]) -> None:
    new = [
        {"kind": d.kind, "number": d.series.series, "started_at": d.series.started}
        for d in diffs
        if d.status is Status.NEW
    ]
    for start in range(0, len(new), media.CHUNK):
        DbBackupSeries.insert_many(new[start : start + media.CHUNK]).execute()
    for d in diffs:
        if d.status is Status.CHANGED:
            DbBackupSeries.update(started_at=d.series.started).where(
                (DbBackupSeries.kind == d.kind) & (DbBackupSeries.number == d.series.series)
            ).execute()


def _write_volumes(
    diffs: Sequence[HistoryVolumeDiff], ids: dict[tuple[SeriesKind, int], tuple[int, object]]
) -> None:
    if not diffs:
        return
    vt = Volume._meta.table_name
    p = database.param
    rows = [
        (
            d.kind.value,
            ids[d.series][0],
            d.entry.operation,
            d.entry.sequence,
            d.entry.device_class,
            str(d.entry.when),
            d.volume_id,
        )
        for d in diffs
    ]
    executemany(
        f"UPDATE {vt} SET kind = {p}, pool_id = NULL, series_id = {p}, "
        f"backup_operation = {p}, volume_seq = {p}, device_class = {p}, written_at = {p} "
        f"WHERE id = {p}",
        rows,
    )


def _write_storage(diffs: Sequence[EmptyDiff]) -> None:
    if not diffs:
        return
    vt = Volume._meta.table_name
    p = database.param
    emptied = [(str(d.empty_since), d.volume_id) for d in diffs if d.empty_since is not None]
    reused = [(d.volume_id,) for d in diffs if d.empty_since is None]
    if emptied:
        executemany(f"UPDATE {vt} SET empty_since = {p}, pct_used = 0 WHERE id = {p}", emptied)
    if reused:
        executemany(f"UPDATE {vt} SET empty_since = NULL WHERE id = {p}", reused)


# --- Device configuration ---------------------------------------------------------------------


@dataclass(frozen=True)
class DevconfigPreview:
    source: str
    text: str
    result: DevconfigResult
    file_changed: bool

    @property
    def problems(self) -> list[ParseProblem]:
        return self.result.problems

    @property
    def has_changes(self) -> bool:
        return self.file_changed

    def summary(self) -> str:
        r = self.result
        text = (
            f"{len(r.device_classes):,} device class(es), {len(r.libraries):,} library(ies), "
            f"{len(r.drives):,} drive(s), {len(r.paths):,} path(s)"
        )
        if r.server_name:
            text = f"server {r.server_name}: {text}"
        if r.problems:
            text += f", {len(r.problems):,} bad line(s)"
        return text + ("" if self.file_changed else "; the stored copy is the same")


def preview_devconfig(text: str, *, source: str) -> DevconfigPreview:
    stored = site.get_server_file(ServerFile.DEVCONFIG)
    changed = stored is None or stored.text != text
    return DevconfigPreview(source, text, parse_devconfig(text), changed)


def apply_devconfig(preview: DevconfigPreview, *, accept_problems: bool = False) -> bool:
    """Stores the file for the plan; False when the stored copy was already the same."""
    if preview.problems and not accept_problems:
        refuse_problems(preview.source, preview.problems)
    if not preview.file_changed:
        return False
    site.set_server_file(ServerFile.DEVCONFIG, preview.text, source=preview.source)
    log.info("device configuration %s stored: %s", preview.source, preview.summary())
    return True


def stored_devconfig() -> DevconfigResult | None:
    """The device classes, libraries, drives and paths of the stored device configuration."""
    stored = site.get_server_file(ServerFile.DEVCONFIG)
    return None if stored is None else parse_devconfig(stored.text)
