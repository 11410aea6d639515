"""Blur kernels of the ``broad`` synthesis preset: defocus disks, Gaussians and camera-shake trajectories.

Every function returns a square float32 kernel of odd size, non-negative and summing to 1, centred so that the
kernel's centre of mass sits on (or within half a pixel of) the centre tap: blurring does not shift the image. Apply
them as correlations with edge replication (``cv2.filter2D``). ``kernel_spread`` measures any kernel's extent.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["MAX_KERNEL_SIZE", "defocus_kernel", "gaussian_kernel", "kernel_spread", "shake_kernel", "shake_trajectory"]

# Largest kernel side these functions build (pixels); a trajectory that would not fit is scaled down to fit.
MAX_KERNEL_SIZE = 31


def kernel_spread(kernel: np.ndarray) -> float:
    """Second-moment spread of a blur kernel, in pixels: ``sqrt(E[(x - mx)^2 + (y - my)^2])`` under its weights.

    A uniform line of length L has a spread of about ``L / sqrt(12)``, an isotropic Gaussian of standard deviation s
    ``sqrt(2) s``, a disk of radius r ``r / sqrt(2)``; the identity kernel has 0.
    """
    weights = np.asarray(kernel, np.float64)
    total = weights.sum()
    if total <= 0:
        raise ValueError("kernel has no positive weight; cannot measure its spread")
    rows, cols = np.indices(weights.shape)
    mean_r, mean_c = (weights * rows).sum() / total, (weights * cols).sum() / total
    variance = (weights * ((rows - mean_r) ** 2 + (cols - mean_c) ** 2)).sum() / total
    return float(math.sqrt(max(variance, 0.0)))


def defocus_kernel(radius: float) -> np.ndarray:
    """Anti-aliased disk (out-of-focus blur) of ``radius`` pixels (> 0).

    Each tap's weight is its approximate coverage by the disk, ``clip(radius + 0.5 - distance, 0, 1)``, so the edge
    is soft and the kernel changes smoothly with a fractional radius.
    """
    if radius <= 0:
        raise ValueError(f"defocus radius must be positive; got {radius}")
    half = int(math.ceil(radius + 0.5))
    offsets = np.arange(-half, half + 1, dtype=np.float64)
    distance = np.hypot(offsets[:, None], offsets[None, :])
    kernel = np.clip(radius + 0.5 - distance, 0.0, 1.0)
    return (kernel / kernel.sum()).astype(np.float32)


def gaussian_kernel(sigma_major: float, sigma_minor: float, angle: float) -> np.ndarray:
    """Anisotropic Gaussian: ``sigma_major`` pixels along ``angle`` degrees, ``sigma_minor`` across it.

    Equal sigmas give an isotropic Gaussian. The side is ``2 ceil(3 sigma_major) + 1``, at most ``MAX_KERNEL_SIZE``.
    """
    if sigma_major <= 0 or sigma_minor <= 0:
        raise ValueError(f"Gaussian sigmas must be positive; got {sigma_major}, {sigma_minor}")
    half = min(int(math.ceil(3 * max(sigma_major, sigma_minor))), MAX_KERNEL_SIZE // 2)
    offsets = np.arange(-half, half + 1, dtype=np.float64)
    rows, cols = np.meshgrid(offsets, offsets, indexing="ij")
    theta = math.radians(angle)
    # Image rows grow downwards, so a direction at +angle (counter-clockwise on screen) has a negative row component.
    along = cols * math.cos(theta) - rows * math.sin(theta)
    across = cols * math.sin(theta) + rows * math.cos(theta)
    kernel = np.exp(-0.5 * ((along / sigma_major) ** 2 + (across / sigma_minor) ** 2))
    return (kernel / kernel.sum()).astype(np.float32)


def shake_trajectory(
    length: float,
    angle: float,
    anxiety: float,
    big_shake: float,
    centripetal: float,
    seed: int,
    steps: int = 256,
) -> np.ndarray:
    """Random camera-shake trajectory in the style of Boracchi & Foi (IEEE TIP 2012), as used by DeblurGAN.

    A point moves at constant speed for ``length`` pixels in total, starting in direction ``angle`` degrees. At every
    step its velocity turns by Gaussian noise (scaled by ``anxiety``), is pulled back towards the start (scaled by
    ``centripetal``: inertia plus a hand that returns), and with probability ``big_shake`` per unit of path length
    flips by about 180 degrees (an impulsive shake).

    Args:
        length: Path length in pixels (> 0).
        angle: Initial direction in degrees.
        anxiety: Strength of the random turning (0 = a straight line; about 1 gives visibly curved paths).
        big_shake: Expected number of impulsive direction reversals per 100 pixels of path.
        centripetal: Strength of the pull back towards the starting point (0 = none).
        seed: Seed of the ``numpy.random.Generator`` that draws the turns.
        steps: Number of path samples.

    Returns:
        Complex array (steps,) of positions ``x + i y`` in pixels (y grows downwards), starting at 0.
    """
    if length <= 0:
        raise ValueError(f"trajectory length must be positive; got {length}")
    rng = np.random.default_rng(seed)
    step = length / (steps - 1)
    noise = (rng.standard_normal(steps) + 1j * rng.standard_normal(steps)) * anxiety * math.sqrt(1.0 / steps) * 2.0
    flips = rng.random(steps) < big_shake * step / 100.0
    flip_angles = math.pi + rng.uniform(-0.5, 0.5, steps)
    theta = math.radians(angle)
    velocity = complex(math.cos(theta), -math.sin(theta))
    position = np.zeros(steps, np.complex128)
    for t in range(steps - 1):
        if flips[t]:
            velocity *= complex(math.cos(flip_angles[t]), math.sin(flip_angles[t]))
        velocity += noise[t] - centripetal * position[t] / (length * steps) * 4.0
        velocity /= abs(velocity) or 1.0
        position[t + 1] = position[t] + velocity * step
    return position


def shake_kernel(
    length: float,
    angle: float,
    anxiety: float,
    big_shake: float,
    centripetal: float,
    seed: int,
) -> np.ndarray:
    """Rasterise ``shake_trajectory(...)`` (same arguments) into a blur kernel.

    Every path sample deposits an equal share of the exposure on its four neighbouring taps with bilinear weights
    (sub-pixel accuracy). The path is shifted so that its centre of mass lands on the centre tap, and scaled down if
    it would not fit in ``MAX_KERNEL_SIZE`` pixels.
    """
    path = shake_trajectory(length, angle, anxiety, big_shake, centripetal, seed)
    path = path - path.mean()
    reach = float(max(np.abs(path.real).max(), np.abs(path.imag).max()))
    limit = MAX_KERNEL_SIZE // 2 - 1
    if reach > limit:
        path *= limit / reach
        reach = limit
    half = int(math.ceil(reach)) + 1
    size = 2 * half + 1
    cols, rows = path.real + half, path.imag + half
    c0, r0 = np.floor(cols).astype(int), np.floor(rows).astype(int)
    fc, fr = cols - c0, rows - r0
    kernel = np.zeros((size, size), np.float64)
    for dr, dc, weight in (
        (0, 0, (1 - fr) * (1 - fc)),
        (0, 1, (1 - fr) * fc),
        (1, 0, fr * (1 - fc)),
        (1, 1, fr * fc),
    ):
        np.add.at(kernel, (r0 + dr, c0 + dc), weight)
    return (kernel / kernel.sum()).astype(np.float32)
