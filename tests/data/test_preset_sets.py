import json

import numpy as np
import pytest
import torch

from zoo.data.datasets import PRESET_CASES, PresetTestSet, preset_cases
from zoo.data.splits import SPLITS


def test_cases_cover_clean_single_factors_and_every_mixture() -> None:
    assert {"clean", "camera_jpeg", "rain", "blur", "jpeg", "haze", "haze+rain+blur+jpeg"} <= set(PRESET_CASES)
    assert len([c for c in PRESET_CASES if "+" in c]) == 6 + 4 + 1
    assert "jpeg_mild" in preset_cases("broad") and "jpeg_mild" not in preset_cases("paper")
    with pytest.raises(ValueError, match="unknown case 'snow'"):
        PresetTestSet("broad", "snow")


def test_a_case_is_reproducible_8_bit_and_made_from_the_test_photos() -> None:
    first, again = PresetTestSet("broad", "haze+jpeg", crop=64), PresetTestSet("broad", "haze+jpeg", crop=64)
    assert len(first) == 2 * len(SPLITS["test"])
    for index in (0, 5):
        a, b = first[index], again[index]
        assert torch.equal(a["inputs"], b["inputs"]) and torch.equal(a["data_samples"]["gt"], b["data_samples"]["gt"])
        assert torch.equal(a["inputs"], (a["inputs"] * 255).round() / 255)
        params = json.loads(a["data_samples"]["params"])
        assert sorted(params["factors"]) == ["haze", "jpeg"] and params["preset"] == "broad"
        assert 15 <= params["jpeg"]["quality"] <= 35


def test_clean_is_untouched_and_camera_jpeg_stays_at_camera_quality() -> None:
    clean = PresetTestSet("paper", "clean", crop=48)[3]
    assert torch.equal(clean["inputs"], clean["data_samples"]["gt"])
    camera = PresetTestSet("paper", "camera_jpeg", crop=48)
    qualities = [json.loads(camera[i]["data_samples"]["params"])["jpeg"]["quality"] for i in range(len(camera))]
    assert 70 <= min(qualities) and max(qualities) <= 90 and len(set(qualities)) > 3
    difference = np.abs((camera[0]["inputs"] - camera[0]["data_samples"]["gt"]).numpy()).mean()
    assert 0 < difference < 0.02


def test_the_audit_photos_make_their_own_cases_and_unknown_splits_are_refused() -> None:
    audit, test = PresetTestSet("broad", "clean", images="audit", crop=48), PresetTestSet("broad", "clean", crop=48)
    assert len(audit) == 2 * len(SPLITS["audit"])
    assert not torch.equal(audit[0]["data_samples"]["gt"], test[0]["data_samples"]["gt"])
    with pytest.raises(ValueError, match="images must be one of validation, test, audit"):
        PresetTestSet("broad", "clean", images="train")
