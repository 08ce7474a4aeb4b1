"""The tape drives' own devices: ``mt`` and a block read, for the label check (MTX.md §3.2).

The changer moves cartridges; reading what is written on one needs the drive's
non-rewinding device (``/dev/nstN``): wait until ``mt status`` says ONLINE, rewind, read the
first block with the configured command (``dd`` by default, whose output is the block), and
take the tape offline before the robot fetches it back (some drives keep it otherwise).
Every failure becomes one of the typed errors of :mod:`drm_gui.library.base`.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence

from drm_gui.library.base import (
    CancelledError,
    CommandFailedError,
    DeviceMissingError,
    InvalidElementError,
    LibraryError,
    LibraryTimeoutError,
    NoPermissionError,
    NotReadyError,
    Progress,
    cancelled,
    report,
)
from drm_gui.library.label import DriveStatus, TapeLabel, decode_label, parse_mt_status

__all__ = ["DEFAULT_LABEL_COMMAND", "LABEL_BLOCK_SIZE", "TapeDrives"]

log = logging.getLogger(__name__)

# Linux st in variable-block mode refuses a read shorter than the block on tape (ENOMEM),
# so the buffer is larger than any label block a backup program writes.
LABEL_BLOCK_SIZE = 262144
DEFAULT_LABEL_COMMAND: tuple[str, ...] = ("dd", "if={device}", f"bs={LABEL_BLOCK_SIZE}", "count=1")
_STEP = 0.05  # seconds between two looks at the cancel event while waiting


class TapeDrives:
    """Runs ``mt`` and the label read command against the drives' devices.

    ``devices[n]`` is drive n's device, in mtx's drive numbering. ``label_command`` is an
    argument list in which ``{device}`` stands for the drive's device; it must print the
    first block on stdout. ``ready_timeout`` bounds the wait after a load, ``poll`` is the
    time between two ``mt status`` while waiting.
    """

    def __init__(
        self,
        devices: Sequence[str],
        *,
        mt_path: str = "mt",
        label_command: Sequence[str] = DEFAULT_LABEL_COMMAND,
        timeout: float = 120.0,
        ready_timeout: float = 300.0,
        poll: float = 2.0,
        offline_before_unload: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.devices = tuple(devices)
        self.mt_path = mt_path
        self.label_command = tuple(label_command)
        self.timeout = timeout
        self.ready_timeout = ready_timeout
        self.poll = poll
        self.offline_before_unload = offline_before_unload
        self.env = dict(env) if env is not None else None

    def device(self, drive: int) -> str:
        if not 0 <= drive < len(self.devices):
            if not self.devices:
                raise CommandFailedError(
                    "No tape drive devices are set, so labels cannot be read. Set the drive "
                    "devices (/dev/nst0, ...) in the library settings, or turn the label check "
                    "off."
                )
            raise InvalidElementError(
                f"Drive {drive} has no device in the library settings (devices are set for "
                f"drives 0 to {len(self.devices) - 1}). Add its device, then try again."
            )
        return self.devices[drive]

    # -- running the tools ------------------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ if self.env is None else self.env)
        env.pop("TAPE", None)  # mt falls back to $TAPE; it always gets -f
        env["LC_ALL"] = "C"
        env["LANG"] = "C"
        return env

    def _run(self, cmd: list[str], device: str) -> tuple[int, bytes, str]:
        log.debug("running %s", cmd)
        try:
            done = subprocess.run(
                cmd,
                capture_output=True,
                timeout=self.timeout,
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                check=False,
                start_new_session=True,
            )
        except FileNotFoundError:
            raise CommandFailedError(
                f"The program {cmd[0]} was not found. Install it (mt comes with the mt-st "
                "package) or correct the label check command in the library settings."
            ) from None
        except PermissionError:
            raise CommandFailedError(
                f"{cmd[0]} cannot be run (no permission to execute it). Correct the label "
                "check command in the library settings."
            ) from None
        except subprocess.TimeoutExpired:
            raise LibraryTimeoutError(
                f"The tape drive {device} did not answer within {self.timeout:g} s "
                f"({' '.join(cmd)}). Check the drive, then press Retry."
            ) from None
        stderr = done.stderr.decode("utf-8", errors="replace")
        if stderr.strip():
            log.info("%s: rc=%s stderr=%r", " ".join(cmd), done.returncode, stderr)
        return done.returncode, done.stdout, stderr

    def _fail(self, device: str, rc: int, stderr: str, what: str) -> LibraryError:
        low = stderr.lower()
        raw = f"rc={rc}\n{stderr}"
        if "no such file" in low or "no such device" in low:
            return DeviceMissingError(
                f"The tape drive device {device} was not found. Check the drive's cable and "
                "power, and the drive devices in the library settings, then press Retry.",
                raw=raw,
                returncode=rc,
            )
        if "permission denied" in low:
            return NoPermissionError(
                f"This user may not use the tape drive device {device}. Ask an administrator "
                "to add the user to the 'tape' group, then log in again.",
                raw=raw,
                returncode=rc,
            )
        if "busy" in low:
            return NotReadyError(
                f"The tape drive {device} is in use by another program (a backup?). Wait "
                "until it is free, then press Retry.",
                raw=raw,
                returncode=rc,
            )
        if "no medium" in low or "offline" in low:
            return NotReadyError(
                f"The tape drive {device} holds no tape that it can read. Check the drive, "
                "then press Retry.",
                raw=raw,
                returncode=rc,
            )
        return CommandFailedError(
            f"The tape drive {device} could not {what}. See the log for the drive's answer.",
            raw=raw,
            returncode=rc,
        )

    def mt(self, drive: int, operation: str) -> str:
        """Runs ``mt -f DEVICE operation``; returns its stdout."""
        device = self.device(drive)
        rc, out, err = self._run([self.mt_path, "-f", device, operation], device)
        if rc != 0:
            raise self._fail(device, rc, err, operation)
        return out.decode("utf-8", errors="replace")

    def status(self, drive: int) -> DriveStatus:
        return parse_mt_status(self.mt(drive, "status"))

    # -- the steps of a label check ---------------------------------------------------------

    def wait_ready(
        self, drive: int, progress: Progress | None = None, cancel: threading.Event | None = None
    ) -> None:
        """Polls ``mt status`` until the drive is ONLINE; honours cancel between looks."""
        deadline = time.monotonic() + self.ready_timeout
        first = True
        while True:
            if cancelled(cancel):
                raise CancelledError()
            if self.status(drive).online:
                return
            if first:
                report(progress, f"Waiting for drive {drive} to be ready…")
                first = False
            if time.monotonic() >= deadline:
                raise LibraryTimeoutError(
                    f"Drive {drive} ({self.device(drive)}) was not ready within "
                    f"{self.ready_timeout:g} s after the tape was loaded. Check the drive, "
                    "then press Retry."
                )
            _sleep(min(self.poll, max(0.0, deadline - time.monotonic())), cancel)

    def read_label(self, drive: int) -> TapeLabel:
        """Rewinds and reads the first block; an I/O error on that read is a blank tape."""
        device = self.device(drive)
        self.mt(drive, "rewind")
        cmd = [part.replace("{device}", device) for part in self.label_command]
        rc, out, err = self._run(cmd, device)
        if rc != 0:
            if "input/output error" in err.lower() and not out:
                return TapeLabel(None, None, blank=True)  # BLANK CHECK on the first read
            raise self._fail(device, rc, err, "read the tape's first block")
        return decode_label(out)

    def prepare_unload(self, drive: int) -> None:
        """Rewinds, and ejects the tape in the drive when the robot needs that to take it."""
        self.mt(drive, "offline" if self.offline_before_unload else "rewind")


def _sleep(seconds: float, cancel: threading.Event | None) -> None:
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if cancelled(cancel):
            raise CancelledError()
        time.sleep(min(_STEP, left))
