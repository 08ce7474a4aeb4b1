"""The link to the storage server (IBM Tivoli Storage Manager / Spectrum Protect / Storage
Protect) through its administrative command-line client, dsmadmc. No Qt, no database:
callers get rows and answers, or a ServerLinkError that tells the operator what to do."""

from drm_gui.server.dsmadmc import (
    AdminClient,
    AuthenticationFailed,
    ClientNotFound,
    CommandAnswer,
    ServerCommandFailed,
    ServerLinkError,
    ServerMessage,
    ServerProfile,
    ServerTimeout,
    ServerUnreachable,
    SessionFailed,
    UnknownServer,
)

__all__ = [
    "AdminClient",
    "AuthenticationFailed",
    "ClientNotFound",
    "CommandAnswer",
    "ServerCommandFailed",
    "ServerLinkError",
    "ServerMessage",
    "ServerProfile",
    "ServerTimeout",
    "ServerUnreachable",
    "SessionFailed",
    "UnknownServer",
]
