"""Synthesis presets: the degradation objects of each factor, the size of random mixtures, the order of factors.

docs/degradations.md lists every range.

- ``"paper"``: the recipes of arXiv 1907.04508, Appendix C. Mixtures of 1-4 factors, always applied in the order
  haze, rain, blur, JPEG. Studies and paper comparisons use it; it does not change.
- ``"broad"``: wide ranges and several families per factor, for weights meant to work on real photos. Mixtures of
  0-4 factors (0: the clean image) applied in a random order: the non-JPEG factors are shuffled uniformly, and JPEG
  comes last with probability ``jpeg_last`` (default 0.9; cameras and apps compress last), otherwise at a uniformly
  drawn earlier position (a compressed photo that was then blurred, rained on or hazed by an editor).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .base import Degradation

__all__ = ["DEFAULT_NUM_FACTORS", "PRESETS", "check_preset", "degradations_for", "random_order"]

PRESETS: tuple[str, ...] = ("paper", "broad")

# Allowed numbers of factors of a "random" mixture, drawn uniformly, per preset.
DEFAULT_NUM_FACTORS: dict[str, tuple[int, ...]] = {"paper": (1, 2, 3, 4), "broad": (0, 1, 2, 3, 4)}


def check_preset(preset: str) -> str:
    """Return ``preset`` if it names a preset, else raise a ValueError listing the valid ones."""
    if preset not in PRESETS:
        raise ValueError(f"unknown synthesis preset {preset!r}; expected one of {', '.join(PRESETS)}")
    return preset


def degradations_for(preset: str) -> dict[str, Degradation]:
    """Fresh degradation objects of ``preset`` by factor name (``haze``, ``rain``, ``blur``, ``jpeg``)."""
    check_preset(preset)
    if preset == "paper":
        from .blur import MotionBlur
        from .haze import Haze
        from .jpeg import JPEG
        from .rain import RainStreaks

        return {"haze": Haze(), "rain": RainStreaks(), "blur": MotionBlur(), "jpeg": JPEG()}
    from .broad_blur import BroadBlur
    from .broad_haze import BroadHaze
    from .broad_jpeg import BroadJPEG
    from .broad_rain import BroadRain

    return {"haze": BroadHaze(), "rain": BroadRain(), "blur": BroadBlur(), "jpeg": BroadJPEG()}


def random_order(factors: Sequence[str], rng: np.random.Generator, jpeg_last: float = 0.9) -> list[str]:
    """The ``broad`` order policy: the order in which ``factors`` are applied to one image.

    The non-JPEG factors are shuffled uniformly; JPEG is last with probability ``jpeg_last``, else at a uniformly
    drawn earlier position.
    """
    others = [name for name in factors if name != "jpeg"]
    order = [others[i] for i in rng.permutation(len(others))]
    if "jpeg" in factors:
        position = len(order) if not order or rng.random() < jpeg_last else int(rng.integers(len(order)))
        order.insert(position, "jpeg")
    return order
