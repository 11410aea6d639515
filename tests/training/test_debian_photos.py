import hashlib
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zoo.data.corpus import CORPUS_PHOTOS, main
from zoo.data.debian_photos import DEBIAN_PHOTOS, add_debian_photos
from zoo.data.images import sample_names


def _photo(root: Path, rel: str, size: tuple[int, int], seed: int) -> tuple[str, str, str]:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path)
    return path.stem, rel, hashlib.sha256(path.read_bytes()).hexdigest()


def test_pinned_list_is_well_formed_and_disjoint_from_test_and_wheel_photos() -> None:
    names = [name for name, _, _ in DEBIAN_PHOTOS]
    assert len(names) == len(set(names)) == 38
    assert all(re.fullmatch(r"[0-9a-f]{64}", sha) for _, _, sha in DEBIAN_PHOTOS)
    assert not set(names) & (set(sample_names()) | {spec.split(":")[1] for spec in CORPUS_PHOTOS})


def test_photos_are_checked_and_downscaled_by_an_integer_factor(tmp_path: Path) -> None:
    photos = (
        _photo(tmp_path / "deb", "a/wide.png", (300, 130), 0),
        _photo(tmp_path / "deb", "b/big.png", (250, 250), 1),
    )
    written = add_debian_photos(tmp_path / "deb", tmp_path / "out", short_side=60, photos=photos)
    sizes = [Image.open(path).size for path in written]
    assert [path.name for path in written] == ["wide.png", "big.png"]
    assert sizes == [(150, 65), (63, 63)]  # factors max(2, 130 // 60) = 2 and 250 // 60 = 4; reduce rounds up


def test_another_package_version_is_refused(tmp_path: Path) -> None:
    name, rel, _ = _photo(tmp_path, "x/photo.png", (64, 64), 2)
    with pytest.raises(ValueError, match="not the pinned"):
        add_debian_photos(tmp_path, tmp_path / "out", photos=((name, rel, "0" * 64),))
    assert not (tmp_path / "out" / "photo.png").exists()


def test_missing_packages_name_the_command_that_fetches_them(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(FileNotFoundError, match="38 of 38 photos are missing.*apt-get download mate-backgrounds"):
        main([str(tmp_path / "corpus"), "--debian", str(tmp_path / "nothing")])
