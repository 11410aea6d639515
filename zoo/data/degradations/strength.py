"""Physical strength of a sampled degradation, one number per factor, for labelling (e.g. a factor detector).

Works on the parameter dicts of both presets. Units:

- ``blur``: second-moment spread of the kernel in pixels (``broad_kernels.kernel_spread``; 0 = no blur; a uniform
  line of L px has about L / 3.46).
- ``rain``: mean streak intensity, i.e. the mean brightness the rain adds to a black image, in [0, 1] (coverage times
  contrast). Computed with the CPU path's numpy noise at the image size (128x128 without an image); a batch made
  with torch noise has the same statistics, not the same streaks.
- ``jpeg``: effective JPEG quality, the lowest quality of the compressions (1-100; LOWER is stronger).
- ``haze``: the veil, mean of ``1 - t`` over the image in [0, 1] (``broad_haze.haze_veil``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .base import FACTORS
from .broad_blur import blur_kernel
from .broad_haze import haze_veil

__all__ = ["mixture_strength", "strength"]

_RAIN_SIZE = 128


def strength(
    factor: str, params: Mapping[str, Any], clean: np.ndarray | None = None, depth: np.ndarray | None = None
) -> float:
    """Strength of one factor's degradation (units in the module docstring).

    Args:
        factor: ``"blur"``, ``"rain"``, ``"jpeg"`` or ``"haze"``.
        params: That factor's parameter dict (``params[factor]`` of ``degrade``), from either preset.
        clean: The HxWx3 float32 image in [0, 1]; needed for haze with the image-derived ``"cap"`` depth proxy, and
            sets the size rain is measured at.
        depth: The depth map given to haze instead of a proxy, if any.
    """
    params = dict(params)
    if factor == "blur":
        from zoo.data.broad_kernels import kernel_spread

        return kernel_spread(blur_kernel(params))
    if factor == "jpeg":
        qualities = [params["quality"], params.get("quality2")]
        return float(min(q for q in qualities if q is not None))
    if factor == "haze":
        return haze_veil(params, clean, depth)
    if factor == "rain":
        from .broad_rain import BroadRain

        shape = (*clean.shape[:2], 3) if clean is not None else (_RAIN_SIZE, _RAIN_SIZE, 3)
        params["noise_rng"] = "numpy"
        if "recipe" not in params:  # a paper-preset dict
            params["recipe"] = "paper"
        return float(BroadRain().apply(np.zeros(shape, np.float32), **params).mean())
    raise ValueError(f"unknown factor {factor!r}; expected one of {', '.join(FACTORS)}")


def mixture_strength(
    params: Mapping[str, Any], clean: np.ndarray | None = None, depth: np.ndarray | None = None
) -> dict[str, float]:
    """``{factor: strength}`` for every factor of a ``degrade`` parameter dict (``params["factors"]``).

    Haze is measured on ``clean``, whose depth the haze of a mixture uses (with the paper preset haze comes first).
    """
    return {name: strength(name, params[name], clean, depth) for name in params["factors"]}
