"""Rain of the ``broad`` preset: one or two streak layers with wide-ranging parameters, or the paper's recipe.

A layer is made like the paper's streaks (``rain.py``) with more knobs:

1. drops: ``max(n, 0)`` for standard-normal noise ``n`` drawn at ``1 / width`` of the image resolution and enlarged by
   pixel repetition, so drops (and streaks) are ``width`` pixels wide;
2. smear: correlation with a line of ``length`` pixels at ``angle`` degrees (90 = vertical), itself blurred by a
   Gaussian of standard deviation ``blur`` pixels (soft, out-of-focus streaks);
3. levels: ``r = clip((b - (mean + density * std)) / (softness * std), 0, 1) * brightness``, with mean and std of the
   smeared drops ``b`` over the image (a higher ``density`` threshold gives sparser streaks);
4. blend every layer onto the image: ``"screen"`` ``1 - (1 - I) prod(1 - r)`` or ``"add"`` ``clip(I + sum r, 0, 1)``.

A second layer (different density, length, width and an angle within 15 degrees of the first) stands for rain at
another distance. With probability ``paper_share`` the paper's own recipe (``RainStreaks``) is drawn instead.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from zoo.data.kernels import line_kernel
from zoo.registry import register_degradation

from .base import Degradation
from .haze import gaussian_kernel_1d
from .rain import RainStreaks, rain_noise

if TYPE_CHECKING:
    import torch

__all__ = ["BroadRain", "streak_kernel"]


def streak_kernel(length: int, angle: float, blur: float) -> np.ndarray:
    """Line kernel of ``length`` px at ``angle`` degrees, convolved with a Gaussian of ``blur`` px (0: none)."""
    import cv2

    kernel = line_kernel(length, angle)
    if blur <= 0:
        return kernel
    taps = gaussian_kernel_1d(blur)
    pad = taps.size // 2
    kernel = np.pad(kernel, pad)
    kernel = cv2.sepFilter2D(kernel, -1, taps, taps, borderType=cv2.BORDER_CONSTANT)
    return (kernel / kernel.sum()).astype(np.float32)


def drop_shape(height: int, width: int, drop_width: int) -> tuple[int, int]:
    """Size of the noise field that, enlarged ``drop_width`` times, covers an image of ``height`` x ``width``."""
    return math.ceil(height / drop_width), math.ceil(width / drop_width)


@register_degradation("broad_rain")
class BroadRain(Degradation):
    """Rain streaks: one or two layers over wide parameter ranges, screened or added, or the paper's recipe.

    Args:
        paper_share: Probability of drawing the paper's recipe (``RainStreaks`` with its defaults).
        two_layer_share: Probability of a second streak layer (otherwise one).
        screen_share: Probability of screen blending (otherwise additive).
    """

    name = "rain"

    def __init__(self, paper_share: float = 0.2, two_layer_share: float = 0.4, screen_share: float = 0.5) -> None:
        for label, value in (("paper_share", paper_share), ("two_layer_share", two_layer_share)):
            if not 0 <= value <= 1:
                raise ValueError(f"{label} must be a probability in [0, 1]; got {value}")
        if not 0 <= screen_share <= 1:
            raise ValueError(f"screen_share must be a probability in [0, 1]; got {screen_share}")
        self.paper_share = float(paper_share)
        self.two_layer_share = float(two_layer_share)
        self.screen_share = float(screen_share)
        self.paper = RainStreaks()

    @staticmethod
    def sample_layer(rng: np.random.Generator, angle: float | None = None) -> dict[str, Any]:
        """One layer's parameters; ``angle`` (degrees) is drawn within 15 degrees of it when given."""
        angle = float(rng.uniform(45, 135)) if angle is None else float(np.clip(angle + rng.uniform(-15, 15), 45, 135))
        return {
            "length": int(rng.integers(5, 61)),
            "angle": angle,
            "width": int(rng.integers(1, 4)),
            "density": float(rng.uniform(0.3, 2.0)),
            "softness": float(rng.uniform(1.0, 3.0)),
            "brightness": float(rng.uniform(0.3, 0.95)),
            "blur": float(rng.uniform(0.0, 1.5)),
            "noise_seed": int(rng.integers(2**31 - 1)),
        }

    def sample_params(self, rng: np.random.Generator) -> dict[str, Any]:
        """Draw ``recipe="paper"`` plus the paper's parameters, or ``recipe="layers"``, a blend and 1-2 layer dicts.

        ``noise_rng`` says where the noise comes from (see ``apply_batch``).
        """
        if rng.random() < self.paper_share:
            return {"recipe": "paper", **self.paper.sample_params(rng)}
        layers = [self.sample_layer(rng)]
        if rng.random() < self.two_layer_share:
            layers.append(self.sample_layer(rng, angle=layers[0]["angle"]))
        blend = "screen" if rng.random() < self.screen_share else "add"
        return {"recipe": "layers", "blend": blend, "layers": layers, "noise_rng": "numpy"}

    @staticmethod
    def layer(noise: np.ndarray, height: int, width: int, p: dict[str, Any]) -> np.ndarray:
        """Streak layer (H, W) in [0, brightness] from a noise field of ``drop_shape(height, width, p["width"])``."""
        import cv2

        drops = np.maximum(noise, 0.0).repeat(p["width"], axis=0).repeat(p["width"], axis=1)[:height, :width]
        smeared = cv2.filter2D(
            np.ascontiguousarray(drops),
            -1,
            streak_kernel(p["length"], p["angle"], p["blur"]),
            borderType=cv2.BORDER_REPLICATE,
        )
        mean, std = float(smeared.mean()), float(smeared.std())
        level = (smeared - (mean + p["density"] * std)) / (p["softness"] * std + 1e-12)
        return np.clip(level, 0.0, 1.0) * p["brightness"]

    def apply(self, image: np.ndarray, **params: Any) -> np.ndarray:
        """Add rain to an HxWx3 float32 image in [0, 1] (numpy noise only; use ``apply_batch`` for torch noise)."""
        if params.get("noise_rng", "numpy") != "numpy":
            raise ValueError(f"the CPU path draws rain noise with numpy; got noise_rng={params['noise_rng']!r}")
        if params["recipe"] == "paper":
            paper = {k: v for k, v in params.items() if k != "recipe"}
            return self.paper.apply(image, **paper)
        height, width = image.shape[:2]
        layers = [
            self.layer(rain_noise(*drop_shape(height, width, p["width"]), p["noise_seed"]), height, width, p)
            for p in params["layers"]
        ]
        if params["blend"] == "screen":
            keep = np.prod([1.0 - r for r in layers], axis=0)
            return (1.0 - (1.0 - image) * keep[..., None]).astype(np.float32)
        return np.clip(image + np.sum(layers, axis=0)[..., None], 0.0, 1.0).astype(np.float32)

    def apply_batch(self, x: torch.Tensor, params: list[dict[str, Any]]) -> torch.Tensor:
        """Add rain to a (B, 3, H, W) tensor on ``x.device``.

        Each layer's noise comes from its ``noise_seed``: with ``noise_rng="numpy"`` it is the CPU path's field (same
        result as ``apply``); with ``"torch"`` it is ``torch.randn`` from a generator on ``x.device``. All layers of
        the batch are smeared together by one FFT correlation.
        """
        import torch

        from .torch_ops import correlate_per_sample, stack_kernels

        out = x.clone()
        paper = [i for i, p in enumerate(params) if p["recipe"] == "paper"]
        if paper:
            paper_params = [{k: v for k, v in params[i].items() if k != "recipe"} for i in paper]
            out[paper] = self.paper.apply_batch(x[paper], paper_params)
        entries = [(i, layer) for i, p in enumerate(params) if p["recipe"] != "paper" for layer in p["layers"]]
        if not entries:
            return out
        height, width = x.shape[-2:]
        noise = torch.empty((len(entries), 1, height, width), dtype=torch.float32, device=x.device)
        for j, (i, p) in enumerate(entries):
            shape = drop_shape(height, width, p["width"])
            source = params[i].get("noise_rng", "numpy")
            if source == "numpy":
                field = torch.from_numpy(rain_noise(*shape, p["noise_seed"])).to(x.device)
            elif source == "torch":
                gen = torch.Generator(device=x.device).manual_seed(int(p["noise_seed"]))
                field = torch.randn(shape, generator=gen, device=x.device)
            else:
                raise ValueError(f"unknown noise_rng {source!r}; expected 'numpy' or 'torch'")
            drops = field.clamp_min(0.0).repeat_interleave(p["width"], 0).repeat_interleave(p["width"], 1)
            noise[j, 0] = drops[:height, :width]
        kernels = stack_kernels([streak_kernel(p["length"], p["angle"], p["blur"]) for _, p in entries], x.device)
        smeared = correlate_per_sample(noise, kernels)
        mean = smeared.mean(dim=(-2, -1), keepdim=True)
        std = smeared.std(dim=(-2, -1), keepdim=True, correction=0)

        def per_layer(key: str) -> torch.Tensor:
            return torch.tensor([float(p[key]) for _, p in entries], device=x.device).view(-1, 1, 1, 1)

        level = (smeared - (mean + per_layer("density") * std)) / (per_layer("softness") * std + 1e-12)
        layers = level.clamp_(0.0, 1.0) * per_layer("brightness")
        for i in sorted({i for i, _ in entries}):
            rows = [j for j, (k, _) in enumerate(entries) if k == i]
            if params[i]["blend"] == "screen":
                keep = torch.prod(1.0 - layers[rows], dim=0)
                out[i] = 1.0 - (1.0 - x[i]) * keep
            else:
                out[i] = (x[i] + layers[rows].sum(dim=0)).clamp(0.0, 1.0)
        return out.to(x.dtype)
