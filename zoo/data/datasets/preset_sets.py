"""Test sets of each synthesis preset on the held-out test photos: one set per case, fixed seeds, 8-bit inputs.

Cases (``PRESET_CASES``):

- ``clean``: no degradation; ``camera_jpeg``: only a camera-quality JPEG (quality 70-90, 4:2:0), which counts as
  clean. A restorer must return both unchanged.
- ``rain``, ``blur``, ``haze``: that factor alone, as the preset draws it.
- ``jpeg``: a strong JPEG (quality 15-35 in ``broad``; the paper's recipe in ``paper``); ``jpeg_mild``
  (``broad`` only): quality 36-69.
- every pair and triple of factors, and all four (``haze+rain``, ...): applied in the preset's order (fixed for
  ``paper``, random per image for ``broad``).

Each case holds ``per_photo`` random crops of every test photo (``zoo.data.splits``), degraded and rounded to 8 bits
as a saved photo would be. Synthesis is cheap, so the sets are made in memory, reproducibly from ``seed``.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np

from zoo.data.degradations.base import FACTORS
from zoo.registry import DATASETS

from .common import PairDataset

__all__ = ["CLEAN_CASES", "PRESET_CASES", "PresetTestSet", "case_steps", "preset_cases"]

_SINGLE = ("clean", "camera_jpeg", "rain", "blur", "jpeg", "jpeg_mild", "haze")
_MIXTURES = tuple("+".join(c) for n in (2, 3, 4) for c in combinations(FACTORS, n))
PRESET_CASES: tuple[str, ...] = _SINGLE + _MIXTURES
CLEAN_CASES = ("clean", "camera_jpeg")  # cases a restorer must return unchanged


def preset_cases(preset: str) -> tuple[str, ...]:
    """The cases of a preset's test set (``jpeg_mild`` is ``broad`` only)."""
    from zoo.data.degradations.presets import check_preset

    check_preset(preset)
    return tuple(c for c in PRESET_CASES if not (preset == "paper" and c == "jpeg_mild"))


def case_steps(case: str) -> list[str]:
    """The R-MBN steps of the factors a case applied (the oracle's choice).

    None for :data:`CLEAN_CASES`, ``jpeg`` for ``jpeg_mild``, else the case's factors in the case's order.
    """
    if case in CLEAN_CASES:
        return []
    return ["jpeg"] if case == "jpeg_mild" else case.split("+")


def _case_degradations(preset: str, case: str) -> tuple[list[str], dict[str, Any]]:
    """Factors and replacement degradation objects of a case."""
    from zoo.data.degradations.broad_jpeg import BroadJPEG

    if case == "clean":
        return [], {}
    if case == "camera_jpeg":
        return ["jpeg"], {"jpeg": BroadJPEG((70, 90), subsampling_444_share=0.0, double_share=0.0)}
    if case == "jpeg_mild":
        return ["jpeg"], {"jpeg": BroadJPEG((36, 69))}
    factors = case.split("+")
    if preset == "broad" and "jpeg" in factors:
        return factors, {"jpeg": BroadJPEG((15, 35))}
    return factors, {}


@DATASETS.register_module()
class PresetTestSet(PairDataset):
    """One case of a preset's test set, in the zoo sample format (``data_samples.factor`` is the case name).

    Args:
        preset: ``"paper"`` or ``"broad"``.
        case: One of :func:`preset_cases`.
        images: ``"test"`` (the held-out test photos), ``"validation"`` (to tune on, never the test photos) or
            ``"audit"`` (photos looked at only after every choice was made, ``zoo.data.splits``).
        crop: Square crop size (photos smaller than it are used whole).
        per_photo: Crops per photo.
        seed: Base seed of the crops and degradations.
    """

    def __init__(
        self, preset: str, case: str, images: str = "test", crop: int = 256, per_photo: int = 2, seed: int = 2026
    ) -> None:
        from zoo.data.splits import HELD_OUT, load_split

        if case not in preset_cases(preset):
            raise ValueError(
                f"unknown case {case!r} of preset {preset!r}; expected one of {', '.join(preset_cases(preset))}"
            )
        if images not in HELD_OUT:
            raise ValueError(f"images must be one of {', '.join(HELD_OUT)}, got {images!r}")
        super().__init__(crop=crop, augment=False, random_crop=True, seed=seed + PRESET_CASES.index(case))
        self.preset, self.case, self.per_photo = preset, case, int(per_photo)
        self.factors, self.degradations = _case_degradations(preset, case)
        self.photos = load_split(images)

    def __len__(self) -> int:
        return len(self.photos) * self.per_photo

    def load_pair(self, index: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, str, dict[str, Any]]:
        """Degraded (8-bit values) and clean crops of sample ``index``, the case name and the parameters."""
        from zoo.data.degradations import degrade

        photo = self.photos[index // self.per_photo]
        size_h, size_w = min(self.crop, photo.shape[0]), min(self.crop, photo.shape[1])
        top = int(rng.integers(photo.shape[0] - size_h + 1))
        left = int(rng.integers(photo.shape[1] - size_w + 1))
        clean = np.ascontiguousarray(photo[top : top + size_h, left : left + size_w])
        degraded, params = degrade(
            clean, self.factors, seed=int(rng.integers(2**31)), degradations=self.degradations, preset=self.preset
        )
        degraded = (np.clip(degraded, 0, 1) * 255).round().astype(np.float32) / 255
        return degraded, clean, self.case, {**params, "preset": self.preset}

    def __getitem__(self, index: int) -> dict[str, Any]:
        """The sample in the zoo format; the same for every call."""
        from .common import make_sample

        if not 0 <= index < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} samples")
        degraded, clean, case, params = self.load_pair(index, np.random.default_rng((self.seed, index)))
        return make_sample(degraded, clean, case, params)
