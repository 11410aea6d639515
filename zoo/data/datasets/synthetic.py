"""Synthetic degraded/clean pairs over any clean images (arXiv 1907.04508, Sec. 5.4 and App. C).

- ``SyntheticPairs``: pairs made on the fly on the CPU (exact recipes, Pillow JPEG) with a single factor, a fixed
  mixture, ``"pure"`` (one of the four factors per sample: the paper's pure-factor set) or ``"random"`` (1..4
  factors per sample: the combined set).
- ``FixedTestSet``: a fixed-seed test set written once to disk as PNG (with a manifest) and reused afterwards.
- ``TABLE4_SUBSETS`` / ``table4_test_sets``: the 16 named test subsets of Table 4 (4 pure, 6 pairs, 4 triples,
  all four, random combinations).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from torch.utils.data import Dataset

from zoo.data.degradations import FACTORS, Degradation, check_factors, degrade
from zoo.data.metrics.evaluator import factor_key
from zoo.registry import DATASETS

from .common import PairDataset, make_sample
from .transforms import augment, centre_crop, random_crop, task_crop

__all__ = ["TABLE4_SUBSETS", "FixedTestSet", "SyntheticPairs", "load_images", "table4_test_sets"]


def _table4_subsets() -> dict[str, list[str] | str]:
    subsets: dict[str, list[str] | str] = {}
    for count in range(1, len(FACTORS) + 1):
        for combo in combinations(FACTORS, count):
            subsets["+".join(combo)] = list(combo)
    subsets["random"] = "random"
    return subsets


# Table 4's 16 test subsets, named by their factors in synthesis order ("haze+rain", ...), plus "random".
TABLE4_SUBSETS: dict[str, list[str] | str] = _table4_subsets()


def load_images(images: str | Path | Sequence[np.ndarray], count: int = 16, size: int = 256) -> list[np.ndarray]:
    """Clean HxWx3 float32 images from a source.

    Args:
        images: ``"samples"`` (bundled photos), ``"dead_leaves"`` (``count`` procedural images of ``size``), a folder
            path, or a list of arrays (returned as is).
        count: Number of procedural images.
        size: Side of the procedural images.
    """
    from zoo.data import images as image_module

    if isinstance(images, str | Path):
        if str(images) == "samples":
            return [image_module.load_sample(name) for name in image_module.sample_names()]
        if str(images) == "dead_leaves":
            return [image_module.dead_leaves(size, seed=i) for i in range(count)]
        return image_module.load_folder(images)
    loaded = list(images)
    if not loaded:
        raise ValueError("no clean images given")
    return loaded


def _factor_spec(factors: Sequence[str] | str) -> list[str] | str:
    if factors in ("random", "pure"):
        return factors
    return check_factors(factors)


@DATASETS.register_module()
class SyntheticPairs(PairDataset):
    """Degraded/clean pairs synthesised on the fly from clean images (CPU path of ``zoo.data.degradations``).

    Sample ``index`` takes clean image ``index % len(images)``, a crop and the App. B augmentation, then degrades
    the crop; everything is drawn from ``(seed, epoch, index)``, so a sample is reproducible.

    Args:
        images: ``"samples"``, ``"dead_leaves"``, a folder, or a list of HxWx3 float32 arrays in [0, 1].
        factors: A factor list (single factor or fixed mixture), ``"pure"`` (one random factor per sample) or
            ``"random"`` (1..4 random factors per sample).
        crop: Crop size; ``"task"`` = 128 for rain alone and 256 otherwise (App. B); None = whole images.
        seed: Base seed.
        length: Number of samples; default the number of images.
        augment: Apply the App. B flips / rotations.
        random_crop: Random crop windows (training) or centre crops (testing).
        degradations: Replacement degradation objects by factor name (e.g. ``{"jpeg": JPEG((10, 10))}``).
    """

    def __init__(
        self,
        images: str | Path | Sequence[np.ndarray] = "samples",
        factors: Sequence[str] | str = "random",
        crop: int | str | None = "task",
        seed: int = 0,
        length: int | None = None,
        augment: bool = True,
        random_crop: bool = True,
        degradations: Mapping[str, Degradation] | None = None,
    ) -> None:
        self.factors = _factor_spec(factors)
        if crop == "task":
            crop = task_crop(self.factors if isinstance(self.factors, list) else "mixed")
        super().__init__(crop=crop, augment=augment, random_crop=random_crop, seed=seed)
        self.images = load_images(images)
        self.length = len(self.images) if length is None else int(length)
        self.degradations = degradations

    @property
    def metainfo(self) -> dict[str, Any]:
        """Dataset name and factor specification."""
        return {"dataset": "SyntheticPairs", "factors": self.factors}

    def __len__(self) -> int:
        return self.length

    def _draw_factors(self, rng: np.random.Generator) -> list[str] | str:
        if self.factors == "pure":
            return [FACTORS[int(rng.integers(len(FACTORS)))]]
        return self.factors

    def __getitem__(self, index: int) -> dict[str, Any]:
        if not 0 <= index < len(self):
            raise IndexError(f"index {index} out of range for SyntheticPairs of length {len(self)}")
        rng = np.random.default_rng((self.seed, self.epoch, index))
        clean = self.images[index % len(self.images)]
        factors = self._draw_factors(rng)
        if self.crop is not None:
            (clean,) = random_crop([clean], self.crop, rng) if self.random_crop else centre_crop([clean], self.crop)
        if self.augment:
            (clean,) = augment([clean], FACTORS if factors == "random" else factors, rng)
        degraded, params = degrade(clean, factors, seed=int(rng.integers(2**31 - 1)), degradations=self.degradations)
        return make_sample(degraded, clean, factor_key(params["factors"]), params)


@DATASETS.register_module()
class FixedTestSet(Dataset):
    """A fixed-seed synthetic test set, written once to ``root`` as PNG files and reused afterwards.

    Files: ``root/degraded/<i>.png``, ``root/clean/<i>.png`` and ``root/manifest.json`` (the settings and every
    sample's factors and parameters). If a manifest with the same settings exists, nothing is synthesised; a
    manifest with different settings raises (delete the folder to rebuild). Images are centre-cropped to ``crop``
    and not augmented. Stored as 8-bit PNG, so the degraded inputs are quantised exactly like a saved benchmark.

    Args:
        root: Folder of the test set.
        images: Clean image source (see ``SyntheticPairs``).
        factors: A factor list, ``"pure"`` or ``"random"``.
        seed: Seed of the synthesis.
        crop: Centre-crop size, or None for whole images.
        count: Number of samples; default one per clean image.
    """

    def __init__(
        self,
        root: str | Path,
        images: str | Path | Sequence[np.ndarray] = "samples",
        factors: Sequence[str] | str = "random",
        seed: int = 0,
        crop: int | None = 256,
        count: int | None = None,
    ) -> None:
        self.root = Path(root)
        self.factors = _factor_spec(factors)
        settings = {"factors": self.factors, "seed": int(seed), "crop": crop, "count": count}
        if isinstance(images, str | Path):
            settings["images"] = str(images)
        manifest_path = self.root / "manifest.json"
        if manifest_path.is_file():
            manifest = json.loads(manifest_path.read_text())
            if manifest["settings"] != settings:
                raise ValueError(
                    f"{manifest_path} was written with settings {manifest['settings']}, not {settings}; "
                    "delete the folder to rebuild it or pass the same settings"
                )
        else:
            manifest = self._write(images, settings)
        self.items: list[dict[str, Any]] = manifest["items"]
        self.settings = settings

    def _write(self, images: str | Path | Sequence[np.ndarray], settings: dict[str, Any]) -> dict[str, Any]:
        from zoo.data.images import save_image

        source = SyntheticPairs(
            images,
            settings["factors"],
            crop=settings["crop"],
            seed=settings["seed"],
            length=settings["count"],
            augment=False,
            random_crop=False,
        )
        items = []
        for index in range(len(source)):
            sample = source[index]
            name = f"{index:05d}.png"
            save_image(sample["inputs"].permute(1, 2, 0).numpy(), self.root / "degraded" / name)
            save_image(sample["data_samples"]["gt"].permute(1, 2, 0).numpy(), self.root / "clean" / name)
            items.append(
                {
                    "file": name,
                    "factor": sample["data_samples"]["factor"],
                    "params": json.loads(sample["data_samples"]["params"]),
                }
            )
        manifest = {"settings": settings, "items": items}
        (self.root / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
        return manifest

    @property
    def metainfo(self) -> dict[str, Any]:
        """Dataset name, root and settings."""
        return {"dataset": "FixedTestSet", "root": str(self.root), **self.settings}

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict[str, Any]:
        from zoo.data.images import load_image

        item = self.items[index]
        degraded = load_image(self.root / "degraded" / item["file"])
        clean = load_image(self.root / "clean" / item["file"])
        return make_sample(degraded, clean, item["factor"], item["params"])


def table4_test_sets(
    root: str | Path,
    images: str | Path | Sequence[np.ndarray] = "samples",
    seed: int = 0,
    crop: int | None = 256,
    count: int | None = None,
    subsets: Sequence[str] | None = None,
) -> dict[str, FixedTestSet]:
    """The 16 test subsets of Table 4 as ``FixedTestSet`` folders ``root/<subset name>``.

    Every subset uses the same clean images; subset ``k`` (in ``TABLE4_SUBSETS`` order) is synthesised with seed
    ``seed + k``.

    Args:
        root: Parent folder.
        images: Clean image source (the paper: the 492 RESIDE-beta OTS test scenes).
        seed: Base seed.
        crop: Centre-crop size, or None.
        count: Samples per subset; default one per clean image.
        subsets: Names to build (default all 16).
    """
    names = list(TABLE4_SUBSETS) if subsets is None else list(subsets)
    out = {}
    for name in names:
        if name not in TABLE4_SUBSETS:
            raise ValueError(f"unknown Table 4 subset {name!r}; expected one of {', '.join(TABLE4_SUBSETS)}")
        k = list(TABLE4_SUBSETS).index(name)
        out[name] = FixedTestSet(Path(root) / name, images, TABLE4_SUBSETS[name], seed=seed + k, crop=crop, count=count)
    return out
