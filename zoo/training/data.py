"""Training data: clean crops per task (degraded on the device by the preprocessor) and fixed validation pairs."""

import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import ConcatDataset, Dataset

from zoo.factors import FACTORS
from zoo.registry import DATASETS

__all__ = ["HELD_OUT_SOURCES", "TRAINING_SOURCES", "CleanCrops", "TaskDatasets", "ValidationPairs", "load_clean_images"]


TRAINING_SOURCES = ("train", "dead_leaves")
HELD_OUT_SOURCES = ("validation", "test", "audit", "samples")


def load_clean_images(source: str, min_size: int, count: int = 24, seed: int = 0) -> list[np.ndarray]:
    """Clean images (HxWx3 float32 in [0, 1]) from a named source or a folder.

    Args:
        source: A split of :mod:`zoo.data.splits`: ``"train"`` (the training corpus, built in memory),
            ``"validation"``, ``"test"`` or ``"audit"`` (bundled photos); ``"samples"`` (the five older test photos,
            the test set of the first model cards); ``"dead_leaves"`` (procedural images); or a folder of the user's
            images.
        min_size: Images smaller than this on either side are upscaled (bicubic) to it.
        count: Number of procedural images for ``"dead_leaves"``.
        seed: Seed of the procedural images.
    """
    from zoo.data import images, splits

    if source == "train":
        loaded = splits.load_train_corpus()
    elif source in splits.HELD_OUT:
        loaded = splits.load_split(source)
    elif source == "samples":
        loaded = splits.load_split("test", splits.TEST_BUNDLED_V1)
    elif source == "dead_leaves":
        loaded = list(_dead_leaves_set(max(min_size, 256), count, seed))
    else:
        if not Path(source).is_dir():
            raise FileNotFoundError(
                f"image source {source!r} is neither one of {', '.join(TRAINING_SOURCES + HELD_OUT_SOURCES)} nor a "
                "folder"
            )
        loaded = images.load_folder(source)
    if not loaded:
        raise ValueError(f"no images found in {source!r}")
    return [_at_least(image, min_size) for image in loaded]


@functools.lru_cache(maxsize=4)
def _dead_leaves_set(size: int, count: int, seed: int) -> tuple[np.ndarray, ...]:
    """The procedural images, drawn once per process and read-only (small runs build many datasets of them)."""
    from zoo.data import images

    drawn = tuple(images.dead_leaves(size, seed=seed + i) for i in range(count))
    for image in drawn:
        image.setflags(write=False)
    return drawn


def _training_images(source: str, min_size: int, seed: int) -> list[np.ndarray]:
    if source in HELD_OUT_SOURCES:
        raise ValueError(
            f"training source {source!r} holds validation, test or audit photos; train on 'train' (the training "
            "corpus), 'dead_leaves' or a folder of your own photos"
        )
    if source not in TRAINING_SOURCES:
        from zoo.data.splits import check_training_folder

        check_training_folder(source)
    return load_clean_images(source, min_size, seed=seed)


def _at_least(image: np.ndarray, size: int) -> np.ndarray:
    height, width = image.shape[:2]
    if min(height, width) >= size:
        return image
    import cv2

    scale = size / min(height, width)
    new = (max(size, round(width * scale)), max(size, round(height * scale)))
    return np.clip(cv2.resize(image, new, interpolation=cv2.INTER_CUBIC), 0, 1)


def _augment(crop: np.ndarray, factor: str, rng: np.random.Generator) -> np.ndarray:
    """The paper's App. B augmentation: horizontal flips; for haze also vertical flips and 90-degree rotations."""
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    if factor in ("haze", "mixed"):
        if rng.random() < 0.5:
            crop = crop[::-1]
        crop = np.rot90(crop, k=int(rng.integers(4)))
    return np.ascontiguousarray(crop)


class CleanCrops(Dataset):
    """Random clean crops for one task; sample ``i`` is always the same crop (resume and DDP stay exact).

    The degradation is applied later, on the training device, by
    :class:`~zoo.training.preprocessor.DegradeOnTheFly`.

    Args:
        images: Clean images, HxWx3 float32 in [0, 1], each at least ``crop`` on both sides.
        factor: ``rain``, ``blur``, ``jpeg``, ``haze`` or ``mixed`` (1 to 4 random factors per sample).
        crop: Square crop size.
        length: Virtual number of samples.
        seed: Base seed of the crop positions and augmentations.
    """

    def __init__(self, images: Sequence[np.ndarray], factor: str, crop: int, length: int, seed: int = 0) -> None:
        if factor not in (*FACTORS, "mixed"):
            raise ValueError(f"unknown factor {factor!r}; expected one of {', '.join(FACTORS)} or mixed")
        self.images, self.factor, self.crop, self.length, self.seed = list(images), factor, crop, length, seed
        self.metainfo = {"factor": factor}

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> dict:
        rng = np.random.default_rng((self.seed, index))
        image = self.images[int(rng.integers(len(self.images)))]
        top = int(rng.integers(image.shape[0] - self.crop + 1))
        left = int(rng.integers(image.shape[1] - self.crop + 1))
        crop = _augment(image[top : top + self.crop, left : left + self.crop], self.factor, rng)
        clean = torch.from_numpy(crop).permute(2, 0, 1).float()
        return {"inputs": clean, "data_samples": {"gt": clean, "factor": self.factor, "seed": index, "degraded": False}}


@DATASETS.register_module()
class TaskDatasets(ConcatDataset):
    """One :class:`CleanCrops` per factor, concatenated in the order given (the task index of the cycle sampler).

    Args:
        factors: Factors in task order, e.g. ``["haze", "rain", "jpeg", "blur"]``.
        source: Training images: ``"train"``, ``"dead_leaves"`` or a folder (see :func:`load_clean_images`);
            validation and test photos are refused.
        crop: Crop size per factor, with ``"default"`` for the others, e.g. ``{"rain": 128, "default": 256}``.
        length: Virtual samples per factor.
        seed: Base seed.
    """

    def __init__(
        self,
        factors: Sequence[str],
        source: str = "train",
        crop: dict | int = 256,
        length: int = 100_000,
        seed: int = 0,
    ) -> None:
        crops = crop if isinstance(crop, dict) else {"default": crop}
        sizes = {f: int(crops.get(f, crops.get("default", 256))) for f in factors}
        images = _training_images(source, max(sizes.values()), seed)
        super().__init__([CleanCrops(images, f, sizes[f], length, seed=seed + 101 * i) for i, f in enumerate(factors)])
        self.metainfo = {"factors": list(factors)}


@DATASETS.register_module()
class ValidationPairs(Dataset):
    """Fixed degraded/clean pairs for validation, synthesised once on the CPU with the exact (PIL JPEG) recipes.

    Args:
        factors: Factors to validate; each image gets every factor in turn (``"mixed"`` = 1..4 random factors).
        source: Image source (see :func:`load_clean_images`); default the validation split.
        crop: Centre-crop size.
        count: Images per factor.
        seed: Seed of the degradation parameters.
        preset: Synthesis preset (``"paper"`` or ``"broad"``).
    """

    def __init__(
        self,
        factors: Sequence[str] = FACTORS,
        source: str = "validation",
        crop: int = 128,
        count: int = 4,
        seed: int = 1234,
        preset: str = "paper",
    ) -> None:
        from zoo.data.degradations import degrade

        images = load_clean_images(source, crop, seed=seed)
        self.items = []
        for f_index, factor in enumerate(factors):
            for i in range(count):
                image = images[i % len(images)]
                top, left = (image.shape[0] - crop) // 2, (image.shape[1] - crop) // 2
                clean = np.ascontiguousarray(image[top : top + crop, left : left + crop])
                spec = "random" if factor == "mixed" else [factor]
                degraded, params = degrade(clean, spec, seed=seed + 1000 * f_index + i, preset=preset)
                steps = "+".join(sorted(params["factors"]))
                self.items.append((degraded.astype(np.float32), clean.astype(np.float32), factor, steps))
        self.metainfo = {"factors": list(factors)}

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict:
        degraded, clean, factor, steps = self.items[index]
        to_tensor = lambda a: torch.from_numpy(a).permute(2, 0, 1).contiguous()  # noqa: E731
        return {
            "inputs": to_tensor(degraded),
            "data_samples": {
                "gt": to_tensor(clean),
                "factor": factor,
                "steps": steps,
                "seed": index,
                "degraded": True,
            },
        }
