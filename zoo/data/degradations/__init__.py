"""Degradation synthesis: motion blur, rain streaks, JPEG, haze and their mixtures (registered in DEGRADATIONS).

CPU path: ``degrade(image, factors, seed, preset=...)``; torch path: ``degrade_batch(x, factors, generator,
preset=...)``. Each factor is a ``Degradation`` with ``sample_params(rng)`` and ``apply(image, **params)`` /
``apply_batch(x, params)``. Two presets (``presets.py``): ``"paper"`` (the paper's Appendix C recipes, the default)
and ``"broad"`` (wide ranges, several kernel/depth families, random order; ``docs/degradations.md``).
"""

from .base import FACTORS, Degradation, check_factors
from .blur import MotionBlur
from .broad_blur import BLUR_FAMILIES, BroadBlur, blur_kernel
from .broad_haze import BROAD_DEPTH_PROXIES, BroadHaze, haze_veil
from .broad_jpeg import BroadJPEG, jpeg_encode_decode
from .broad_rain import BroadRain
from .haze import HAZE_AIRLIGHTS, HAZE_BETAS, Haze, cap_depth, ramp_depth
from .jpeg import JPEG, jpeg_roundtrip
from .mixed import Compose, Mixed, default_degradations, degrade, degrade_batch
from .presets import PRESETS, check_preset, degradations_for, random_order
from .rain import RAIN_ANGLES, RAIN_LENGTHS, RAIN_LEVELS, RainStreaks
from .strength import mixture_strength, strength

__all__ = [
    "BLUR_FAMILIES",
    "BROAD_DEPTH_PROXIES",
    "FACTORS",
    "HAZE_AIRLIGHTS",
    "HAZE_BETAS",
    "JPEG",
    "PRESETS",
    "RAIN_ANGLES",
    "RAIN_LENGTHS",
    "RAIN_LEVELS",
    "BroadBlur",
    "BroadHaze",
    "BroadJPEG",
    "BroadRain",
    "Compose",
    "Degradation",
    "Haze",
    "Mixed",
    "MotionBlur",
    "RainStreaks",
    "blur_kernel",
    "cap_depth",
    "check_factors",
    "check_preset",
    "default_degradations",
    "degradations_for",
    "degrade",
    "degrade_batch",
    "haze_veil",
    "jpeg_encode_decode",
    "jpeg_roundtrip",
    "mixture_strength",
    "ramp_depth",
    "random_order",
    "strength",
]
