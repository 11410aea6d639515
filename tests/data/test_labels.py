import numpy as np
import pytest

from zoo.data.degradations import degrade
from zoo.data.degradations.broad_jpeg import BroadJPEG
from zoo.data.labels import PRESENT_FROM, factor_labels, is_present, severity
from zoo.data.splits import load_split


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return np.ascontiguousarray(load_split("validation", ("fruits",))[0][:128, :128])


def test_camera_quality_jpeg_counts_as_clean_and_strong_jpeg_as_present(photo: np.ndarray) -> None:
    for quality, expected in ((85, 0.0), (70, 0.0), (69, 1.0), (20, 1.0)):
        _, params = degrade(
            photo, ["jpeg"], seed=0, preset="broad", degradations={"jpeg": BroadJPEG((quality, quality))}
        )
        params["jpeg"]["quality2"] = None
        present, severe = factor_labels(params, photo)
        assert present["jpeg"] == expected, quality
        assert (severe["jpeg"] > 0) == (quality < 70)
        assert present["blur"] == present["rain"] == present["haze"] == 0.0


def test_a_factor_that_leaves_no_visible_trace_is_absent(photo: np.ndarray) -> None:
    flat = np.full((64, 64, 3), 0.5, np.float32)
    _, params = degrade(flat, ["blur"], seed=3, preset="broad")
    assert factor_labels(params, flat)[0]["blur"] == 0.0  # any blur of a flat image is invisible
    _, params = degrade(photo, ["blur"], seed=3, preset="broad")
    strong = dict(params, blur={"family": "defocus", "radius": 6.0})
    assert factor_labels(strong, photo)[0]["blur"] == 1.0


def test_severity_is_zero_at_the_threshold_and_grows_with_strength() -> None:
    for factor in ("haze", "blur", "rain"):
        low = PRESENT_FROM[factor]
        assert severity(factor, low) == 0.0 and is_present(factor, low)
        assert 0 < severity(factor, low * 2) < severity(factor, low * 4) <= 1.0
    assert severity("jpeg", 70) == 0.0 and severity("jpeg", 40) < severity("jpeg", 10) == 1.0
    assert not is_present("jpeg", 70) and is_present("jpeg", 69)
