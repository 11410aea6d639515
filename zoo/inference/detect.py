"""``zoo.detect``: which degradation factors an image has, with probabilities and severities."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from PIL import Image

from .image_io import pil_to_array, to_rgb

__all__ = ["detect", "detection_report"]


def _rgb_batch(image: Image.Image | np.ndarray | torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) float in [0, 1] of any input kind ``zoo.restore`` accepts (gray repeated, alpha dropped)."""
    if isinstance(image, Image.Image):
        image, _ = pil_to_array(image)
    if isinstance(image, np.ndarray):
        rgb, _, _ = to_rgb(image)
        return torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)[None].float()
    if isinstance(image, torch.Tensor):
        if image.ndim not in (3, 4) or image.shape[-3] not in (1, 3, 4):
            raise ValueError(
                f"image tensor has shape {tuple(image.shape)}; expected (C, H, W) or (B, C, H, W), C in 1, 3, 4"
            )
        batch = (image[None] if image.ndim == 3 else image).detach().cpu().float()
        batch = batch / 255.0 if image.dtype == torch.uint8 else batch
        return batch[:, :3] if batch.shape[1] >= 3 else batch.expand(-1, 3, -1, -1)
    raise TypeError(f"image must be a PIL image, numpy array or torch tensor, not {type(image).__name__}")


def detection_report(probabilities: torch.Tensor, severities: torch.Tensor, thresholds: torch.Tensor) -> dict:
    """``{"factors": {f: p}, "severity": {f: s}, "detected": [f, ...]}`` of one image's detector outputs."""
    from zoo.models.detector import DETECTOR_FACTORS

    factors = {f: round(float(p), 4) for f, p in zip(DETECTOR_FACTORS, probabilities.tolist(), strict=True)}
    severity = {f: round(float(s), 4) for f, s in zip(DETECTOR_FACTORS, severities.tolist(), strict=True)}
    limits = dict(zip(DETECTOR_FACTORS, thresholds.tolist(), strict=True))
    detected = [f for f in DETECTOR_FACTORS if factors[f] >= limits[f]]
    return {"factors": factors, "severity": severity, "detected": detected}


def detect(
    image: Image.Image | np.ndarray | torch.Tensor, model: str | torch.nn.Module | None = None
) -> dict[str, Any] | list[dict[str, Any]]:
    """Detect rain, blur, JPEG artifacts and haze in an image.

    Args:
        image: What ``zoo.restore`` accepts: a PIL image, a numpy array (H, W[, C]) of uint8, uint16 or float in
            [0, 1], or a tensor (C, H, W) / (B, C, H, W). Any size (large images are viewed through a global
            thumbnail and full-resolution crops).
        model: A detector name or tag (default the shipped ``detector``), or a detector module.

    Returns:
        ``{"factors": {factor: probability}, "severity": {factor: 0..1}, "detected": [factors found]}``; a list of
        them for a (B, C, H, W) tensor. A factor is found when its score in ``factors`` reaches the detector's
        threshold; the score is the presence probability, or the severity for the factors the detector decides by
        severity (``FactorDetector.decide_by_severity``; the shipped detector has none).
    """
    from zoo.registry import create_model

    from .adaptive import detect_tensor, load_detector

    if model is None:
        detector = load_detector()
    elif isinstance(model, torch.nn.Module):
        detector = model.eval()
    else:
        detector = create_model(model, pretrained=True).eval()
    batch = _rgb_batch(image)
    if batch.numel() == 0:
        raise ValueError(f"the image is empty (shape {tuple(batch.shape)})")
    if not torch.isfinite(batch).all():
        raise ValueError("the image has NaN/Inf values; detect only finite images")
    probabilities, severities = detect_tensor(batch.clamp(0, 1), detector)
    thresholds = detector.thresholds.cpu()
    reports = [detection_report(p, s, thresholds) for p, s in zip(probabilities, severities, strict=True)]
    return reports if isinstance(image, torch.Tensor) and image.ndim == 4 else reports[0]
