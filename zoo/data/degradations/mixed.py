"""Mixtures of degradation factors, always applied in the order haze, rain, blur, JPEG (arXiv 1907.04508, App. C).

``degrade`` (one numpy image, CPU) and ``degrade_batch`` (a torch batch on any device) are the entry points.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from zoo.registry import register_degradation

from .base import FACTORS, Degradation, check_factors, check_image
from .blur import MotionBlur
from .haze import Haze
from .jpeg import JPEG
from .rain import RainStreaks

if TYPE_CHECKING:
    import torch

__all__ = ["Compose", "Mixed", "default_degradations", "degrade", "degrade_batch"]


def default_degradations() -> dict[str, Degradation]:
    """The paper's four factors with their default (Appendix C) parameter distributions, by factor name."""
    return {"haze": Haze(), "rain": RainStreaks(), "blur": MotionBlur(), "jpeg": JPEG()}


@register_degradation("compose")
class Compose:
    """Apply degradations one after another in the given order (a plain chain; see ``Mixed`` for the paper's).

    Args:
        degradations: Degradation objects, applied first to last.
    """

    def __init__(self, degradations: Sequence[Degradation]) -> None:
        if not degradations:
            raise ValueError("Compose needs at least one degradation")
        self.degradations = list(degradations)

    def sample_params(self, rng: np.random.Generator) -> list[dict[str, Any]]:
        """One parameter dict per degradation, drawn in order."""
        return [d.sample_params(rng) for d in self.degradations]

    def apply(self, image: np.ndarray, params: list[dict[str, Any]]) -> np.ndarray:
        """Apply every degradation with its parameters to an HxWx3 float32 image."""
        for degradation, p in zip(self.degradations, params, strict=True):
            image = degradation.apply(image, **p)
        return image

    def __call__(self, image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, list[dict[str, Any]]]:
        """Sample, apply, and return the degraded image and the parameters."""
        params = self.sample_params(rng)
        return self.apply(check_image(image), params), params


@register_degradation("mixed")
class Mixed:
    """Any subset of the four factors, applied in the order haze, rain, blur, JPEG.

    Args:
        factors: A fixed list of factor names (e.g. ``["rain", "jpeg"]``), or ``"random"``: a number of factors
            drawn uniformly from ``num_factors`` and then that many distinct factors drawn uniformly.
        degradations: Replacements for the default degradation objects, by factor name (e.g.
            ``{"jpeg": JPEG((10, 10))}``).
        num_factors: Allowed numbers of factors for ``"random"``; default 1..4 (the paper's combined set).
    """

    def __init__(
        self,
        factors: Sequence[str] | str = "random",
        degradations: Mapping[str, Degradation] | None = None,
        num_factors: Sequence[int] = (1, 2, 3, 4),
    ) -> None:
        self.random = factors == "random"
        self.factors = None if self.random else check_factors(factors)
        self.degradations = default_degradations()
        for name, degradation in (degradations or {}).items():
            check_factors([name])
            if degradation.name != name:
                raise ValueError(f"degradation for {name!r} is a {type(degradation).__name__} ({degradation.name!r})")
            self.degradations[name] = degradation
        self.num_factors = tuple(int(n) for n in num_factors)
        if not self.num_factors or not all(1 <= n <= len(FACTORS) for n in self.num_factors):
            raise ValueError(f"num_factors {num_factors} must be a non-empty subset of 1..{len(FACTORS)}")

    def draw_factors(self, rng: np.random.Generator) -> list[str]:
        """The factors of one image, in synthesis order."""
        if not self.random:
            return list(self.factors)
        count = self.num_factors[int(rng.integers(len(self.num_factors)))]
        chosen = rng.choice(len(FACTORS), size=count, replace=False)
        return [FACTORS[i] for i in sorted(chosen)]

    def sample_params(self, rng: np.random.Generator) -> dict[str, Any]:
        """``{"factors": [...], <factor>: {params}, ...}`` for one image."""
        factors = self.draw_factors(rng)
        params: dict[str, Any] = {"factors": factors}
        for name in factors:
            params[name] = self.degradations[name].sample_params(rng)
        return params

    def apply(self, image: np.ndarray, params: Mapping[str, Any], depth: np.ndarray | None = None) -> np.ndarray:
        """Apply the factors named in ``params["factors"]`` to an HxWx3 float32 image in [0, 1].

        Args:
            image: Clean image.
            params: Output of ``sample_params``.
            depth: Optional depth map (H, W) for haze, replacing the proxy named in the haze parameters.
        """
        image = check_image(image)
        for name in check_factors(params["factors"]):
            p = dict(params[name])
            if name == "haze" and depth is not None:
                p["depth"] = depth
            image = self.degradations[name].apply(image, **p)
        return np.clip(image, 0.0, 1.0).astype(np.float32)

    def apply_batch(
        self, x: torch.Tensor, params: Sequence[Mapping[str, Any]], depth: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Torch path: apply each sample's factors to a (B, 3, H, W) tensor in [0, 1] on ``x.device``.

        Samples that share a factor are processed together, factor by factor in synthesis order.
        """
        if len(params) != x.shape[0]:
            raise ValueError(f"got {len(params)} parameter dicts for a batch of {x.shape[0]} images")
        out = x.clone()
        for name in FACTORS:
            index = [i for i, p in enumerate(params) if name in p["factors"]]
            if not index:
                continue
            sample_params = [params[i][name] for i in index]
            if name == "haze":
                sample_depth = None if depth is None else depth[index]
                out[index] = self.degradations[name].apply_batch(out[index], sample_params, depth=sample_depth)
            else:
                out[index] = self.degradations[name].apply_batch(out[index], sample_params)
        return out.clamp_(0.0, 1.0)

    def __call__(self, image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, Any]]:
        """Sample, apply, and return the degraded image and the parameters."""
        params = self.sample_params(rng)
        return self.apply(image, params), params


def degrade(
    image: np.ndarray,
    factors: Sequence[str] | str,
    seed: int,
    depth: np.ndarray | None = None,
    degradations: Mapping[str, Degradation] | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Degrade one image on the CPU (numpy, OpenCV, exact Pillow JPEG), reproducibly from ``seed``.

    Args:
        image: HxWx3 float32 RGB image in [0, 1].
        factors: Factor names among ``"rain"``, ``"blur"``, ``"jpeg"``, ``"haze"`` (list or comma-separated string),
            or ``"random"`` for 1..4 distinct factors drawn from ``seed``.
        seed: Seed of the ``numpy.random.Generator`` that draws every parameter.
        depth: Optional (H, W) depth map for haze; without it the colour-attenuation-prior proxy is used.
        degradations: Replacement degradation objects by factor name (e.g. a fixed-quality JPEG).

    Returns:
        The degraded HxWx3 float32 image in [0, 1] and the parameters used:
        ``{"seed": seed, "factors": [...], "<factor>": {...}}``.
    """
    mixer = Mixed(factors, degradations)
    params = mixer.sample_params(np.random.default_rng(seed))
    out = mixer.apply(image, params, depth=depth)
    if depth is not None and "haze" in params:
        params["haze"]["depth"] = "given"
    return out, {"seed": int(seed), **params}


def degrade_batch(
    x: torch.Tensor,
    factors: Sequence[str] | str,
    generator: torch.Generator | None = None,
    depth: torch.Tensor | None = None,
    degradations: Mapping[str, Degradation] | None = None,
) -> tuple[torch.Tensor, list[dict[str, Any]]]:
    """Degrade a batch on its own device (for on-the-fly synthesis during training).

    Parameters are drawn per sample with the samplers of the CPU path, seeded from ``generator``; rain noise is
    drawn with ``torch.randn`` on ``x.device`` (``noise_rng="torch"``), so results are reproducible from the generator
    seed on a given device type but differ from ``degrade`` for the same seed. Blur and rain use FFT correlation;
    JPEG goes through Pillow on the CPU unless a ``JPEG(backend="torchvision")`` is passed in ``degradations``.
    To apply CPU-path parameters exactly, use ``Mixed(...).apply_batch(x, params)``.

    Args:
        x: (B, 3, H, W) float tensor in [0, 1].
        factors: As for ``degrade``; with ``"random"`` every sample gets its own subset.
        generator: A ``torch.Generator`` (any device); default a fresh one seeded from torch's global RNG.
        depth: Optional (B, 1, H, W) depth maps for haze.
        degradations: Replacement degradation objects by factor name.

    Returns:
        The degraded batch and one parameter dict per sample (``{"seed": ..., "factors": [...], ...}``).
    """
    import torch

    if x.ndim != 4 or x.shape[1] != 3:
        raise ValueError(f"batch has shape {tuple(x.shape)}; expected (B, 3, H, W)")
    if generator is None:
        generator = torch.Generator().manual_seed(int(torch.randint(2**62, ())))
    seeds = torch.randint(2**62, (x.shape[0],), generator=generator, device=generator.device).tolist()
    mixer = Mixed(factors, degradations)
    params = []
    for seed in seeds:
        p = {"seed": int(seed), **mixer.sample_params(np.random.default_rng(seed))}
        if "rain" in p:
            p["rain"]["noise_rng"] = "torch"
        if "haze" in p and depth is not None:
            p["haze"]["depth"] = "given"
        params.append(p)
    return mixer.apply_batch(x, params, depth=depth), params
