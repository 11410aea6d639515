"""Dark-channel-prior dehazing (He, Sun & Tang, CVPR 2009 / TPAMI 2011) with guided-filter refinement.

Haze model: ``I = J t + A (1 - t)``. In haze-free outdoor patches some channel is nearly black, so the dark
channel of ``I / A`` estimates ``1 - t``; the transmission is refined by a guided filter (TPAMI 2013) instead of the
original soft matting, and the scene is recovered as ``J = (I - A) / max(t, t0) + A``.
"""

import cv2
import numpy as np
import torch
from torch import nn

from ._image_io import apply_per_image, check_images
from ._registration import register_classical
from .guided_filter import guided_filter

__all__ = ["DCPDehaze", "atmospheric_light", "dark_channel"]


def dark_channel(image: np.ndarray, patch: int) -> np.ndarray:
    """Minimum over colour channels and over a ``patch`` x ``patch`` window.

    Args:
        image: (H, W, 3) float array.
        patch: Window size in pixels (odd).

    Returns:
        (H, W) dark channel.
    """
    footprint = np.ones((patch, patch), np.uint8)
    # erode = min filter; the default border value of erode leaves out-of-image pixels out of the minimum.
    return cv2.erode(np.ascontiguousarray(image.min(axis=2)), footprint)


def atmospheric_light(image: np.ndarray, dark: np.ndarray, top_fraction: float) -> np.ndarray:
    """Colour of the brightest input pixel among the ``top_fraction`` brightest pixels of the dark channel.

    Args:
        image: (H, W, 3) hazy image in [0, 1].
        dark: (H, W) dark channel of ``image``.
        top_fraction: Share of dark-channel pixels considered (He et al. use 0.1 %).

    Returns:
        (3,) atmospheric light A.
    """
    count = max(1, int(round(dark.size * top_fraction)))
    candidates = np.argpartition(dark.ravel(), dark.size - count)[-count:]
    pixels = image.reshape(-1, 3)[candidates]
    return pixels[np.argmax(pixels.sum(axis=1))]


@register_classical(
    "dcp_dehaze",
    "haze",
    "He, Sun & Tang, CVPR 2009 (dark channel prior); guided filter: He, Sun & Tang, ECCV 2010",
    "Dark channel prior (15x15, omega 0.95, t0 0.1) with guided-filter transmission refinement.",
    "Atmospheric light and dark channel are image-global estimates: restore whole images, not tiles. "
    "Runs per image on the CPU (numpy/OpenCV) and returns tensors on the input's device.",
    tiling="discouraged",
)
class DCPDehaze(nn.Module):
    """Dark-channel-prior dehazing as a zoo model: (B, 3, H, W) in [0, 1] -> same shape, device and dtype.

    Args:
        patch: Dark-channel window size in pixels.
        omega: Share of the haze removed (keeps some haze for depth perception).
        t_min: Lower bound t0 on the transmission.
        top_fraction: Share of dark-channel pixels searched for the atmospheric light.
        guide_radius: Radius of the guided filter that refines the transmission (colour guide = the input).
        guide_eps: Regularisation of the guided filter.
    """

    def __init__(
        self,
        patch: int = 15,
        omega: float = 0.95,
        t_min: float = 0.1,
        top_fraction: float = 0.001,
        guide_radius: int = 60,
        guide_eps: float = 1e-4,
    ) -> None:
        super().__init__()
        if patch < 1 or patch % 2 == 0:
            raise ValueError(f"patch must be a positive odd size, got {patch}")
        if not 0.0 < omega <= 1.0:
            raise ValueError(f"omega must lie in (0, 1], got {omega}")
        if not 0.0 < t_min < 1.0:
            raise ValueError(f"t_min must lie in (0, 1), got {t_min}")
        self.patch, self.omega, self.t_min, self.top_fraction = patch, omega, t_min, top_fraction
        self.guide_radius, self.guide_eps = guide_radius, guide_eps

    def dehaze(self, image: np.ndarray) -> np.ndarray:
        """Dehaze one RGB image, an (H, W, 3) float array in [0, 1]; returns (H, W, 3) float64 in [0, 1]."""
        image = np.asarray(image, dtype=np.float64)
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"DCP dehazing needs an RGB (H, W, 3) image, got shape {image.shape}")
        airlight = atmospheric_light(image, dark_channel(image, self.patch), self.top_fraction)
        normalised = image / np.maximum(airlight, 1e-6)
        transmission = 1.0 - self.omega * dark_channel(normalised, self.patch)
        transmission = guided_filter(image, transmission, self.guide_radius, self.guide_eps)
        transmission = np.maximum(transmission, self.t_min)[..., None]
        return np.clip((image - airlight) / transmission + airlight, 0.0, 1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Dehaze a batch of RGB images in [0, 1], shape (B, 3, H, W)."""
        check_images(x, channels=(3,))
        return apply_per_image(x, lambda image, _: self.dehaze(image), dtype=np.float64)

    def extra_repr(self) -> str:
        """Settings shown by ``print(model)``."""
        names = ("patch", "omega", "t_min", "top_fraction", "guide_radius", "guide_eps")
        return ", ".join(f"{name}={getattr(self, name)}" for name in names)
