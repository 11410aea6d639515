"""Fixtures of the reliability tests."""

from pathlib import Path

import pytest
from rel_files import make_bad_files


@pytest.fixture(scope="session")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder holding the bad and unusual image files."""
    return make_bad_files(tmp_path_factory.mktemp("bad_files"))
