"""A JSON index of the registered architectures, so ``zoo list`` answers without importing torch.

Registering a model means importing its module, and every model module imports torch (seconds on a small CPU).
``zoo list`` only needs each architecture's :class:`~zoo.registry.ModelInfo`, so the package ships them in
``zoo/assets/models_index.json``. Regenerate it after adding or changing a model::

    python -m zoo.cli.model_index

A test compares the shipped index with the live registry, so a stale index fails the test suite.
"""

import fnmatch
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["build_index", "index_path", "match", "read_index", "write_index"]


def index_path() -> Path:
    """Where the shipped index lives (``zoo/assets/models_index.json``)."""
    return Path(str(resources.files("zoo"))) / "assets" / "models_index.json"


def build_index() -> dict[str, dict[str, Any]]:
    """``{architecture: ModelInfo.as_dict()}`` from the live registry (imports every model module)."""
    from zoo.registry import get_model_info, list_models

    return {name: get_model_info(name).as_dict() for name in list_models()}


def read_index() -> dict[str, dict[str, Any]] | None:
    """The shipped index, or None when the file is missing or unreadable (callers then use the registry)."""
    try:
        data = json.loads(index_path().read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def match(index: dict[str, dict[str, Any]], pattern: str) -> list[str]:
    """Names in ``index`` matching an fnmatch pattern, sorted (as :func:`zoo.registry.list_models`)."""
    return sorted(name for name in index if fnmatch.fnmatchcase(name, pattern))


def write_index(path: Path | None = None) -> Path:
    """Write :func:`build_index` to ``path`` (default :func:`index_path`)."""
    path = path or index_path()
    path.write_text(json.dumps(build_index(), indent=1, sort_keys=True) + "\n")
    return path


if __name__ == "__main__":
    print(write_index(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
