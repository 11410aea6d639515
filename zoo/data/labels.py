"""Which factors an image has "at a level that matters", and how strongly: the targets of the factor detector.

A factor counts as present when its physical strength (``zoo.data.degradations.strength``) passes the threshold
below AND it changes the image visibly on its own (PSNR of the factor alone against the clean image below
:data:`VISIBLE_DB`). The second condition drops degradations that leave no trace, such as blur over a flat sky.

| factor | present when | why |
|---|---|---|
| jpeg | effective quality < 70 | a camera or web JPEG (quality 70 or more) counts as clean |
| haze | veil (mean of 1 - t) >= 0.12 | thin or distant natural haze counts as clean; removing it darkens the photo |
| blur | kernel spread >= 1.0 px | a spread below a pixel is within the sharpness of real lenses |
| rain | mean streak brightness >= 0.006 | fainter streaks are invisible at normal viewing |

Severity maps strength to [0, 1]: 0 at the presence threshold, 1 at a strong setting (quality 10, veil 0.6,
spread 6 px, streak brightness 0.1); absent factors have severity 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from zoo.data.degradations.base import FACTORS

__all__ = ["PRESENT_FROM", "SEVERE_AT", "VISIBLE_DB", "factor_labels", "is_present", "severity"]

PRESENT_FROM: dict[str, float] = {"jpeg": 70.0, "haze": 0.12, "blur": 1.0, "rain": 0.006}
SEVERE_AT: dict[str, float] = {"jpeg": 10.0, "haze": 0.6, "blur": 6.0, "rain": 0.1}
VISIBLE_DB = 40.0


def is_present(factor: str, strength: float) -> bool:
    """Whether a factor of this strength matters (JPEG: lower quality is stronger)."""
    if factor == "jpeg":
        return strength < PRESENT_FROM["jpeg"]
    return strength >= PRESENT_FROM[factor]


def severity(factor: str, strength: float) -> float:
    """Strength mapped to [0, 1]: 0 at the presence threshold (or below), 1 at :data:`SEVERE_AT`."""
    low, high = PRESENT_FROM[factor], SEVERE_AT[factor]
    return float(np.clip((strength - low) / (high - low), 0.0, 1.0))


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))
    return 100.0 if mse == 0 else 10.0 * np.log10(1.0 / mse)


def factor_labels(
    params: Mapping[str, Any], clean: np.ndarray, preset: str = "broad"
) -> tuple[dict[str, float], dict[str, float]]:
    """Presence (0 or 1) and severity of every factor for one ``degrade`` parameter dict.

    Args:
        params: Output of ``zoo.data.degradations.degrade`` (``params["factors"]`` and one dict per factor).
        clean: The clean HxWx3 float32 image the parameters were applied to.
        preset: The preset the parameters come from.

    Returns:
        ``({factor: 0.0 or 1.0}, {factor: severity})`` over all four factors.
    """
    from zoo.data.degradations.presets import degradations_for
    from zoo.data.degradations.strength import strength

    degradations = degradations_for(preset)
    present = dict.fromkeys(FACTORS, 0.0)
    severe = dict.fromkeys(FACTORS, 0.0)
    for factor in params.get("factors", []):
        value = strength(factor, params[factor], clean)
        if not is_present(factor, value):
            continue
        alone = np.clip(degradations[factor].apply(clean, **params[factor]), 0.0, 1.0)
        if _psnr(alone, clean) < VISIBLE_DB:
            present[factor] = 1.0
            severe[factor] = severity(factor, value)
    return present, severe
