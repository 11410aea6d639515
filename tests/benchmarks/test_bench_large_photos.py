"""The large-photos study: rain and JPEG detection on the whole image against the default's tiles."""

import json
from pathlib import Path

import cv2
import numpy as np

from zoo.benchmarks.large_photos import main
from zoo.data.splits import load_split


def test_large_photos_are_scored_whole_and_tiled(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("apple", "kleiber"):
        photo = load_split("test", (name,))[0]
        scale = 1300 / max(photo.shape[:2])
        large = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(photos / f"{name}.png"), np.round(np.clip(large, 0, 1) * 255).astype(np.uint8)[..., ::-1])
    assert main([str(photos), "--side", "1400", "--seeds", "1", "--out", str(tmp_path)]) == 0
    record = json.loads((tmp_path / "large_photos.json").read_text())
    assert len(record["sizes"]) == 2 and all(max(size) > 1024 for size in record["sizes"])
    cases = record["cases"]
    assert set(cases) == {"paper rain", "broad rain", "paper jpeg", "broad jpeg", "clean"}
    assert cases["clean"]["images"] == 4 and cases["paper rain"]["images"] == 2
    for case, row in cases.items():
        for how in ("whole", "default"):
            assert all(v is None or 0.0 <= v <= 1.0 for v in row[how].values()), (case, how)
    text = (tmp_path / "large_photos.md").read_text()
    assert "| paper rain | 2 (" in text and "Clean photos and their camera JPEGs (quality 85), 4 images" in text
