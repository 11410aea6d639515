"""Which models the demo offers: shipped weights first, then classical methods, optionally tiny untrained networks.

Nothing here imports gradio; the entries are plain data so tests and the app share them.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from zoo.registry import get_model_info, list_models, list_pretrained
from zoo.registry.pretrained import default_tags

__all__ = [
    "PREFERRED_ARCHS",
    "UNTRAINED_CONFIGS",
    "ModelEntry",
    "cards_protocol",
    "default_catalog",
    "default_selection",
    "detector_ships",
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
        factor: Factor branch to run (MBN needs one), ``"detected"`` for the branch of the factor the detector finds
            most likely in each image, or None.
        steps: Show the per-step outputs of a recurrent model (R-MBN, cascade) in the gallery.
        trained: False for untrained networks (random weights); the card and the table say so.
        chain: For R-MBN: ``"auto"`` (the adaptive default: the detected steps) or ``"all"`` (every step).
    """

    key: str
    label: str
    model: str | dict[str, Any] = field(compare=False)
    factor: str | None = None
    steps: bool = False
    trained: bool = True
    chain: str = "all"

    @property
    def arch(self) -> str:
        """Registered architecture name."""
        name = self.model["type"] if isinstance(self.model, dict) else self.model
        return name.partition(".")[0]


def needs_factor(arch: str) -> bool:
    """Whether the architecture needs a ``factor`` argument (MBN: one branch per factor), from its ModelInfo."""
    return get_model_info(arch).needs_factor


def has_steps(arch: str) -> bool:
    """Whether the architecture can return per-step outputs (``return_steps``: R-MBN, cascade)."""
    return get_model_info(arch).returns_steps


def detector_ships() -> bool:
    """Whether detector weights ship, so the adaptive R-MBN and the detected-branch entries can run."""
    return any(tag.partition(".")[0] == "detector" for tag in list_pretrained())


def entry_for(model: str | dict[str, Any], label: str | None = None, trained: bool = True) -> list[ModelEntry]:
    """Entries for one model: one per factor branch when the model needs a factor, else one.

    With the detector's weights shipped, a factor-branch model also gets a ``@detected`` entry (the branch of the
    factor the detector finds most likely), and R-MBN gets two: the adaptive default (its key is the model name) and
    the paper's always-on chain (``@all``).

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
    detector = trained and detector_ships()
    if info.needs_factor:
        entries = [
            ModelEntry(f"{base_key}@{f}", f"{base_label} ({f} branch)", model, factor=f, trained=trained)
            for f in info.factors
        ]
        if detector:
            label = f"{base_label} (branch of the detected factor)"
            entries.append(ModelEntry(f"{base_key}@detected", label, model, factor="detected", trained=trained))
        return entries
    steps = info.returns_steps
    if info.takes_steps and detector:
        return [
            ModelEntry(base_key, f"{base_label} (adaptive: detected steps)", model, steps=steps, chain="auto"),
            ModelEntry(f"{base_key}@all", f"{base_label} (every step: J, H, B, R)", model, steps=steps),
        ]
    return [ModelEntry(base_key, base_label, model, steps=steps, trained=trained)]


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
    """Keys preselected in the demo.

    With the detector shipped: the adaptive default R-MBN, the same weights' always-on chain and the default MBN's
    branch of the detected factor (those of the catalogue). Otherwise the first entry of each of the first ``count``
    architectures.
    """
    keys = {entry.key for entry in entries}
    defaults = default_tags()
    adaptive = [defaults.get("rmbn"), f"{defaults.get('rmbn')}@all", f"{defaults.get('mbn')}@detected"]
    if detector_ships() and all(key in keys for key in adaptive):
        return adaptive
    chosen: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        if entry.arch not in seen:
            seen.add(entry.arch)
            chosen.append(entry.key)
        if len(chosen) == count:
            break
    return chosen


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
        if at and factors and factor not in (*factors, "detected", "all") and f"{base}@{factors[0]}" in known:
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
