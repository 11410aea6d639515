"""Choose the adaptive default's step-strength margin on the validation photos (never the test photos).

``python -m zoo.benchmarks.strength [--margins 0 1 2 4] [--threshold haze=0.95] [--detector FILE] [--out results/cpu]``
runs the adaptive chain (``zoo.inference.adaptive``) with the shipped detector (or a detector release file) on every
case of the ``paper`` and ``broad`` sets of the validation photos (``PresetTestSet(images="validation")``:
``--per-photo`` crops per photo for the single cases, 2 for the mixtures), once per margin. Margin 0 runs every found
step at full strength; a margin ``m`` blends a step's output with its input by
``min(1, (logit(p) - logit(threshold)) / m)``. It writes, per case and margin, the mean PSNR gain and the worst image's
gain (``rgb`` protocol) to ``strength.md`` and ``strength.json``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

__all__ = ["chain_with_strengths", "choose_margin", "markdown", "run_strength"]

MEAN_TOLERANCE = 0.1  # dB of mean gain a margin may give up for a smaller worst-image loss


def chain_with_strengths(model: torch.nn.Module, x: torch.Tensor, strengths: dict[str, float]) -> torch.Tensor:
    """The recurrent chain over the steps with a positive strength, each blended by its strength (chain order)."""
    from zoo.inference.adaptive import split_strengths

    steps, partial = split_strengths(strengths, model.order)
    if not steps:
        return x
    with torch.inference_mode():
        return model(x, steps=steps, strengths=partial or None)


def _group(case: str) -> str:
    """Single cases keep their name; mixtures are grouped by how many factors they have."""
    return case if "+" not in case else {2: "pairs", 3: "triples", 4: "four"}[case.count("+") + 1]


def run_strength(
    margins: Sequence[float] = (0.0, 1.0, 2.0, 4.0),
    model_name: str = "rmbn",
    per_photo: int = 6,
    thresholds: dict[str, float] | None = None,
    detector_file: str | None = None,
    weights_file: str | None = None,
) -> dict[str, Any]:
    """Mean and worst PSNR gain per preset, case group and margin on the validation photos.

    Args:
        margins: Margins in logits to compare (0: every found step fully).
        model_name: The recurrent model (its default weights).
        per_photo: Crops per validation photo for the single-factor cases (mixtures: 2).
        thresholds: Detector thresholds to use instead of the shipped ones, per factor (to compare other thresholds).
        detector_file: A detector release file to use instead of the shipped detector (to compare detectors).
        weights_file: A release file of ``model_name`` to use instead of its default weights (to judge a candidate).
    """
    from zoo.data.datasets import PresetTestSet, preset_cases
    from zoo.data.metrics import metric_settings, psnr
    from zoo.inference.adaptive import detect_tensor, detector_from, step_strength
    from zoo.models.detector import DETECTOR_FACTORS
    from zoo.registry import create_model

    model = (
        create_model(model_name, checkpoint=weights_file) if weights_file else create_model(model_name, pretrained=True)
    ).eval()
    detector = detector_from(detector_file)
    thresholds = dict(zip(DETECTOR_FACTORS, (float(t) for t in detector.thresholds), strict=True)) | (thresholds or {})
    settings = metric_settings("rgb")
    gains: dict[str, dict[str, dict[str, list[float]]]] = {}
    tic = time.perf_counter()
    for preset in ("broad", "paper"):
        for case in preset_cases(preset):
            crops = per_photo if "+" not in case else 2
            dataset = PresetTestSet(preset, case, images="validation", per_photo=crops, seed=7)
            cell = gains.setdefault(preset, {}).setdefault(_group(case), {f"{m:g}": [] for m in margins})
            for index in range(len(dataset)):
                item = dataset[index]
                x, gt = item["inputs"][None], item["data_samples"]["gt"]
                before = float(psnr(x[0], gt, **settings.psnr_kwargs()))
                probabilities = dict(zip(DETECTOR_FACTORS, detect_tensor(x, detector)[0][0].tolist(), strict=True))
                for margin in margins:
                    strengths = {f: step_strength(p, thresholds[f], margin) for f, p in probabilities.items()}
                    y = chain_with_strengths(model, x, strengths)[0].clamp(0, 1)
                    after = min(100.0, float(psnr(y, gt, **settings.psnr_kwargs())))
                    cell[f"{margin:g}"].append(after - min(100.0, before))
    table = {
        preset: {
            group: {
                m: {"mean": round(sum(v) / len(v), 4), "worst": round(min(v), 4), "n": len(v)} for m, v in by.items()
            }
            for group, by in groups.items()
        }
        for preset, groups in gains.items()
    }
    return {
        "model": model_name,
        "weights": weights_file or "default",
        "detector": detector_file or "shipped",
        "thresholds": {f: round(t, 4) for f, t in thresholds.items()},
        "margins": [f"{m:g}" for m in margins],
        "per_photo": per_photo,
        "seconds": round(time.perf_counter() - tic, 1),
        "gain": table,
    }


def _rows(report: dict[str, Any], margin: str) -> list[dict[str, float]]:
    return [by[margin] for groups in report["gain"].values() for by in groups.values()]


def choose_margin(report: dict[str, Any], tolerance: float = MEAN_TOLERANCE) -> str:
    """The margin that set ``zoo.inference.adaptive.STRENGTH_MARGIN``.

    The one with the smallest worst-image loss among the margins whose mean gain over the rows is within ``tolerance``
    dB of the best margin's.
    """
    rows = {m: _rows(report, m) for m in report["margins"]}
    means = {m: sum(r["mean"] for r in rows[m]) / len(rows[m]) for m in rows}
    close = [m for m in rows if means[m] >= max(means.values()) - tolerance]
    return max(close, key=lambda m: min(r["worst"] for r in rows[m]))


def _weights_name(report: dict[str, Any]) -> str:
    where = report.get("weights", "default")
    return "default weights" if where == "default" else f"weights `{Path(where).name}`"


def _detector_name(report: dict[str, Any]) -> str:
    where = report.get("detector", "shipped")
    return "shipped" if where == "shipped" else f"`{Path(where).name}`"


def markdown(report: dict[str, Any], command: str) -> str:
    """The report as a table: one row per preset and case group, ``mean (worst)`` per margin."""
    margins = report["margins"]
    lines = [
        "# Step strength of the adaptive default: margin chosen on the validation photos",
        "",
        f"Command: `{command}` ({report['seconds']:.0f} s). Model `{report['model']}` ({_weights_name(report)}), the "
        f"{_detector_name(report)} detector (thresholds {report['thresholds']}). Validation photos only; "
        f"{report['per_photo']} crops of 256x256 per photo for single cases, 2 for mixtures. Mean PSNR gain in dB "
        "(`rgb`), with the worst image's "
        "gain in brackets. Margin 0: every found step at full strength; margin m: a step runs at strength "
        "min(1, (logit(p) - logit(threshold)) / m). Clean and camera-JPEG rows count a clean input as 100 dB.",
        "",
        "| preset | case | n | " + " | ".join(f"margin {m}" for m in margins) + " |",
        "|---|---|---:|" + "---:|" * len(margins),
    ]
    for preset, groups in report["gain"].items():
        for group, by in groups.items():
            cells = [f"{by[m]['mean']:+.2f} ({by[m]['worst']:+.1f})" for m in margins]
            lines.append(f"| {preset} | {group} | {by[margins[0]]['n']} | " + " | ".join(cells) + " |")
    for label, pick in (("mean of the rows", "mean"), ("lowest row mean", "min"), ("worst image", "worst")):
        cells = []
        for m in margins:
            rows = _rows(report, m)
            if pick == "mean":
                cells.append(f"{sum(r['mean'] for r in rows) / len(rows):+.2f}")
            elif pick == "min":
                cells.append(f"{min(r['mean'] for r in rows):+.2f}")
            else:
                cells.append(f"{min(r['worst'] for r in rows):+.1f}")
        lines.append(f"| all | {label} | | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Chosen: margin {choose_margin(report)}, the smallest loss on the worst image among the margins whose mean "
        f"of the rows is within {MEAN_TOLERANCE} dB of the best (`zoo.inference.adaptive.STRENGTH_MARGIN`).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and write ``strength.md`` / ``strength.json`` into ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m zoo.benchmarks.strength", description=__doc__.splitlines()[0])
    parser.add_argument("--margins", type=float, nargs="+", default=[0.0, 1.0, 2.0, 4.0], help="margins in logits")
    parser.add_argument("--model", default="rmbn", help="recurrent model (default weights; default rmbn)")
    parser.add_argument("--per-photo", type=int, default=6, help="crops per validation photo, single cases (6)")
    parser.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="FACTOR=P",
        help="use this detector threshold instead of the shipped one (repeatable), e.g. haze=0.95",
    )
    parser.add_argument("--detector", help="a detector release file instead of the shipped detector")
    parser.add_argument("--weights", help="a release file of --model instead of its default weights")
    parser.add_argument("--out", default="results/cpu", help="folder for the report")
    parser.add_argument("--name", default="strength", help="file name of the report: NAME.md and NAME.json")
    args = parser.parse_args(argv)
    if any(m < 0 or not math.isfinite(m) for m in args.margins):
        parser.error("margins must be finite and >= 0")
    thresholds = {}
    for item in args.threshold:
        factor, _, value = item.partition("=")
        try:
            thresholds[factor] = float(value)
        except ValueError:
            parser.error(f"--threshold {item!r}: expected FACTOR=P, e.g. haze=0.95")
        if factor not in ("rain", "blur", "jpeg", "haze") or not 0.0 < thresholds[factor] < 1.0:
            parser.error(f"--threshold {item!r}: expected a factor (rain, blur, jpeg, haze) and 0 < P < 1")
    from zoo.benchmarks.report import write_record

    report = run_strength(args.margins, args.model, args.per_photo, thresholds, args.detector, args.weights)
    command = ("python -m zoo.benchmarks.strength " + " ".join(argv if argv is not None else sys.argv[1:])).strip()
    write_record(args.out, args.name, report, command, markdown(report, command))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
