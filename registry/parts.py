"""The registered parts a weights file needs, recorded when it is exported and checked before it is built.

A config can name parts that a third-party module registers (``block.attention.type="my_attention"``). Weights
exported with such a config can only be built in a process that imported that module, so the export records, for
every ``type`` in the config, the module that registered it; loading checks that each one is registered and
otherwise names the part and the module to import, instead of failing deep inside the build with a ``KeyError``.
"""

from collections.abc import Iterator
from typing import Any

from mmengine.registry import Registry

from .registries import ATTENTION, BLOCKS, BRANCHES, DATASETS, DEGRADATIONS, LOSSES, METRICS, MODELS

__all__ = ["MissingPartError", "check_parts", "record_parts"]

# Registries whose entries a model config can name.
_PART_REGISTRIES: tuple[Registry, ...] = (MODELS, ATTENTION, BLOCKS, BRANCHES, DEGRADATIONS, LOSSES, METRICS, DATASETS)


class MissingPartError(KeyError):
    """A weights file needs a part (attention, block, ...) that no imported module has registered."""

    def __str__(self) -> str:  # KeyError would show the message with quotes around it
        return str(self.args[0])


def _types(config: Any) -> Iterator[str]:
    """Every ``type`` string in a nested config (dicts, lists, tuples)."""
    if isinstance(config, dict):
        kind = config.get("type")
        if isinstance(kind, str):
            yield kind
        for value in config.values():
            yield from _types(value)
    elif isinstance(config, (list, tuple)):
        for value in config:
            yield from _types(value)


def _lookup(name: str) -> tuple[str, Any] | None:
    for registry in _PART_REGISTRIES:
        found = registry.get(name)
        if found is not None:
            return registry.name, found
    return None


def record_parts(config: dict[str, Any]) -> list[dict[str, str]]:
    """``[{"type", "registry", "module"}]`` for every registered part that ``config`` names (sorted, no repeats)."""
    parts = {}
    for name in _types(config):
        found = _lookup(name)
        if found is not None and name not in parts:
            registry, obj = found
            parts[name] = {"type": name, "registry": registry, "module": getattr(obj, "__module__", "?")}
    return [parts[name] for name in sorted(parts)]


def check_parts(config: dict[str, Any], parts: list[dict[str, str]] | None, where: str) -> None:
    """Raise unless every ``type`` in ``config`` is registered.

    Args:
        config: The architecture config the weights need.
        parts: What :func:`record_parts` stored at export time (gives the module to import), or None.
        where: The weights' name, for the message.

    Raises:
        MissingPartError: Naming the part and, when recorded, the module that registers it.
    """
    modules = {part.get("type"): part for part in parts or [] if isinstance(part, dict)}
    for name in _types(config):
        if _lookup(name) is not None:
            continue
        recorded = modules.get(name)
        if recorded:
            hint = f"import {recorded.get('module')} (it registers it) before loading these weights"
            what = f"the {recorded.get('registry')} {name!r}"
        else:
            hint = "import the module that registers it before loading these weights"
            what = f"the part {name!r}"
        raise MissingPartError(f"{where} needs {what}, which is not registered in this process; {hint}")
