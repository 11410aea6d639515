"""Haze of the ``broad`` preset: ``I = J t + A (1 - t)``, ``t = exp(-beta d)``, over several depth proxies.

The depth ``d`` runs from 1 (nearest) to ``depth_far`` (farthest), in the units of the paper's recipe (``haze.py``),
along a unit-range proxy chosen per image (sampling weight):

- ``"cap"`` (0.3): the colour-attenuation prior of the image (``haze.cap_depth``): bright, unsaturated regions are far;
- ``"field"`` (0.25): a smooth random field, three octaves of bicubically enlarged noise (3, 6 and 12 cells per
  side, amplitudes 1, 1/2, 1/4);
- ``"vertical"`` (0.15): far at the top row, near at the bottom row;
- ``"oblique"`` (0.15): the same gradient turned by ``angle`` degrees;
- ``"constant"`` (0.15): one depth, halfway between near and far: uniform haze.

``beta`` is log-uniform, so thin haze is as common as thick haze. The airlight ``A`` is grey or carries a mild bluish
or yellowish cast (per channel). All proxies except ``"cap"`` depend only on the parameters and the image size, and are
built with numpy on both paths; ``"cap"`` is computed from the image on the path's own device. In a mixture the depth
always comes from the clean image (the scene), even when rain or blur were applied before the haze.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from zoo.registry import register_degradation

from .base import Degradation
from .haze import Haze, cap_depth

if TYPE_CHECKING:
    import torch

__all__ = ["BROAD_DEPTH_PROXIES", "BroadHaze", "haze_veil", "unit_depth"]

BROAD_DEPTH_PROXIES: dict[str, float] = {"cap": 0.3, "field": 0.25, "vertical": 0.15, "oblique": 0.15, "constant": 0.15}
_FIELD_OCTAVES = (3, 6, 12)


def _rescale_unit(depth: np.ndarray) -> np.ndarray:
    low, high = float(depth.min()), float(depth.max())
    return ((depth - low) / (high - low) if high > low else np.zeros_like(depth)).astype(np.float32)


def unit_depth(params: dict[str, Any], height: int, width: int, image: np.ndarray | None = None) -> np.ndarray:
    """The proxy depth (H, W) float32 in [0, 1] (0 near, 1 far) named by a broad haze parameter dict.

    ``image`` (HxWx3 float32 in [0, 1]) is needed only by the ``"cap"`` proxy.
    """
    import cv2

    proxy = params["depth"]
    if proxy == "cap":
        if image is None:
            raise ValueError("the 'cap' depth proxy is computed from the image; pass the image")
        return cap_depth(image, (0.0, 1.0))
    if proxy == "constant":
        return np.full((height, width), 0.5, np.float32)
    if proxy in ("vertical", "oblique"):
        theta = math.radians(params.get("angle", 0.0))
        rows = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None]
        cols = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :] * (width / max(height, 1))
        # Distance "up" the image along the turned axis: the top (or top-left/right) is far.
        return _rescale_unit(-(rows * math.cos(theta)) + cols * math.sin(theta))
    if proxy == "field":
        rng = np.random.default_rng(int(params["field_seed"]))
        field = np.zeros((height, width), np.float32)
        for octave, cells in enumerate(_FIELD_OCTAVES):
            # A (cells + 2)^2 grid enlarged so that the image spans the middle cells x cells, away from the edges.
            grid = rng.standard_normal((cells + 2, cells + 2)).astype(np.float32)
            off_r, off_c = height // cells, width // cells
            big = cv2.resize(grid, (width + 2 * off_c, height + 2 * off_r), interpolation=cv2.INTER_CUBIC)
            field += 0.5**octave * big[off_r : off_r + height, off_c : off_c + width]
        return _rescale_unit(field)
    raise ValueError(f"unknown depth proxy {proxy!r}; expected one of {', '.join(BROAD_DEPTH_PROXIES)}")


def depth_from_params(params: dict[str, Any], height: int, width: int, image: np.ndarray | None = None) -> np.ndarray:
    """Depth (H, W) float32 in [1, depth_far] of a broad haze parameter dict (``image`` for ``"cap"`` only)."""
    return 1.0 + (float(params["depth_far"]) - 1.0) * unit_depth(params, height, width, image)


def haze_veil(params: dict[str, Any], image: np.ndarray | None = None, depth: np.ndarray | None = None) -> float:
    """Mean of ``1 - t`` over the image (0 = no haze, 1 = only airlight) for haze parameters of either preset.

    Args:
        params: A haze parameter dict (``paper``: ``airlight``, ``beta``, ``depth`` name; ``broad``: see module doc).
        image: The clean HxWx3 float32 image (mixtures take the depth from it). Needed by the ``"cap"`` proxy; without
            it the other proxies are evaluated on a 64x64 grid (they do not depend on the image size).
        depth: The depth map that was passed instead of a proxy (``params["depth"] == "given"``).
    """
    if depth is None and params["depth"] == "given":
        raise ValueError("these haze parameters used a given depth map; pass it as depth=")
    height, width = image.shape[:2] if image is not None else (64, 64)
    if depth is None and "depth_far" in params:
        depth = depth_from_params(params, height, width, image)
    elif depth is None:  # the paper's recipe: proxies scaled to [1, 10]
        if params["depth"] == "cap" and image is None:
            raise ValueError("the 'cap' depth proxy is computed from the image; pass the image")
        depth = Haze().depth_map(image if image is not None else np.zeros((64, 64, 3), np.float32), params["depth"])
    return float(1.0 - np.exp(-float(params["beta"]) * depth.astype(np.float64)).mean())


@register_degradation("broad_haze")
class BroadHaze(Degradation):
    """Haze over several depth proxies with log-uniform beta and a possibly tinted airlight.

    Args:
        proxies: Sampling weight of each depth proxy (a subset of ``BROAD_DEPTH_PROXIES``).
        beta_range: (low, high) of the log-uniform scattering coefficient per unit of depth.
        airlight_range: (low, high) of the uniform grey level of the airlight.
        far_range: (low, high) of the uniform farthest depth (the nearest is 1).
    """

    name = "haze"

    def __init__(
        self,
        proxies: dict[str, float] | None = None,
        beta_range: tuple[float, float] = (0.01, 0.3),
        airlight_range: tuple[float, float] = (0.6, 1.0),
        far_range: tuple[float, float] = (3.0, 10.0),
    ) -> None:
        proxies = dict(BROAD_DEPTH_PROXIES if proxies is None else proxies)
        if set(proxies) - set(BROAD_DEPTH_PROXIES) or not proxies or sum(proxies.values()) <= 0:
            raise ValueError(f"depth proxies {proxies} must weight proxies among {', '.join(BROAD_DEPTH_PROXIES)}")
        if not 0 < beta_range[0] <= beta_range[1]:
            raise ValueError(f"beta_range {beta_range} must satisfy 0 < low <= high")
        if not 0 <= airlight_range[0] <= airlight_range[1] <= 1:
            raise ValueError(f"airlight_range {airlight_range} must satisfy 0 <= low <= high <= 1")
        if not 1 <= far_range[0] <= far_range[1]:
            raise ValueError(f"far_range {far_range} must satisfy 1 <= low <= high (the nearest depth is 1)")
        self.proxies = proxies
        self.beta_range = (float(beta_range[0]), float(beta_range[1]))
        self.airlight_range = (float(airlight_range[0]), float(airlight_range[1]))
        self.far_range = (float(far_range[0]), float(far_range[1]))

    def sample_params(self, rng: np.random.Generator) -> dict[str, Any]:
        """Draw ``beta``, ``airlight`` (RGB list), ``depth`` (proxy name), ``depth_far`` and the proxy's knobs."""
        names = list(self.proxies)
        weights = np.array([self.proxies[n] for n in names], np.float64)
        proxy = names[int(rng.choice(len(names), p=weights / weights.sum()))]
        beta = float(math.exp(rng.uniform(math.log(self.beta_range[0]), math.log(self.beta_range[1]))))
        grey = float(rng.uniform(*self.airlight_range))
        cast = ("grey", "bluish", "yellowish")[int(rng.choice(3, p=[0.4, 0.3, 0.3]))]
        shift = float(rng.uniform(0.02, 0.12))
        tint = {
            "grey": (1.0, 1.0, 1.0),
            "bluish": (1 - shift, 1 - shift / 2, 1.0),
            "yellowish": (1.0, 1 - shift / 3, 1 - shift),
        }
        params: dict[str, Any] = {
            "beta": beta,
            "airlight": [grey * c for c in tint[cast]],
            "depth": proxy,
            "depth_far": float(rng.uniform(*self.far_range)),
        }
        if proxy == "oblique":
            params["angle"] = float(rng.uniform(-60, 60))
        elif proxy == "field":
            params["field_seed"] = int(rng.integers(2**31 - 1))
        return params

    def scene_depth(self, image: np.ndarray, params: dict[str, Any]) -> np.ndarray:
        """Depth (H, W) float32 in [1, depth_far] of the proxy named in ``params``, for a clean HxWx3 image."""
        return depth_from_params(params, *image.shape[:2], image)

    def scene_depth_batch(
        self, x: torch.Tensor, params: list[dict[str, Any]], cap_backend: str | None = None
    ) -> torch.Tensor:
        """Torch version of ``scene_depth``: (B, 1, H, W) on ``x.device`` for a clean (B, 3, H, W) batch.

        The proxies that only need the image size are built with numpy. ``"cap"`` is computed with ``cap_backend``:
        ``"torch"`` (on ``x.device``; the default on accelerators) or ``"opencv"`` (the CPU path's code; the default
        for CPU tensors, where it is several times faster than torch's pooling). Both give the same values.
        """
        import torch

        backend = cap_backend or ("opencv" if x.device.type == "cpu" else "torch")
        if backend not in ("torch", "opencv"):
            raise ValueError(f"unknown cap_backend {backend!r}; expected 'torch' or 'opencv'")
        batch, _, height, width = x.shape
        depth = torch.empty((batch, 1, height, width), dtype=torch.float32, device=x.device)
        cap = [i for i, p in enumerate(params) if p["depth"] == "cap"]
        if cap and backend == "torch":
            depth[cap] = Haze(depth_range=(0.0, 1.0)).depth_map_batch(x[cap], "cap")
        for i, p in enumerate(params):
            if p["depth"] != "cap" or backend == "opencv":
                image = x[i].detach().permute(1, 2, 0).float().cpu().numpy() if p["depth"] == "cap" else None
                depth[i, 0] = torch.from_numpy(unit_depth(p, height, width, image)).to(x.device)
        far = torch.tensor([float(p["depth_far"]) for p in params], device=x.device).view(-1, 1, 1, 1)
        return 1.0 + (far - 1.0) * depth

    def apply(self, image: np.ndarray, depth: str | np.ndarray = "cap", **params: Any) -> np.ndarray:
        """Haze an HxWx3 float32 image in [0, 1].

        Args:
            image: The image to haze.
            depth: The proxy name (computed from ``image``), or a depth map (H, W) used as is. ``Mixed`` passes the
                depth of the clean scene, so that haze applied after rain or blur keeps the scene's depth.
            **params: ``beta`` and ``airlight`` (and the proxy's knobs when ``depth`` is a name).
        """
        if isinstance(depth, str):
            depth = self.scene_depth(image, {**params, "depth": depth})
        elif depth.shape != image.shape[:2]:
            raise ValueError(f"depth map has shape {depth.shape}; expected {image.shape[:2]} (the image's H, W)")
        transmission = np.exp(-float(params["beta"]) * depth.astype(np.float32))[..., None]
        airlight = np.asarray(params["airlight"], np.float32)
        return (image * transmission + airlight * (1.0 - transmission)).astype(np.float32)

    def apply_batch(
        self, x: torch.Tensor, params: list[dict[str, Any]], depth: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Haze a (B, 3, H, W) tensor on ``x.device``; ``depth`` (B, 1, H, W) overrides the proxies."""
        import torch

        depth = self.scene_depth_batch(x, params) if depth is None else depth
        beta = torch.tensor([float(p["beta"]) for p in params], device=x.device).view(-1, 1, 1, 1)
        airlight = torch.tensor([p["airlight"] for p in params], dtype=torch.float32, device=x.device)
        transmission = torch.exp(-beta * depth.to(torch.float32))
        return (x * transmission + airlight.view(-1, 3, 1, 1) * (1.0 - transmission)).to(x.dtype)
