"""Who does something, and from where: every move, setting change and audit row records it.
The operating system's user, and this machine's name as the workstation."""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    os_user: str
    workstation: str


def current_actor() -> Actor:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Actor(user, socket.gethostname() or "unknown")
