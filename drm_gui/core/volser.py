"""One validator for volume names as typed, scanned or read from a vault's list.

The rule lives here and nowhere else: strip, upper-case, 1-32 characters of A-Z, 0-9 and
the few punctuation marks TSM allows in object names. [K: TSM's naming rule for object
names (A-Z 0-9 _ . - + &) applied to volume names; not verified on a real server.]
"""

from __future__ import annotations

from dataclasses import dataclass

from drm_gui.core.states import DrmError

MAX_LENGTH = 32
EXTRA_CHARACTERS = "_.-+&"  # [K] besides A-Z and 0-9
ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + EXTRA_CHARACTERS)


class VolserError(DrmError):
    """A volume name that cannot be a volume name; the message names the problem."""


@dataclass(frozen=True)
class VolserCheck:
    """The outcome of checking one text: the normalised volser, or why it is none."""

    text: str
    volser: str | None
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _describe(ch: str) -> str:
    if ch == " ":
        return "a blank"
    if ch == "\t":
        return "a tab"
    if ch.isprintable():
        return f"the character {ch!r}"
    return f"the control character U+{ord(ch):04X}"


def check_volser(text: str) -> VolserCheck:
    """Checks *text* without raising: the volser (stripped, upper case) or the problem."""
    value = text.strip().upper()
    if value.isalnum() and value.isascii() and len(value) <= MAX_LENGTH:
        return VolserCheck(text, value, None)  # the common case, at a fraction of the cost
    if not value:
        return VolserCheck(text, None, "empty: no volume name")
    if len(value) > MAX_LENGTH:
        return VolserCheck(text, None, f"too long: {len(value)} characters, at most {MAX_LENGTH}")
    bad = [ch for ch in dict.fromkeys(value) if ch not in ALLOWED]
    if bad:
        what = ", ".join(_describe(ch) for ch in bad)
        return VolserCheck(
            text, None, f"{value!r}: contains {what} (allowed: A-Z, 0-9 and {EXTRA_CHARACTERS})"
        )
    return VolserCheck(text, value, None)


def normalize_volser(text: str) -> str:
    """The volser of *text*; raises VolserError naming the problem."""
    result = check_volser(text)
    if result.problem is not None:
        raise VolserError(result.problem)
    assert result.volser is not None
    return result.volser
