"""Blur kernels shared by the degradation synthesis and the classical deblurring baselines."""

import math

import numpy as np

__all__ = ["MOTION_BLUR_SETTINGS", "motion_blur_kernel"]

# (radius, sigma) pairs of the paper's motion-blur recipe (Hendrycks & Dietterich's ImageNet-C kernel).
MOTION_BLUR_SETTINGS: tuple[tuple[int, float], ...] = (
    (10, 1.5),
    (10, 2.5),
    (12, 3.0),
    (12, 3.5),
    (13, 8.0),
    (15, 12.0),
)


def motion_blur_kernel(radius: int, sigma: float, angle: float) -> np.ndarray:
    """Dense correlation kernel equal to ImageNet-C's ``_motion_blur`` (one-sided Gaussian along a line).

    With ``w = 2 * radius + 1`` taps, weights ``exp(-i^2 / (2 sigma^2))`` normalised to sum 1 are placed at row
    ``w + ceil(i sin(angle) - 0.5)``, column ``w + ceil(i cos(angle) - 0.5)`` of a (2w + 1)^2 kernel. Apply it as a
    correlation (``cv2.filter2D``) with edge replication.

    Args:
        radius: Kernel radius in pixels.
        sigma: Standard deviation of the one-sided Gaussian, in taps.
        angle: Direction in degrees.

    Returns:
        float32 array (2w + 1, 2w + 1) summing to 1.
    """
    width = 2 * radius + 1
    weights = np.exp(-(np.arange(width) ** 2) / (2 * sigma**2))
    weights /= weights.sum()
    sin, cos = math.sin(math.radians(angle)), math.cos(math.radians(angle))
    kernel = np.zeros((2 * width + 1, 2 * width + 1), np.float32)
    for i in range(width):
        kernel[width + math.ceil(i * sin - 0.5), width + math.ceil(i * cos - 0.5)] += weights[i]
    return kernel
