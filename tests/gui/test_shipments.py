"""Manifests and reports from the window: a manifest of the selected tapes with its PDF,
the list of manifests, verifying one by scanning, reports saved as PDF and CSV."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from drm_gui.core.manifest import list_manifests
from drm_gui.core.models import ManifestDirection
from drm_gui.core.reports import ReportName
from drm_gui.core.states import DrmState
from drm_gui.gui.shipments import ManifestsDialog


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_a_manifest_of_the_selected_tapes_with_its_pdf(qtbot, session, site_db):
    _info, ids = site_db
    window = session.window
    window.open_documents = False
    with qtbot.waitSignal(session.controller.moves_done, timeout=5000):
        session.controller.move([ids["A00001L8"], ids["A00002L8"]], DrmState.COURIER)
    selected = window.board.selected_ids()
    assert sorted(selected) == sorted([ids["A00001L8"], ids["A00002L8"]])
    window.manifest_selection_action.trigger()
    qtbot.waitUntil(lambda: window.last_document is not None, timeout=30_000)
    text = pdf_text(window.last_document)
    assert "A00001L8" in text and "A00002L8" in text
    (manifest,) = list_manifests()
    assert manifest.direction is ManifestDirection.OUT and manifest.tape_count == 2
    assert manifest.sha256 in text.replace("\n", "")


def test_a_manifest_of_nothing_is_refused_with_a_reason(qtbot, session):
    session.window.new_manifest(ManifestDirection.OUT, [])
    assert "No tapes for a manifest" in session.window.notice.label.text()
    assert list_manifests() == []


def test_manifests_are_listed_and_verified_by_scanning(qtbot, qtmodeltester, session):
    window = session.window
    window.open_documents = False
    window.new_manifest(ManifestDirection.OUT, None)  # every tape now in COURIER: B00002L8
    qtbot.waitUntil(lambda: window.last_document is not None, timeout=30_000)
    dialog = ManifestsDialog(window)
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    assert dialog.model.rowCount() == 1
    number = dialog.selected().number
    scan = window.verify_manifest(number)
    scan.scan("B00002L8")
    assert scan.session.complete
    scan.finish()
    assert f"Manifest {number:06d} checked: 1 of 1 scanned" in window.notice.label.text()


def test_reports_are_saved_as_pdf_and_csv(qtbot, session, tmp_path):
    window = session.window
    window.open_documents = False
    pdf = tmp_path / "vault.pdf"
    with qtbot.waitSignal(window.save_report(ReportName.VAULT, pdf).done, timeout=30_000):
        pass
    assert "B00003L8" in pdf_text(pdf)
    csv = tmp_path / "bring-back.csv"
    with qtbot.waitSignal(window.save_report(ReportName.BRING_BACK, csv).done, timeout=30_000):
        pass
    assert "C00001L7" in csv.read_text()


def test_a_manifest_prints_every_page_on_a_qt_printer(qtbot, session, tmp_path):
    """The print path: the manifest's pages rendered and painted on a printer; here Qt's
    own PDF printer (what 'Print to file' in the system dialog uses)."""
    from PySide6.QtPrintSupport import QPrinter

    from drm_gui.gui.printing import print_pdf
    from drm_gui.gui.shipments import write_manifest_pdf

    window = session.window
    window.open_documents = False
    window.new_manifest(ManifestDirection.OUT, None)
    qtbot.waitUntil(lambda: window.last_document is not None, timeout=30_000)
    (manifest,) = list_manifests()
    source = write_manifest_pdf(manifest.number, tmp_path / "m.pdf")
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    pages = print_pdf(source, printer)
    assert pages == len(PdfReader(str(source)).pages)
    assert len(PdfReader(str(tmp_path / "printed.pdf")).pages) == pages
