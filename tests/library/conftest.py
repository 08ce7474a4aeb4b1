"""Shared paths and the fake library for the tape library tests."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Captured mtx output shared between projects: ../shared/fixtures/mtx beside the clone.
SHARED_MTX_FIXTURES = ROOT.parent / "shared" / "fixtures" / "mtx"
OWN_FIXTURES = Path(__file__).resolve().parent / "fixtures"
ERROR_FIXTURES = OWN_FIXTURES / "errors"


def shared_fixture(name: str) -> str:
    path = SHARED_MTX_FIXTURES / name
    if not path.is_file():
        pytest.skip(f"shared mtx fixture not found: {path}")
    return path.read_text(encoding="utf-8")


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    """Where a test's fake library keeps its state."""
    return tmp_path / "library.json"
