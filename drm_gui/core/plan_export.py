"""Exporting a recovery plan: build it, write the plan file, render its PDF, expire old
versions. The one sequence behind the `prepare` command, the app's "Export recovery plan"
button and the daily schedule. No Qt here."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from drm_gui.core.plan import PlanError, build_plan, readiness_problems
from drm_gui.core.plan_files import expire_plan_files, plan_path, write_plan
from drm_gui.core.plan_model import RecoveryPlan
from drm_gui.core.progress import CancelledError
from drm_gui.core.progress import current as current_progress
from drm_gui.core.states import DrmError

log = logging.getLogger(__name__)

PdfRenderer = Callable[[RecoveryPlan, Path], object]


class PlanExportError(DrmError):
    """The plan file was written but its PDF was not; *plan_path* is the file written."""

    def __init__(self, message: str, plan_path: Path) -> None:
        super().__init__(message)
        self.plan_path = plan_path


@dataclass(frozen=True)
class PlanExport:
    """What one export wrote."""

    plan: RecoveryPlan
    plan_path: Path
    pdf_path: Path | None
    expired: tuple[Path, ...] = ()  # older plan files deleted (rpf_expire_days)

    @property
    def ready(self) -> bool:
        return self.plan.readiness.ready

    @property
    def summary(self) -> str:
        return self.plan.readiness.summary

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(readiness_problems(self.plan.readiness))


def pdf_renderer() -> PdfRenderer | None:
    """reports.plan_pdf.render_plan_pdf, or None where this build has no ReportLab."""
    try:
        module = importlib.import_module("drm_gui.reports.plan_pdf")
    except ImportError:
        return None
    return getattr(module, "render_plan_pdf", None)


def pdf_path_for(plan_path: Path) -> Path:
    """The PDF beside a plan file: the plan file's name + '.pdf'."""
    return plan_path.with_name(plan_path.name + ".pdf")


def export_plan(
    now: dt.datetime,
    out_dir: Path | str | None = None,
    pdf: bool = True,
    series: int | None = None,
    as_of: dt.datetime | None = None,
    primary_pools: Sequence[str] | None = None,
) -> PlanExport:
    """Builds the plan as of *now* (naive UTC; *series*, *as_of* and *primary_pools* as in
    build_plan), writes it under the plan prefix or into *out_dir* (0600, recorded as a plan
    version), renders its PDF beside it when *pdf*, then expires old plan versions.

    Raises PlanError when no plan can be made (nothing written) or the PDF renderer is
    missing (checked first), OSError when the plan file cannot be written, and
    PlanExportError (with the plan file's path) when the plan was written but its PDF was
    not. CancelledError (the current progress) before the plan file is written leaves nothing:
    the PDF is drawn first, the plan file written after it."""
    progress = current_progress()
    renderer = pdf_renderer() if pdf else None
    if pdf and renderer is None:
        raise PlanError("the PDF renderer is not available in this build")
    progress.stage("Building the plan")
    plan = build_plan(
        now=now, series=series, as_of=as_of, primary_pools=primary_pools, out_dir=out_dir
    )
    target = plan_path(plan.plan_prefix, plan.created_at)
    if target.exists() or pdf_path_for(target).exists():  # never draw over another's PDF
        raise PlanError(f"{target} already exists: a plan was written in this same second")
    pdf_path = None
    pdf_error: OSError | DrmError | None = None
    if renderer is not None:
        pdf_path = pdf_path_for(target)
        try:
            renderer(plan, pdf_path)
            pdf_path.chmod(0o600)
        except CancelledError:
            raise
        except (OSError, DrmError) as exc:
            pdf_error, pdf_path = exc, None
    progress.stage("Writing the plan file")
    try:
        path = write_plan(plan)
    except BaseException:
        if pdf_path is not None:
            pdf_path.unlink(missing_ok=True)  # no PDF without its plan file
        raise
    if pdf_error is not None:
        raise PlanExportError(
            f"the plan was written to {path}, but not its PDF: {pdf_error}", path
        ) from pdf_error
    expired = tuple(expire_plan_files(now))
    log.info("exported the recovery plan %s (PDF: %s)", path, pdf_path or "none")
    return PlanExport(plan, path, pdf_path, expired)
