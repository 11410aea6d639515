"""Which models the demo offers: shipped weights first, then classical methods, optionally tiny untrained networks.

Nothing here imports gradio; the entries are plain data so tests and the app share them.
"""

import inspect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from zoo.registry import MODELS, get_model_info, list_models, list_pretrained
from zoo.registry.pretrained import default_tags

__all__ = [
    "PREFERRED_ARCHS",
    "UNTRAINED_CONFIGS",
    "ModelEntry",
    "cards_protocol",
    "default_catalog",
    "default_selection",
    "entry_for",
    "has_steps",
    "match_factors",
    "needs_factor",
]

# Shipped weights of these architectures are listed first, in this order; the others follow alphabetically.
PREFERRED_ARCHS: tuple[str, ...] = ("rmbn", "mbn", "cascade")

# Small untrained networks for trying the interface before any weights ship (their output is not a restoration).
UNTRAINED_CONFIGS: dict[str, dict[str, Any]] = {
    "rmbn": dict(type="rmbn", width=0.25, rain_iters=1),
    "mbn_minimal": dict(type="mbn_minimal", width=0.25),
    "owan": dict(type="owan"),
}


@dataclass(frozen=True)
class ModelEntry:
    """One choice in the demo's model list.

    Attributes:
        key: Unique value of the choice (what the API receives), e.g. ``"rmbn.synth4"`` or ``"mbn.synth4@rain"``.
        label: What the user reads in the list.
        model: What :class:`zoo.inference.Restorer` loads: a name, an ``architecture.tag`` or a config dict.
        factor: Factor branch to run (MBN needs one), or None.
        steps: Show the per-step outputs of a recurrent model (R-MBN, cascade) in the gallery.
        trained: False for untrained networks (random weights); the card and the table say so.
    """

    key: str
    label: str
    model: str | dict[str, Any] = field(compare=False)
    factor: str | None = None
    steps: bool = False
    trained: bool = True

    @property
    def arch(self) -> str:
        """Registered architecture name."""
        name = self.model["type"] if isinstance(self.model, dict) else self.model
        return name.partition(".")[0]


def _forward_parameters(arch: str) -> dict[str, inspect.Parameter]:
    builder = MODELS.get(arch)
    if builder is None:
        raise KeyError(f"model {arch!r} is not registered")
    target = builder.forward if inspect.isclass(builder) else builder
    return dict(inspect.signature(target).parameters)


def needs_factor(arch: str) -> bool:
    """Whether the architecture's forward requires a ``factor`` argument (MBN: one branch per factor)."""
    param = _forward_parameters(arch).get("factor")
    return param is not None and param.default is inspect.Parameter.empty


def has_steps(arch: str) -> bool:
    """Whether the architecture can return per-step outputs (``return_steps``: R-MBN, cascade)."""
    return "return_steps" in _forward_parameters(arch)


def entry_for(model: str | dict[str, Any], label: str | None = None, trained: bool = True) -> list[ModelEntry]:
    """Entries for one model: one per factor branch when the model needs a factor, else one.

    Args:
        model: A name, ``architecture.tag`` or config dict.
        label: Label of the entry (branch entries append the factor); default the name.
        trained: Whether the model has weights (or is not learned).
    """
    name = model["type"] if isinstance(model, dict) else model
    arch = name.partition(".")[0]
    info = get_model_info(arch)
    base_key = name if isinstance(model, str) else f"untrained:{arch}"
    base_label = label or name
    if needs_factor(arch):
        return [
            ModelEntry(f"{base_key}@{f}", f"{base_label} ({f} branch)", model, factor=f, trained=trained)
            for f in info.factors
        ]
    return [ModelEntry(base_key, base_label, model, steps=has_steps(arch), trained=trained)]


def default_catalog(untrained: bool = False, extra: Iterable[ModelEntry] = ()) -> list[ModelEntry]:
    """The demo's model list: shipped weights first, then non-oracle classical methods, then ``extra``.

    Shipped weights are ordered by ``PREFERRED_ARCHS`` (R-MBN, MBN, cascade), each architecture's declared default
    first, then alphabetically.

    Args:
        untrained: Also offer the small untrained networks of ``UNTRAINED_CONFIGS`` (to try the interface).
        extra: More entries, appended as given.
    """
    entries: list[ModelEntry] = []
    rank = {arch: index for index, arch in enumerate(PREFERRED_ARCHS)}
    defaults = set(default_tags().values())
    tags = sorted(
        list_pretrained(), key=lambda tag: (rank.get(tag.partition(".")[0], len(rank)), tag not in defaults, tag)
    )
    for tag in tags:
        entries += entry_for(tag)
    for arch in list_models():
        info = get_model_info(arch)
        if not info.learned and not info.oracle:
            entries += entry_for(arch, label=f"{arch} (classical)")
    if untrained:
        for arch, config in UNTRAINED_CONFIGS.items():
            entries += entry_for(config, label=f"{arch} (untrained, random weights)", trained=False)
    entries += list(extra)
    keys = [entry.key for entry in entries]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(f"duplicate model keys in the demo catalogue: {', '.join(duplicates)}")
    return entries


def default_selection(entries: Sequence[ModelEntry], count: int = 2) -> list[str]:
    """Keys preselected in the demo: the first entry of each of the first ``count`` architectures."""
    keys: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        if entry.arch not in seen:
            seen.add(entry.arch)
            keys.append(entry.key)
        if len(keys) == count:
            break
    return keys


def match_factors(keys: Sequence[str], entries: Sequence[ModelEntry], factors: Sequence[str]) -> list[str]:
    """The selection ``keys`` with every factor-branch entry (``"mbn.synth4@rain"``) moved to the image's factor.

    A model told the factor (MBN) restores only that factor, so when a sample with known factors is loaded, a branch
    entry for another factor is replaced by the same model's entry for the first of ``factors`` (the only one for a
    single-factor sample). Other entries, and branch entries that already match one of ``factors``, stay.

    Args:
        keys: The selected entry keys.
        entries: The catalogue.
        factors: The factors of the loaded image, in the order they were applied; empty when unknown.
    """
    known = {entry.key for entry in entries}
    chosen: list[str] = []
    for key in keys:
        base, at, factor = key.rpartition("@")
        if at and factors and factor not in factors and f"{base}@{factors[0]}" in known:
            key = f"{base}@{factors[0]}"
        if key not in chosen:
            chosen.append(key)
    return chosen


def cards_protocol(entries: Sequence[ModelEntry], fallback: str = "standard") -> str:
    """The metric protocol most of the catalogue's shipped weights report their scores in (their cards' protocol)."""
    from zoo.registry import pretrained_table

    table = pretrained_table()
    protocols = [
        table[entry.model].metadata.get("protocol")
        for entry in entries
        if isinstance(entry.model, str) and entry.model in table
    ]
    protocols = [protocol for protocol in protocols if protocol]
    return max(set(protocols), key=protocols.count) if protocols else fallback
