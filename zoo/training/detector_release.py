"""Finishing a trained factor detector: thresholds chosen on validation images, scores measured on the test sets.

- :func:`choose_thresholds`: per factor, the lowest probability threshold whose false-alarm rate on validation
  images without that factor stays at or below 3 %, and on validation images without any factor at or below 0.5 %
  (so that at most 2 % of clean photos get any step). A false alarm runs a restoration step on an image that does
  not need it, which can only cost quality; a miss leaves the image as it was.
- :func:`evaluate_detector`: ROC AUC and accuracy at those thresholds on every case of the ``paper`` and ``broad``
  test sets of the held-out test photos (``zoo.data.datasets.PresetTestSet``), labels from ``zoo.data.labels``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from zoo.data.metrics.protocols import DETECTION_PROTOCOL

__all__ = ["MAX_THRESHOLD", "choose_thresholds", "evaluate_detector", "finish_detector", "predict_dataset"]

# Highest threshold a factor gets, so that it can still be found. It was 0.99, which overrode the false-alarm bounds:
# a detector whose haze probabilities on clean validation images reached 0.99 kept 4.7 % clean alarms for haze.
MAX_THRESHOLD = 0.999


def predict_dataset(model: torch.nn.Module, dataset, batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities and labels (N, 4) over a dataset of detector samples (``DetectorShards``/``DetectorSamples``)."""
    from torch.utils.data import DataLoader

    probabilities, labels = [], []
    model.eval()
    with torch.inference_mode():
        for batch in DataLoader(dataset, batch_size=batch_size):
            samples = batch["data_samples"]
            out = model.forward_views(batch["inputs"].float() / 255, samples["stats"].float())
            probabilities.append(model.scores(out)[0].numpy())  # what forward() decides with
            labels.append(samples["present"].numpy())
    return np.concatenate(probabilities), np.concatenate(labels)


def _lowest_threshold(negatives: np.ndarray, share: float) -> float:
    """The lowest threshold that flags at most ``share`` of ``negatives`` (0 when there are none)."""
    if len(negatives) == 0:
        return 0.0
    negatives = np.sort(negatives)
    allowed = int(np.floor(share * len(negatives)))
    return float(np.nextafter(negatives[len(negatives) - allowed - 1], 1.0))  # the (allowed + 1)-th highest is below


def choose_thresholds(
    probabilities: np.ndarray, labels: np.ndarray, max_false_alarms: float = 0.03, max_clean_alarms: float = 0.005
) -> list[float]:
    """Per factor, the lowest threshold that keeps both false-alarm rates within bounds.

    Args:
        probabilities: (N, F) validation probabilities.
        labels: (N, F) validation labels.
        max_false_alarms: Allowed share of the images without the factor that are flagged.
        max_clean_alarms: Allowed share of the images without any factor that are flagged for this factor; over four
            factors at most ``4 x max_clean_alarms`` of clean images get a step.
    """
    clean = labels.max(axis=1) < 0.5
    thresholds = []
    for column in range(probabilities.shape[1]):
        negative = labels[:, column] < 0.5
        threshold = max(
            _lowest_threshold(probabilities[negative, column], max_false_alarms),
            _lowest_threshold(probabilities[clean, column], max_clean_alarms),
        )
        thresholds.append(float(min(MAX_THRESHOLD, threshold)) if negative.any() else 0.5)
    return thresholds


def evaluate_detector(
    model: torch.nn.Module, presets: Sequence[str] = ("broad", "paper"), crop: int = 256, per_photo: int = 2
) -> dict[str, Any]:
    """ROC AUC and accuracy per factor on each preset's whole test set (every case), at the model's thresholds."""
    from zoo.data.datasets import PresetTestSet, preset_cases
    from zoo.data.labels import factor_labels
    from zoo.data.metrics.detection import detection_scores
    from zoo.models.detector import DETECTOR_FACTORS

    model.eval()
    thresholds = [float(t) for t in model.thresholds]
    scores: dict[str, Any] = {}
    for preset in presets:
        probabilities, labels = [], []
        for case in preset_cases(preset):
            dataset = PresetTestSet(preset, case, crop=crop, per_photo=per_photo)
            for index in range(len(dataset)):
                item = dataset[index]
                sample = item["data_samples"]
                clean = sample["gt"].permute(1, 2, 0).numpy()
                params = json.loads(sample["params"])
                present, _ = factor_labels(params, clean, preset=preset)
                with torch.inference_mode():
                    p, _ = model(item["inputs"][None])
                probabilities.append(p[0].numpy())
                labels.append([present[f] for f in DETECTOR_FACTORS])
        scores[preset] = detection_scores(np.array(probabilities), np.array(labels), DETECTOR_FACTORS, thresholds)
    return scores


def finish_detector(model: torch.nn.Module, validation: dict[str, Any], evaluate: bool = True) -> dict[str, Any]:
    """Set the model's thresholds from its validation set and measure it on the test sets.

    Args:
        model: The trained detector (its ``thresholds`` buffer is overwritten).
        validation: Dataset config of the run's validation samples (``cfg.val_dataloader.dataset``).
        evaluate: Also score the test sets (a few minutes on a CPU).

    Returns:
        Release metadata: ``thresholds``, ``validation_scores`` and, with ``evaluate``, ``scores`` and ``evaluation``.
    """
    import zoo.training  # noqa: F401 - registers the detector datasets
    from zoo.data.metrics.detection import detection_scores
    from zoo.models.detector import DETECTOR_FACTORS
    from zoo.registry import DATASETS

    probabilities, labels = predict_dataset(model, DATASETS.build(dict(validation)))
    thresholds = choose_thresholds(probabilities, labels)
    model.thresholds.copy_(torch.tensor(thresholds))
    metadata: dict[str, Any] = {
        "thresholds": dict(zip(DETECTOR_FACTORS, [round(t, 4) for t in thresholds], strict=True)),
        "validation_scores": detection_scores(probabilities, labels, DETECTOR_FACTORS, thresholds),
    }
    if evaluate:
        metadata["evaluation"] = (
            "Every case of the paper and broad test sets (zoo.data.datasets.PresetTestSet: 11 held-out test photos x 2 "
            "random 256x256 crops per case, 8-bit inputs); labels from zoo.data.labels; thresholds chosen on the "
            "run's validation samples (validation photos, and from the campaign's detector_scenes stage on GCompris' "
            "calibration photos too: zoo.data.gcompris_photos), at most 3 % false alarms per factor, 0.5 % on images "
            "without any factor."
        )
        metadata["protocol"] = DETECTION_PROTOCOL
        metadata["scores"] = evaluate_detector(model)
    return metadata
