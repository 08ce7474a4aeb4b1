"""The recovery plan in the window: one-click export in the background, plan versions,
the schedule dialog, the plan's state in the status bar."""

from __future__ import annotations

import datetime as dt
import stat

from drm_gui.core.media import load_settings
from drm_gui.core.models import SeriesKind, utcnow
from drm_gui.core.plan_files import list_plan_files
from drm_gui.gui.plan_view import (
    PlanScheduleDialog,
    PlanSourceDialog,
    PlanVersionsDialog,
    PlanVersionsModel,
)
from tests.helpers.factories import make_series


def with_backup_series() -> None:
    """The site's database backup: a full series, vaulted, written yesterday."""
    make_series(SeriesKind.FULL, 7, written_at=utcnow() - dt.timedelta(days=1))


def export(qtbot, session):
    session.window.plan.open_after_export = False
    with qtbot.waitSignal(session.window.plan.exported, timeout=60_000) as done:
        session.window.export_plan_action.trigger()
    return done.args[0]


def test_without_a_database_backup_no_plan_is_written_and_the_notice_says_why(qtbot, session):
    session.window.plan.open_after_export = False
    with qtbot.waitSignal(session.window.plan.status_changed, timeout=60_000):
        session.window.export_plan_action.trigger()
    assert "No plan was written" in session.window.notice.label.text()
    assert "back up the database" in session.window.notice.label.text()
    assert list_plan_files() == []


def test_one_click_export_writes_the_plan_and_its_pdf_in_the_background(qtbot, session):
    with_backup_series()
    result = export(qtbot, session)
    assert result.plan_path.is_file()
    assert result.pdf_path is not None and result.pdf_path.is_file()
    assert stat.S_IMODE(result.plan_path.stat().st_mode) == 0o600
    assert result.plan_path.read_text().startswith("DRM PLANPREFIX ")
    assert result.pdf_path.read_bytes().startswith(b"%PDF")
    notice = session.window.notice.label.text()
    assert "Recovery plan written" in notice and "PDF" in notice
    assert "Plan:" in session.window.plan_label.text()
    assert [v.path for v in list_plan_files()] == [result.plan_path]


def test_plan_versions_are_listed_newest_first(qtbot, qtmodeltester, session):
    with_backup_series()
    first = export(qtbot, session)
    qtbot.wait(1100)  # plan files are named to the second
    second = export(qtbot, session)
    model = PlanVersionsModel()
    model.reload()
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert model.version(0).path == second.plan_path
    assert model.version(1).path == first.plan_path
    dialog = PlanVersionsDialog()
    qtbot.addWidget(dialog)
    assert dialog.selected() is not None
    assert dialog.selected().path == second.plan_path


def test_schedule_dialog_checks_the_time_and_saves(qtbot, session):
    dialog = PlanScheduleDialog()
    qtbot.addWidget(dialog)
    dialog.time.setText("25:00")
    assert dialog.error.text()
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.time.setText("05:30")
    assert ok.isEnabled()
    dialog.enabled.setChecked(True)
    dialog.save()
    settings = load_settings()
    assert settings["plan_schedule"] is True
    assert settings["plan_schedule_time"] == "05:30"
    assert dialog.next_label.text()


def test_a_plan_for_an_older_series_and_its_split(qtbot, session, tmp_path):
    make_series(SeriesKind.FULL, 5, written_at=utcnow() - dt.timedelta(days=9))
    with_backup_series()
    dialog = PlanSourceDialog()
    qtbot.addWidget(dialog)
    assert dialog.series.count() == 2
    dialog.series.setCurrentIndex(dialog.series.findData(5))
    series, pools = dialog.chosen()
    assert (series, pools) == (5, None)
    session.window.plan.open_after_export = False
    with qtbot.waitSignal(session.window.plan.exported, timeout=60_000) as done:
        session.window.plan.export(series=series)
    result = done.args[0]
    assert "series 5" in result.plan.source
    versions = PlanVersionsDialog()
    qtbot.addWidget(versions)
    files = versions.split_into(tmp_path / "split")
    names = {f.name for f in files}
    assert "RECOVERY.SCRIPT.DISASTER.RECOVERY.MODE" in names
    script = tmp_path / "split" / "RECOVERY.SCRIPT.DISASTER.RECOVERY.MODE"
    assert script.stat().st_mode & 0o100
    assert "files written" in versions.message.text()
