import json
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.utils.data import default_collate

from zoo.data.datasets import (
    TABLE4_SUBSETS,
    DIDMDNPairs,
    FixedTestSet,
    GoProPairs,
    JPEGFolder,
    RESIDEPairs,
    SyntheticPairs,
    augment,
    pyramid,
    table4_test_sets,
    task_crop,
)
from zoo.data.degradations import jpeg_roundtrip
from zoo.data.images import dead_leaves, save_image
from zoo.registry import DATASETS


@pytest.fixture(scope="module")
def clean_images() -> list[np.ndarray]:
    return [dead_leaves(48, seed=i, palette=np.random.default_rng(i).random((64, 3))) for i in range(3)]


def test_synthetic_pairs_single_fixed_and_random(clean_images) -> None:
    single = SyntheticPairs(clean_images, ["rain"], crop=32, seed=0, length=5)
    sample = single[1]
    assert sample["inputs"].shape == sample["data_samples"]["gt"].shape == (3, 32, 32)
    assert sample["data_samples"]["factor"] == "rain"
    assert json.loads(sample["data_samples"]["params"])["factors"] == ["rain"]
    assert torch.equal(single[1]["inputs"], sample["inputs"])  # reproducible per index
    mixture = SyntheticPairs(clean_images, ["jpeg", "haze"], crop=32, length=3)
    assert {mixture[i]["data_samples"]["factor"] for i in range(3)} == {"haze+jpeg"}
    random = SyntheticPairs(clean_images, "random", crop=32, length=24)
    factors = {random[i]["data_samples"]["factor"] for i in range(24)}
    assert len(factors) > 3
    pure = SyntheticPairs(clean_images, "pure", crop=32, length=24)
    assert {pure[i]["data_samples"]["factor"] for i in range(24)} == {"haze", "rain", "blur", "jpeg"}
    batch = default_collate([random[i] for i in range(4)])
    assert batch["inputs"].shape == (4, 3, 32, 32) and len(batch["data_samples"]["params"]) == 4


def test_task_crops_and_registry() -> None:
    assert task_crop(["rain"]) == 128 and task_crop(["blur"]) == 256 and task_crop(["rain", "jpeg"]) == 256
    ds = DATASETS.build(dict(type="SyntheticPairs", images="samples", factors=["rain"], length=1))
    assert ds[0]["inputs"].shape == (3, 128, 128)


def test_augment_flips_and_haze_rotations() -> None:
    img = np.arange(2 * 3 * 1, dtype=np.float32).reshape(2, 3, 1)
    seen_blur = {augment([img], ["blur"], np.random.default_rng(s))[0].tobytes() for s in range(40)}
    assert len(seen_blur) == 2  # identity or horizontal flip only
    seen_haze = {augment([img], ["haze"], np.random.default_rng(s))[0].shape for s in range(40)}
    assert seen_haze == {(2, 3, 1), (3, 2, 1)}  # rotations by 90 degrees change the shape
    a, b = augment([img, img + 100], ["haze"], np.random.default_rng(3))
    assert np.array_equal(a + 100, b)


def test_pyramid_levels() -> None:
    x = torch.rand(2, 3, 64, 48)
    coarse, mid, fine = pyramid(x)
    assert coarse.shape == (2, 3, 16, 12) and mid.shape == (2, 3, 32, 24) and fine is x
    flat = torch.full((3, 32, 32), 0.4)
    assert torch.allclose(pyramid(flat)[0], torch.full((3, 8, 8), 0.4), atol=1e-6)
    arrays = pyramid(np.full((32, 32, 3), 0.25, np.float32))
    assert [a.shape for a in arrays] == [(8, 8, 3), (16, 16, 3), (32, 32, 3)]
    assert np.allclose(arrays[0], 0.25, atol=1e-6)


def test_fixed_test_set_is_written_once_and_reused(tmp_path: Path, clean_images) -> None:
    first = FixedTestSet(tmp_path / "set", clean_images, ["blur", "jpeg"], seed=3, crop=32)
    assert len(first) == 3 and (tmp_path / "set" / "degraded" / "00000.png").is_file()
    stamp = (tmp_path / "set" / "manifest.json").stat().st_mtime_ns
    again = FixedTestSet(tmp_path / "set", [], ["blur", "jpeg"], seed=3, crop=32)  # no images needed to reuse
    assert (tmp_path / "set" / "manifest.json").stat().st_mtime_ns == stamp
    assert torch.equal(first[2]["inputs"], again[2]["inputs"])
    fresh = SyntheticPairs(clean_images, ["blur", "jpeg"], crop=32, seed=3, augment=False, random_crop=False)
    assert torch.allclose(again[2]["inputs"], fresh[2]["inputs"], atol=0.5 / 255 + 1e-6)  # PNG quantisation only
    with pytest.raises(ValueError, match="different|not"):
        FixedTestSet(tmp_path / "set", clean_images, ["blur"], seed=3, crop=32)


def test_table4_has_sixteen_subsets(tmp_path: Path, clean_images) -> None:
    assert len(TABLE4_SUBSETS) == 16
    assert sum(isinstance(f, list) and len(f) == 2 for f in TABLE4_SUBSETS.values()) == 6
    sets = table4_test_sets(tmp_path, clean_images[:1], crop=32, subsets=["haze+rain", "random"])
    assert sets["haze+rain"][0]["data_samples"]["factor"] == "haze+rain"
    with pytest.raises(ValueError, match="unknown Table 4 subset"):
        table4_test_sets(tmp_path, clean_images, subsets=["fog"])


def write(path: Path, image: np.ndarray) -> None:
    save_image(image, path)


def test_gopro_adapter(tmp_path: Path, clean_images) -> None:
    for scene in ("GOPR0372_07_00", "GOPR0374_11_00"):
        write(tmp_path / scene / "sharp" / "000047.png", clean_images[0])
        write(tmp_path / scene / "blur" / "000047.png", clean_images[1])
    ds = GoProPairs(tmp_path, crop=32, augment=False, random_crop=False)
    assert len(ds) == 2
    sample = ds[0]
    assert sample["data_samples"]["factor"] == "blur"
    assert json.loads(sample["data_samples"]["params"])["scene"] == "GOPR0372_07_00"
    assert torch.allclose(
        sample["data_samples"]["gt"], torch.from_numpy(clean_images[0][8:40, 8:40]).permute(2, 0, 1), atol=1 / 255
    )
    (tmp_path / "GOPR0374_11_00" / "sharp" / "000047.png").unlink()
    with pytest.raises(FileNotFoundError, match="no sharp counterpart"):
        GoProPairs(tmp_path)


@pytest.mark.parametrize(
    "hazy_names, clean_dir, clean_names",
    [
        (["1_1_0.90179.png", "1_2_0.97842.png", "2_1_0.8.png"], "clear", ["1.png", "2.png"]),  # ITS
        (["0001_0.8_0.2.jpg", "0001_1_0.08.jpg"], "clear", ["0001.jpg"]),  # OTS
        (["1400_1.png", "1400_10.png"], "gt", ["1400.png"]),  # SOTS indoor
    ],
)
def test_reside_adapter(tmp_path: Path, clean_images, hazy_names, clean_dir, clean_names) -> None:
    for i, name in enumerate(clean_names):
        write(tmp_path / clean_dir / name, clean_images[i])
    for name in hazy_names:
        write(tmp_path / "hazy" / name, clean_images[2])
    ds = RESIDEPairs(tmp_path, crop=None, augment=False)
    assert len(ds) == len(hazy_names)
    params = [json.loads(ds[i]["data_samples"]["params"]) for i in range(len(ds))]
    assert all(ds[i]["data_samples"]["factor"] == "haze" for i in range(len(ds)))
    first_id = params[0]["id"]
    expected_gt = clean_images[[n.split(".")[0] for n in clean_names].index(first_id)]
    gt = ds[0]["data_samples"]["gt"]
    error = (gt - torch.from_numpy(expected_gt).permute(2, 0, 1)).abs().mean()
    assert error < (gt - torch.from_numpy(clean_images[2]).permute(2, 0, 1)).abs().mean() / 2  # JPEG files: lossy
    if hazy_names[0] == "0001_0.8_0.2.jpg":
        assert params[0]["airlight"] == 0.8 and params[0]["beta"] == 0.2


def test_didmdn_adapter_splits_side_by_side(tmp_path: Path, clean_images) -> None:
    rainy, clean = clean_images[0], clean_images[1]
    write(tmp_path / "Rain_Heavy" / "train2018new" / "1.jpg", np.concatenate([rainy, clean], axis=1))
    write(tmp_path / "Rain_Light" / "train2018new" / "1.png", np.concatenate([rainy, clean], axis=1))
    ds = DIDMDNPairs(tmp_path, crop=32, augment=False, random_crop=False)
    assert len(ds) == 2
    sample = ds[1]  # the PNG: exact
    assert sample["data_samples"]["factor"] == "rain"
    assert torch.allclose(sample["inputs"], torch.from_numpy(rainy[8:40, 8:40]).permute(2, 0, 1), atol=0.5 / 255)
    assert torch.allclose(
        sample["data_samples"]["gt"], torch.from_numpy(clean[8:40, 8:40]).permute(2, 0, 1), atol=0.5 / 255
    )


def test_jpeg_folder_makes_artifacts_on_the_fly(tmp_path: Path) -> None:
    image = dead_leaves((40, 37), seed=4)
    write(tmp_path / "refimgs" / "bikes.bmp", image)
    ds = JPEGFolder(tmp_path / "refimgs", quality_range=(10, 10), multiple=16, crop=None, augment=False)
    sample = ds[0]
    assert sample["inputs"].shape == (3, 32, 32)
    params = json.loads(sample["data_samples"]["params"])
    assert params == {"file": "bikes.bmp", "quality": 10}
    clean = np.rint(image[:32, :32] * 255) / 255
    expected = jpeg_roundtrip(clean.astype(np.float32), 10)
    assert torch.allclose(sample["inputs"], torch.from_numpy(expected).permute(2, 0, 1), atol=1e-6)
