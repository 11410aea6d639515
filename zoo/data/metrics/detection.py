"""Scores of a factor detector: ROC AUC and accuracy per factor, and the mmengine ``DetectionMetric``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from mmengine.evaluator import BaseMetric

from zoo.registry import register_metric

__all__ = ["DetectionMetric", "detection_scores", "roc_auc"]


def roc_auc(scores: Sequence[float], labels: Sequence[float]) -> float:
    """Area under the ROC curve: the probability that a random positive scores above a random negative (ties 1/2).

    Returns NaN when the labels are all positive or all negative.
    """
    scores, labels = np.asarray(scores, np.float64), np.asarray(labels) > 0.5
    positives, negatives = scores[labels], scores[~labels]
    if len(positives) == 0 or len(negatives) == 0:
        return float("nan")
    values = np.concatenate([negatives, positives])
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    ranks = ((ends - counts + 1 + ends) / 2)[inverse]  # 1-based ranks, ties get their average
    rank_sum = ranks[len(negatives) :].sum()
    return float((rank_sum - len(positives) * (len(positives) + 1) / 2) / (len(positives) * len(negatives)))


def detection_scores(
    probabilities: np.ndarray, present: np.ndarray, factors: Sequence[str], thresholds: Sequence[float] | float = 0.5
) -> dict[str, dict[str, float]]:
    """AUC, accuracy at the threshold, and the positive count per factor.

    Args:
        probabilities: (N, F) predicted probabilities.
        present: (N, F) labels, 0 or 1; NaN where a label is unknown (that image is left out of that factor's
            scores).
        factors: The F factor names, in column order.
        thresholds: One threshold per factor, or one for all.
    """
    probabilities, labels = np.asarray(probabilities), np.asarray(present, np.float64)
    if np.ndim(thresholds) == 0:
        thresholds = [float(thresholds)] * len(factors)
    scores = {}
    for column, (factor, threshold) in enumerate(zip(factors, thresholds, strict=True)):
        known = ~np.isnan(labels[:, column])
        scored, positive = probabilities[known, column], labels[known, column] > 0.5
        predicted = scored >= threshold
        scores[factor] = {
            "auc": round(roc_auc(scored, positive), 4),
            "accuracy": round(float((predicted == positive).mean()), 4) if known.any() else float("nan"),
            "positives": int(positive.sum()),
            "n": int(known.sum()),
        }
    return scores


@register_metric("DetectionMetric")
class DetectionMetric(BaseMetric):
    """Per-factor ROC AUC and accuracy at 0.5 of a detector, logged as ``detect/auc_<factor>``, ``detect/auc``, ...

    ``process`` reads ``data_samples[i]["probabilities"]`` and ``["present"]`` (length-4 tensors, factors in the
    order of ``zoo.models.detector.DETECTOR_FACTORS``).
    """

    default_prefix = "detect"

    def process(self, data_batch: Any, data_samples: Sequence[dict[str, Any]]) -> None:
        """Store each sample's probabilities and labels."""
        for sample in data_samples:
            self.results.append((np.asarray(sample["probabilities"], np.float64), np.asarray(sample["present"])))

    def compute_metrics(self, results: list) -> dict[str, float]:
        """AUC and accuracy per factor, and their means."""
        from zoo.models.detector import DETECTOR_FACTORS

        probabilities = np.stack([r[0] for r in results])
        present = np.stack([r[1] for r in results])
        scores = detection_scores(probabilities, present, DETECTOR_FACTORS)
        out: dict[str, float] = {}
        for factor, values in scores.items():
            out[f"auc_{factor}"] = values["auc"]
            out[f"accuracy_{factor}"] = values["accuracy"]
        aucs = [v["auc"] for v in scores.values() if not np.isnan(v["auc"])]
        out["auc"] = round(float(np.mean(aucs)), 4) if aucs else float("nan")
        out["accuracy"] = round(float(np.mean([v["accuracy"] for v in scores.values()])), 4)
        return out
