"""The command line's `roles` command: who is an operator and who an administrator. No Qt.

roles                      list the roles (and the current user's)
roles set USER ROLE        operator | administrator (an administrator's work)
roles remove USER          back to the default
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from drm_gui.cli_common import EXIT_OK, EXIT_REFUSED
from drm_gui.core import roles
from drm_gui.core.actor import current_actor
from drm_gui.core.states import DrmError


def _role_arg(text: str) -> roles.Role:
    try:
        return roles.Role.parse(text)
    except DrmError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_roles_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "roles",
        help="operators and administrators: list, set, remove",
        description="Operators move, scan, print and run library jobs; administrators also "
        "change settings, site and plan contents, the server link and imports, roles, and "
        "correct other people's moves. Until an administrator is named, everyone is one.",
    )
    p.add_argument("action", nargs="?", choices=["list", "set", "remove"], default="list")
    p.add_argument("user", nargs="?", metavar="USER")
    p.add_argument("role", nargs="?", type=_role_arg, metavar="ROLE")
    p.set_defaults(command_fn=cmd_roles)


def cmd_roles(args: argparse.Namespace, out: TextIO) -> int:
    try:
        if args.action == "set":
            if not args.user or args.role is None:
                raise DrmError("roles set needs a USER and a ROLE (operator or administrator)")
            roles.set_role(args.user, args.role)
            print(f"{args.user.strip()} is now an {args.role.value}", file=out)
        elif args.action == "remove":
            if not args.user:
                raise DrmError("roles remove needs a USER")
            roles.remove_role(args.user)
            print(f"{args.user} has no role of its own any more", file=out)
        else:
            for entry in roles.list_roles():
                print(f"{entry.os_user}: {entry.role.value} (set by {entry.granted_by})", file=out)
            user = current_actor().os_user
            rule = "" if roles.roles_defined() else " (no roles set: everyone is one)"
            print(f"you ({user}) are an {roles.role_of(user).value}{rule}", file=out)
    except DrmError as exc:
        print(f"roles: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK
