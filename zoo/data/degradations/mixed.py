"""Mixtures of degradation factors, applied in the order of a synthesis preset (``presets.py``).

``paper`` applies them in the order haze, rain, blur, JPEG (arXiv 1907.04508, App. C); ``broad`` in a random order.

``degrade`` (one numpy image, CPU) and ``degrade_batch`` (a torch batch on any device) are the entry points.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from zoo.registry import register_degradation

from .base import FACTORS, Degradation, check_factors, check_image
from .broad_haze import BroadHaze
from .presets import DEFAULT_NUM_FACTORS, check_preset, degradations_for, random_order
from .strength import mixture_strength

if TYPE_CHECKING:
    import torch

__all__ = ["Compose", "Mixed", "batch_strength", "default_degradations", "degrade", "degrade_batch"]


def default_degradations() -> dict[str, Degradation]:
    """The paper's four factors with their default (Appendix C) parameter distributions, by factor name."""
    return degradations_for("paper")


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
    """Any subset of the four factors, made with the degradations of a preset and applied in its order.

    Args:
        factors: A fixed list of factor names (e.g. ``["rain", "jpeg"]``), ``"none"`` or ``[]`` (no factor: the
            image comes back unchanged), or ``"random"``: a number of factors drawn uniformly from ``num_factors`` and
            then that many distinct factors drawn uniformly.
        degradations: Replacements for the preset's degradation objects, by factor name (e.g.
            ``{"jpeg": JPEG((10, 10))}``).
        num_factors: Allowed numbers of factors for ``"random"``; default 1..4 for ``paper``, 0..4 for ``broad``.
        preset: ``"paper"`` (order haze, rain, blur, JPEG) or ``"broad"`` (a random order per image, see
            ``presets.random_order``).
        jpeg_last: ``broad`` only: probability that JPEG, when drawn, is applied last.
    """

    def __init__(
        self,
        factors: Sequence[str] | str = "random",
        degradations: Mapping[str, Degradation] | None = None,
        num_factors: Sequence[int] | None = None,
        preset: str = "paper",
        jpeg_last: float = 0.9,
    ) -> None:
        self.preset = check_preset(preset)
        self.random = factors == "random"
        no_factor = factors == "none" or (not isinstance(factors, str) and len(factors) == 0)
        self.factors = None if self.random else [] if no_factor else check_factors(factors)
        if not 0 <= jpeg_last <= 1:
            raise ValueError(f"jpeg_last must be a probability in [0, 1]; got {jpeg_last}")
        self.jpeg_last = float(jpeg_last)
        self.degradations = degradations_for(preset)
        for name, degradation in (degradations or {}).items():
            check_factors([name])
            if degradation.name != name:
                raise ValueError(f"degradation for {name!r} is a {type(degradation).__name__} ({degradation.name!r})")
            self.degradations[name] = degradation
        num_factors = DEFAULT_NUM_FACTORS[preset] if num_factors is None else num_factors
        self.num_factors = tuple(int(n) for n in num_factors)
        if not self.num_factors or not all(0 <= n <= len(FACTORS) for n in self.num_factors):
            raise ValueError(f"num_factors {num_factors} must be a non-empty subset of 0..{len(FACTORS)}")

    def draw_factors(self, rng: np.random.Generator) -> list[str]:
        """The factors of one image, in the order they will be applied."""
        if self.random:
            count = self.num_factors[int(rng.integers(len(self.num_factors)))]
            chosen = rng.choice(len(FACTORS), size=count, replace=False)
            factors = [FACTORS[i] for i in sorted(chosen)]
        else:
            factors = list(self.factors)
        if self.preset == "paper":
            return factors
        return random_order(factors, rng, self.jpeg_last)

    def ordered(self, factors: Sequence[str]) -> list[str]:
        """Validate recorded factors and return them in application order.

        ``paper``: haze, rain, blur, JPEG whatever the recorded order; ``broad``: as recorded.
        """
        if not factors:
            return []
        checked = check_factors(list(factors))
        return checked if self.preset == "paper" else list(factors)

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
        clean = image
        for name in self.ordered(params["factors"]):
            p = dict(params[name])
            if name == "haze" and depth is not None:
                p["depth"] = depth
            elif name == "haze" and isinstance(self.degradations[name], BroadHaze):
                p["depth"] = self.degradations[name].scene_depth(clean, p)  # the clean scene's depth, even after rain
            image = self.degradations[name].apply(image, **p)
        return np.clip(image, 0.0, 1.0).astype(np.float32)

    def apply_batch(
        self, x: torch.Tensor, params: Sequence[Mapping[str, Any]], depth: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Torch path: apply each sample's factors to a (B, 3, H, W) tensor in [0, 1] on ``x.device``.

        Samples whose next factor is the same are processed together: passes over haze, rain, blur, JPEG repeat until
        every sample has had all its factors in its own order (one pass for the ``paper`` order).
        """
        if len(params) != x.shape[0]:
            raise ValueError(f"got {len(params)} parameter dicts for a batch of {x.shape[0]} images")
        import torch

        orders = [self.ordered(p["factors"]) for p in params]
        hazy = [i for i, order in enumerate(orders) if "haze" in order]
        if hazy and depth is None and isinstance(self.degradations["haze"], BroadHaze):
            # Depth of the clean scene, computed before any factor changes the images.
            depth = x.new_zeros((x.shape[0], 1, *x.shape[-2:]), dtype=torch.float32)
            depth[hazy] = self.degradations["haze"].scene_depth_batch(x[hazy], [params[i]["haze"] for i in hazy])
        done = [0] * len(orders)
        out = x.clone()
        while any(step < len(order) for step, order in zip(done, orders)):
            for name in FACTORS:
                index = [i for i, order in enumerate(orders) if done[i] < len(order) and order[done[i]] == name]
                if not index:
                    continue
                sample_params = [params[i][name] for i in index]
                if name == "haze":
                    sample_depth = None if depth is None else depth[index]
                    out[index] = self.degradations[name].apply_batch(out[index], sample_params, depth=sample_depth)
                else:
                    out[index] = self.degradations[name].apply_batch(out[index], sample_params)
                for i in index:
                    done[i] += 1
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
    preset: str = "paper",
) -> tuple[np.ndarray, dict[str, Any]]:
    """Degrade one image on the CPU (numpy, OpenCV, exact Pillow JPEG), reproducibly from ``seed``.

    Args:
        image: HxWx3 float32 RGB image in [0, 1].
        factors: Factor names among ``"rain"``, ``"blur"``, ``"jpeg"``, ``"haze"`` (list or comma-separated string),
            ``"none"``, or ``"random"`` for a random subset drawn from ``seed`` (1..4 factors for ``paper``, 0..4 for
            ``broad``).
        seed: Seed of the ``numpy.random.Generator`` that draws every parameter.
        depth: Optional (H, W) depth map for haze; without it the preset's depth proxy is used.
        degradations: Replacement degradation objects by factor name (e.g. a fixed-quality JPEG).
        preset: ``"paper"`` (Appendix C recipes, fixed order) or ``"broad"`` (wide ranges, random order).

    Returns:
        The degraded HxWx3 float32 image in [0, 1] and the parameters used:
        ``{"seed": seed, "factors": [...], "<factor>": {...}}`` with the factors in the order applied; ``broad`` adds
        ``"strength": {factor: value}`` (``strength.mixture_strength``).
    """
    mixer = Mixed(factors, degradations, preset=preset)
    params = mixer.sample_params(np.random.default_rng(seed))
    out = mixer.apply(image, params, depth=depth)
    if preset == "broad":
        params["strength"] = mixture_strength(params, check_image(image), depth)
    if depth is not None and "haze" in params:
        params["haze"]["depth"] = "given"
    return out, {"seed": int(seed), **params}


def degrade_batch(
    x: torch.Tensor,
    factors: Sequence[str] | str,
    generator: torch.Generator | None = None,
    depth: torch.Tensor | None = None,
    degradations: Mapping[str, Degradation] | None = None,
    preset: str = "paper",
) -> tuple[torch.Tensor, list[dict[str, Any]]]:
    """Degrade a batch on its own device (for on-the-fly synthesis during training).

    Parameters are drawn per sample with the samplers of the CPU path, seeded from ``generator``; rain noise is
    drawn with ``torch.randn`` on ``x.device`` (``noise_rng="torch"``), so results are reproducible from the generator
    seed on a given device type but differ from ``degrade`` for the same seed. Blur and rain use FFT correlation;
    JPEG goes through Pillow on the CPU unless a ``JPEG(backend="torchvision")`` is passed in ``degradations``.
    To apply CPU-path parameters exactly, use ``Mixed(..., preset=...).apply_batch(x, params)``. ``broad`` adds each
    sample's ``"strength"`` as ``degrade`` does (rain measured with numpy noise of the same statistics).

    Args:
        x: (B, 3, H, W) float tensor in [0, 1].
        factors: As for ``degrade``; with ``"random"`` every sample gets its own subset.
        generator: A ``torch.Generator`` (any device); default a fresh one seeded from torch's global RNG.
        depth: Optional (B, 1, H, W) depth maps for haze.
        degradations: Replacement degradation objects by factor name.
        preset: ``"paper"`` or ``"broad"``, as for ``degrade``.

    Returns:
        The degraded batch and one parameter dict per sample (``{"seed": ..., "factors": [...], ...}``).
    """
    import torch

    if x.ndim != 4 or x.shape[1] != 3:
        raise ValueError(f"batch has shape {tuple(x.shape)}; expected (B, 3, H, W)")
    if generator is None:
        generator = torch.Generator().manual_seed(int(torch.randint(2**62, ())))
    seeds = torch.randint(2**62, (x.shape[0],), generator=generator, device=generator.device).tolist()
    mixer = Mixed(factors, degradations, preset=preset)
    params = []
    for i, seed in enumerate(seeds):
        p = {"seed": int(seed), **mixer.sample_params(np.random.default_rng(seed))}
        if preset == "broad":
            p["strength"] = batch_strength(p, x[i], None if depth is None else depth[i, 0])
        if "rain" in p:
            p["rain"]["noise_rng"] = "torch"
        if "haze" in p and depth is not None:
            p["haze"]["depth"] = "given"
        params.append(p)
    return mixer.apply_batch(x, params, depth=depth), params


def batch_strength(params: Mapping[str, Any], clean: torch.Tensor, depth: torch.Tensor | None) -> dict[str, float]:
    """``mixture_strength`` of one sample of a batch: ``clean`` (3, H, W) and ``depth`` (H, W) go to numpy."""
    if not params["factors"]:
        return {}
    image = clean.detach().permute(1, 2, 0).float().cpu().numpy()
    return mixture_strength(params, image, None if depth is None else depth.detach().float().cpu().numpy())
