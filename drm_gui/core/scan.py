"""Checking a shipment tape by tape with a barcode scanner: what each scan means, the
counters, and when the operator may finish. Plain Python: the scan window shows it."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from drm_gui.core.states import DrmError
from drm_gui.core.volser import check_volser


class ScanKind(enum.Enum):
    EXPECTED = "expected"  # on the list, first scan: ticked off
    DUPLICATE = "duplicate"  # on the list, already scanned
    NOT_ON_LIST = "not_on_list"  # a known tape that is not part of this shipment
    UNKNOWN = "unknown"  # a volser the records do not know
    INVALID = "invalid"  # not a volser at all (a garbled scan)

    @property
    def good(self) -> bool:
        return self is ScanKind.EXPECTED


@dataclass(frozen=True)
class ScanResult:
    kind: ScanKind
    text: str  # what the scanner typed
    volser: str | None
    message: str


class ScanSession:
    """One shipment being checked: *expected* volsers, and *known* ones (the records)."""

    def __init__(self, expected: Iterable[str], known: Iterable[str] = ()) -> None:
        self.expected: tuple[str, ...] = tuple(dict.fromkeys(v.upper() for v in expected))
        self._expected_set = frozenset(self.expected)
        self._known = frozenset(v.upper() for v in known) | self._expected_set
        self.scanned: list[str] = []  # expected tapes, in scan order
        self.surplus: list[str] = []  # scanned but not on the list (known or unknown)
        self.history: list[ScanResult] = []

    def scan(self, text: str) -> ScanResult:
        check = check_volser(text)
        if check.volser is None:
            result = ScanResult(ScanKind.INVALID, text, None, f"Not a volume name: {check.problem}")
        elif check.volser in self._expected_set:
            if check.volser in self.scanned:
                result = ScanResult(
                    ScanKind.DUPLICATE, text, check.volser, f"{check.volser} was already scanned"
                )
            else:
                self.scanned.append(check.volser)
                result = ScanResult(ScanKind.EXPECTED, text, check.volser, f"{check.volser} ✓")
        elif check.volser in self._known:
            self.surplus.append(check.volser)
            result = ScanResult(
                ScanKind.NOT_ON_LIST,
                text,
                check.volser,
                f"{check.volser} is not part of this shipment: set it aside",
            )
        else:
            self.surplus.append(check.volser)
            result = ScanResult(
                ScanKind.UNKNOWN, text, check.volser, f"{check.volser} is not in the records"
            )
        self.history.append(result)
        return result

    @property
    def missing(self) -> list[str]:
        done = set(self.scanned)
        return [v for v in self.expected if v not in done]

    @property
    def complete(self) -> bool:
        """The lists agree: every expected tape scanned, nothing else."""
        return not self.missing and not self.surplus

    def finish(self, reason: str = "") -> str:
        """The record of the check; refused while the lists disagree and no reason is
        given (the operator must say why: a tape lost, a late addition...)."""
        if not self.complete and not reason.strip():
            raise DrmError(
                f"{len(self.missing)} missing and {len(self.surplus)} surplus: "
                "say why before finishing"
            )
        summary = f"{len(self.scanned)} of {len(self.expected)} scanned"
        if self.missing:
            summary += f"; missing: {', '.join(self.missing)}"
        if self.surplus:
            summary += f"; surplus: {', '.join(dict.fromkeys(self.surplus))}"
        if reason.strip():
            summary += f"; reason: {reason.strip()}"
        return summary
