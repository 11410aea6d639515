"""Degradation base class and the factor vocabulary shared by the CPU and torch synthesis paths.

A degradation is a composable object with two separate parts (deepinv style): ``sample_params(rng)`` draws the random
parameters of one image from a ``numpy.random.Generator``, and ``apply(image, **params)`` applies them
deterministically. ``apply_batch(x, params)`` is the torch path: the same operation on a (B, 3, H, W) tensor on any
device, one parameter dict per sample.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

import numpy as np

from zoo.factors import SYNTHESIS_ORDER

if TYPE_CHECKING:
    import torch

__all__ = ["FACTORS", "Degradation", "check_factors", "check_image"]

# The four factors of the paper, in the order they are always applied (the paper's "Order of Synthesis").
FACTORS: tuple[str, ...] = SYNTHESIS_ORDER


def check_factors(factors: list[str] | tuple[str, ...] | str) -> list[str]:
    """Validate factor names and return them in the synthesis order haze, rain, blur, jpeg.

    Args:
        factors: Factor names, or a comma-separated string such as ``"haze,rain"``.

    Returns:
        The distinct factors sorted into the order of ``FACTORS``.
    """
    if isinstance(factors, str):
        factors = [name.strip() for name in factors.split(",") if name.strip()]
    if not factors:
        raise ValueError(f"no degradation factor given; expected one or more of {', '.join(FACTORS)}")
    for name in factors:
        if name not in FACTORS:
            raise ValueError(f"unknown factor {name!r}; expected one of {', '.join(FACTORS)}")
    if len(set(factors)) != len(factors):
        raise ValueError(f"factor list {list(factors)} names a factor twice")
    return [name for name in FACTORS if name in factors]


def check_image(image: np.ndarray) -> np.ndarray:
    """Check that ``image`` is an HxWx3 array in [0, 1] and return it as float32."""
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image has shape {image.shape}; expected (H, W, 3) RGB")
    if not np.issubdtype(image.dtype, np.floating):
        raise ValueError(f"image has dtype {image.dtype}; expected float in [0, 1] (divide uint8 images by 255)")
    return np.ascontiguousarray(image, dtype=np.float32)


class Degradation(ABC):
    """One degradation factor with a random-parameter sampler.

    Subclasses set ``name`` (one of ``FACTORS``) and implement the three methods below.
    """

    name: str = ""

    @abstractmethod
    def sample_params(self, rng: np.random.Generator) -> dict[str, Any]:
        """Draw the parameters of one image (plain Python numbers, JSON-serialisable)."""

    @abstractmethod
    def apply(self, image: np.ndarray, **params: Any) -> np.ndarray:
        """Degrade one HxWx3 float32 image in [0, 1] with the given parameters (CPU, numpy/cv2/PIL)."""

    @abstractmethod
    def apply_batch(self, x: torch.Tensor, params: list[dict[str, Any]]) -> torch.Tensor:
        """Degrade a (B, 3, H, W) float tensor in [0, 1] on its device, one parameter dict per sample."""

    def __call__(self, image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, Any]]:
        """Sample parameters with ``rng``, apply them, and return the degraded image and the parameters."""
        params = self.sample_params(rng)
        return self.apply(check_image(image), **params), params

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"
