"""Model cards (Markdown) generated from the metadata of shipped weights."""

import json
from pathlib import Path
from typing import Any

from zoo.data.metrics.protocols import DETECTION_PROTOCOL, PROTOCOLS_ANCHOR, protocol_description
from zoo.factors import FACTORS, MIXED

__all__ = ["model_card", "write_cards"]

SCORED = (*FACTORS, MIXED)  # rows of a card's scores table


def _plain(value: Any) -> str:
    """Text shown as is: Markdown's ``~`` (strikethrough) escaped, e.g. in "~60 min"."""
    return str(value).replace("~", "\\~")


def _scores_table(scores: dict[str, dict[str, float]]) -> list[str]:
    lines = [
        "| factor | PSNR input | PSNR restored | gain (dB) | SSIM input | SSIM restored |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for factor in SCORED:
        if factor not in scores:
            continue
        s = scores[factor]
        gain = s["psnr"] - s["psnr_input"]
        lines.append(
            f"| {factor} | {s['psnr_input']:.2f} | {s['psnr']:.2f} | {gain:+.2f} | {s['ssim_input']:.4f} | "
            f"{s['ssim']:.4f} |"
        )
    return lines


def model_card(name: str, entry: dict[str, Any]) -> str:
    """Markdown card of one shipped weights tag from its manifest entry (file and sha256 or components, metadata)."""
    meta = entry["metadata"]
    training = meta.get("training", {})
    dtype = meta.get("dtype", "fp32")
    if entry.get("components"):
        parts = ", ".join(f"`{tag}` as `{prefix}`" for prefix, tag in entry["components"].items())
        weights = f"those of {parts} ({dtype}; stored once, in their own files, each checked by its sha256)"
    else:
        weights = f"`{entry['file']}` ({dtype}), sha256 `{entry['sha256']}`"
    lines = [
        f"# {name}",
        "",
        meta.get("summary", ""),
        "",
        "| | |",
        "|---|---|",
        f"| architecture | `{meta.get('architecture')}` |",
        f"| parameters | {meta.get('parameters', 0):,} |",
        f"| weights | {weights} |",
        f"| paper | {meta.get('paper', '')} |",
        f"| licence | {meta.get('licence', '')} |",
        "",
        "## Training",
        "",
    ]
    for key, value in training.items():
        if isinstance(value, dict):  # e.g. a cascade's steps, each with its own training record
            lines.append(f"- {key}:")
            lines += [f"  - {sub}: {_plain(subvalue)}" for sub, subvalue in value.items()]
        else:
            lines.append(f"- {key}: {_plain(value)}")
    if meta.get("protocol") == DETECTION_PROTOCOL:
        lines += ["", *_detection_lines(meta)]
    elif "scores" in meta:
        if "protocol" not in meta:
            raise ValueError(
                f"{name}: the metadata has scores but no 'protocol'; add the metric protocol they were measured under "
                "(a key of zoo.data.metrics.protocols.PROTOCOLS)"
            )
        lines += [
            "",
            "## Measured scores",
            "",
            f"PSNR (dB) and SSIM under the {protocol_description(meta['protocol'])} "
            f"([metric protocols](../../README.md#{PROTOCOLS_ANCHOR})).",
            "",
            meta.get("evaluation", "Fixed-seed synthetic test set made from the bundled photos."),
            "",
            *_scores_table(meta["scores"]),
        ]
    if isinstance(meta.get("bf16"), dict):
        lines += ["", *_bf16_lines(meta["bf16"])]
    lines += ["", "Generated from the manifest by `zoo export-weights`; do not edit by hand.", ""]
    return "\n".join(lines)


def _detection_lines(meta: dict[str, Any]) -> list[str]:
    """A detector's section: per factor its threshold, then ROC AUC and accuracy on validation and test samples."""
    sets = {
        "validation samples": meta.get("validation_scores", {}),
        **{f"`{preset}` test set": scores for preset, scores in meta.get("scores", {}).items()},
    }
    head = " | ".join(f"{name}: AUC / accuracy (positives of n)" for name in sets)
    lines = [
        "## Measured detection",
        "",
        "Per factor: the probability threshold above which the factor counts as present (chosen on the validation "
        "samples), then the ROC AUC and the accuracy at that threshold. Labels: `zoo.data.labels` (a factor is "
        "present when it changes the image by a level that matters; camera-quality JPEG counts as clean).",
        "",
        meta.get("evaluation", ""),
        "",
        f"| factor | threshold | {head} |",
        "|---|---:|" + "---:|" * len(sets),
    ]
    for factor in FACTORS:
        cells = []
        for scores in sets.values():
            s = scores.get(factor)
            cells.append("-" if s is None else f"{s['auc']:.3f} / {s['accuracy']:.3f} ({s['positives']} of {s['n']})")
        lines.append(f"| {factor} | {meta.get('thresholds', {}).get(factor, float('nan')):.4f} | {' | '.join(cells)} |")
    return lines


def _bf16_lines(record: dict[str, Any]) -> list[str]:
    """The precision section: PSNR change under bf16 autocast per factor, and what ``--dtype auto`` does with it."""
    deltas = record["delta_psnr_db"]
    verdict = (
        f"every factor within {record['tolerance_db']} dB of fp32, so `--dtype auto` runs these weights in bf16 on "
        "CPUs with AMX or AVX512-BF16"
        if record["keeps_scores"]
        else f"more than {record['tolerance_db']} dB on some factor, so `--dtype auto` keeps fp32 on CPUs"
    )
    return [
        "## Precision",
        "",
        f"PSNR change under bf16 autocast against fp32, same test set and protocol ({record['measured_with']}): "
        + ", ".join(f"{factor} {delta:+.4f} dB" for factor, delta in deltas.items())
        + f"; {verdict}.",
    ]


def write_cards(weights_dir: Path) -> list[Path]:
    """(Re)write ``<tag>.md`` for every entry of ``weights_dir/manifest.json``."""
    manifest = json.loads((weights_dir / "manifest.json").read_text())
    paths = []
    for name, entry in manifest.items():
        if "." not in name:  # the "defaults" block, not a weights entry
            continue
        path = weights_dir / f"{name}.md"
        path.write_text(model_card(name, entry))
        paths.append(path)
    return paths
