"""The public zoo API: ``create_model``, ``list_models``, ``list_pretrained``, ``build``."""

import copy
import difflib
import fnmatch
from pathlib import Path
from typing import Any

import torch
from mmengine.registry import Registry

from .checkpoint import load_state_dict, read_release_metadata
from .checkpoint_arch import apply_release_architecture
from .decorators import MODEL_INFO
from .info import ModelInfo
from .parts import check_parts
from .pretrained import PretrainedEntry, default_tags, pretrained_table, user_table
from .registries import ALL_REGISTRIES, MODELS

__all__ = [
    "UnknownModelError",
    "build",
    "create_model",
    "default_pretrained",
    "entry_state_dict",
    "find_pretrained",
    "get_model_info",
    "list_models",
    "list_pretrained",
    "model_info_of",
]


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


def list_pretrained(pattern: str = "*", user: bool = False) -> list[str]:
    """``architecture.tag`` names of the weights shipped in the package, sorted.

    Args:
        pattern: Wildcard pattern such as ``"rmbn.*"``.
        user: List the user's own weights (``zoo export-weights``, in ``user_weights_dir()``) instead.
    """
    table = user_table() if user else pretrained_table()
    return sorted(name for name in table if fnmatch.fnmatchcase(name, pattern))


def default_pretrained(arch: str) -> str:
    """The ``architecture.tag`` that ``create_model(arch, pretrained=True)`` loads, as the shipped manifest declares.

    Raises:
        ValueError: No default is declared for ``arch``; the message lists the tags to name instead.
    """
    declared = default_tags().get(arch)
    if declared is not None:
        return declared
    shipped = list_pretrained(f"{arch}.*")
    if shipped:
        raise ValueError(
            f"no default weights are declared for {arch!r} (the 'defaults' block of zoo/weights/manifest.json); "
            f"name one: {', '.join(shipped)}"
        )
    yours = list_pretrained(f"{arch}.*", user=True)
    if yours:
        raise ValueError(
            f"no weights ship for {arch!r}, and your own weights are used only by full name; name one: "
            f"{', '.join(yours)}"
        )
    raise ValueError(f"no pretrained weights ship for {arch!r}; available: {', '.join(pretrained_table()) or 'none'}")


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


def model_info_of(model: Any) -> tuple[str, ModelInfo] | None:
    """The registered name and metadata of a built model, or None when the registry does not know it.

    A model from :func:`create_model` is known by its ``zoo_name``; a module built directly from a registered class
    (``MBN(width=0.25)``, or a subclass of one) by the nearest registered class in its MRO. A module built by a
    registered builder function (``DuRNU(...)`` instead of ``create_model("durn_u")``) is not known.
    """
    _ensure_registered()
    name = getattr(model, "zoo_name", None)
    if isinstance(name, str) and name.partition(".")[0] in MODEL_INFO:
        return name.partition(".")[0], MODEL_INFO[name.partition(".")[0]]
    by_class = {MODELS.get(arch): arch for arch in MODEL_INFO}
    for cls in type(model).__mro__:
        arch = by_class.get(cls)
        if arch is not None:
            return arch, MODEL_INFO[arch]
    return None


def find_pretrained(name: str) -> PretrainedEntry | None:
    """The weights called ``name``: shipped ones first, then the user's (a user entry never hides a shipped one)."""
    shipped = pretrained_table()
    if name in shipped:
        return shipped[name]
    return user_table().get(name)


def _resolve(name: str, pretrained: bool) -> tuple[str, PretrainedEntry | None]:
    arch, _, tag = name.partition(".")
    entry = find_pretrained(name) if tag else None
    try:
        get_model_info(arch)
    except UnknownModelError:
        if entry is not None:  # weights of an architecture that a module not imported here registers
            check_parts(entry.config | {"type": arch}, entry.metadata.get("parts"), name)
        raise
    if tag:
        if entry is None:
            known = [*pretrained_table(), *user_table()]
            raise _unknown(name, known or [arch], "pretrained tag")
        return arch, entry
    if pretrained:
        return arch, _resolve(default_pretrained(arch), pretrained)[1]
    return arch, None


def _check_name(name_or_cfg: Any) -> None:
    if isinstance(name_or_cfg, dict):
        if "type" not in name_or_cfg:
            raise ValueError("a model config needs a 'type' key naming a registered architecture")
        if not isinstance(name_or_cfg["type"], str):
            raise TypeError(
                f"a model config's 'type' must be a registered architecture name (a string), not "
                f"{type(name_or_cfg['type']).__name__}; see `zoo list`"
            )
    elif not isinstance(name_or_cfg, str) or not name_or_cfg:
        raise TypeError(
            "create_model takes an architecture name, 'architecture.tag' or a config dict {'type': ...}, not "
            f"{name_or_cfg!r}; see `zoo list`"
        )


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
        pretrained: Load the weights of the tag (or the architecture's declared default), verifying the sha256.
        checkpoint: A weights file to load instead (safetensors, or a torch file read with ``weights_only=True``).
            Foreign key schemes are mapped by the architecture's ``checkpoint_filter``. A zoo release file's header
            records its architecture (width, activation, ...); it is built with those settings.
        **overrides: Keyword arguments for the architecture, applied on top of the tag's config.

    Returns:
        The model, in eval mode when weights were loaded. ``model.zoo_name`` holds its name and
        ``model.zoo_metadata`` the weights' metadata (empty for untrained models).

    Raises:
        UnknownModelError: The architecture or tag is not registered.
        zoo.registry.ChecksumError: Shipped weights fail their sha256 check.
        zoo.registry.parts.MissingPartError: The weights need a part that no imported module registered.
        TypeError: ``name_or_cfg`` is neither a name nor a config dict.
    """
    entry: PretrainedEntry | None = None
    _check_name(name_or_cfg)
    if isinstance(name_or_cfg, dict):
        cfg = copy.deepcopy(name_or_cfg)
        cfg.update(overrides)
        arch = cfg["type"]
        get_model_info(arch)
        given = set(cfg) - {"type"}
    else:
        arch, entry = _resolve(name_or_cfg, pretrained)
        cfg = {"type": arch, **(copy.deepcopy(entry.config) if entry else {}), **overrides}
        given = set(overrides) | (set(entry.config) if entry else set())
    if checkpoint is not None:
        cfg = apply_release_architecture(cfg, checkpoint, given, MODELS.get(arch))
        check_parts(cfg, read_release_metadata(checkpoint).get("parts"), str(checkpoint))
    if entry is not None:
        check_parts(cfg, entry.metadata.get("parts"), entry.name)
    model = MODELS.build(cfg)
    model.zoo_name = entry.name if entry else arch
    model.zoo_metadata = copy.deepcopy(entry.metadata) if entry else {}
    if checkpoint is not None:
        _load_into(model, load_state_dict(checkpoint), arch)
    elif pretrained:
        assert entry is not None
        _load_into(model, entry_state_dict(entry), arch)
    return model


def entry_state_dict(entry: PretrainedEntry) -> dict[str, torch.Tensor]:
    """The weights of a table entry, sha256-checked: its file, or its components' files under their prefixes."""
    if not entry.components:
        return load_state_dict(entry.path, expected_sha256=entry.sha256)
    state: dict[str, torch.Tensor] = {}
    for prefix, tag in entry.components.items():
        part = find_pretrained(tag) if entry.source == "shipped" else user_table().get(tag)
        if part is None:
            raise KeyError(f"{entry.name} is made of {tag}, which is not in the weights table")
        state.update({f"{prefix}.{key}": value for key, value in entry_state_dict(part).items()})
    return state


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
