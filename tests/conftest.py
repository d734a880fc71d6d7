"""Shared fixtures: the real public data sets next to the project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check values, not speed: Hypothesis' default 200 ms limit
# per example fails them at random on a busy two-core machine.
settings.register_profile("project", deadline=None)
settings.load_profile("project")

PROJECT = Path(__file__).resolve().parents[1]
DATASETS = PROJECT.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """Folder of the real exports; skipped locally when absent, never in CI."""
    if not DATASETS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the data sets folder {DATASETS} is missing")
        pytest.skip(f"real data sets not found at {DATASETS}")
    return DATASETS
