"""export_plan: the one export behind `prepare`, the app's button and the schedule."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader

from drm_gui.core import plan_export
from drm_gui.core.db import DatabaseInfo
from drm_gui.core.media import set_setting
from drm_gui.core.models import PlanVersion, PoolType
from drm_gui.core.plan import PlanError
from drm_gui.core.plan_export import PlanExportError, export_plan, pdf_path_for
from drm_gui.core.plan_files import list_plan_files
from drm_gui.core.plan_model import RecoveryPlan
from drm_gui.core.progress import CancelledError, running
from drm_gui.core.states import DrmState
from tests.core.test_plan import known_site
from tests.helpers.factories import NOW, make_pool, make_volume
from tests.helpers.progress import CancellingProgress


def test_writes_the_plan_and_its_pdf(db: DatabaseInfo, tmp_path: Path) -> None:
    known_site()
    done = export_plan(NOW, tmp_path / "out")
    assert done.plan_path.parent == tmp_path / "out"
    assert done.pdf_path == pdf_path_for(done.plan_path)
    assert done.pdf_path.name == done.plan_path.name + ".pdf"
    for path in (done.plan_path, done.pdf_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "C00001L8" in done.plan_path.read_text()
    text = "\n".join(page.extract_text() for page in PdfReader(done.pdf_path).pages)
    assert "TSM1" in text and "C00001L8" in text
    assert done.ready and done.problems == () and done.summary.startswith("Ready")
    assert done.plan.created_at == NOW and done.expired == ()
    assert [v.path for v in list_plan_files()] == [done.plan_path]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [done.plan_path.name, done.pdf_path.name]
    )  # no temporary files left


def test_text_only_under_the_plan_prefix(db: DatabaseInfo, tmp_path: Path) -> None:
    known_site()
    set_setting("plan_prefix", f"{tmp_path}/plans/")
    done = export_plan(NOW, pdf=False)
    assert done.pdf_path is None
    assert [p.name for p in (tmp_path / "plans").iterdir()] == [done.plan_path.name]


def test_source_and_pools_reach_build_plan(db: DatabaseInfo, tmp_path: Path) -> None:
    known_site()
    done = export_plan(NOW, tmp_path, pdf=False, series=10, primary_pools=("ARCH*",))
    assert "series 10 (chosen)" in done.plan.source
    assert "D00100L8" in done.plan_path.read_text()
    with pytest.raises(PlanError, match="no primary storage pool matches NOPE"):
        export_plan(NOW + dt.timedelta(seconds=1), tmp_path, pdf=False, primary_pools=("NOPE",))
    as_of = export_plan(
        NOW + dt.timedelta(seconds=2), tmp_path, pdf=False, as_of=NOW - dt.timedelta(days=2)
    )
    assert "as of" in as_of.plan.source


def test_not_ready_lists_each_problem(db: DatabaseInfo, tmp_path: Path) -> None:
    known_site()
    make_volume("C00009L8", DrmState.COURIER, pool=make_pool("COPY2", PoolType.COPY))
    done = export_plan(NOW, tmp_path, pdf=False)
    assert not done.ready
    assert [p for p in done.problems if p.startswith("C00009L8: COURIER")]
    assert done.summary.startswith("Not ready: 1 required volume(s)")


def test_nothing_written_when_no_plan_can_be_made(db: DatabaseInfo, tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="no database backup series"):
        export_plan(NOW, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert list_plan_files() == []


def test_a_missing_renderer_is_refused_before_writing(
    db: DatabaseInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known_site()
    monkeypatch.setattr(plan_export, "pdf_renderer", lambda: None)
    with pytest.raises(PlanError, match="PDF renderer is not available"):
        export_plan(NOW, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert export_plan(NOW, tmp_path / "out", pdf=False).pdf_path is None


def test_a_failed_pdf_names_the_plan_written(
    db: DatabaseInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known_site()

    def broken(plan: RecoveryPlan, path: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(plan_export, "pdf_renderer", lambda: broken)
    with pytest.raises(PlanExportError, match="disk full") as excinfo:
        export_plan(NOW, tmp_path)
    assert excinfo.value.plan_path.is_file()
    assert [v.path for v in list_plan_files()] == [excinfo.value.plan_path]


def test_old_versions_expire(db: DatabaseInfo, tmp_path: Path) -> None:
    known_site()
    set_setting("rpf_expire_days", "10")
    old = tmp_path / "old-plan"
    old.write_text("old")
    PlanVersion.create(
        created_at=NOW - dt.timedelta(days=11), path=str(old), source="x", ready=True, sha256="0"
    )
    done = export_plan(NOW, tmp_path / "out", pdf=False)
    assert done.expired == (old,)
    assert not old.exists()
    assert [v.path for v in list_plan_files()] == [done.plan_path]


def test_progress_is_reported_while_the_pdf_is_laid_out(db: DatabaseInfo, tmp_path: Path):
    known_site()
    progress = CancellingProgress()  # never cancels
    with running(progress):
        done = export_plan(NOW, tmp_path / "out")
    assert done.pdf_path is not None
    texts = [text for _d, _t, text in progress.reports]
    assert texts[0] == "Building the plan"
    assert "Laying out the PDF's pages" in texts and texts[-1] == "Writing the plan file"
    layout = [(d, t) for d, t, text in progress.reports if text.startswith("Laying out")]
    assert layout[-1][0] == layout[-1][1] > 0  # every part of the story laid out


@pytest.mark.parametrize("at", [1, 2, 3])
def test_a_cancelled_export_leaves_nothing(db: DatabaseInfo, tmp_path: Path, at: int) -> None:
    known_site()
    progress = CancellingProgress(after=at)
    with running(progress), pytest.raises(CancelledError, match="nothing was changed"):
        export_plan(NOW, tmp_path / "out")
    out = tmp_path / "out"
    assert not out.exists() or list(out.iterdir()) == []  # no plan, no PDF, no temporary
    assert PlanVersion.select().count() == 0
