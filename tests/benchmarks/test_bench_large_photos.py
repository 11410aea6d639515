"""The large-photos study: rain and JPEG detection on the whole image against the default's tiles."""

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from zoo.benchmarks.large_photos import main
from zoo.data.splits import load_split


@pytest.mark.slow  # about 40 s on 2 cores: blur synthesis, labels and blur steps on 1100-pixel images
def test_large_photos_are_scored_whole_and_tiled(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("apple", "kleiber"):
        photo = load_split("test", (name,))[0]
        scale = 1100 / max(photo.shape[:2])
        large = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(photos / f"{name}.png"), np.round(np.clip(large, 0, 1) * 255).astype(np.uint8)[..., ::-1])
    assert main([str(photos), "--side", "1100", "--seeds", "1", "--out", str(tmp_path)]) == 0
    record = json.loads((tmp_path / "large_photos.json").read_text())
    assert len(record["sizes"]) == 2 and all(max(size) > 1024 for size in record["sizes"])
    cases = record["cases"]
    assert set(cases) == {"paper rain", "broad rain", "paper jpeg", "broad jpeg", "paper blur", "broad blur", "clean"}
    assert cases["paper blur"]["default"]["steps"] <= 2 and "mean_gain_db" in cases["broad blur"]["whole"]
    assert cases["clean"]["images"] == 4 and cases["paper rain"]["images"] == 2
    for case, row in cases.items():
        for how in ("whole", "default"):
            shares = [row[how][key] for key in ("found", "false_alarms", "any_step") if key in row[how]]
            assert all(v is None or 0.0 <= v <= 1.0 for v in shares), (case, how)
    text = (tmp_path / "large_photos.md").read_text()
    assert "| paper rain | 2 (" in text and "Clean photos and their camera JPEGs (quality 85), 4 images" in text
