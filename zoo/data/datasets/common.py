"""Shared base of the paired datasets: the mmengine sample format, crops and augmentation."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from .transforms import augment, centre_crop, random_crop

__all__ = ["PairDataset", "make_sample", "to_tensor"]


def to_tensor(image: np.ndarray) -> torch.Tensor:
    """HxWx3 float array in [0, 1] -> (3, H, W) float32 tensor."""
    return torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32)).permute(2, 0, 1).contiguous()


def make_sample(degraded: np.ndarray, clean: np.ndarray, factor: str, params: dict[str, Any]) -> dict[str, Any]:
    """``dict(inputs=degraded, data_samples=dict(gt=clean, factor=..., params=...))``.

    ``factor`` is a string (``"rain"``, or ``"haze+rain"`` for a mixture) and ``params`` a JSON string, so that
    ``default_collate`` can batch samples whose parameters differ in structure.
    """
    return {
        "inputs": to_tensor(degraded),
        "data_samples": {"gt": to_tensor(clean), "factor": factor, "params": json.dumps(params, sort_keys=True)},
    }


class PairDataset(Dataset):
    """Base class: subclasses implement ``__len__`` and ``load_pair(index, rng) -> (degraded, clean, factor, params)``.

    Args:
        crop: Square crop size, or None for whole images.
        augment: Apply the App. B flips / rotations of the factor.
        random_crop: Random crop windows (training); otherwise centre crops (testing).
        seed: Base seed; sample ``index`` draws from ``numpy.random.default_rng((seed, epoch, index))``.
    """

    def __init__(self, crop: int | None, augment: bool, random_crop: bool, seed: int) -> None:
        if crop is not None and crop < 1:
            raise ValueError(f"crop must be a positive size or None; got {crop}")
        self.crop, self.augment, self.random_crop, self.seed = crop, augment, random_crop, int(seed)
        self.epoch = 0

    @property
    def metainfo(self) -> dict[str, Any]:
        """Dataset metainfo for mmengine (silences its "no metainfo" warning)."""
        return {"dataset": type(self).__name__}

    def set_epoch(self, epoch: int) -> None:
        """Draw new crops / parameters in a new epoch (call from a hook; default epoch 0)."""
        self.epoch = int(epoch)

    def load_pair(self, index: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, str, dict[str, Any]]:
        """Degraded and clean HxWx3 float32 images, the factor key and the parameters of sample ``index``."""
        raise NotImplementedError

    def crop_pair(
        self, degraded: np.ndarray, clean: np.ndarray, factor: str, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Apply this dataset's crop and augmentation identically to both images."""
        pair = [degraded, clean]
        if self.crop is not None:
            pair = random_crop(pair, self.crop, rng) if self.random_crop else centre_crop(pair, self.crop)
        if self.augment:
            pair = augment(pair, factor.split("+"), rng)
        return pair[0], pair[1]

    def __getitem__(self, index: int) -> dict[str, Any]:
        if not 0 <= index < len(self):
            raise IndexError(f"index {index} out of range for {type(self).__name__} of length {len(self)}")
        rng = np.random.default_rng((self.seed, self.epoch, index))
        degraded, clean, factor, params = self.load_pair(index, rng)
        degraded, clean = self.crop_pair(degraded, clean, factor, rng)
        return make_sample(degraded, clean, factor, params)
