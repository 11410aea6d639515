"""Motion blur: Hendrycks & Dietterich's ImageNet-C kernel with the paper's settings (arXiv 1907.04508, App. C)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from zoo.data.kernels import MOTION_BLUR_SETTINGS, motion_blur_kernel
from zoo.registry import register_degradation

from .base import Degradation

if TYPE_CHECKING:
    import torch

__all__ = ["MotionBlur"]


@register_degradation("blur")
class MotionBlur(Degradation):
    """Motion blur with (radius, sigma) drawn from ``settings`` and the angle uniform in ``angle_range`` degrees.

    The kernel is a one-sided Gaussian along a line (``zoo.data.kernels.motion_blur_kernel``), applied as a
    correlation with edge replication: ``cv2.filter2D`` on the CPU, FFT correlation in the torch path.

    Args:
        settings: (radius, sigma) pairs to choose from; default the paper's six.
        angle_range: Interval of the uniform angle, in degrees; default [-45, 45].
    """

    name = "blur"

    def __init__(
        self,
        settings: tuple[tuple[int, float], ...] = MOTION_BLUR_SETTINGS,
        angle_range: tuple[float, float] = (-45.0, 45.0),
    ) -> None:
        if not settings:
            raise ValueError("motion blur needs at least one (radius, sigma) setting")
        self.settings = tuple((int(r), float(s)) for r, s in settings)
        self.angle_range = (float(angle_range[0]), float(angle_range[1]))

    def sample_params(self, rng: np.random.Generator) -> dict[str, Any]:
        """Draw ``radius``, ``sigma`` (one of the settings) and ``angle`` (degrees)."""
        radius, sigma = self.settings[int(rng.integers(len(self.settings)))]
        angle = float(rng.uniform(*self.angle_range))
        return {"radius": radius, "sigma": sigma, "angle": angle}

    def apply(self, image: np.ndarray, radius: int, sigma: float, angle: float) -> np.ndarray:
        """Blur an HxWx3 float32 image in [0, 1]."""
        import cv2

        kernel = motion_blur_kernel(radius, sigma, angle)
        out = cv2.filter2D(image, -1, kernel, borderType=cv2.BORDER_REPLICATE)
        return np.clip(out, 0.0, 1.0)

    def apply_batch(self, x: torch.Tensor, params: list[dict[str, Any]]) -> torch.Tensor:
        """Blur a (B, 3, H, W) tensor, one kernel per sample, by FFT correlation on ``x.device``."""
        from .torch_ops import correlate_per_sample, stack_kernels

        kernels = [motion_blur_kernel(p["radius"], p["sigma"], p["angle"]) for p in params]
        return correlate_per_sample(x, stack_kernels(kernels, x.device)).clamp_(0.0, 1.0)
