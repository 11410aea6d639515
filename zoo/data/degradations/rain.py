"""Rain streaks: the GIMP recipe of the paper (arXiv 1907.04508, App. C), one concrete, tested reading.

Steps for one image (spec data-and-metrics 2.2):

1. grey noise ``n = clip(N(0, level), 0, 1)`` on a black layer (one channel, so streaks are white);
2. ``b = n`` correlated with a normalised line of ``length`` pixels at ``angle`` degrees (90 = vertical);
3. a "levels" step keeps the brightest smears: ``r = clip((b - (mean + threshold std)) / (softness std), 0, 1) level``
   with mean and std of ``b`` over the image (``threshold`` sets the density);
4. screen blend onto the image: ``out = 1 - (1 - I)(1 - r)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from zoo.data.kernels import line_kernel
from zoo.registry import register_degradation

from .base import Degradation

if TYPE_CHECKING:
    import torch

__all__ = ["RAIN_ANGLES", "RAIN_LENGTHS", "RAIN_LEVELS", "RainStreaks", "rain_noise"]

RAIN_LEVELS: tuple[float, ...] = (0.55, 0.65, 0.7, 0.8)
RAIN_LENGTHS: tuple[int, ...] = (10, 20, 35, 50)
RAIN_ANGLES: tuple[float, ...] = (110.0, 105.0, 100.0, 90.0, 85.0, 80.0, 70.0)


def rain_noise(height: int, width: int, seed: int) -> np.ndarray:
    """Standard-normal noise field (H, W) float32 of the CPU path, reproducible from ``seed``."""
    return np.random.default_rng(seed).standard_normal((height, width), dtype=np.float32)


@register_degradation("rain")
class RainStreaks(Degradation):
    """Synthetic rain streaks screened onto the image.

    Args:
        levels: Noise levels (standard deviation) to choose from.
        lengths: Streak lengths in pixels to choose from.
        angles: Streak directions in degrees to choose from (90 = vertical).
        threshold: Levels step: streaks start at ``mean + threshold * std`` of the smeared noise (higher = sparser).
        softness: Levels step: streak intensity ramps over ``softness * std``.
    """

    name = "rain"

    def __init__(
        self,
        levels: tuple[float, ...] = RAIN_LEVELS,
        lengths: tuple[int, ...] = RAIN_LENGTHS,
        angles: tuple[float, ...] = RAIN_ANGLES,
        threshold: float = 0.5,
        softness: float = 2.5,
    ) -> None:
        if not (levels and lengths and angles):
            raise ValueError("rain streaks need at least one level, one length and one angle")
        if softness <= 0:
            raise ValueError(f"softness must be positive; got {softness}")
        self.levels = tuple(float(v) for v in levels)
        self.lengths = tuple(int(v) for v in lengths)
        self.angles = tuple(float(v) for v in angles)
        self.threshold = float(threshold)
        self.softness = float(softness)

    def sample_params(self, rng: np.random.Generator) -> dict[str, Any]:
        """Draw ``level``, ``length``, ``angle`` and the ``noise_seed`` of the noise field (numpy generator)."""
        return {
            "level": self.levels[int(rng.integers(len(self.levels)))],
            "length": self.lengths[int(rng.integers(len(self.lengths)))],
            "angle": self.angles[int(rng.integers(len(self.angles)))],
            "noise_seed": int(rng.integers(2**31 - 1)),
            "noise_rng": "numpy",
        }

    def streak_layer(self, noise: np.ndarray, level: float, length: int, angle: float) -> np.ndarray:
        """Turn a standard-normal (H, W) noise field into a streak layer (H, W) in [0, level] (steps 1-3)."""
        import cv2

        smeared = cv2.filter2D(
            np.clip(noise * level, 0.0, 1.0), -1, line_kernel(length, angle), borderType=cv2.BORDER_REPLICATE
        )
        mean, std = float(smeared.mean()), float(smeared.std())
        return np.clip((smeared - (mean + self.threshold * std)) / (self.softness * std + 1e-12), 0.0, 1.0) * level

    def apply(
        self,
        image: np.ndarray,
        level: float,
        length: int,
        angle: float,
        noise_seed: int,
        noise_rng: str = "numpy",
    ) -> np.ndarray:
        """Add rain streaks to an HxWx3 float32 image in [0, 1] (the CPU path draws its noise with numpy only)."""
        if noise_rng != "numpy":
            raise ValueError(f"the CPU path draws rain noise with numpy; got noise_rng={noise_rng!r} (use apply_batch)")
        streaks = self.streak_layer(rain_noise(*image.shape[:2], noise_seed), level, length, angle)
        return 1.0 - (1.0 - image) * (1.0 - streaks[..., None])

    def apply_batch(self, x: torch.Tensor, params: list[dict[str, Any]]) -> torch.Tensor:
        """Add rain streaks to a (B, 3, H, W) tensor on ``x.device``.

        Each sample's noise comes from its ``noise_seed``: with ``noise_rng="numpy"`` it is the CPU path's field
        (identical result, noise made on the CPU); with ``"torch"`` it is ``torch.randn`` from a generator on
        ``x.device`` (fast; the values depend on the device type).
        """
        import torch

        from .torch_ops import correlate_per_sample, stack_kernels

        batch, _, height, width = x.shape
        noise = torch.empty((batch, 1, height, width), dtype=torch.float32, device=x.device)
        for i, p in enumerate(params):
            if p.get("noise_rng", "numpy") == "numpy":
                noise[i, 0] = torch.from_numpy(rain_noise(height, width, p["noise_seed"])).to(x.device)
            elif p["noise_rng"] == "torch":
                gen = torch.Generator(device=x.device).manual_seed(int(p["noise_seed"]))
                noise[i, 0] = torch.randn((height, width), generator=gen, device=x.device)
            else:
                raise ValueError(f"unknown noise_rng {p['noise_rng']!r}; expected 'numpy' or 'torch'")
        levels = torch.tensor([float(p["level"]) for p in params], device=x.device).view(-1, 1, 1, 1)
        kernels = stack_kernels([line_kernel(p["length"], p["angle"]) for p in params], x.device)
        smeared = correlate_per_sample((noise * levels).clamp_(0.0, 1.0), kernels)
        mean = smeared.mean(dim=(-2, -1), keepdim=True)
        std = smeared.std(dim=(-2, -1), keepdim=True, correction=0)
        streaks = ((smeared - (mean + self.threshold * std)) / (self.softness * std + 1e-12)).clamp_(0.0, 1.0) * levels
        return 1.0 - (1.0 - x) * (1.0 - streaks)
