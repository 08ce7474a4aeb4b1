"""Who may do what: operators and administrators.

The workstation user is the operating system's user (media.current_actor), mapped to a role
in the database so that every workstation agrees. Operators move, scan, print and run the
library's jobs; administrators also change the settings, the site and plan contents, the
server link and its imports, the roles, and correct other people's moves.

Until a site names its first administrator the role table is empty and everyone is an
administrator (a single workstation never meets a refusal); once it holds a row, a user it
does not name is an operator. The last administrator cannot be removed or demoted.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from drm_gui.core.actor import current_actor
from drm_gui.core.models import UserRole, database, utcnow
from drm_gui.core.states import DrmError


class Role(enum.Enum):
    OPERATOR = "operator"
    ADMINISTRATOR = "administrator"

    @classmethod
    def parse(cls, text: str) -> Role:
        key = text.strip().lower()
        for role in cls:
            if role.value.startswith(key) and len(key) >= 2:
                return role
        raise DrmError(f"unknown role {text!r}: use operator or administrator")


class Action(enum.Enum):
    """What a user asks to do, named as the refusal says it."""

    SETTINGS = "changing the settings"
    SITE = "changing the site and plan contents"
    SERVER = "importing the server's records and changing the server link"
    ROLES = "changing the roles"
    CORRECTION = "correcting someone else's move"


# [K] The table of what needs an administrator; everything else is an operator's work.
ADMINISTRATOR_ACTIONS = frozenset(Action)


class PermissionDeniedError(DrmError):
    """The user's role does not allow the action; the message says who can change that."""


@dataclass(frozen=True)
class RoleEntry:
    os_user: str
    role: Role
    granted_by: str
    granted_at: Any


def roles_defined() -> bool:
    return UserRole.select().exists()


def role_of(os_user: str) -> Role:
    """The user's role (see the module text for the rule without any row)."""
    row = UserRole.get_or_none(UserRole.os_user == os_user)
    if row is not None:
        return Role(row.role)
    return Role.OPERATOR if roles_defined() else Role.ADMINISTRATOR


def current_role() -> Role:
    return role_of(current_actor().os_user)


def allowed(action: Action, os_user: str | None = None) -> bool:
    user = os_user if os_user is not None else current_actor().os_user
    return action not in ADMINISTRATOR_ACTIONS or role_of(user) is Role.ADMINISTRATOR


def require(action: Action) -> None:
    """Raises PermissionDeniedError unless the current user may do *action*."""
    user = current_actor().os_user
    if allowed(action, user):
        return
    raise PermissionDeniedError(
        f"{action.value[:1].upper()}{action.value[1:]} is for administrators, and {user} is "
        f"an operator; an administrator can change that (roles set {user} administrator)"
    )


F = TypeVar("F", bound=Callable[..., Any])


def administrators_only(action: Action) -> Callable[[F], F]:
    """Decorates a core function that only an administrator may call."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def checked(*args: Any, **kwargs: Any) -> Any:
            require(action)
            return function(*args, **kwargs)

        return checked  # type: ignore[return-value]

    return decorate


def list_roles() -> list[RoleEntry]:
    return [
        RoleEntry(r.os_user, Role(r.role), r.granted_by, r.granted_at)
        for r in UserRole.select().order_by(UserRole.os_user)
    ]


@administrators_only(Action.ROLES)
def set_role(os_user: str, role: Role) -> None:
    """Gives *os_user* *role*. The first role given must make an administrator, and the
    last administrator cannot be demoted: the site must never lock itself out."""
    user = os_user.strip()
    if not user or len(user) > 64 or any(c.isspace() for c in user):
        raise DrmError(f"{os_user!r} is not a user name (no blanks, at most 64 characters)")
    granted_by = current_actor().os_user
    with database.atomic():
        admins = [r.os_user for r in UserRole.select() if r.role == Role.ADMINISTRATOR.value]
        if role is Role.OPERATOR:
            if not roles_defined():
                raise DrmError(
                    f"name an administrator first (roles set {granted_by} administrator): until "
                    "then everyone is an administrator"
                )
            if admins == [user]:
                raise DrmError(f"{user} is the last administrator and stays one")
        UserRole.insert(
            os_user=user, role=role.value, granted_by=granted_by, granted_at=utcnow()
        ).on_conflict(
            conflict_target=[UserRole.os_user],
            update={
                UserRole.role: role.value,
                UserRole.granted_by: granted_by,
                UserRole.granted_at: utcnow(),
            },
        ).execute()


@administrators_only(Action.ROLES)
def remove_role(os_user: str) -> None:
    """Forgets *os_user*'s role (an operator again, once roles are defined)."""
    with database.atomic():
        row = UserRole.get_or_none(UserRole.os_user == os_user)
        if row is None:
            raise DrmError(f"{os_user} has no role to remove")
        others = UserRole.select().where(
            (UserRole.role == Role.ADMINISTRATOR.value) & (UserRole.os_user != os_user)
        )
        last_admin = row.role == Role.ADMINISTRATOR.value and not others.exists()
        if last_admin and UserRole.select().count() > 1:  # alone, it may go: no roles again
            raise DrmError(f"{os_user} is the last administrator and stays one")
        row.delete_instance()
