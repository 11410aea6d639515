"""Guided image filter (He, Sun & Tang, ECCV 2010 / TPAMI 2013) from normalised box filters.

A numpy/OpenCV re-implementation of ``cv2.ximgproc.guidedFilter`` (which needs opencv-contrib): grey guides use the
scalar form, colour guides the 3x3 covariance form of the TPAMI paper (Eq. 19-21).
"""

import cv2
import numpy as np

__all__ = ["box_mean", "guided_filter"]


def box_mean(image: np.ndarray, radius: int) -> np.ndarray:
    """Mean over a (2r + 1)^2 window, per channel, with reflected borders.

    Args:
        image: (H, W) or (H, W, C) float64 array.
        radius: Window radius r in pixels.
    """
    size = 2 * radius + 1
    return cv2.boxFilter(image, ddepth=-1, ksize=(size, size), normalize=True, borderType=cv2.BORDER_REFLECT)


def guided_filter(guide: np.ndarray, src: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """Edge-preserving smoothing of ``src`` that follows the edges of ``guide``.

    Args:
        guide: (H, W) grey or (H, W, 3) colour guide, values in [0, 1].
        src: (H, W) image to filter, e.g. a transmission map.
        radius: Window radius in pixels.
        eps: Regularisation of the local linear model (larger = smoother), on the [0, 1] intensity scale squared.

    Returns:
        (H, W) float64 filtered image.
    """
    guide = np.asarray(guide, dtype=np.float64)
    src = np.asarray(src, dtype=np.float64)
    if src.ndim != 2:
        raise ValueError(f"src must be a single-channel (H, W) image, got shape {src.shape}")
    if guide.shape[:2] != src.shape:
        raise ValueError(f"guide {guide.shape} and src {src.shape} differ in height or width")
    mean_p = box_mean(src, radius)
    if guide.ndim == 2:
        mean_i = box_mean(guide, radius)
        var_i = box_mean(guide * guide, radius) - mean_i * mean_i
        cov_ip = box_mean(guide * src, radius) - mean_i * mean_p
        a = cov_ip / (var_i + eps)
        b = mean_p - a * mean_i
        return box_mean(a, radius) * guide + box_mean(b, radius)
    if guide.ndim != 3 or guide.shape[2] != 3:
        raise ValueError(f"guide must be (H, W) or (H, W, 3), got shape {guide.shape}")
    mean_i = box_mean(guide, radius)  # (H, W, 3)
    cov_ip = box_mean(guide * src[..., None], radius) - mean_i * mean_p[..., None]
    # Per-pixel 3x3 covariance of the guide, regularised by eps * identity.
    products = np.einsum("hwi,hwj->hwij", guide, guide).reshape(*src.shape, 9)
    sigma = box_mean(products, radius).reshape(*src.shape, 3, 3)
    sigma -= np.einsum("hwi,hwj->hwij", mean_i, mean_i)
    sigma += eps * np.eye(3)
    a = np.linalg.solve(sigma, cov_ip[..., None])[..., 0]  # (H, W, 3)
    b = mean_p - np.einsum("hwc,hwc->hw", a, mean_i)
    return np.einsum("hwc,hwc->hw", box_mean(a, radius), guide) + box_mean(b, radius)
