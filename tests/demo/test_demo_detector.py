"""The demo with a factor detector: adaptive and always-on R-MBN entries, the detected MBN branch, the report line."""

import numpy as np
import pytest
import torch
from torch import nn

import zoo.demo.catalog as catalog_module
from zoo.demo.catalog import default_catalog, default_selection
from zoo.demo.compare import RestorerCache, detection_line, run_model
from zoo.inference import adaptive

pytest.importorskip("gradio")


class FixedDetector(nn.Module):
    """Reports fixed probabilities (rain, blur, jpeg, haze) with thresholds 0.5."""

    def __init__(self, probabilities: list[float]) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))
        self.register_buffer("thresholds", torch.full((4,), 0.5))
        self.probabilities = torch.tensor([probabilities])

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        p = self.probabilities.expand(x.shape[0], -1)
        return p, p


@pytest.fixture()
def with_detector(monkeypatch: pytest.MonkeyPatch):
    tags = ["detector.test", "mbn.synth4", "rmbn.synth4"]
    monkeypatch.setattr(catalog_module, "list_pretrained", lambda: tags)
    monkeypatch.setattr(catalog_module, "default_tags", lambda: {"rmbn": "rmbn.synth4", "mbn": "mbn.synth4"})

    def use(probabilities: list[float]) -> None:
        detector = FixedDetector(probabilities)
        monkeypatch.setattr(adaptive, "load_detector", lambda name=adaptive.DETECTOR_MODEL: detector)

    return use


def test_catalog_offers_adaptive_always_on_and_detected_branch(with_detector) -> None:
    with_detector([0.1, 0.9, 0.2, 0.6])
    entries = {e.key: e for e in default_catalog()}
    assert entries["rmbn.synth4"].chain == "auto" and entries["rmbn.synth4@all"].chain == "all"
    assert entries["mbn.synth4@detected"].factor == "detected"
    assert default_selection(list(entries.values())) == ["rmbn.synth4", "rmbn.synth4@all", "mbn.synth4@detected"]


def test_detected_branch_and_adaptive_entries_say_what_ran(with_detector) -> None:
    with_detector([0.1, 0.9, 0.2, 0.6])  # blur and haze found, blur the more likely
    entries = {e.key: e for e in default_catalog()}
    image = np.random.default_rng(0).integers(0, 255, (32, 48, 3), dtype=np.uint8)
    cache = RestorerCache()
    branch = run_model(cache, entries["mbn.synth4@detected"], image)
    assert "blur branch" in branch.note and branch.entry.factor == "blur"
    auto = run_model(cache, entries["rmbn.synth4"], image)
    # chain order J, H, B, R; haze (0.6, threshold 0.5) is 0.41 logits over its threshold: part strength
    assert auto.note == f"ran haze at {100 * np.log(0.6 / 0.4) / adaptive.STRENGTH_MARGIN:.0f} %, blur"
    assert list(auto.steps) == ["haze", "blur"]
    report = {"factors": {"rain": 0.1, "blur": 0.9}, "detected": ["blur"]}
    assert detection_line(report) == "Detector: rain 0.10, blur 0.90 (found)."


def test_nothing_detected_leaves_the_image_unchanged(with_detector) -> None:
    with_detector([0.1, 0.1, 0.1, 0.1])
    entries = {e.key: e for e in default_catalog()}
    image = np.random.default_rng(1).integers(0, 255, (24, 24, 3), dtype=np.uint8)
    cache = RestorerCache()
    for key in ("mbn.synth4@detected", "rmbn.synth4"):
        result = run_model(cache, entries[key], image)
        assert np.array_equal(result.restored, image), key
