"""Adapters for the on-disk layouts of the paper's real datasets; each returns the same sample dict.

- ``GoProPairs``: ``root/<scene>/blur/<frame>.png`` with ``root/<scene>/sharp/<frame>.png`` (point ``root`` at
  ``GOPRO_Large/train`` or ``.../test``; ``blur_gamma`` may replace ``blur``).
- ``RESIDEPairs``: a hazy folder whose file names start with the clean image's id (``<id>_<...>``) and a clean
  folder ``<id>.<ext>``. ITS: ``hazy/1_1_0.90179.png`` + ``clear/1.png``; OTS and SOTS-outdoor:
  ``hazy/0001_0.8_0.2.jpg`` (``<id>_<A>_<beta>``) + ``clear/0001.jpg`` or ``gt/0001.png``; SOTS-indoor:
  ``hazy/1400_1.png`` + ``gt/1400.png``.
- ``DIDMDNPairs``: side-by-side images ``[rainy | clean]`` (DID-MDN ``Rain_Heavy/train2018new``,
  ``DID-MDN-test``), split down the middle.
- ``JPEGFolder``: clean images only (DIV2K ``DIV2K_train_HR``, LIVE1 ``refimgs``); JPEG made on the fly with Pillow
  at a quality drawn from ``quality_range`` (``(10, 10)`` for the LIVE1 q = 10 benchmark), after cropping the image
  to a multiple of ``multiple`` pixels (the authors' test uses 16).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from zoo.data.degradations import jpeg_roundtrip
from zoo.data.images import list_images, load_image
from zoo.registry import DATASETS

from .common import PairDataset

__all__ = ["DIDMDNPairs", "GoProPairs", "JPEGFolder", "RESIDEPairs", "parse_reside_name"]


class _FolderPairs(PairDataset):
    """Pairs listed as (degraded path, clean path) with a fixed factor."""

    factor = ""

    def __init__(
        self, pairs: list[tuple[Path, Path]], crop: int | None, augment: bool, random_crop: bool, seed: int
    ) -> None:
        super().__init__(crop=crop, augment=augment, random_crop=random_crop, seed=seed)
        self.pairs = pairs

    def __len__(self) -> int:
        return len(self.pairs)

    def params(self, degraded_path: Path) -> dict[str, Any]:
        """Parameters recorded for a pair (the file names, plus anything a subclass parses)."""
        return {"file": degraded_path.name}

    def load_pair(self, index: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, str, dict[str, Any]]:
        """Read the degraded and clean files of pair ``index``."""
        degraded_path, clean_path = self.pairs[index]
        return load_image(degraded_path), load_image(clean_path), self.factor, self.params(degraded_path)


@DATASETS.register_module()
class GoProPairs(_FolderPairs):
    """GoPro motion-blur pairs.

    Args:
        root: The ``train`` or ``test`` folder of GOPRO_Large (scene folders inside).
        blur_dir: Name of the blurred-frame folder, ``"blur"`` or ``"blur_gamma"``.
        crop: Crop size (256 in the paper), or None.
        augment: Horizontal flips (App. B).
        random_crop: Random (training) or centre (testing) crops.
        seed: Base seed.
    """

    factor = "blur"

    def __init__(
        self,
        root: str | Path,
        blur_dir: str = "blur",
        crop: int | None = 256,
        augment: bool = True,
        random_crop: bool = True,
        seed: int = 0,
    ) -> None:
        root = Path(root)
        pairs = []
        for blurred in sorted(root.glob(f"*/{blur_dir}/*")):
            if blurred.suffix.lower() not in (".png", ".jpg", ".jpeg"):
                continue
            sharp = blurred.parent.parent / "sharp" / blurred.name
            if not sharp.is_file():
                raise FileNotFoundError(f"GoPro frame {blurred} has no sharp counterpart {sharp}")
            pairs.append((blurred, sharp))
        if not pairs:
            raise FileNotFoundError(f"no GoPro pairs under {root} (expected <scene>/{blur_dir}/*.png and sharp/)")
        super().__init__(pairs, crop, augment, random_crop, seed)

    def params(self, degraded_path: Path) -> dict[str, Any]:
        """Scene and frame name."""
        return {"scene": degraded_path.parent.parent.name, "file": degraded_path.name}


def parse_reside_name(stem: str) -> dict[str, Any]:
    """Parse a RESIDE hazy file stem into its clean ``id`` and the remaining ``tags``.

    For ``<id>_<A>_<beta>`` names (OTS / SOTS-outdoor style) ``airlight`` and ``beta`` are added as floats.
    """
    parts = stem.split("_")
    parsed: dict[str, Any] = {"id": parts[0], "tags": parts[1:]}
    if len(parts) == 3:
        try:
            parsed["airlight"], parsed["beta"] = float(parts[1]), float(parts[2])
        except ValueError:
            pass  # not numeric: keep only the tags
    return parsed


@DATASETS.register_module()
class RESIDEPairs(_FolderPairs):
    """RESIDE hazy/clear pairs (ITS, OTS, SOTS indoor and outdoor).

    Args:
        root: Folder holding the hazy and clean folders.
        hazy_dir: Hazy folder name.
        clean_dirs: Candidate clean folder names; the first that exists is used.
        crop: Crop size (256), or None.
        augment: Horizontal and vertical flips and 90-degree rotations (App. B, haze).
        random_crop: Random (training) or centre (testing) crops.
        seed: Base seed.
    """

    factor = "haze"

    def __init__(
        self,
        root: str | Path,
        hazy_dir: str = "hazy",
        clean_dirs: tuple[str, ...] = ("clear", "gt", "GT"),
        crop: int | None = 256,
        augment: bool = True,
        random_crop: bool = True,
        seed: int = 0,
    ) -> None:
        root = Path(root)
        clean_root = next((root / d for d in clean_dirs if (root / d).is_dir()), None)
        if clean_root is None:
            raise FileNotFoundError(f"no clean folder ({', '.join(clean_dirs)}) in {root}")
        clean_by_id = {p.stem: p for p in list_images(clean_root)}
        pairs = []
        for hazy in list_images(root / hazy_dir):
            image_id = parse_reside_name(hazy.stem)["id"]
            if image_id not in clean_by_id:
                raise FileNotFoundError(f"hazy image {hazy.name} has no clean image {image_id}.* in {clean_root}")
            pairs.append((hazy, clean_by_id[image_id]))
        if not pairs:
            raise FileNotFoundError(f"no hazy images in {root / hazy_dir}")
        super().__init__(pairs, crop, augment, random_crop, seed)

    def params(self, degraded_path: Path) -> dict[str, Any]:
        """File name, clean id and, where the name carries them, A and beta."""
        return {"file": degraded_path.name, **parse_reside_name(degraded_path.stem)}


@DATASETS.register_module()
class DIDMDNPairs(PairDataset):
    """DID-MDN rain pairs stored side by side, ``[rainy | clean]`` (or the reverse with ``rainy_left=False``).

    Args:
        root: Folder of side-by-side images (searched recursively, so ``Rain_Heavy`` etc. can sit below it).
        rainy_left: Whether the rainy half is on the left.
        crop: Crop size (128 for rain in the paper), or None.
        augment: Horizontal flips (App. B).
        random_crop: Random (training) or centre (testing) crops.
        seed: Base seed.
    """

    def __init__(
        self,
        root: str | Path,
        rainy_left: bool = True,
        crop: int | None = 128,
        augment: bool = True,
        random_crop: bool = True,
        seed: int = 0,
    ) -> None:
        super().__init__(crop=crop, augment=augment, random_crop=random_crop, seed=seed)
        self.root = Path(root)
        self.files = list_images(self.root, recursive=True)
        if not self.files:
            raise FileNotFoundError(f"no side-by-side rain images under {self.root}")
        self.rainy_left = rainy_left

    def __len__(self) -> int:
        return len(self.files)

    def load_pair(self, index: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, str, dict[str, Any]]:
        """Split the side-by-side image into its rainy and clean halves."""
        path = self.files[index]
        image = load_image(path)
        if image.shape[1] % 2:
            raise ValueError(f"{path} is {image.shape[1]} pixels wide; a side-by-side pair needs an even width")
        half = image.shape[1] // 2
        left, right = image[:, :half], image[:, half:]
        rainy, clean = (left, right) if self.rainy_left else (right, left)
        return rainy, clean, "rain", {"file": str(path.relative_to(self.root))}


@DATASETS.register_module()
class JPEGFolder(PairDataset):
    """Clean images (DIV2K, LIVE1) with JPEG artifacts made on the fly by Pillow.

    Args:
        root: Folder of clean images.
        quality_range: Inclusive JPEG quality range; ``(10, 10)`` for the LIVE1 benchmark. The quality of sample
            ``index`` is drawn from ``(seed, epoch, index)``.
        multiple: Crop every image to a multiple of this many pixels first (top-left anchored); 1 disables.
        crop: Crop size (256), or None.
        augment: Horizontal flips (App. B).
        random_crop: Random (training) or centre (testing) crops.
        seed: Base seed.
    """

    def __init__(
        self,
        root: str | Path,
        quality_range: tuple[int, int] = (15, 50),
        multiple: int = 16,
        crop: int | None = 256,
        augment: bool = True,
        random_crop: bool = True,
        seed: int = 0,
    ) -> None:
        super().__init__(crop=crop, augment=augment, random_crop=random_crop, seed=seed)
        self.files = list_images(root)
        if not self.files:
            raise FileNotFoundError(f"no clean images in {root}")
        if not 1 <= quality_range[0] <= quality_range[1] <= 100:
            raise ValueError(f"quality_range {quality_range} must satisfy 1 <= low <= high <= 100")
        self.quality_range = (int(quality_range[0]), int(quality_range[1]))
        self.multiple = int(multiple)

    def __len__(self) -> int:
        return len(self.files)

    def load_pair(self, index: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, str, dict[str, Any]]:
        """Compress the (multiple-cropped) clean image at a drawn quality."""
        clean = load_image(self.files[index])
        height = clean.shape[0] - clean.shape[0] % self.multiple
        width = clean.shape[1] - clean.shape[1] % self.multiple
        clean = np.ascontiguousarray(clean[:height, :width])
        quality = int(rng.integers(self.quality_range[0], self.quality_range[1] + 1))
        return jpeg_roundtrip(clean, quality), clean, "jpeg", {"file": self.files[index].name, "quality": quality}
