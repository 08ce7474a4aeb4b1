"""Writing files so that a failure leaves nothing half-written: a temporary file in the
target's folder, renamed into place. No Qt, no database."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

PLAN_FILE_MODE = 0o600  # plans hold contact and server details


def write_atomically(path: Path, write: Callable[[str], None], mode: int = PLAN_FILE_MODE) -> Path:
    """Calls *write* with a temporary file name in *path*'s folder (created with *mode*),
    then renames it to *path*. Nothing is left behind if *write* raises."""
    path = Path(path)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        os.fchmod(fd, mode)
        os.close(fd)
        write(temp)
        with open(temp, "rb") as written:
            os.fsync(written.fileno())
        os.chmod(temp, mode)  # ReportLab may have replaced the file
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return path


def write_text_atomically(path: Path, text: str, mode: int = PLAN_FILE_MODE) -> Path:
    """*text* written to *path* (UTF-8, "\n" line ends) through a temporary file."""

    def write(temp: str) -> None:
        with open(temp, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)

    return write_atomically(path, write, mode)
