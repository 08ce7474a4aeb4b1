"""Plan files: writing (temporary name, then rename; owner only), splitting like IBM's
planexpl, and the stored plan versions that expire after rpf_expire_days. No Qt here."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from drm_gui.core.media import load_settings, to_datetime
from drm_gui.core.models import PlanVersion, database
from drm_gui.core.plan import EXECUTABLE_STANZAS, PlanError, file_base, plan_lines
from drm_gui.core.plan_model import RecoveryPlan

log = logging.getLogger(__name__)


def plan_stamp(created_at: dt.datetime) -> str:
    """`yyyymmdd.hhmmss` of a (naive UTC) time, in the local time zone as DRM's server did."""
    return created_at.replace(tzinfo=dt.UTC).astimezone().strftime("%Y%m%d.%H%M%S")


def plan_path(prefix: str, created_at: dt.datetime) -> Path:
    """prefix + stamp: a folder prefix ('/' at the end) holds `stamp`, else `prefix.stamp`."""
    folder = Path(prefix) if prefix.endswith("/") else Path(prefix).parent
    return folder / (file_base(prefix) + plan_stamp(created_at))


def write_plan(plan: RecoveryPlan) -> Path:
    """Writes the plan file under its prefix (build_plan's out_dir moves the prefix), through
    a temporary file in the same folder renamed into place, readable by the owner only, and
    records the version. Returns the path."""
    target = plan_path(plan.plan_prefix, plan.created_at)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise PlanError(f"{target} already exists: a plan was written in this same second")
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            for line in plan_lines(plan):
                data = line + "\n"
                out.write(data)
                digest.update(data.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _record_version(plan, target, digest.hexdigest())
    log.info("wrote the recovery plan %s (%s)", target, plan.readiness.summary)
    return target


def _record_version(plan: RecoveryPlan, path: Path, sha256: str) -> None:
    with database.atomic():
        PlanVersion.create(
            created_at=plan.created_at,
            path=str(path.resolve()),
            source=plan.source[:255],
            ready=plan.readiness.ready,
            sha256=sha256,
        )


# --- planexpl -------------------------------------------------------------------------------


def split_plan(path: Path | str, out_dir: Path | str) -> list[Path]:
    """Splits a plan file into one file per stanza as IBM's planexpl did: only the first two
    words of a line count; a first word starting with `begin` opens base + NAME (base from
    the `DRM PLANPREFIX` line's third word: '' for a folder, else its last part + '.'), one
    starting with `end` closes it. The recovery scripts are made executable. Returns the
    files written, in order (a stanza repeated per machine keeps its last copy, as there)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    base = ""
    written: dict[Path, None] = {}
    current = None
    try:
        with open(path, encoding="utf-8", errors="replace") as plan:
            for raw in plan:
                words = raw.split()
                if current is None and len(words) >= 2 and words[:2] == ["DRM", "PLANPREFIX"]:
                    base = file_base(words[2]) if len(words) > 2 else "."
                    continue
                if words and words[0].startswith("begin"):
                    if current is not None:
                        current.close()
                    if len(words) < 2:
                        raise PlanError(f"{path}: a begin line without a stanza name")
                    target = out / (base + words[1])
                    current = open(target, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
                    _make_mode(target, words[1])
                    written[target] = None
                    continue
                if words and words[0].startswith("end"):
                    if current is not None:
                        current.close()
                    current = None
                    continue
                if current is not None:
                    current.write(raw if raw.endswith("\n") else raw + "\n")
    finally:
        if current is not None:
            current.close()
    return list(written)


def _make_mode(target: Path, name: str) -> None:
    mode = stat.S_IRUSR | stat.S_IWUSR
    if name in EXECUTABLE_STANZAS:
        mode |= stat.S_IXUSR
    os.chmod(target, mode)


# --- Stored plan versions -------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFileInfo:
    id: int
    created_at: dt.datetime
    path: Path
    source: str
    ready: bool
    sha256: str

    @property
    def exists(self) -> bool:
        return self.path.is_file()


def list_plan_files() -> list[PlanFileInfo]:
    """The stored plan versions, newest first."""
    query = PlanVersion.select().order_by(PlanVersion.created_at.desc(), PlanVersion.id.desc())
    return [
        PlanFileInfo(
            r.id, to_datetime(r.created_at), Path(r.path), r.source, bool(r.ready), r.sha256
        )
        for r in query
    ]


def expire_plan_files(now: dt.datetime) -> list[Path]:
    """Deletes the stored plan versions older than rpf_expire_days (the newest never) and
    their files. Returns the paths deleted."""
    days = int(load_settings()["rpf_expire_days"])  # type: ignore[arg-type]
    versions = list_plan_files()
    expired = [v for v in versions[1:] if now - v.created_at > dt.timedelta(days=days)]
    deleted: list[Path] = []
    for version in expired:
        try:
            version.path.unlink()
            deleted.append(version.path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("cannot delete the expired plan %s: %s", version.path, exc)
            continue
        with database.atomic():
            PlanVersion.delete().where(PlanVersion.id == version.id).execute()
    return deleted
