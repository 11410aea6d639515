"""The tables of weights: shipped (inside the package, read-only) and the user's own (a user folder).

Shipped weights are listed in ``zoo/weights/manifest.json`` inside the installed package, beside their files. The
package is never written at run time: ``zoo export-weights`` writes a user's weights to the user weights folder
(:func:`user_weights_dir`: ``$ZOO_HOME/weights``, else the platform's user data folder, e.g.
``~/.local/share/mbn-zoo/weights`` on Linux), which has a manifest of the same format. Nothing is ever downloaded.

Manifest format: ``{"defaults": {architecture: "architecture.tag"}, "architecture.tag": {"file", "sha256",
"config", "metadata"}, ...}``. An entry made of other entries' weights (a cascade of shipped models) has
``"components": {"models.0": "durn_p_rgb.synth", ...}`` (state-dict prefix -> tag in the same manifest) instead of
``file`` and ``sha256``: the weights are stored once, each checked by its own sha256 when loaded.

The ``defaults`` block of the shipped manifest is the one place that says which weights
``create_model(architecture, pretrained=True)`` and ``zoo restore -m architecture`` use; a user's weights are only
used when named in full (``architecture.tag``) and never become a default.
"""

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULTS_KEY",
    "PretrainedEntry",
    "default_tags",
    "pretrained_table",
    "read_manifest",
    "user_table",
    "user_weights_dir",
    "weights_dir",
]

DEFAULTS_KEY = "defaults"  # manifest key of the architecture -> default tag block (not a weights name: no dot)
SHIPPED, USER = "shipped", "user"


@dataclass(frozen=True)
class PretrainedEntry:
    """One set of weights, shipped or the user's.

    Attributes:
        name: ``architecture.tag``, e.g. ``"rmbn.synth4"``.
        file: File name inside the weights folder ("" for an entry made of components).
        sha256: Hex digest the file must have ("" for an entry made of components).
        config: Keyword arguments for the architecture that these weights need (e.g. a reduced width).
        metadata: Training data and budget, metric protocol, measured scores, licence, ...
        folder: Folder holding the file (None: the shipped weights folder).
        source: ``"shipped"`` (in the package) or ``"user"`` (the user weights folder).
        components: For weights made of other entries: state-dict prefix -> ``architecture.tag`` of the same
            manifest, whose weights go under that prefix.
    """

    name: str
    file: str = ""
    sha256: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None
    source: str = SHIPPED
    components: dict[str, str] = field(default_factory=dict)

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
        """Where the weights file is.

        Raises:
            ValueError: The entry has no file of its own (it is made of components).
        """
        if self.components:
            raise ValueError(f"{self.name} has no weights file: it is made of {', '.join(self.components.values())}")
        return (self.folder if self.folder is not None else weights_dir()) / self.file

    def digest(self, table: dict[str, "PretrainedEntry"]) -> str:
        """What identifies the weights: the file's sha256, or for components a sha256 of their prefixes and digests."""
        if not self.components:
            return self.sha256
        parts = "".join(f"{prefix}={table[tag].digest(table)}\n" for prefix, tag in sorted(self.components.items()))
        return hashlib.sha256(parts.encode()).hexdigest()


def weights_dir() -> Path:
    """Folder of the shipped weights inside the installed package (read-only at run time)."""
    return Path(str(resources.files("zoo"))) / "weights"


def user_weights_dir() -> Path:
    r"""Folder of the user's own weights: ``$ZOO_HOME/weights``, else the platform's user data folder.

    Linux and other Unix: ``$XDG_DATA_HOME/mbn-zoo/weights`` (default ``~/.local/share/mbn-zoo/weights``); macOS:
    ``~/Library/Application Support/mbn-zoo/weights``; Windows: ``%LOCALAPPDATA%\mbn-zoo\weights``.
    """
    home = os.environ.get("ZOO_HOME")
    if home:
        return Path(home).expanduser() / "weights"
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "mbn-zoo" / "weights"


def read_manifest(folder: Path, source: str = SHIPPED) -> tuple[dict[str, PretrainedEntry], dict[str, str]]:
    """The entries and the ``defaults`` block of ``folder/manifest.json`` (empty when there is no manifest).

    Raises:
        ValueError: The manifest is not valid JSON or an entry lacks ``file`` / ``sha256``.
    """
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        return {}, {}
    try:
        raw = json.loads(manifest.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{manifest}: not valid JSON ({err}); fix or delete the file") from None
    if not isinstance(raw, dict):
        raise ValueError(f"{manifest}: expected a JSON object of architecture.tag entries; fix or delete the file")
    defaults = raw.get(DEFAULTS_KEY, {})
    entries = {}
    for name, item in raw.items():
        if name == DEFAULTS_KEY:
            continue
        components = item.get("components") if isinstance(item, dict) else None
        if components is not None:
            if not isinstance(components, dict) or not all(isinstance(tag, str) for tag in components.values()):
                raise ValueError(f"{manifest}: entry {name!r}: 'components' must map prefixes to weights names")
        elif not isinstance(item, dict) or not isinstance(item.get("file"), str) or "sha256" not in item:
            raise ValueError(f"{manifest}: entry {name!r} needs a 'file' and a 'sha256'; fix or delete the entry")
        entries[name] = PretrainedEntry(
            name=name,
            file=item.get("file", ""),
            sha256=item.get("sha256", ""),
            components=dict(components or {}),
            config=item.get("config", {}),
            metadata=item.get("metadata", {}),
            folder=None if source == SHIPPED else folder,
            source=source,
        )
    for entry in entries.values():
        missing = [tag for tag in entry.components.values() if tag not in entries or entries[tag].components]
        if missing:
            raise ValueError(
                f"{manifest}: entry {entry.name!r} is made of {', '.join(missing)}, which the manifest does not hold "
                "as weights files; fix or delete the entry"
            )
    return entries, dict(defaults) if isinstance(defaults, dict) else {}


@cache
def pretrained_table() -> dict[str, PretrainedEntry]:
    """All shipped weights by ``architecture.tag`` (read once from the package's manifest; empty when none)."""
    return read_manifest(weights_dir())[0]


def default_tags() -> dict[str, str]:
    """``architecture -> architecture.tag`` of the shipped default weights, as the shipped manifest declares them.

    Raises:
        ValueError: A declared default names weights that do not ship, or another architecture's weights.
    """
    manifest = weights_dir() / "manifest.json"
    return _checked_defaults(str(manifest), manifest.stat().st_mtime_ns if manifest.is_file() else 0)


@lru_cache(maxsize=8)
def _checked_defaults(manifest: str, _mtime: int) -> dict[str, str]:
    entries, defaults = read_manifest(Path(manifest).parent)
    for arch, name in defaults.items():
        if name not in entries or name.partition(".")[0] != arch:
            raise ValueError(
                f"{manifest}: the default of {arch!r} is {name!r}, which is not a shipped {arch}.* entry; "
                f"declare one of: {', '.join(n for n in entries if n.startswith(arch + '.')) or 'none'}"
            )
    return defaults


def user_table() -> dict[str, PretrainedEntry]:
    """The user's own weights by ``architecture.tag`` (from :func:`user_weights_dir`; re-read when it changes)."""
    manifest = user_weights_dir() / "manifest.json"
    if not manifest.is_file():
        return {}
    return _user_entries(str(manifest), manifest.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _user_entries(manifest: str, _mtime: int) -> dict[str, PretrainedEntry]:
    return read_manifest(Path(manifest).parent, USER)[0]
