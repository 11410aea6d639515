"""The table of shipped weights: ``architecture.tag`` -> file, sha256, architecture config and metadata.

The table is ``zoo/weights/manifest.json`` inside the installed package, written by the weight-export command; the
weights files sit beside it. Nothing is ever downloaded.
"""

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["PretrainedEntry", "pretrained_table", "weights_dir"]


@dataclass(frozen=True)
class PretrainedEntry:
    """One shipped set of weights.

    Attributes:
        name: ``architecture.tag``, e.g. ``"rmbn.synth4"``.
        file: File name inside the weights folder.
        sha256: Hex digest the file must have.
        config: Keyword arguments for the architecture that these weights need (e.g. a reduced width).
        metadata: Training data and budget, metric protocol, measured scores, licence, ...
    """

    name: str
    file: str
    sha256: str
    config: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def arch(self) -> str:
        """Architecture part of the name."""
        return self.name.partition(".")[0]

    @property
    def tag(self) -> str:
        """Tag part of the name (the training data)."""
        return self.name.partition(".")[2]

    @property
    def path(self) -> Path:
        """Where the weights file is in the installed package."""
        return weights_dir() / self.file


def weights_dir() -> Path:
    """Folder of the shipped weights inside the installed package."""
    return Path(str(resources.files("zoo"))) / "weights"


@cache
def pretrained_table() -> dict[str, PretrainedEntry]:
    """All shipped weights by ``architecture.tag`` (read once from the manifest; empty when there is none)."""
    manifest = weights_dir() / "manifest.json"
    if not manifest.is_file():
        return {}
    raw = json.loads(manifest.read_text())
    return {
        name: PretrainedEntry(
            name=name,
            file=item["file"],
            sha256=item["sha256"],
            config=item.get("config", {}),
            metadata=item.get("metadata", {}),
        )
        for name, item in raw.items()
    }
