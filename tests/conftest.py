"""Shared fixtures. Tests may read ../shared/data when it exists; the suite passes without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "examples" / "seeds"


def shared_data_dir() -> Path | None:
    """../shared/data beside the repo (or $WORKBENCH_SHARED_DATA), if present."""
    configured = os.environ.get("WORKBENCH_SHARED_DATA")
    candidate = Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


@pytest.fixture
def shared_data() -> Path:
    path = shared_data_dir()
    if path is None:
        pytest.skip("../shared/data is not beside this checkout")
    return path


@pytest.fixture
def seed_texts() -> dict[str, str]:
    """The five real seed articles, by file name, read exactly as import reads them."""
    return {p.name: p.read_bytes().decode("utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))}
