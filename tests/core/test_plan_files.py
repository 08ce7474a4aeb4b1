"""Plan files: names, mode, temporary file and rename, planexpl splitting, expiry."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from drm_gui.core import plan_files
from drm_gui.core.db import DatabaseInfo
from drm_gui.core.media import set_setting
from drm_gui.core.models import SeriesKind
from drm_gui.core.plan import MACHINE_STANZAS, STANZA_ORDER, build_plan, parse_plan_stanzas
from drm_gui.core.plan_files import (
    expire_plan_files,
    list_plan_files,
    plan_stamp,
    split_plan,
    write_plan,
)
from tests.core.test_plan import known_site
from tests.helpers.factories import NOW, make_series

# IBM's planexpl rules, as DOMAIN.md states them, in awk (the tool the runbooks use).
PLANEXPL_AWK = r"""
$1 == "DRM" && $2 == "PLANPREFIX" { p = $3; if (p !~ /\/$/) p = p "."; next }
$1 ~ /^begin/ { f = dir "/" base($2); printf "" > f; next }
$1 ~ /^end/ { if (f != "") close(f); f = ""; next }
f != "" { print > f }
function base(name) { q = p; sub(/.*\//, "", q); return q name }
"""


def test_name_mode_and_prefix(db: DatabaseInfo, tmp_path: Path) -> None:
    known_site()
    set_setting("plan_prefix", f"{tmp_path}/plans/tsm1")
    plan = build_plan(now=NOW)
    path = write_plan(plan)
    assert path == tmp_path / "plans" / f"tsm1.{plan_stamp(NOW)}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().splitlines()[0] == f"DRM PLANPREFIX {tmp_path}/plans/tsm1"
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left
    set_setting("plan_prefix", f"{tmp_path}/folder/")
    folder_plan = write_plan(build_plan(now=NOW + dt.timedelta(seconds=1)))
    assert folder_plan.parent == tmp_path / "folder"
    assert folder_plan.name == plan_stamp(NOW + dt.timedelta(seconds=1))
    versions = list_plan_files()
    assert [v.path for v in versions] == [folder_plan, path]
    assert all(v.ready and len(v.sha256) == 64 for v in versions)


def test_no_partial_file_on_an_error(
    db: DatabaseInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known_site()
    plan = build_plan(now=NOW, out_dir=tmp_path / "out")

    def broken(*args: object) -> object:
        yield "DRM PLANPREFIX x"
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(plan_files, "plan_lines", broken)
    with pytest.raises(RuntimeError):
        write_plan(plan)
    assert list((tmp_path / "out").iterdir()) == []
    assert list_plan_files() == []


def test_split_gives_exactly_the_stanzas(db: DatabaseInfo, tmp_path: Path) -> None:
    known_site()
    set_setting("plan_prefix", f"{tmp_path}/tsm1")
    path = write_plan(build_plan(now=NOW))
    files = split_plan(path, tmp_path / "split")
    names = [f.name for f in files]
    assert names == [f"tsm1.{n}" for n in (*STANZA_ORDER, *MACHINE_STANZAS)]
    stanzas = dict(parse_plan_stanzas(path.read_text().splitlines()))
    for f in files:
        assert f.read_text().splitlines() == stanzas[f.name.removeprefix("tsm1.")]
    for name in ("RECOVERY.SCRIPT.DISASTER.RECOVERY.MODE", "RECOVERY.SCRIPT.NORMAL.MODE"):
        assert os.access(tmp_path / "split" / f"tsm1.{name}", os.X_OK)
    assert not os.access(tmp_path / "split" / "tsm1.STGPOOLS.RESTORE", os.X_OK)
    script = tmp_path / "split" / "tsm1.RECOVERY.SCRIPT.NORMAL.MODE"
    assert subprocess.run(["sh", "-n", str(script)]).returncode == 0  # valid shell
    done = subprocess.run([str(script)], capture_output=True, text=True)
    assert done.returncode == 2 and "usage" in done.stderr

    if shutil.which("awk"):  # the same split by awk, planexpl's way
        awk_dir = tmp_path / "awk"
        awk_dir.mkdir()
        subprocess.run(["awk", "-v", f"dir={awk_dir}", PLANEXPL_AWK, str(path)], check=True)
        assert sorted(p.name for p in awk_dir.iterdir()) == sorted(names)
        for f in files:
            assert (awk_dir / f.name).read_text() == f.read_text()


def test_expiry_keeps_the_newest(db: DatabaseInfo, tmp_path: Path) -> None:
    known_site()
    make_series(SeriesKind.FULL, 1, written_at=NOW - dt.timedelta(days=40))
    set_setting("rpf_expire_days", "10")
    out = tmp_path / "out"
    old = write_plan(build_plan(now=NOW - dt.timedelta(days=30), out_dir=out))
    older = write_plan(build_plan(now=NOW - dt.timedelta(days=29), out_dir=out))
    assert expire_plan_files(NOW) == [old]  # the newest (29 days old) stays
    assert older.exists() and not old.exists()
    newest = write_plan(build_plan(now=NOW, out_dir=out))
    assert expire_plan_files(NOW) == [older]
    assert [v.path for v in list_plan_files()] == [newest]
    assert expire_plan_files(NOW + dt.timedelta(days=400)) == []
