import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from skimage import data

from zoo.data import images
from zoo.data.degradations import degrade


def test_bundled_samples_load_and_match_their_sources() -> None:
    assert images.sample_names() == ["astronaut", "chelsea", "coffee", "grace_hopper", "rocket"]
    astronaut = images.load_sample("astronaut")
    assert astronaut.shape == (512, 512, 3) and astronaut.dtype == np.float32
    assert np.array_equal(np.rint(astronaut * 255).astype(np.uint8), data.astronaut())
    for name in images.sample_names():
        img = images.load_sample(name)
        assert max(img.shape[:2]) <= 512 and 0 <= img.min() and img.max() <= 1
    with pytest.raises(ValueError, match="unknown sample image 'lena'"):
        images.load_sample("lena")


def test_assets_stay_small_and_are_licensed() -> None:
    from zoo.data.splits import HELD_OUT, split_paths

    total = sum(p.stat().st_size for p in images.ASSETS_DIR.rglob("*") if p.is_file())
    assert total < 9e6  # samples, their degraded versions, and the validation, test and audit photos
    licences = (images.ASSETS_DIR / "LICENSES.md").read_text()
    for name in images.sample_names():
        assert f"clean/{name}.png" in licences
    for split in HELD_OUT:
        for path in split_paths(split).values():
            assert f"{path.parent.name}/{path.name}" in licences, path


def test_bundled_degraded_samples_are_reproducible(tmp_path: Path) -> None:
    shipped = sorted(p.name for p in (images.ASSETS_DIR / "degraded").glob("*.png") if "_clean" not in p.name)
    assert {n.rsplit("_", 1)[1][:-4] for n in shipped} == {"rain", "blur", "jpeg", "haze", "mixed"}
    record = images.make_bundled_samples(tmp_path)
    assert sorted(record) == shipped
    for name in shipped:
        remade = images.load_image(tmp_path / name)
        assert np.array_equal(remade, images.load_image(images.ASSETS_DIR / "degraded" / name)), name
    mixed = record["grace_hopper_mixed.png"]
    assert mixed["factors"] == ["haze", "rain", "blur", "jpeg"]
    clean = images.load_image(tmp_path / mixed["clean"])
    again, _ = degrade(clean, mixed["factors"], seed=mixed["seed"])
    assert np.abs(np.rint(again * 255) / 255 - images.load_image(tmp_path / "grace_hopper_mixed.png")).max() < 1e-6


def test_dead_leaves_is_seeded_and_textured() -> None:
    a = images.dead_leaves(64, seed=1)
    assert a.shape == (64, 64, 3) and a.dtype == np.float32
    assert np.array_equal(a, images.dead_leaves(64, seed=1))
    assert not np.array_equal(a, images.dead_leaves(64, seed=2))
    assert a.std() > 0.03 and len(np.unique(a.reshape(-1, 3), axis=0)) > 50
    assert images.dead_leaves((32, 48), seed=0).shape == (32, 48, 3)


def test_load_folder_reads_the_users_images(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    images.save_image(rng.random((8, 10, 3)), tmp_path / "b.png")
    images.save_image(rng.random((6, 6, 3)), tmp_path / "a.jpg")
    (tmp_path / "notes.txt").write_text("not an image")
    loaded = images.load_folder(tmp_path)
    assert [img.shape for img in loaded] == [(6, 6, 3), (8, 10, 3)]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        images.load_folder(tmp_path / "missing")


def test_import_zoo_data_stays_light() -> None:
    code = "import sys, zoo.data; print('cv2' in sys.modules, 'scipy' in sys.modules, 'skimage' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]
