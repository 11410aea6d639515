"""Decorators that put classes and builder functions into the zoo registries."""

from collections.abc import Callable
from typing import Any, TypeVar

from mmengine.registry import Registry

from .info import ModelInfo
from .registries import ATTENTION, BLOCKS, BRANCHES, DEGRADATIONS, LOSSES, METRICS, MODELS

__all__ = [
    "MODEL_INFO",
    "register",
    "register_attention",
    "register_block",
    "register_branch",
    "register_degradation",
    "register_loss",
    "register_metric",
    "register_model",
]

T = TypeVar("T", bound=Callable[..., Any])

# Metadata of every registered model architecture, by registered name.
MODEL_INFO: dict[str, ModelInfo] = {}


def register(registry: Registry, name: str | None = None, force: bool = False) -> Callable[[T], T]:
    """Register a class or a builder function in ``registry``.

    Args:
        registry: Target registry (e.g. ``zoo.registry.ATTENTION``).
        name: Registered name; defaults to the object's ``__name__``.
        force: Replace an existing entry of the same name instead of raising ``KeyError``.

    Returns:
        A decorator that returns the object unchanged.
    """

    def decorator(obj: T) -> T:
        registry.register_module(name=name, force=force, module=obj)
        return obj

    return decorator


def register_model(name: str, info: ModelInfo, force: bool = False) -> Callable[[T], T]:
    """Register a model class or builder function under ``name`` together with its metadata.

    Args:
        name: Architecture name (lower case, no dots; tags are added by pretrained entries).
        info: Metadata of the architecture.
        force: Replace an existing registration instead of raising ``KeyError``.
    """
    if "." in name:
        raise ValueError(f"model name {name!r} contains a dot; dots separate the architecture from a weights tag")

    def decorator(obj: T) -> T:
        MODELS.register_module(name=name, force=force, module=obj)
        MODEL_INFO[name] = info
        return obj

    return decorator


def _domain_decorator(registry: Registry) -> Callable[..., Any]:
    def decorator_factory(name: Any = None, force: bool = False) -> Any:
        if callable(name) and not isinstance(name, str):  # used bare, as @register_x without parentheses
            return register(registry, force=force)(name)
        if name is not None and not isinstance(name, str):
            raise TypeError(
                f"register_{registry.name}(name=...) takes the name to register as a string, not "
                f"{type(name).__name__}; write @register_{registry.name}('my_name') or @register_{registry.name}"
            )
        return register(registry, name=name, force=force)

    decorator_factory.__doc__ = (
        f"Register a class or builder function in the ``{registry.name}`` registry.\n\n"
        f"Use as ``@register_{registry.name}('name')``, ``@register_{registry.name}()`` or bare "
        f"``@register_{registry.name}`` (registered under the object's ``__name__``)."
    )
    return decorator_factory


register_attention = _domain_decorator(ATTENTION)
register_block = _domain_decorator(BLOCKS)
register_branch = _domain_decorator(BRANCHES)
register_degradation = _domain_decorator(DEGRADATIONS)
register_loss = _domain_decorator(LOSSES)
register_metric = _domain_decorator(METRICS)
