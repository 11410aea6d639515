"""Haze by the atmospheric scattering model ``I = J t + A (1 - t)``, ``t = exp(-beta d)`` (arXiv 1907.04508, App. C).

The paper takes its hazy images from RESIDE-beta OTS, where A is drawn from {1, 0.95, 0.9, 0.85, 0.8} and beta from
{0.2, 0.16, 0.12, 0.1, 0.08}, and ``d`` is a depth map estimated per image. Here ``d`` is a supplied depth map when
there is one, otherwise one of two documented proxies rescaled to ``depth_range`` (default [1, 10]):

- ``"cap"`` (default): the colour-attenuation prior of Zhu et al. (TIP 2015) without learned parts,
  ``d = 0.1218 + 0.9597 V - 0.7802 S`` (V, S: HSV value and saturation), a 15x15 minimum filter, a Gaussian
  smoothing (sigma 7, replicate border), then a per-image min-max rescale. Bright, unsaturated regions (sky) are far.
- ``"ramp"``: a vertical ramp from ``d_max`` at the top row to ``d_min`` at the bottom row.

With d in [1, 10] the strongest setting (A = 0.8, beta = 0.2) gives a mean transmission of about 0.4, comparable with
SOTS-outdoor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from zoo.registry import register_degradation

from .base import Degradation

if TYPE_CHECKING:
    import torch

__all__ = ["HAZE_AIRLIGHTS", "HAZE_BETAS", "Haze", "cap_depth", "gaussian_kernel_1d", "ramp_depth"]

HAZE_AIRLIGHTS: tuple[float, ...] = (1.0, 0.95, 0.9, 0.85, 0.8)
HAZE_BETAS: tuple[float, ...] = (0.2, 0.16, 0.12, 0.1, 0.08)
DEPTH_PROXIES: tuple[str, ...] = ("cap", "ramp")
_CAP_MIN_FILTER = 15
_CAP_SIGMA = 7.0


def gaussian_kernel_1d(sigma: float, radius: int | None = None) -> np.ndarray:
    """Normalised 1-D Gaussian of ``2 radius + 1`` taps (radius defaults to ``ceil(3 sigma)``), float32."""
    radius = int(np.ceil(3 * sigma)) if radius is None else radius
    taps = np.exp(-(np.arange(-radius, radius + 1, dtype=np.float64) ** 2) / (2 * sigma**2))
    return (taps / taps.sum()).astype(np.float32)


def _rescale(depth: np.ndarray, depth_range: tuple[float, float]) -> np.ndarray:
    low, high = float(depth.min()), float(depth.max())
    unit = (depth - low) / (high - low) if high > low else np.zeros_like(depth)
    return (depth_range[0] + (depth_range[1] - depth_range[0]) * unit).astype(np.float32)


def cap_depth(image: np.ndarray, depth_range: tuple[float, float] = (1.0, 10.0)) -> np.ndarray:
    """Colour-attenuation-prior depth proxy (H, W) float32 in ``depth_range`` of an HxWx3 float32 image in [0, 1]."""
    import cv2

    value = image.max(axis=2)
    saturation = np.where(value > 0, (value - image.min(axis=2)) / np.maximum(value, 1e-12), 0.0)
    depth = (0.1218 + 0.9597 * value - 0.7802 * saturation).astype(np.float32)
    depth = cv2.erode(depth, np.ones((_CAP_MIN_FILTER, _CAP_MIN_FILTER), np.uint8))
    taps = gaussian_kernel_1d(_CAP_SIGMA)
    depth = cv2.sepFilter2D(depth, -1, taps, taps, borderType=cv2.BORDER_REPLICATE)
    return _rescale(depth, depth_range)


def ramp_depth(height: int, width: int, depth_range: tuple[float, float] = (1.0, 10.0)) -> np.ndarray:
    """Vertical-ramp depth proxy (H, W) float32: ``depth_range[1]`` at the top row, ``depth_range[0]`` at the bottom."""
    column = np.linspace(depth_range[1], depth_range[0], height, dtype=np.float32)
    return np.repeat(column[:, None], width, axis=1)


@register_degradation("haze")
class Haze(Degradation):
    """Homogeneous haze with airlight A and scattering coefficient beta drawn from the RESIDE-beta OTS grid.

    Args:
        airlights: Values of A to choose from.
        betas: Values of beta to choose from (per unit of depth).
        depth_proxy: ``"cap"`` or ``"ramp"``, used when no depth map is passed to ``apply``.
        depth_range: (d_min, d_max) the proxies are scaled to.
    """

    name = "haze"

    def __init__(
        self,
        airlights: tuple[float, ...] = HAZE_AIRLIGHTS,
        betas: tuple[float, ...] = HAZE_BETAS,
        depth_proxy: str = "cap",
        depth_range: tuple[float, float] = (1.0, 10.0),
    ) -> None:
        if not (airlights and betas):
            raise ValueError("haze needs at least one airlight and one beta")
        if depth_proxy not in DEPTH_PROXIES:
            raise ValueError(f"unknown depth proxy {depth_proxy!r}; expected one of {', '.join(DEPTH_PROXIES)}")
        if not 0 <= depth_range[0] <= depth_range[1]:
            raise ValueError(f"depth_range {depth_range} must satisfy 0 <= d_min <= d_max")
        self.airlights = tuple(float(v) for v in airlights)
        self.betas = tuple(float(v) for v in betas)
        self.depth_proxy = depth_proxy
        self.depth_range = (float(depth_range[0]), float(depth_range[1]))

    def sample_params(self, rng: np.random.Generator) -> dict[str, Any]:
        """Draw ``airlight`` and ``beta``; record which depth proxy will be used."""
        return {
            "airlight": self.airlights[int(rng.integers(len(self.airlights)))],
            "beta": self.betas[int(rng.integers(len(self.betas)))],
            "depth": self.depth_proxy,
        }

    def depth_map(self, image: np.ndarray, depth: str) -> np.ndarray:
        """The proxy depth (H, W) named ``depth`` (``"cap"`` or ``"ramp"``) for an HxWx3 image."""
        if depth == "cap":
            return cap_depth(image, self.depth_range)
        if depth == "ramp":
            return ramp_depth(*image.shape[:2], self.depth_range)
        raise ValueError(f"unknown depth proxy {depth!r}; expected one of {', '.join(DEPTH_PROXIES)} or a depth map")

    def apply(
        self,
        image: np.ndarray,
        airlight: float,
        beta: float,
        depth: str | np.ndarray = "cap",
    ) -> np.ndarray:
        """Haze an HxWx3 float32 image in [0, 1].

        Args:
            image: Clean image.
            airlight: Atmospheric light A in [0, 1].
            beta: Scattering coefficient per unit of depth.
            depth: A depth map (H, W) in the units beta expects (used as is), or the name of a proxy.
        """
        if isinstance(depth, str):
            depth = self.depth_map(image, depth)
        elif depth.shape != image.shape[:2]:
            raise ValueError(f"depth map has shape {depth.shape}; expected {image.shape[:2]} (the image's H, W)")
        transmission = np.exp(-beta * depth.astype(np.float32))[..., None]
        return (image * transmission + airlight * (1.0 - transmission)).astype(np.float32)

    def depth_map_batch(self, x: torch.Tensor, depth: str) -> torch.Tensor:
        """Torch version of ``depth_map``: (B, 1, H, W) proxy depth of a (B, 3, H, W) batch."""
        import torch
        import torch.nn.functional as F

        low, high = self.depth_range
        batch, _, height, width = x.shape
        if depth == "ramp":
            column = torch.linspace(high, low, height, device=x.device, dtype=torch.float32)
            return column.view(1, 1, height, 1).expand(batch, 1, height, width).contiguous()
        if depth != "cap":
            raise ValueError(f"unknown depth proxy {depth!r}; expected one of {', '.join(DEPTH_PROXIES)}")
        value = x.float().amax(dim=1, keepdim=True)
        minimum = x.float().amin(dim=1, keepdim=True)
        saturation = torch.where(value > 0, (value - minimum) / value.clamp_min(1e-12), torch.zeros_like(value))
        d = 0.1218 + 0.9597 * value - 0.7802 * saturation
        d = -F.max_pool2d(-d, _CAP_MIN_FILTER, stride=1, padding=_CAP_MIN_FILTER // 2)
        taps = torch.from_numpy(gaussian_kernel_1d(_CAP_SIGMA)).to(x.device)
        pad = taps.numel() // 2
        d = F.conv2d(F.pad(d, (pad, pad, 0, 0), mode="replicate"), taps.view(1, 1, 1, -1))
        d = F.conv2d(F.pad(d, (0, 0, pad, pad), mode="replicate"), taps.view(1, 1, -1, 1))
        d_low = d.amin(dim=(-2, -1), keepdim=True)
        span = d.amax(dim=(-2, -1), keepdim=True) - d_low
        unit = torch.where(span > 0, (d - d_low) / span.clamp_min(1e-12), torch.zeros_like(d))
        return low + (high - low) * unit

    def apply_batch(
        self, x: torch.Tensor, params: list[dict[str, Any]], depth: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Haze a (B, 3, H, W) tensor on ``x.device``; ``depth`` (B, 1, H, W) overrides the proxies."""
        import torch

        if depth is None:
            names = [p.get("depth", self.depth_proxy) for p in params]
            if len(set(names)) == 1:
                depth = self.depth_map_batch(x, names[0])
            else:
                depth = torch.cat([self.depth_map_batch(x[i : i + 1], n) for i, n in enumerate(names)])
        airlight = torch.tensor([float(p["airlight"]) for p in params], device=x.device).view(-1, 1, 1, 1)
        beta = torch.tensor([float(p["beta"]) for p in params], device=x.device).view(-1, 1, 1, 1)
        transmission = torch.exp(-beta * depth.to(torch.float32))
        return (x * transmission + airlight * (1.0 - transmission)).to(x.dtype)
