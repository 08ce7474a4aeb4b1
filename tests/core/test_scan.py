"""A scan session: each kind of scan, the counters, and finishing."""

from __future__ import annotations

import pytest

from drm_gui.core.scan import ScanKind, ScanSession
from drm_gui.core.states import DrmError


def session() -> ScanSession:
    return ScanSession(["A00001L8", "A00002L8", "a00003l8"], known=["B00001L8"])


def test_each_kind_of_scan() -> None:
    s = session()
    assert s.scan(" a00001l8 ").kind is ScanKind.EXPECTED
    assert s.scan("A00001L8").kind is ScanKind.DUPLICATE
    assert s.scan("B00001L8").kind is ScanKind.NOT_ON_LIST
    assert s.scan("Z99999L8").kind is ScanKind.UNKNOWN
    garbage = s.scan("A0#01L8")
    assert garbage.kind is ScanKind.INVALID and "'#'" in garbage.message
    assert s.scanned == ["A00001L8"]
    assert s.missing == ["A00002L8", "A00003L8"]
    assert s.surplus == ["B00001L8", "Z99999L8"]
    assert [r.kind.good for r in s.history] == [True, False, False, False, False]


def test_finishing_needs_agreement_or_a_reason() -> None:
    s = session()
    for volser in ("A00001L8", "A00002L8"):
        s.scan(volser)
    with pytest.raises(DrmError, match="1 missing and 0 surplus"):
        s.finish()
    summary = s.finish("A00003L8 stays for repair")
    assert "2 of 3 scanned" in summary and "missing: A00003L8" in summary
    assert "reason: A00003L8 stays for repair" in summary
    s.scan("A00003L8")
    assert s.complete
    assert s.finish() == "3 of 3 scanned"
