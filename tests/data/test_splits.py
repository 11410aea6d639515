import hashlib
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from zoo.data import splits
from zoo.data.images import load_folder, sample_names
from zoo.data.near_duplicates import MIN_CORRELATION, correlation, find_near_duplicates, thumbnails
from zoo.training.data import TaskDatasets, ValidationPairs, load_clean_images


@pytest.fixture(scope="module")
def held_out() -> dict[str, dict[str, np.ndarray]]:
    return {split: dict(zip(splits.SPLITS[split], splits.load_split(split))) for split in splits.HELD_OUT}


@pytest.fixture(scope="module")
def train_photos() -> dict[str, np.ndarray]:
    """The training split as far as this machine has it: the wheel photos always, a corpus folder via ZOO_CORPUS."""
    pytest.importorskip("skimage")
    pytest.importorskip("sklearn")
    from zoo.data.corpus import CORPUS_PHOTOS, corpus_images

    names = [spec.split(":")[1] for spec in CORPUS_PHOTOS]
    photos = dict(zip(names, corpus_images(dead_leaves=0)))
    if folder := os.environ.get("ZOO_CORPUS"):
        photos |= {f"corpus:{i}": image for i, image in enumerate(load_folder(folder))}
    return photos


def test_names_are_in_exactly_one_split_and_bundled_files_exist() -> None:
    seen: dict[str, str] = {}
    for split, names in splits.SPLITS.items():
        assert len(names) == len(set(names)), split
        for name in names:
            assert name not in seen, f"{name} is in {seen.get(name)} and {split}"
            seen[name] = split
    assert set(splits.HELD_OUT) == set(splits.SPLITS) - {"train"}
    for split in splits.HELD_OUT:
        for path in splits.split_paths(split).values():
            assert path.is_file(), path
    assert set(sample_names()) == set(splits.TEST_BUNDLED_V1) <= set(splits.SPLITS["test"])
    assert splits.split_of("kleiber") == "test" and splits.split_of("orange") == "validation"
    assert splits.split_of("baboon") == "audit"
    with pytest.raises(KeyError, match="in no split"):
        splits.split_of("lena")


def test_no_two_files_of_different_splits_hold_the_same_pixels(held_out: dict, train_photos: dict) -> None:
    digest = lambda image: hashlib.sha256(np.ascontiguousarray(image).tobytes()).hexdigest()  # noqa: E731
    owners: dict[str, str] = {}
    for split, photos in (("train", train_photos), *held_out.items()):
        for name, image in photos.items():
            key = digest(image)
            assert owners.get(key, split) == split, f"{name} ({split}) has the pixels of a {owners[key]} photo"
            owners[key] = split


def test_the_matcher_finds_a_photo_as_another_crop_and_scale(held_out: dict) -> None:
    for name, image in list(held_out["test"].items())[::2] + list(held_out["validation"].items())[:2]:
        height, width = image.shape[:2]
        crop = image[height // 5 : height * 4 // 5, width // 6 : width * 5 // 6]
        for scale in (0.5, 1.4):
            resized = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            assert correlation(thumbnails(resized), thumbnails(image)) >= MIN_CORRELATION, (name, scale)


def test_no_photo_of_one_split_is_a_crop_or_rescale_of_another_splits_photo(held_out: dict, train_photos: dict) -> None:
    held = held_out["validation"] | held_out["test"] | held_out["audit"]
    assert find_near_duplicates(held, train_photos) == []
    for first, second in (("validation", "test"), ("validation", "audit"), ("test", "audit")):
        assert find_near_duplicates(held_out[first], held_out[second]) == [], (first, second)


def test_the_detectors_calibration_photos_are_none_of_the_others(held_out: dict, train_photos: dict) -> None:
    """Only where a folder of them is given (ZOO_CALIBRATION: python -m zoo.training.corpus --calibration-out)."""
    folder = os.environ.get("ZOO_CALIBRATION")
    if not folder:
        pytest.skip("set ZOO_CALIBRATION to the detector's calibration photos to check them")
    from zoo.data.gcompris_photos import gcompris_names
    from zoo.data.images import list_images

    paths = list_images(folder)
    assert sorted(path.stem for path in paths) == sorted(f"gc_{n}" for n in gcompris_names("calibration"))
    calibration = {path.stem: image for path, image in zip(paths, load_folder(folder), strict=True)}
    others = held_out["validation"] | held_out["test"] | held_out["audit"]
    if corpus := os.environ.get("ZOO_CORPUS"):  # the whole training corpus, by name (to tell the known false match)
        others |= {path.stem: image for path, image in zip(list_images(corpus), load_folder(corpus), strict=True)}
    else:
        others |= train_photos
    # Looked at: a white duck on dark water and a toy bird under lamps (Debian's "free"), correlation 0.904 through
    # the dark, smooth parts.
    different = {("gc_explore_farm_animals_001", "free")}
    found = [pair for pair in find_near_duplicates(calibration, others) if pair[:2] not in different]
    assert found == []


def test_training_refuses_held_out_photos(tmp_path: Path) -> None:
    for source in ("samples", "test", "validation", "audit"):
        with pytest.raises(ValueError, match="validation, test or audit photos"):
            TaskDatasets(["blur"], source=source, crop=32, length=4)
    image = (splits.load_split("test", ("apple",))[0] * 255).astype(np.uint8)
    cv2.imwrite(str(tmp_path / "apple.png"), image[..., ::-1])
    with pytest.raises(ValueError, match=r"holds validation/test/audit or calibration photos \(apple.png\)"):
        TaskDatasets(["blur"], source=str(tmp_path), crop=32, length=4)


def test_validation_defaults_to_the_validation_split() -> None:
    pairs = ValidationPairs(factors=["blur"], crop=64, count=2)
    firsts = load_clean_images("validation", 64)[:2]
    for index, image in enumerate(firsts):
        top, left = (image.shape[0] - 64) // 2, (image.shape[1] - 64) // 2
        clean = pairs[index]["data_samples"]["gt"].permute(1, 2, 0).numpy()
        np.testing.assert_array_equal(clean, image[top : top + 64, left : left + 64])


def test_dead_leaves_are_drawn_once_and_cannot_be_changed_by_a_dataset() -> None:
    from zoo.data.images import dead_leaves

    first, again = (
        load_clean_images("dead_leaves", 64, count=3, seed=5),
        load_clean_images("dead_leaves", 64, count=3, seed=5),
    )
    assert all(a is b for a, b in zip(first, again, strict=True))  # the same arrays: drawn once
    np.testing.assert_array_equal(first[1], dead_leaves(256, seed=6))  # image i is dead_leaves(seed + i)
    with pytest.raises(ValueError, match="read-only"):
        first[0][0, 0] = 0.5


def test_shipped_configs_train_on_the_training_split_and_validate_on_the_validation_split() -> None:
    from zoo.training import list_configs, load_config

    for name in list_configs():
        cfg = load_config(name)
        train_source = cfg.train_dataloader.dataset.source
        assert train_source == ("dead_leaves" if name.endswith("_tiny") else "train"), name
        assert cfg.val_dataloader.dataset.source == "validation", name
