"""Crops, flips / rotations (arXiv 1907.04508, App. B) and the 3-level bicubic pyramid of the MBN branches."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["TASK_CROPS", "augment", "centre_crop", "pyramid", "random_crop", "task_crop"]

# Training crop per task (App. B): 128 for rain streaks, 256 for the others and for mixtures.
TASK_CROPS: dict[str, int] = {"rain": 128, "blur": 256, "jpeg": 256, "haze": 256, "mixed": 256}


def task_crop(factors: Sequence[str] | str) -> int:
    """The paper's training crop for a factor list: 128 for rain alone, 256 otherwise."""
    if isinstance(factors, str):
        return TASK_CROPS.get(factors, TASK_CROPS["mixed"])
    return TASK_CROPS[factors[0]] if len(factors) == 1 else TASK_CROPS["mixed"]


def _check_crop(images: Sequence[np.ndarray], size: int) -> tuple[int, int]:
    height, width = images[0].shape[:2]
    if any(img.shape[:2] != (height, width) for img in images):
        raise ValueError(f"paired images differ in size: {[img.shape[:2] for img in images]}")
    if height < size or width < size:
        raise ValueError(f"image of {height}x{width} pixels is smaller than the {size}x{size} crop")
    return height, width


def random_crop(images: Sequence[np.ndarray], size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """The same random ``size`` x ``size`` window of every (equally sized) image."""
    height, width = _check_crop(images, size)
    top, left = int(rng.integers(height - size + 1)), int(rng.integers(width - size + 1))
    return [img[top : top + size, left : left + size] for img in images]


def centre_crop(images: Sequence[np.ndarray], size: int) -> list[np.ndarray]:
    """The centre ``size`` x ``size`` window of every (equally sized) image."""
    height, width = _check_crop(images, size)
    top, left = (height - size) // 2, (width - size) // 2
    return [img[top : top + size, left : left + size] for img in images]


def augment(images: Sequence[np.ndarray], factors: Sequence[str] | str, rng: np.random.Generator) -> list[np.ndarray]:
    """App. B augmentation, applied identically to every image of a pair.

    Horizontal flip (p = 0.5) for every task; for haze (and mixtures containing haze) also a vertical flip
    (p = 0.5) and a rotation by a multiple of 90 degrees drawn from {0, 90, 180, 270}.
    """
    names = [factors] if isinstance(factors, str) else list(factors)
    flip_h = rng.random() < 0.5
    out = [img[:, ::-1] if flip_h else img for img in images]
    if "haze" in names:
        flip_v = rng.random() < 0.5
        turns = int(rng.integers(4))
        out = [np.rot90(img[::-1] if flip_v else img, k=turns) for img in out]
    return [np.ascontiguousarray(img) for img in out]


def pyramid(x: torch.Tensor | np.ndarray, levels: int = 3) -> list:
    """Bicubic image pyramid, coarsest first: ``[x/4, x/2, x]`` for three levels.

    Tensors ((B, C, H, W) or (C, H, W)) are resized with ``F.interpolate(mode="bicubic", align_corners=False)``
    (as ``zoo.models.pyramid``); numpy HxWxC arrays with ``cv2.resize(INTER_CUBIC)`` (as the authors' data
    convertors). Results are clipped to [0, 1]. Sizes are ``floor(size / 2^k)``.
    """
    if levels < 1:
        raise ValueError(f"levels must be >= 1; got {levels}")
    out = [x]
    for _ in range(levels - 1):
        last = out[-1]
        if isinstance(last, np.ndarray):
            import cv2

            small = cv2.resize(last, (last.shape[1] // 2, last.shape[0] // 2), interpolation=cv2.INTER_CUBIC)
            out.append(np.clip(small, 0.0, 1.0).reshape(small.shape[:2] + last.shape[2:]))
        else:
            batch = last[None] if last.ndim == 3 else last
            size = (batch.shape[-2] // 2, batch.shape[-1] // 2)
            small = F.interpolate(batch, size=size, mode="bicubic", align_corners=False).clamp(0.0, 1.0)
            out.append(small[0] if last.ndim == 3 else small)
    return out[::-1]
