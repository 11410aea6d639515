"""A model's card in Markdown: what it is, its parameters, what it was trained on and its measured scores."""

from typing import Any

from zoo.data.metrics.protocols import PROTOCOLS, protocol_description
from zoo.inference.restore import Restorer

from .catalog import ModelEntry

__all__ = ["model_card"]


def _number(value: Any, digits: int) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "–"


def _scores_table(scores: dict[str, Any], protocol: str | None) -> list[str]:
    named = protocol_description(protocol) if protocol in PROTOCOLS else f"protocol `{protocol or 'unknown'}`"
    title = f"**Measured scores** (bundled-photo test set; PSNR in dB and SSIM, {named}):"
    rows = [(factor, values) for factor, values in scores.items() if isinstance(values, dict)]
    if not rows:
        return [title, f"`{scores}`"]
    table = ["| factor | PSNR in | PSNR out | SSIM in | SSIM out |", "|---|---|---|---|---|"]
    for factor, values in rows:
        cells = [_number(values.get("psnr_input"), 2), _number(values.get("psnr"), 2)]
        cells += [_number(values.get("ssim_input"), 3), _number(values.get("ssim"), 3)]
        table.append(f"| {factor} | {' | '.join(cells)} |")
    return [title, "\n".join(table)]


def _plain(text: Any) -> str:
    """Metadata text shown as is: Markdown's ``~`` (strikethrough) escaped, e.g. in "~60 min"."""
    return str(text).replace("~", "\\~")


def _training_lines(training: Any) -> list[str]:
    if not isinstance(training, dict):
        return [f"**Training:** {_plain(training)}"]
    items = ", ".join(f"{key}: {value}" for key, value in training.items() if value not in (None, ""))
    return [f"**Training:** {_plain(items)}"]


def model_card(entry: ModelEntry, restorer: Restorer) -> str:
    """The card of a loaded model: registry metadata plus the shipped weights' metadata.

    Args:
        entry: The demo's choice (label, factor branch, trained or not).
        restorer: Its loaded model (for the parameter count and ``zoo_metadata``).
    """
    module = restorer.loaded.module
    info = restorer.loaded.info
    metadata: dict[str, Any] = dict(getattr(module, "zoo_metadata", {}) or {})
    parameters = metadata.get("parameters", sum(p.numel() for p in module.parameters()))
    lines = [f"### {entry.label}"]
    if metadata.get("summary"):
        lines.append(str(metadata["summary"]))
    if info is not None and info.description:
        lines.append(info.description)
    facts = [f"**Parameters:** {parameters:,}"]
    if info is not None:
        facts.append(f"**Task:** {info.task}")
        if info.paper:
            facts.append(f"**Paper:** {info.paper}")
        if info.knows:
            facts.append(f"**Knows:** the {info.knows} of the test synthesis (not a fully blind method)")
    if entry.factor:
        facts.append(f"**Branch:** {entry.factor} (MBN runs the branch of the factor you name)")
    if info is None or info.learned:
        facts.append(f"**Precision:** {restorer.dtype} ({restorer.precision.reason})")
    lines.append(" · ".join(facts))
    if not entry.trained:
        lines.append("**Untrained:** random weights, to try the interface; the output is not a restoration.")
    elif info is not None and not info.learned:
        lines.append("**Training:** none (classical method).")
    if "training" in metadata:
        lines += _training_lines(metadata["training"])
    if isinstance(metadata.get("scores"), dict):
        lines += _scores_table(metadata["scores"], metadata.get("protocol"))
    if info is not None and info.notes:
        lines.append(f"*Notes:* {info.notes}")
    return "\n\n".join(lines)
