"""Running a command where a file or folder is read-only for real, even for root.

Permissions do not stop root (it has CAP_DAC_OVERRIDE), and the tests run as root in CI;
what does stop root is a read-only file system. So as root the command runs in a private
mount namespace (`unshare --mount`) where the path is bind-mounted read-only over itself:
the command sees EROFS as it would on a read-only share, and nothing outside the namespace
changes. As any other user, `chmod a-w` does it, and the command sees EACCES.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

AS_ROOT = os.geteuid() == 0

# $1 becomes read-only; $2 (when not empty) stays writable inside it, as a mount of its own
# made first and carried along by the recursive bind (a bind made inside a read-only mount
# would be read-only too); then the command.
_MOUNT_SCRIPT = """\
set -e
if [ -n "$2" ]; then mount --bind "$2" "$2"; fi
mount --rbind "$1" "$1"
mount -o remount,bind,ro "$1"
shift 2
exec "$@"
"""


def _namespaces_allowed() -> bool:
    try:
        return subprocess.run(["unshare", "--mount", "true"], capture_output=True).returncode == 0
    except OSError:
        return False


def run_read_only(
    read_only: Path,
    argv: Sequence[str],
    *,
    writable: Path | None = None,
    **kwargs: Any,
) -> subprocess.CompletedProcess[str]:
    """Runs *argv* with *read_only* (a file or a folder) read-only, *writable* (a file in
    that folder) excepted; keyword arguments go to subprocess.run."""
    if not AS_ROOT:
        with _without_write_permission(read_only):
            return subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if not _namespaces_allowed():
        pytest.skip(
            "as root, only a read-only mount stops writes, and this machine refuses a private "
            "mount namespace (unshare --mount); run the tests as another user, or with "
            "CAP_SYS_ADMIN"
        )
    command = ["unshare", "--mount", "sh", "-c", _MOUNT_SCRIPT, "sh"]
    command += [str(read_only), str(writable or ""), *argv]
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


@contextlib.contextmanager
def _without_write_permission(path: Path) -> Iterator[None]:
    mode = path.stat().st_mode
    path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        yield
    finally:
        path.chmod(mode)
