"""Blur of the ``broad`` preset: a kernel family drawn at random, then its parameters (docs/degradations.md).

Families (sampling weight): uniform straight lines (0.25), the paper's ImageNet-C one-sided Gaussian over a wider
range (0.15), random camera-shake trajectories (0.25), defocus disks (0.15), isotropic or anisotropic Gaussians (0.2).
The kernel is rebuilt from the parameters, so they stay plain numbers. Weak blur (a 3 px line, a 1 px disk, a
Gaussian of sigma 0.5) is part of every family's range.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from zoo.data.broad_kernels import defocus_kernel, gaussian_kernel, shake_kernel
from zoo.data.kernels import line_kernel, motion_blur_kernel
from zoo.registry import register_degradation

from .base import Degradation

if TYPE_CHECKING:
    import torch

__all__ = ["BLUR_FAMILIES", "BroadBlur", "blur_kernel"]

BLUR_FAMILIES: dict[str, float] = {"line": 0.25, "imagenet_c": 0.15, "shake": 0.25, "defocus": 0.15, "gaussian": 0.2}


def blur_kernel(params: dict[str, Any]) -> np.ndarray:
    """The correlation kernel described by a blur parameter dict of either preset.

    ``paper`` dicts (``radius``, ``sigma``, ``angle``, no ``family``) give the ImageNet-C kernel; ``broad`` dicts name
    their ``family``.
    """
    family = params.get("family", "imagenet_c")
    if family == "imagenet_c":
        return motion_blur_kernel(int(params["radius"]), float(params["sigma"]), float(params["angle"]))
    if family == "line":
        return line_kernel(int(params["length"]), float(params["angle"]))
    if family == "shake":
        keys = ("length", "angle", "anxiety", "big_shake", "centripetal")
        return shake_kernel(*(float(params[k]) for k in keys), seed=int(params["seed"]))
    if family == "defocus":
        return defocus_kernel(float(params["radius"]))
    if family == "gaussian":
        return gaussian_kernel(float(params["sigma_major"]), float(params["sigma_minor"]), float(params["angle"]))
    raise ValueError(f"unknown blur family {family!r}; expected one of {', '.join(BLUR_FAMILIES)}")


@register_degradation("broad_blur")
class BroadBlur(Degradation):
    """Blur with a random kernel family (line, ImageNet-C, camera shake, defocus, Gaussian) and random parameters.

    Args:
        families: Sampling weight of each family (a subset of ``BLUR_FAMILIES``; weights need not sum to 1).
    """

    name = "blur"

    def __init__(self, families: dict[str, float] | None = None) -> None:
        families = dict(BLUR_FAMILIES if families is None else families)
        unknown = set(families) - set(BLUR_FAMILIES)
        if unknown or not families or min(families.values()) < 0 or sum(families.values()) <= 0:
            raise ValueError(
                f"blur families {families} must give non-negative weights, not all zero, to families among "
                f"{', '.join(BLUR_FAMILIES)}"
            )
        self.families = families

    def sample_params(self, rng: np.random.Generator) -> dict[str, Any]:
        """Draw a family and its parameters (lengths and radii in pixels, angles in degrees)."""
        names = list(self.families)
        weights = np.array([self.families[n] for n in names], np.float64)
        family = names[int(rng.choice(len(names), p=weights / weights.sum()))]
        if family == "line":
            return {"family": family, "length": int(rng.integers(3, 26)), "angle": float(rng.uniform(0, 180))}
        if family == "imagenet_c":
            radius = int(rng.integers(4, 17))
            sigma = float(rng.uniform(1.0, min(12.0, 0.8 * radius)))
            return {"family": family, "radius": radius, "sigma": sigma, "angle": float(rng.uniform(0, 360))}
        if family == "shake":
            return {
                "family": family,
                "length": float(rng.uniform(4, 35)),
                "angle": float(rng.uniform(0, 360)),
                "anxiety": float(rng.uniform(0, 2)),
                "big_shake": float(rng.uniform(0, 2)),
                "centripetal": float(rng.uniform(0, 1)),
                "seed": int(rng.integers(2**31 - 1)),
            }
        if family == "defocus":
            return {"family": family, "radius": float(rng.uniform(1, 8))}
        sigma_major = float(rng.uniform(0.5, 4.0))
        sigma_minor = sigma_major if rng.random() < 0.5 else float(rng.uniform(0.5, sigma_major))
        return {
            "family": family,
            "sigma_major": sigma_major,
            "sigma_minor": sigma_minor,
            "angle": float(rng.uniform(0, 180)),
        }

    def apply(self, image: np.ndarray, **params: Any) -> np.ndarray:
        """Blur an HxWx3 float32 image in [0, 1] (``cv2.filter2D``, edge replication)."""
        import cv2

        out = cv2.filter2D(image, -1, blur_kernel(params), borderType=cv2.BORDER_REPLICATE)
        return np.clip(out, 0.0, 1.0)

    def apply_batch(self, x: torch.Tensor, params: list[dict[str, Any]]) -> torch.Tensor:
        """Blur a (B, 3, H, W) tensor, one kernel per sample, by FFT correlation on ``x.device``."""
        from .torch_ops import correlate_per_sample, stack_kernels

        kernels = stack_kernels([blur_kernel(p) for p in params], x.device)
        return correlate_per_sample(x, kernels).clamp_(0.0, 1.0)
