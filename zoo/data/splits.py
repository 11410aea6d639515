"""The three disjoint photo splits: training corpus, validation and test, each listed by name here and only here.

- ``train``: the photos of the offline training corpus (:mod:`zoo.training.corpus`: 11 photos from PyPI wheels and,
  optionally, 38 from Debian wallpaper packages) plus procedural dead-leaves images. Training reads them from a
  corpus folder built with ``python -m zoo.training.corpus OUT [--debian UNPACKED]``, or builds the wheel part in
  memory when no folder is given.
- ``validation``: five photos bundled in ``zoo/assets/validation``. Training configs validate on them, and
  checkpoint selection or early stopping may look only at them.
- ``test``: eleven photos bundled in ``zoo/assets/clean`` (the five older test photos, also the ``--sample``
  sources) and ``zoo/assets/test``. Scored once, when weights are exported (model cards) and by the leaderboard.
- ``audit``: eleven more photos bundled in ``zoo/assets/audit`` (OpenCV's other sample photos: an aerial view, a
  baboon, a circuit board, a football match, ...; most of them camera JPEGs), added after every shipped choice was
  made. Nothing was trained, tuned or chosen on them: they check that what the test photos say holds on photos the
  project had never looked at (``zoo bench presets --images audit``, ``python -m zoo.benchmarks.unseen --images
  audit``).

No photo is in two splits, not even as another crop or scale of the same picture: ``tests/data/test_splits.py``
checks names, pixels and local-feature matches between every pair of photos from different splits. Dead-leaves
images draw their disk colours from the pixels of a bundled photo; they carry no other content of it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = [
    "HELD_OUT",
    "SPLITS",
    "TEST_BUNDLED_V1",
    "check_training_folder",
    "load_split",
    "load_train_corpus",
    "split_of",
    "split_paths",
]

_ASSETS = Path(__file__).resolve().parent.parent / "assets"

# The five photos the model cards of the first shipped weights were scored on (zoo/assets/clean).
TEST_BUNDLED_V1: tuple[str, ...] = ("astronaut", "chelsea", "coffee", "grace_hopper", "rocket")


def _train_names() -> tuple[str, ...]:
    from zoo.data.corpus import CORPUS_PHOTOS
    from zoo.data.debian_photos import DEBIAN_PHOTOS
    from zoo.data.gcompris_photos import gcompris_names

    return (
        *(spec.split(":")[1] for spec in CORPUS_PHOTOS),
        *(name for name, _, _ in DEBIAN_PHOTOS),
        *(f"gc_{name}" for name in gcompris_names("train")),
        "dead_leaves",
    )


SPLITS: dict[str, tuple[str, ...]] = {
    "train": _train_names(),
    "validation": ("building", "fruits", "leuven", "orange", "squirrel"),
    "test": (*TEST_BUNDLED_V1, "aloe", "apple", "chicky", "kleiber", "rubberwhale", "stuff"),
    "audit": (
        "aero",
        "baboon",
        "board",
        "books",
        "butterfly",
        "football",
        "graffiti",
        "home",
        "lightbox",
        "notebook",
        "smarties",
    ),
}
# The bundled splits, none of which training may read.
HELD_OUT: tuple[str, ...] = ("validation", "test", "audit")


def split_of(name: str) -> str:
    """The split a photo name belongs to.

    Raises:
        KeyError: The name is in no split.
    """
    for split, names in SPLITS.items():
        if name in names:
            return split
    raise KeyError(f"photo {name!r} is in no split; the splits are listed in zoo.data.splits.SPLITS")


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")


def split_paths(split: str, names: tuple[str, ...] | None = None) -> dict[str, Path]:
    """Files of the bundled photos of ``validation``, ``test`` or ``audit``, by name, in split order.

    Args:
        split: One of :data:`HELD_OUT` (the training corpus is not bundled).
        names: A subset of the split's names (default all).
    """
    _check_split(split)
    if split == "train":
        raise ValueError(
            "the training corpus is not bundled; build it with python -m zoo.training.corpus OUT and pass the folder"
        )
    paths = {}
    for name in names or SPLITS[split]:
        if name not in SPLITS[split]:
            raise ValueError(f"photo {name!r} is not in the {split} split ({', '.join(SPLITS[split])})")
        folder = "clean" if name in TEST_BUNDLED_V1 else split
        paths[name] = _ASSETS / folder / f"{name}.png"
    return paths


def load_split(split: str, names: tuple[str, ...] | None = None) -> list[np.ndarray]:
    """The bundled photos of a :data:`HELD_OUT` split as HxWx3 float32 RGB arrays in [0, 1], in split order."""
    from zoo.data.images import load_image

    return [load_image(path) for path in split_paths(split, names).values()]


def check_training_folder(folder: str | Path, allow_calibration: bool = False) -> None:
    """Refuse a folder of training images that holds a held-out or calibration photo (by file name).

    Held out: the validation, test and audit photos; calibration: the detector's (``zoo.data.gcompris_photos``).

    Args:
        folder: The folder.
        allow_calibration: Accept the calibration photos (for the detector's validation samples, made from them).

    Raises:
        ValueError: Naming the files that belong to another split.
    """
    from zoo.data.gcompris_photos import gcompris_names
    from zoo.data.images import list_images

    held_out = {name for split in HELD_OUT for name in SPLITS[split]}
    if not allow_calibration:
        held_out |= {f"gc_{name}" for name in gcompris_names("calibration")}
    clash = [path.name for path in list_images(folder) if path.stem in held_out]
    if clash:
        raise ValueError(
            f"training folder {folder} holds validation/test/audit or calibration photos ({', '.join(clash)}); remove "
            "them (the splits are listed in zoo.data.splits.SPLITS, the calibration photos in "
            "zoo.data.gcompris_photos)"
        )


def load_train_corpus(folder: str | Path | None = None) -> list[np.ndarray]:
    """The training split as HxWx3 float32 arrays in [0, 1].

    Args:
        folder: A corpus folder written by ``python -m zoo.training.corpus OUT [--debian UNPACKED]``. Without one,
            the wheel photos and dead-leaves images of that corpus are built in memory (needs scikit-image and
            scikit-learn).
    """
    from zoo.data.images import load_folder

    if folder is not None:
        check_training_folder(folder)
        return load_folder(folder)
    from zoo.data.corpus import corpus_images

    return corpus_images()
