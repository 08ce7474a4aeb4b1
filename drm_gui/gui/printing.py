"""Printing a PDF the app wrote, through the system print dialog: the pages are rendered
by poppler's pdftoppm (installed with the app's Debian packages) and painted on the
printer Qt chose, so any printer Qt knows works, "Print to file" included."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from drm_gui.core.states import DrmError

PRINT_DPI = 300


class PrintError(DrmError):
    """The document could not be printed; the message says why."""


def render_pages(pdf: Path, folder: Path, dpi: int = PRINT_DPI) -> list[Path]:
    """The PDF's pages as PNG files in *folder*, in order."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise PrintError("pdftoppm is missing: install poppler-utils to print from the app")
    try:
        subprocess.run(
            [tool, "-r", str(dpi), "-png", str(pdf), str(folder / "page")],
            check=True,
            capture_output=True,
            timeout=300,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise PrintError(f"{pdf.name} could not be rendered for printing: {exc}") from exc
    return sorted(folder.glob("page-*.png"))


def print_pdf(pdf: Path, printer: QPrinter) -> int:
    """Prints every page of *pdf* on *printer*, fitted to the page; returns the page count."""
    with tempfile.TemporaryDirectory(prefix="drm-print-") as tmp:
        pages = render_pages(pdf, Path(tmp))
        if not pages:
            raise PrintError(f"{pdf.name} has no pages to print")
        painter = QPainter()
        if not painter.begin(printer):
            raise PrintError("the printer could not be opened: check it in the system settings")
        try:
            for number, page in enumerate(pages):
                if number:
                    printer.newPage()
                image = QImage(str(page))
                area = painter.viewport()
                size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.setViewport(QRect(area.x(), area.y(), size.width(), size.height()))
                painter.setWindow(image.rect())
                painter.drawImage(0, 0, image)
                painter.setViewport(area)
                painter.setWindow(area)
        finally:
            painter.end()
    return len(pages)


def print_with_dialog(pdf: Path, parent: QWidget | None = None) -> int | None:
    """The system print dialog, then the print; None when the user cancels."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(pdf.name)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print {pdf.name}")
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return None
    return print_pdf(pdf, printer)
