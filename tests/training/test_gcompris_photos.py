import hashlib
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zoo.data import splits
from zoo.data.corpus import main
from zoo.data.debian_photos import DEBIAN_PHOTOS
from zoo.data.gcompris_photos import GCOMPRIS_PHOTOS, add_gcompris_photos, gcompris_names, webp_entries


def _webp(size: tuple[int, int], seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="WEBP", quality=90)
    return buffer.getvalue()


def _resource_file(root: Path, name: str, entries: list[bytes]) -> Path:
    """A stand-in for a Qt resource file: a header, then entries each after a 4-byte size, with junk between."""
    path = root / "usr/share/gcompris-qt/rcc" / f"{name}.rcc"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = b"qres\x00\x00\x00\x03" + b"RIFF\x10\x00\x00\x00WEBPnot an image"
    for entry in entries:
        body += len(entry).to_bytes(4, "big") + entry + b"\x00" * 7
    path.write_bytes(body)
    return path


def _pin(name: str, role: str, data: bytes) -> tuple[str, str, str]:
    return name, role, hashlib.sha256(data).hexdigest()


def test_pinned_list_is_well_formed_and_has_no_name_of_another_split() -> None:
    names = [name for name, _, _ in GCOMPRIS_PHOTOS]
    assert len(names) == len(set(names)) == 117
    assert all(re.fullmatch(r"[0-9a-f]{64}", sha) for _, _, sha in GCOMPRIS_PHOTOS)
    assert len(gcompris_names("train")) == 88 and len(gcompris_names("calibration")) == 29
    assert not set(gcompris_names("train")) & set(gcompris_names("calibration"))
    assert {f"gc_{name}" for name in gcompris_names("train")} <= set(splits.SPLITS["train"])
    held_out = {name for split in splits.HELD_OUT for name in splits.SPLITS[split]}
    assert not {f"gc_{name}" for name in names} & (held_out | {name for name, _, _ in DEBIAN_PHOTOS})
    with pytest.raises(ValueError, match="role 'test'"):
        gcompris_names("test")


def test_webp_entries_are_found_in_file_order_and_false_headers_skipped() -> None:
    first, second = _webp((40, 30), 0), _webp((20, 50), 1)
    blob = b"qres" + b"RIFF\x08\x00\x00\x00WEBPjunk" + first + b"\x01\x02" + second + b"RIFF"
    assert webp_entries(blob) == [first, second]


def test_photos_are_found_by_hash_checked_and_downscaled(tmp_path: Path) -> None:
    small, large, other = _webp((300, 130), 0), _webp((250, 250), 1), _webp((64, 64), 2)
    _resource_file(tmp_path / "gc", "animals", [small, other])
    _resource_file(tmp_path / "gc", "monuments", [large])
    photos = (
        _pin("animals_1", "train", small),
        _pin("monuments_1", "train", large),
        _pin("animals_2", "calibration", other),
    )
    written = add_gcompris_photos(tmp_path / "gc", tmp_path / "out", "train", short_side=60, photos=photos)
    assert [path.name for path in written] == ["gc_animals_1.png", "gc_monuments_1.png"]
    assert [Image.open(path).size for path in written] == [(150, 65), (63, 63)]  # factors 2 and 250 // 60 = 4
    calibration = add_gcompris_photos(tmp_path / "gc", tmp_path / "cal", "calibration", photos=photos)
    assert [path.name for path in calibration] == ["gc_animals_2.png"]


def test_another_package_version_and_a_missing_package_are_refused(tmp_path: Path) -> None:
    _resource_file(tmp_path / "gc", "animals", [_webp((64, 64), 3)])
    with pytest.raises(ValueError, match="1 pinned photos .* another version"):
        add_gcompris_photos(tmp_path / "gc", tmp_path / "out", "train", photos=(("animals_1", "train", "0" * 64),))
    assert not (tmp_path / "out").exists()
    with pytest.raises(FileNotFoundError, match="apt-get download gcompris-qt-data"):
        main([str(tmp_path / "corpus"), "--gcompris", str(tmp_path / "nothing")])


def test_calibration_photos_are_refused_as_training_photos(tmp_path: Path) -> None:
    name = gcompris_names("calibration")[0]
    Image.new("RGB", (8, 8)).save(tmp_path / f"gc_{name}.png")
    with pytest.raises(ValueError, match="calibration photos"):
        splits.check_training_folder(tmp_path)
    splits.check_training_folder(tmp_path, allow_calibration=True)  # the detector's validation samples
    (tmp_path / f"gc_{name}.png").rename(tmp_path / f"gc_{gcompris_names('train')[0]}.png")
    splits.check_training_folder(tmp_path)
