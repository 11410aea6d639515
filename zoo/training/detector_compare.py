"""Compare factor detectors on folders of detector sample shards (validation samples: choose on those, never tests).

``python -m zoo.training.detector_compare SHARDS [SHARDS ...] [--detector FILE ...] [--json OUT]`` prints, for each
shard folder (``zoo.training.write_detector_shards``) and each detector (the shipped one, then every ``--detector``
release file, each at its own thresholds): ROC AUC per factor, the share of the samples with a factor that it finds,
the share of those without it that it flags, and the share of samples without any factor that would get a step.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

__all__ = ["compare_on_shards", "main"]


def _scores(probabilities: np.ndarray, labels: np.ndarray, thresholds: np.ndarray) -> dict[str, Any]:
    from zoo.data.metrics.detection import roc_auc
    from zoo.models.detector import DETECTOR_FACTORS

    flagged = probabilities >= thresholds
    clean = labels.max(axis=1) < 0.5
    result: dict[str, Any] = {"n": int(len(labels)), "clean_n": int(clean.sum()), "factors": {}}
    for column, factor in enumerate(DETECTOR_FACTORS):
        positive, negative = labels[:, column] > 0.5, labels[:, column] < 0.5  # neither: unknown (NaN)
        result["factors"][factor] = {
            "auc": roc_auc(probabilities[positive | negative, column], positive[positive | negative]),  # NaN: 1 class
            "found": float(flagged[positive, column].mean()) if positive.any() else float("nan"),
            "false_alarms": float(flagged[negative, column].mean()) if negative.any() else float("nan"),
        }
    result["clean_with_a_step"] = float(flagged[clean].any(axis=1).mean()) if clean.any() else float("nan")
    return result


def compare_on_shards(folders: list[str], detector_files: list[str]) -> dict[str, dict[str, Any]]:
    """``{folder: {detector: scores}}`` for the shipped detector (``"shipped"``) and each release file."""
    from zoo.inference.adaptive import detector_from
    from zoo.training.detector_data import DetectorShards
    from zoo.training.detector_release import predict_dataset

    detectors: dict[str, torch.nn.Module] = {"shipped": detector_from()}
    detectors.update({path: detector_from(path) for path in detector_files})
    report: dict[str, dict[str, Any]] = {}
    for folder in folders:
        dataset = DetectorShards(folder)
        for name, detector in detectors.items():
            probabilities, labels = predict_dataset(detector, dataset)
            report.setdefault(folder, {})[name] = _scores(probabilities, labels, detector.thresholds.numpy())
    return report


def main(argv: list[str] | None = None) -> int:
    """Print the comparison (and write it as JSON with ``--json``)."""
    parser = argparse.ArgumentParser(
        prog="python -m zoo.training.detector_compare", description=__doc__.splitlines()[0]
    )
    parser.add_argument("shards", nargs="+", help="folders of detector sample shards (validation samples)")
    parser.add_argument("--detector", action="append", default=[], help="a detector release file (repeatable)")
    parser.add_argument("--json", type=Path, help="write the numbers to this file")
    args = parser.parse_args(argv)
    report = compare_on_shards(args.shards, args.detector)
    for folder, by_detector in report.items():
        for name, scores in by_detector.items():
            cells = " | ".join(
                f"{f} AUC {s['auc']:.3f} found {s['found']:.2f} false {s['false_alarms']:.3f}"
                for f, s in scores["factors"].items()
            )
            print(
                f"{Path(folder).name} | {Path(name).name} | {cells} | clean with a step "
                f"{scores['clean_with_a_step']:.3f} of {scores['clean_n']}"
            )
    if args.json:
        command = "python -m zoo.training.detector_compare " + " ".join(argv if argv is not None else sys.argv[1:])
        args.json.write_text(json.dumps({"command": command, "report": report}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
