import numpy as np
import pytest
import torch

import zoo
from zoo.data.degradations.broad_jpeg import BroadJPEG
from zoo.data.splits import load_split
from zoo.models.detector import CROPS, DETECTOR_FACTORS, NUM_STATS, VIEW, _crop_positions, detector_inputs


@pytest.fixture(scope="module")
def detector() -> torch.nn.Module:
    return zoo.create_model({"type": "detector", "channels": (8, 8, 8), "hidden": 8}).eval()


@pytest.mark.parametrize("shape", [(1, 3, 1, 1), (1, 3, 37, 53), (2, 3, 130, 97), (1, 3, 700, 300)])
def test_any_size_gives_probabilities_and_severities_in_range(detector: torch.nn.Module, shape: tuple) -> None:
    probabilities, severities = detector(torch.rand(shape))
    assert probabilities.shape == severities.shape == (shape[0], len(DETECTOR_FACTORS))
    for out in (probabilities, severities):
        assert torch.isfinite(out).all() and out.min() >= 0 and out.max() <= 1


def test_views_are_a_global_thumbnail_and_grid_aligned_full_resolution_crops() -> None:
    x = torch.rand(1, 3, 300, 410)
    views, stats = detector_inputs(x)
    assert views.shape == (1, 1 + CROPS, 3, VIEW, VIEW) and stats.shape == (1, NUM_STATS)
    positions = _crop_positions(x[0], CROPS)
    assert all(top % 8 == 0 and left % 8 == 0 for top, left in positions)
    top, left = positions[0]
    assert torch.equal(views[0, 1], x[0, :, top : top + VIEW, left : left + VIEW])
    textured = torch.zeros(1, 3, 300, 410)
    textured[..., 200:296, 312:408] = torch.rand(3, 96, 96)
    assert _crop_positions(textured[0], 1)[0] == (200, 312)  # the most textured candidate comes first
    mixed = _crop_positions(textured[0], 4, "mixed")
    assert mixed[0] == (200, 312) and len(set(mixed)) == 4
    flat = mixed[2:]  # the smoothest candidates: away from the textured patch
    assert all(t + VIEW <= 200 or s + VIEW <= 312 for t, s in flat)


def test_blockiness_statistic_rises_with_jpeg_compression() -> None:
    photo = np.ascontiguousarray(load_split("validation", ("fruits",))[0][:256, :256])
    stats = []
    for quality in (95, 50, 15):
        compressed = BroadJPEG().apply(photo, quality=quality, subsampling="4:2:0")
        stats.append(detector_inputs(torch.from_numpy(compressed).permute(2, 0, 1)[None])[1][0, :2].mean())
    assert stats[0] < stats[1] < stats[2]


def test_thresholds_travel_with_the_weights(detector: torch.nn.Module) -> None:
    assert "thresholds" in detector.state_dict()
    assert torch.equal(detector.thresholds, torch.full((4,), 0.5))


def test_a_factor_decided_by_severity_scores_with_its_severity(detector: torch.nn.Module) -> None:
    by_severity = zoo.create_model(
        {"type": "detector", "channels": (8, 8, 8), "hidden": 8, "decide_by_severity": ["haze"]}
    ).eval()
    by_severity.load_state_dict(detector.state_dict())  # same weights: only the score of haze changes
    x = torch.rand(2, 3, 64, 80)
    with torch.no_grad():
        (p, s), (q, t) = detector(x), by_severity(x)
    haze = DETECTOR_FACTORS.index("haze")
    assert torch.equal(t, s) and torch.equal(q[:, haze], s[:, haze])
    others = [i for i in range(len(DETECTOR_FACTORS)) if i != haze]
    assert torch.equal(q[:, others], p[:, others])
    with pytest.raises(ValueError, match="decide_by_severity"):
        zoo.create_model({"type": "detector", "decide_by_severity": ["snow"]})
    with pytest.raises(ValueError, match="decide_by_severity"):
        zoo.create_model({"type": "detector", "decide_by_severity": "haze"})


def test_the_shipped_detector_decides_by_presence_probabilities() -> None:
    # Deciding haze by its severity found more haze on validation but changed 14 % of the clean test crops.
    assert zoo.create_model("detector", pretrained=True).decide_by_severity == ()
