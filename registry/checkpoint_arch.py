"""Build the architecture a release file records, so ``create_model(arch, checkpoint=file)`` fits its weights.

Release files (``zoo export-weights``, ``zoo convert-reference``) carry their architecture in the safetensors header:
the width, activation, rain iterations and branch switches they were trained with. Several of these leave no trace
in the tensor shapes, and the others would only show up as a shape mismatch, so the header's settings are applied
on top of the architecture's defaults; a setting the caller gives explicitly must agree with the file.
"""

import inspect
import json
from pathlib import Path
from typing import Any

from .checkpoint import read_release_metadata

__all__ = ["FAMILIES", "INIT_ONLY", "apply_release_architecture", "release_architecture"]

# Architectures that share one parameter set: weights of one load into the other.
FAMILIES = {"mbn": "mbn", "rmbn": "mbn"}
# Settings that only decide how parameters are initialised; once weights load they do not matter.
INIT_ONLY = ("branch_init", "residual_init")


def release_architecture(path: str | Path) -> tuple[str | None, dict[str, Any]]:
    """``(architecture, settings)`` recorded in a release file's header, or ``(None, {})`` for other files."""
    meta = read_release_metadata(path)
    recorded = meta.get("architecture")
    if isinstance(recorded, dict) and isinstance(recorded.get("type"), str):
        settings = dict(recorded)
        return settings.pop("type"), settings
    if isinstance(meta.get("arch"), str) and isinstance(meta.get("config"), dict):  # zoo convert-reference files
        return meta["arch"], dict(meta["config"])
    return None, {}


def _accepted(builder: Any, settings: dict[str, Any]) -> dict[str, Any]:
    """The settings the builder takes (all of them when it takes ``**kwargs`` or cannot be inspected)."""
    try:
        parameters = inspect.signature(builder).parameters
    except (TypeError, ValueError):
        return settings
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return settings
    return {key: value for key, value in settings.items() if key in parameters}


def _as_json(value: Any) -> Any:
    """The value as the header stores it (tuples become lists), for comparing settings."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return value


def apply_release_architecture(
    cfg: dict[str, Any], path: str | Path, given: set[str], builder: Any = None
) -> dict[str, Any]:
    """``cfg`` completed with the architecture recorded in the release file ``path``.

    Args:
        cfg: Model config with ``type``.
        path: The weights file about to be loaded.
        given: Keys of ``cfg`` the caller set explicitly; they must agree with the file.
        builder: The registered class or function of ``cfg["type"]``, to drop settings it does not take.

    Raises:
        ValueError: The file holds another architecture, or an explicit setting contradicts it.
    """
    kind, settings = release_architecture(path)
    if kind is None:
        return cfg
    target = cfg["type"]
    if FAMILIES.get(kind, kind) != FAMILIES.get(target, target):
        raise ValueError(
            f"{path} holds {kind!r} weights (its header says so), not {target!r}; load it with "
            f"create_model({kind!r}, checkpoint={str(path)!r})"
        )
    if builder is not None:
        settings = _accepted(builder, settings)
    cfg = dict(cfg)
    for key, value in settings.items():
        if key in given and key not in INIT_ONLY and _as_json(cfg.get(key)) != _as_json(value):
            raise ValueError(
                f"{path} was trained with {key}={value!r}, but {key}={cfg.get(key)!r} was asked for; drop that "
                f"setting (the file's architecture is used) or set it to {value!r}"
            )
        if key not in given:
            cfg[key] = value
    return cfg
