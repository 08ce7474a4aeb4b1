"""The main window's recovery plan part: export, versions, schedule, site data."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QDialog

from drm_gui.core.site import recovery_test_warning
from drm_gui.gui.plan_view import (
    PlanScheduleDialog,
    PlanSourceDialog,
    PlanVersionsDialog,
)
from drm_gui.gui.site_editor import SiteEditorDialog


class PlanWindowMixin:
    """Mixed into MainWindow: the Plan menu."""

    # The recovery plan ---------------------------------------------------------------
    def start_plan_schedule(self) -> None:
        """Shows the plan's state, warns of an overdue recovery test, starts the schedule."""
        self.plan.status.refresh()
        warning = recovery_test_warning(dt.date.today())
        if warning:
            self.plan_label.setToolTip(warning)
            self.show_notice(warning, "warning")
        self.plan.run_if_due()
        self.plan.timer.start()

    def _plan_versions(self) -> None:
        PlanVersionsDialog(self).exec()

    def _plan_from_older_series(self) -> None:
        dialog = PlanSourceDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            series, pools = dialog.chosen()
            self.plan.export(series=series, primary_pools=pools)

    def _plan_schedule(self) -> None:
        if PlanScheduleDialog(self).exec() == QDialog.DialogCode.Accepted:
            self.show_notice("Daily plan schedule saved.", "info")
            self.plan.run_if_due()

    def _site_editor(self) -> None:
        SiteEditorDialog(self).exec()
