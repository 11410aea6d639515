"""Blur kernels shared by the degradation synthesis and the classical deblurring baselines."""

import math

import numpy as np

__all__ = ["MOTION_BLUR_SETTINGS", "line_kernel", "motion_blur_kernel"]

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


def line_kernel(length: int, angle: float) -> np.ndarray:
    """Normalised straight-line kernel used to smear noise into rain streaks (GIMP-style linear motion blur).

    A horizontal line of ``length`` pixels through the centre of a square kernel of odd size is rotated by
    ``angle`` degrees counter-clockwise with bilinear interpolation (``cv2.warpAffine``), so 0 degrees is horizontal and
    90 degrees vertical. Apply it as a correlation (``cv2.filter2D``); it is point-symmetric, so correlation and
    convolution agree.

    Args:
        length: Line length in pixels (>= 1).
        angle: Direction in degrees.

    Returns:
        float32 array (k, k) summing to 1 and point-symmetric, with ``k = length`` rounded up to an odd number.
    """
    import cv2  # keep ``import zoo.data`` free of OpenCV

    if length < 1:
        raise ValueError(f"line length must be >= 1 pixel; got {length}")
    size = length if length % 2 == 1 else length + 1
    centre = (size - 1) / 2
    kernel = np.zeros((size, size), np.float32)
    kernel[size // 2, size // 2 - length // 2 : size // 2 + length // 2 + 1] = 1.0
    if length % 2 == 0:  # an even length spans length + 1 taps with half-weight ends, keeping the line centred
        kernel[size // 2, 0] = kernel[size // 2, -1] = 0.5
    rotation = cv2.getRotationMatrix2D((centre, centre), angle, 1.0)
    kernel = cv2.warpAffine(kernel, rotation, (size, size), flags=cv2.INTER_LINEAR)
    total = kernel.sum()
    if total <= 0:
        raise RuntimeError(f"line kernel of length {length} at {angle} degrees is empty")
    return kernel / total
