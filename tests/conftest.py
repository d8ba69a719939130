"""Fixtures shared by the whole suite.

``shared_data`` is the folder of third-party data that sits beside the project
(``../shared/data``, or ``$PROPSCOPE_DATA``); tests that need it skip with the reason
when it is absent, so a fresh clone without it still passes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _shared_data_dir() -> Path:
    env = os.environ.get("PROPSCOPE_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = _shared_data_dir()
    if not (path / "ptc" / "articles").is_dir():
        pytest.skip(f"needs the shared data folder at {path} (set PROPSCOPE_DATA)")
    return path


@pytest.fixture(scope="session")
def ptc_dir(shared_data: Path) -> Path:
    return shared_data / "ptc"


@pytest.fixture(scope="session")
def wpk_example() -> Path:
    path = _shared_data_dir().parent / "examples" / "wpk-banner-of-victory.txt"
    if not path.is_file():
        pytest.skip(f"needs {path}")
    return path


@pytest.fixture(scope="session")
def bundled_example() -> Path:
    return REPO / "examples" / "harvest-of-victory.txt"
