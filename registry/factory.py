"""The public zoo API: ``create_model``, ``list_models``, ``list_pretrained``, ``build``."""

import copy
import difflib
import fnmatch
from pathlib import Path
from typing import Any

import torch
from mmengine.registry import Registry

from .checkpoint import load_state_dict
from .decorators import MODEL_INFO
from .info import ModelInfo
from .pretrained import PretrainedEntry, pretrained_table
from .registries import ALL_REGISTRIES, MODELS

__all__ = ["UnknownModelError", "build", "create_model", "get_model_info", "list_models", "list_pretrained"]


class UnknownModelError(KeyError):
    """A model name that is not registered; the message lists the closest registered names."""

    def __str__(self) -> str:  # KeyError would show the message with quotes around it
        return str(self.args[0])


def _ensure_registered() -> None:
    MODELS.import_from_location()


def list_models(pattern: str = "*", pretrained: bool = False) -> list[str]:
    """Names of registered architectures matching an fnmatch pattern, sorted.

    Args:
        pattern: Wildcard pattern such as ``"durn_*"``.
        pretrained: List ``architecture.tag`` names of shipped weights instead of architectures.
    """
    if pretrained:
        return list_pretrained(pattern)
    _ensure_registered()
    return sorted(name for name in MODEL_INFO if fnmatch.fnmatchcase(name, pattern))


def list_pretrained(pattern: str = "*") -> list[str]:
    """``architecture.tag`` names of the weights shipped in the package, sorted."""
    return sorted(name for name in pretrained_table() if fnmatch.fnmatchcase(name, pattern))


def _unknown(name: str, candidates: list[str], what: str) -> UnknownModelError:
    close = difflib.get_close_matches(name, candidates, n=5, cutoff=0.4)
    hint = f"; closest: {', '.join(close)}" if close else ""
    return UnknownModelError(f"unknown {what} {name!r}{hint}. See `zoo list` for every name.")


def get_model_info(name: str) -> ModelInfo:
    """Metadata of an architecture (``name`` may carry a ``.tag``)."""
    _ensure_registered()
    arch = name.partition(".")[0]
    if arch not in MODEL_INFO:
        raise _unknown(arch, list(MODEL_INFO), "model")
    return MODEL_INFO[arch]


def _resolve(name: str, pretrained: bool) -> tuple[str, PretrainedEntry | None]:
    arch, _, tag = name.partition(".")
    get_model_info(arch)  # raises for unknown architectures
    table = pretrained_table()
    if tag:
        if name not in table:
            raise _unknown(name, list(table) or [arch], "pretrained tag")
        return arch, table[name]
    if pretrained:
        tags = [entry for entry in table.values() if entry.arch == arch]
        if not tags:
            raise ValueError(f"no pretrained weights ship for {arch!r}; available: {', '.join(table) or 'none'}")
        return arch, tags[0]
    return arch, None


def create_model(
    name_or_cfg: str | dict[str, Any],
    pretrained: bool = False,
    checkpoint: str | Path | None = None,
    **overrides: Any,
) -> torch.nn.Module:
    """Build a zoo model by name or from a config dict.

    Args:
        name_or_cfg: ``"architecture"``, ``"architecture.tag"`` (a shipped weights tag, whose architecture config
            is applied) or a config dict ``{"type": "mbn", ...}``.
        pretrained: Load the shipped weights of the tag (or of the architecture's first tag), verifying the sha256.
        checkpoint: A weights file to load instead (safetensors, or a torch file read with ``weights_only=True``).
            Foreign key schemes are mapped by the architecture's ``checkpoint_filter``.
        **overrides: Keyword arguments for the architecture, applied on top of the tag's config.

    Returns:
        The model, in eval mode when weights were loaded. ``model.zoo_name`` holds its name and
        ``model.zoo_metadata`` the weights' metadata (empty for untrained models).

    Raises:
        UnknownModelError: The architecture or tag is not registered.
        zoo.registry.ChecksumError: Shipped weights fail their sha256 check.
    """
    entry: PretrainedEntry | None = None
    if isinstance(name_or_cfg, dict):
        cfg = copy.deepcopy(name_or_cfg)
        if "type" not in cfg:
            raise ValueError("a model config needs a 'type' key naming a registered architecture")
        cfg.update(overrides)
        arch = cfg["type"]
        get_model_info(arch)
    else:
        arch, entry = _resolve(name_or_cfg, pretrained)
        cfg = {"type": arch, **(copy.deepcopy(entry.config) if entry else {}), **overrides}
    model = MODELS.build(cfg)
    model.zoo_name = entry.name if entry else arch
    model.zoo_metadata = copy.deepcopy(entry.metadata) if entry else {}
    if checkpoint is not None:
        _load_into(model, load_state_dict(checkpoint), arch)
    elif pretrained:
        assert entry is not None
        _load_into(model, load_state_dict(entry.path, expected_sha256=entry.sha256), arch)
    return model


def _load_into(model: torch.nn.Module, state_dict: dict[str, torch.Tensor], arch: str) -> None:
    info = MODEL_INFO[arch]
    if info.checkpoint_filter is not None:
        state_dict = info.checkpoint_filter(state_dict, model)
    own = model.state_dict()
    missing = sorted(set(own) - set(state_dict))
    extra = sorted(set(state_dict) - set(own))
    if missing or extra:
        raise KeyError(
            f"checkpoint does not fit {arch!r}: missing {missing[:5]}{'...' if len(missing) > 5 else ''}, "
            f"unexpected {extra[:5]}{'...' if len(extra) > 5 else ''}"
        )
    for key, tensor in state_dict.items():
        if tuple(tensor.shape) != tuple(own[key].shape):
            raise ValueError(
                f"checkpoint tensor {key!r} has shape {tuple(tensor.shape)}; {arch!r} expects {tuple(own[key].shape)}"
            )
    model.load_state_dict(state_dict, strict=True)
    model.eval()


def build(cfg: dict[str, Any], registry: str | Registry = "model", **default_args: Any) -> Any:
    """Build anything registered in a zoo registry from a ``dict(type=..., ...)`` config.

    Args:
        cfg: Config dict with a ``type`` key.
        registry: A registry object or its name (``"model"``, ``"attention"``, ``"block"``, ``"branch"``,
            ``"degradation"``, ``"dataset"``, ``"metric"``, ``"loss"``, or any mmengine root name).
        **default_args: Arguments used where the config does not set them.
    """
    if isinstance(registry, str):
        if registry not in ALL_REGISTRIES:
            raise KeyError(f"unknown registry {registry!r}; known: {', '.join(sorted(ALL_REGISTRIES))}")
        registry = ALL_REGISTRIES[registry]
    if registry is MODELS:
        return create_model(cfg, **default_args)
    return registry.build(cfg, default_args=default_args or None)
