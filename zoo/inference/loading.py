"""Turn what a user passes as ``model=`` (nothing, a name, a tag, a config dict, a module) into a ready model."""

import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from torch import nn

from zoo.registry import ModelInfo, create_model, get_model_info, list_pretrained, model_info_of
from zoo.registry.info import instance_size_multiple
from zoo.registry.pretrained import default_tags

__all__ = ["LoadedModel", "NoShippedWeightsError", "default_model_name", "load_model"]


class NoShippedWeightsError(RuntimeError):
    """No shipped weights can serve the request (none in the package, or none for this architecture)."""


@dataclass(frozen=True)
class LoadedModel:
    """A model ready for inference.

    Attributes:
        module: The network, in eval mode.
        name: ``architecture.tag``, ``architecture`` or the class name of a user module.
        info: Registry metadata (also found for a bare module of a registered class), or None for a module the
            registry does not know.
        trained: Whether weights were loaded (or the method is not learned).
    """

    module: nn.Module
    name: str
    info: ModelInfo | None
    trained: bool

    @property
    def size_multiple(self) -> int:
        """Height/width multiple the built model works at (its ModelInfo rule; the module's own method, else 1)."""
        rule = self.info.size_multiple if self.info is not None else instance_size_multiple
        return rule(self.module)


def default_model_name() -> str:
    """The default R-MBN weights (declared in the shipped manifest), the model ``zoo restore`` uses when none is named.

    Raises:
        NoShippedWeightsError: The installation declares no default ``rmbn`` weights.
    """
    name = default_tags().get("rmbn")
    if name is None:
        raise NoShippedWeightsError(
            "no R-MBN weights ship with this installation (zoo/weights/manifest.json declares no default rmbn "
            "weights); name a model explicitly, e.g. model='identity' / -m identity, a tag from "
            "`zoo list --pretrained`, or pass checkpoint=PATH"
        )
    return name


@lru_cache(maxsize=4)
def _load_named(name: str, checkpoint: str | None) -> LoadedModel:
    arch, _, tag = name.partition(".")
    info = get_model_info(arch)
    if checkpoint is not None:
        module = create_model(name, checkpoint=checkpoint)
        return LoadedModel(module.eval(), name, info, trained=True)
    if tag:
        return LoadedModel(create_model(name, pretrained=True).eval(), name, info, trained=True)
    if not info.learned:
        return LoadedModel(create_model(arch).eval(), arch, info, trained=True)
    default = default_tags().get(arch)
    if default is None:
        tags = list_pretrained(f"{arch}.*") + list_pretrained(f"{arch}.*", user=True)
        choices = f"name one: {', '.join(tags)}" if tags else "name a tag (`zoo list --pretrained`)"
        raise NoShippedWeightsError(
            f"{arch!r} is a learned model and no default weights ship for it; {choices}, pass checkpoint=PATH, or "
            "build the untrained model yourself and pass the module"
        )
    return LoadedModel(create_model(default, pretrained=True).eval(), default, info, trained=True)


def load_model(
    model: str | dict[str, Any] | nn.Module | None = None, checkpoint: str | Path | None = None
) -> LoadedModel:
    """Resolve ``model`` to a network in eval mode.

    Args:
        model: None (the default R-MBN weights), ``"architecture.tag"`` (shipped or your own weights,
            sha256-checked), ``"architecture"`` (a non-learned method, or the architecture's default weights as
            declared in the shipped manifest), a config dict
            ``{"type": ..., ...}``, or an ``nn.Module`` (used as is, put in eval mode).
        checkpoint: Weights file to load into a named or configured model instead of the shipped weights.

    Returns:
        The loaded model and its metadata. Named models are cached (the last four), so repeated calls are cheap.

    Raises:
        NoShippedWeightsError: No weights ship for the requested (or default) model.
        zoo.registry.UnknownModelError: The name is not registered.
    """
    if isinstance(model, nn.Module):
        if checkpoint is not None:
            raise ValueError("checkpoint= applies to a named model or config; load weights into your module yourself")
        known = model_info_of(model)
        name = getattr(model, "zoo_name", None) or (known[0] if known else type(model).__name__)
        return LoadedModel(model.eval(), name, known[1] if known else None, trained=True)
    if isinstance(model, dict):
        module = create_model(model, checkpoint=checkpoint)
        info = get_model_info(model["type"])
        if checkpoint is None and info.learned:
            warnings.warn(
                f"model config {model['type']!r} has no weights (checkpoint=None): the output is not a restoration",
                stacklevel=3,
            )
        return LoadedModel(module.eval(), model["type"], info, trained=checkpoint is not None or not info.learned)
    if model is None:
        model = default_model_name()
    if not isinstance(model, str):
        raise TypeError(f"model must be a name, a config dict or an nn.Module, not {type(model).__name__}")
    return _load_named(model, None if checkpoint is None else str(checkpoint))
