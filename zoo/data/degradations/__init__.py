"""Degradation synthesis: motion blur, rain streaks, JPEG, haze and their mixtures (registered in DEGRADATIONS).

CPU path: ``degrade(image, factors, seed)``; torch path: ``degrade_batch(x, factors, generator)``. Each factor is a
``Degradation`` with ``sample_params(rng)`` and ``apply(image, **params)`` / ``apply_batch(x, params)``.
"""

from .base import FACTORS, Degradation, check_factors
from .blur import MotionBlur
from .haze import HAZE_AIRLIGHTS, HAZE_BETAS, Haze, cap_depth, ramp_depth
from .jpeg import JPEG, jpeg_roundtrip
from .mixed import Compose, Mixed, default_degradations, degrade, degrade_batch
from .rain import RAIN_ANGLES, RAIN_LENGTHS, RAIN_LEVELS, RainStreaks

__all__ = [
    "FACTORS",
    "HAZE_AIRLIGHTS",
    "HAZE_BETAS",
    "JPEG",
    "RAIN_ANGLES",
    "RAIN_LENGTHS",
    "RAIN_LEVELS",
    "Compose",
    "Degradation",
    "Haze",
    "Mixed",
    "MotionBlur",
    "RainStreaks",
    "cap_depth",
    "check_factors",
    "default_degradations",
    "degrade",
    "degrade_batch",
    "jpeg_roundtrip",
    "ramp_depth",
]
