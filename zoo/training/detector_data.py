"""Training and validation samples of the factor detector, synthesised from clean photos, and shards of them on disk.

One sample: a clean photo rescaled by a random factor and cropped to a random size, degraded, rounded to 8 bits (as
a user's photo is), then reduced to the detector's views and statistics (``zoo.models.detector.detector_inputs``),
with the labels of ``zoo.data.labels``. The degradation is drawn as follows:

- 70 %: a ``broad`` mixture of 0 to 4 factors in random order;
- 15 %: a ``paper`` mixture of 1 to 4 factors;
- 15 %: only a camera-quality JPEG (quality 70-95, counted as clean).

With ``distractor_share`` > 0, that share of the samples also gets damage outside the four factors (sensor noise,
WebP compression: ``zoo.data.degradations.other_damage``), half of them on a photo without any factor;
their labels stay those of the four factors, so the detector learns that noise is not rain (with
``distractor_kinds=BRIGHT_DISTRACTORS``, that bright, pale tones are not haze; with ``RESAMPLE_DISTRACTORS``, that
an enlarged photo is not hazy: the clean photo is then enlarged before the factors, and its blur label is unknown
(NaN, left out of the loss) unless a blur factor was added on top, since a blur step may help or harm such a photo).
A third of the images without a JPEG factor (or WebP) are then saved as a camera JPEG (quality 75-95), as most photos
are.

Writing shards once (``python -m zoo.training.write_detector_shards OUT --count N``) spends the synthesis cost once;
training then reads them (``DetectorShards``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from zoo.data.degradations.other_damage import DISTRACTOR_KINDS, DISTRACTORS, random_distractor
from zoo.factors import FACTORS
from zoo.registry import DATASETS

__all__ = ["DetectorSamples", "DetectorShards", "detector_sample", "write_shards"]

_SCALE = (0.3, 1.0)
_SIZE = (128, 448)
_MIN_PHOTO = 128


def _random_view(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    import cv2

    scale = rng.uniform(*_SCALE)
    height, width = photo.shape[:2]
    scale = max(scale, _MIN_PHOTO / min(height, width))
    if scale < 1:
        photo = cv2.resize(photo, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    height, width = photo.shape[:2]
    crop_h = min(height, int(rng.integers(_SIZE[0], _SIZE[1] + 1)))
    crop_w = min(width, int(rng.integers(_SIZE[0], _SIZE[1] + 1)))
    top, left = int(rng.integers(height - crop_h + 1)), int(rng.integers(width - crop_w + 1))
    crop = photo[top : top + crop_h, left : left + crop_w]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    return np.ascontiguousarray(crop, dtype=np.float32)


def _camera_jpeg(image: np.ndarray, rng: np.random.Generator, low: int) -> np.ndarray:
    from zoo.data.degradations.broad_jpeg import BroadJPEG

    return BroadJPEG().apply(image, quality=int(rng.integers(low, 96)), subsampling="4:2:0")


def detector_sample(
    photo: np.ndarray,
    seed: int,
    single_share: float = 0.0,
    distractor_share: float = 0.0,
    distractor_kinds: tuple[str, ...] = DISTRACTORS,
) -> tuple[np.ndarray, dict[str, float], dict[str, float], dict]:
    """One degraded 8-bit image of a clean photo with its labels.

    Args:
        photo: Clean HxWx3 float32 photo.
        seed: Seed of every draw.
        single_share: Share of the mixtures (after the camera-JPEG-only images) that get exactly one factor, drawn
            uniformly, instead of the preset's 0 to 4: a factor then has to be seen on its own, not inferred from the
            others it usually comes with.
        distractor_share: Share of the samples that also get a distractor (see the module docstring); 0 draws
            exactly the samples of earlier versions.
        distractor_kinds: The distractors drawn from (``zoo.data.degradations.other_damage``).

    Returns:
        ``(image uint8 HxWx3, present, severity, params)``; ``present`` and ``severity`` map every factor to a
        float (see ``zoo.data.labels.factor_labels``); ``params["clean_strength"]`` holds each applied factor's
        strength (``zoo.data.degradations.strength``), so labels can be redrawn without synthesising again.
    """
    from zoo.data.degradations import degrade
    from zoo.data.degradations.strength import mixture_strength
    from zoo.data.labels import factor_labels

    rng = np.random.default_rng(seed)
    clean = _random_view(photo, rng)
    draw = rng.random()
    distract = distractor_share > 0 and np.random.default_rng((seed, 1)).random() < distractor_share
    if draw < 0.15 and not distract:
        degraded, params = _camera_jpeg(clean, rng, 70), {"factors": [], "camera_jpeg": True}
        preset = "broad"
    else:
        preset = "paper" if draw < 0.3 else "broad"
        factors = "random"
        if distract and np.random.default_rng((seed, 2)).random() < 0.5:
            factors = []
        elif rng.random() < single_share:
            factors = [FACTORS[int(rng.integers(4))]]
        enlarged = None
        if distract and _distractor_kind(seed, distractor_kinds) == "resample":  # the photo itself was enlarged
            clean, enlarged = _distractor(clean, np.random.default_rng((seed, 3)), distractor_kinds)
        degraded, params = degrade(clean, factors, seed=int(rng.integers(2**31)), preset=preset)
        if enlarged is not None:
            params["distractor"] = enlarged
        elif distract:
            degraded, params["distractor"] = _distractor(degraded, np.random.default_rng((seed, 3)), distractor_kinds)
        webp = params.get("distractor", {}).get("kind") == "webp"
        if "jpeg" not in params["factors"] and not webp and rng.random() < 1 / 3:
            degraded = _camera_jpeg(np.clip(degraded, 0, 1), rng, 75)
            params["camera_jpeg"] = True
    present, severity = factor_labels(params, clean, preset=preset)
    if params.get("distractor", {}).get("kind") == "resample" and "blur" not in params["factors"]:
        present, severity = present | {"blur": float("nan")}, severity | {"blur": float("nan")}  # unknown: see above
    image = (np.clip(degraded, 0, 1) * 255).round().astype(np.uint8)
    return image, present, severity, params | {"clean_strength": mixture_strength(params, clean)}


def _distractor_kind(seed: int, kinds: tuple[str, ...]) -> str:
    """The kind :func:`_distractor` will draw for this sample (its first draw), without drawing its settings."""
    return kinds[int(np.random.default_rng((seed, 3)).integers(len(kinds)))] if kinds else ""


def _distractor(image: np.ndarray, rng: np.random.Generator, kinds: tuple[str, ...]) -> tuple[np.ndarray, dict]:
    return random_distractor(np.clip(image, 0, 1).astype(np.float32), rng, kinds)


def _as_example(image: np.ndarray, present: dict, severity: dict, strength: dict, crop_policy: str) -> dict:
    from zoo.models.detector import DETECTOR_FACTORS, detector_inputs

    x = torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255
    views, stats = detector_inputs(x, crop_policy)
    return {
        "views": (views[0] * 255).round().to(torch.uint8),
        "stats": stats[0],
        "present": torch.tensor([present[f] for f in DETECTOR_FACTORS]),
        "severity": torch.tensor([severity[f] for f in DETECTOR_FACTORS]),
        "strength": torch.tensor([strength.get(f, float("nan")) for f in DETECTOR_FACTORS]),
    }


@DATASETS.register_module()
class DetectorSamples(Dataset):
    """Detector samples synthesised on the fly; sample ``i`` is always the same.

    Args:
        source: Clean photos: ``"train"``, ``"validation"``, ``"dead_leaves"`` or a folder of training photos
            (``zoo.training.data.load_clean_images``) or of the detector's calibration photos
            (``zoo.data.gcompris_photos``); test photos are refused.
        length: Number of samples.
        seed: Base seed.
        crop_policy: The detector's crop policy (``zoo.models.detector.CROP_POLICIES``).
        single_share: See :func:`detector_sample`.
        distractor_share: See :func:`detector_sample`.
        distractor_kinds: See :func:`detector_sample`.
    """

    def __init__(
        self,
        source: str = "train",
        length: int = 1000,
        seed: int = 0,
        crop_policy: str = "textured",
        single_share: float = 0.0,
        distractor_share: float = 0.0,
        distractor_kinds: tuple[str, ...] = DISTRACTORS,
    ) -> None:
        from zoo.data.splits import check_training_folder
        from zoo.training.data import TRAINING_SOURCES, load_clean_images

        if source in ("test", "samples"):
            raise ValueError("the detector is not trained or validated on test photos; use train or validation")
        if source not in (*TRAINING_SOURCES, "validation"):
            check_training_folder(source, allow_calibration=True)  # the calibration photos make validation samples
        self.photos = [p for p in load_clean_images(source, _MIN_PHOTO) if min(p.shape[:2]) >= _MIN_PHOTO]
        self.length, self.seed, self.crop_policy = int(length), int(seed), crop_policy
        self.single_share, self.distractor_share = float(single_share), float(distractor_share)
        self.distractor_kinds = tuple(distractor_kinds)
        self.metainfo = {"source": source}

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> dict[str, Any]:
        rng = np.random.default_rng((self.seed, index))
        photo = self.photos[int(rng.integers(len(self.photos)))]
        image, present, severity, params = detector_sample(
            photo, int(rng.integers(2**31)), self.single_share, self.distractor_share, self.distractor_kinds
        )
        example = _as_example(image, present, severity, params["clean_strength"], self.crop_policy)
        return {"inputs": example.pop("views"), "data_samples": example}


@DATASETS.register_module()
class DetectorShards(Dataset):
    """Detector samples read from the ``.npz`` shards written by :func:`write_shards`.

    Args:
        folder: The shard folder.
        repeat_few_factors: How many times samples with at most one factor appear (2: twice). In a uniform mixture of
            0 to 4 factors a factor seldom appears alone, and a detector can then score well by counting factors
            instead of seeing each one; repeating those samples makes each factor be seen on its own.
    """

    def __init__(self, folder: str, repeat_few_factors: int = 1) -> None:
        paths = sorted(Path(folder).glob("shard_*.npz"))
        if not paths:
            raise FileNotFoundError(
                f"no detector shards (shard_*.npz) in {folder}; write them with "
                "python -m zoo.training.write_detector_shards"
            )
        if repeat_few_factors < 1:
            raise ValueError(f"repeat_few_factors must be at least 1, got {repeat_few_factors}")
        parts = [np.load(path) for path in paths]
        self.arrays = {key: np.concatenate([part[key] for part in parts]) for key in parts[0].files}
        few = np.nansum(self.arrays["present"], axis=1) <= 1  # NaN: an unknown label
        self.index = np.concatenate([np.arange(len(few))] + [np.flatnonzero(few)] * (repeat_few_factors - 1))
        self.metainfo = {"folder": str(folder)}

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, index: int) -> dict[str, Any]:
        row = int(self.index[index])
        sample = {key: torch.from_numpy(np.asarray(values[row])) for key, values in self.arrays.items()}
        return {"inputs": sample.pop("views"), "data_samples": sample}


def write_shards(
    out: str | Path,
    source: str,
    count: int,
    seed: int,
    shard_size: int = 500,
    start: int = 0,
    crop_policy: str = "textured",
    single_share: float = 0.0,
    distractor_share: float = 0.0,
    distractor_kinds: tuple[str, ...] = DISTRACTORS,
) -> None:
    """Write samples ``start .. count - 1`` of ``DetectorSamples(source, count, seed, crop_policy)`` as shards.

    Existing shards are kept, so an interrupted run continues where it stopped.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    dataset = DetectorSamples(source, count, seed, crop_policy, single_share, distractor_share, distractor_kinds)
    for first in range(start, count, shard_size):
        path = out / f"shard_{first // shard_size:05d}.npz"
        if path.is_file():
            continue
        items = [dataset[i] for i in range(first, min(first + shard_size, count))]
        arrays = {"views": np.stack([item["inputs"].numpy() for item in items])}
        for key in ("stats", "present", "severity", "strength"):
            arrays[key] = np.stack([item["data_samples"][key].numpy() for item in items])
        partial = path.with_suffix(".part.npz")
        np.savez(partial, **arrays)
        partial.replace(path)
        print(f"wrote {path} ({len(items)} samples)", flush=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m zoo.training.write_detector_shards OUT --source train --count N [--seed S]``."""
    parser = argparse.ArgumentParser(
        prog="python -m zoo.training.write_detector_shards", description=__doc__.splitlines()[0]
    )
    parser.add_argument("out", help="folder for the shards")
    parser.add_argument("--source", default="train", help="clean photos: train, validation, dead_leaves or a folder")
    parser.add_argument("--count", type=int, required=True, help="number of samples")
    parser.add_argument("--seed", type=int, default=0, help="base seed")
    parser.add_argument("--shard-size", type=int, default=500, help="samples per shard file")
    parser.add_argument("--start", type=int, default=0, help="first sample (split the work between processes)")
    parser.add_argument("--crop-policy", default="textured", help="the detector's crop policy: textured or mixed")
    parser.add_argument("--single-share", type=float, default=0.0, help="share of single-factor mixtures")
    parser.add_argument("--distractor-share", type=float, default=0.0, help="share with a distractor on top")
    parser.add_argument(
        "--distractor-kinds",
        nargs="+",
        default=list(DISTRACTORS),
        choices=DISTRACTOR_KINDS,
        help="distractors drawn from (default: noise webp)",
    )
    args = parser.parse_args(argv)
    write_shards(
        args.out,
        args.source,
        args.count,
        args.seed,
        args.shard_size,
        args.start,
        args.crop_policy,
        args.single_share,
        args.distractor_share,
        tuple(args.distractor_kinds),
    )
    return 0
