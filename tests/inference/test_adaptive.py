import json

import numpy as np
import pytest
import torch
from torch import nn

import zoo
from zoo.cli.main import main
from zoo.inference import adaptive
from zoo.inference.restore import Restorer


class FixedDetector(nn.Module):
    """A stand-in detector that reports fixed probabilities (order rain, blur, jpeg, haze)."""

    def __init__(self, probabilities: list[float]) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))
        self.register_buffer("thresholds", torch.tensor([0.5, 0.5, 0.5, 0.5]))
        self.probabilities = torch.tensor([probabilities])

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        p = self.probabilities.expand(x.shape[0], -1)
        return p, p


@pytest.fixture()
def rmbn() -> nn.Module:
    return zoo.create_model({"type": "rmbn", "width": 0.125, "rain_iters": 1}).eval()


@pytest.fixture()
def use_detector(monkeypatch: pytest.MonkeyPatch):
    def set_probabilities(probabilities: list[float]) -> None:
        detector = FixedDetector(probabilities)
        monkeypatch.setattr(adaptive, "load_detector", lambda name=adaptive.DETECTOR_MODEL: detector)

    return set_probabilities


def test_nothing_found_returns_the_image_unchanged(rmbn: nn.Module, use_detector) -> None:
    use_detector([0.1, 0.2, 0.3, 0.4])
    x = torch.rand(1, 3, 40, 52)
    restorer = Restorer(rmbn, steps="auto")
    out = restorer.restore_tensor(x)["restored"]
    assert torch.equal(out, x)
    assert restorer.plans[0].steps == () and "no degradation found" in restorer.plans[0].describe()


def test_found_factors_run_in_chain_order_and_match_the_named_steps(rmbn: nn.Module, use_detector) -> None:
    use_detector([0.95, 0.1, 0.9, 0.2])  # rain and jpeg found, both sure enough to run at full strength
    x = torch.rand(1, 3, 48, 64)  # a multiple of the model's size multiple: no padding by the restorer
    auto = Restorer(rmbn, steps="auto")
    out = auto.restore_tensor(x)["restored"]
    assert auto.plans[0].steps == ("jpeg", "rain")  # the chain order J, H, B, R
    assert auto.plans[0].strengths == {}
    assert "ran jpeg 0.90, rain 0.95" in auto.plans[0].describe()
    named = Restorer(rmbn, steps="rain,jpeg").restore_tensor(x)["restored"]
    assert torch.equal(out, named)
    with torch.no_grad():
        assert torch.allclose(out, rmbn(x, steps=["jpeg", "rain"]), atol=1e-6)


def test_all_is_the_papers_chain_and_bad_steps_are_refused(rmbn: nn.Module) -> None:
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(Restorer(rmbn, steps="all").restore_tensor(x)["restored"], rmbn(x), atol=1e-6)
    with pytest.raises(ValueError, match="unknown step 'snow'"):
        Restorer(rmbn, steps="snow")
    with pytest.raises(ValueError, match="has none"):
        Restorer("identity", steps="jpeg")


def test_zoo_detect_json_prints_exactly_one_list(use_detector, tmp_path, capsys) -> None:
    from PIL import Image

    use_detector([0.9, 0.1, 0.8, 0.2])
    paths = []
    for name in ("a.png", "b.jpg"):
        Image.fromarray(np.random.default_rng(0).integers(0, 255, (20, 30, 3), dtype=np.uint8)).save(tmp_path / name)
        paths.append(str(tmp_path / name))
    assert main(["detect", *paths, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["path"] for row in rows] == paths
    assert rows[0]["detected"] == ["rain", "jpeg"] and set(rows[0]["factors"]) == {"rain", "blur", "jpeg", "haze"}
    assert main(["detect", *paths]) == 0
    assert "rain, jpeg" in capsys.readouterr().out


def test_detect_api_takes_the_input_kinds_of_restore(use_detector) -> None:
    from PIL import Image

    use_detector([0.1, 0.7, 0.1, 0.1])
    gray = np.zeros((9, 9), np.uint8)
    rgba = Image.new("RGBA", (5, 7))
    for image in (gray, rgba, torch.rand(3, 4, 4), np.zeros((3, 3), np.uint16)):
        assert zoo.detect(image)["detected"] == ["blur"]
    assert len(zoo.detect(torch.rand(2, 3, 8, 8))) == 2


def test_cli_copies_a_photo_with_nothing_to_restore_and_says_why(use_detector, tmp_path, capsys) -> None:
    from PIL import Image

    use_detector([0.1, 0.1, 0.1, 0.1])
    source = tmp_path / "photo.jpg"
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (24, 40, 3), dtype=np.uint8)).save(source, quality=90)
    assert main(["restore", str(source), "-o", str(tmp_path / "out.jpg"), "-m", "rmbn.synth4", "--steps", "auto"]) == 0
    assert (tmp_path / "out.jpg").read_bytes() == source.read_bytes()  # not compressed a second time
    assert "no degradation found" in capsys.readouterr().out
    assert main(["restore", str(source), "-o", str(tmp_path / "out"), "-m", "rmbn.synth4", "--steps", "auto"]) == 0
    decoded = np.asarray(Image.open(source))
    assert np.array_equal(np.asarray(Image.open(tmp_path / "out" / "photo.png")), decoded)  # lossless PNG default


def test_detect_handles_tiny_gray_alpha_16_bit_and_large_images(use_detector) -> None:
    use_detector([0.1, 0.7, 0.1, 0.1])
    images = [
        np.zeros((1, 1), np.uint8),
        np.full((5, 3, 2), 200, np.uint8),  # gray + alpha
        np.random.default_rng(2).integers(0, 65535, (40, 30, 3), dtype=np.uint16),
        np.zeros((3000, 2000, 3), np.uint8),
    ]
    for image in images:
        assert zoo.detect(image)["detected"] == ["blur"]
    with pytest.raises(ValueError, match="NaN"):
        zoo.detect(np.full((4, 4, 3), np.nan, np.float32))


def test_the_real_detector_views_any_input_size() -> None:
    detector = zoo.create_model({"type": "detector", "channels": (4, 4), "hidden": 4}).eval()
    for shape in [(1, 1), (7, 3000), (2500, 2500)]:
        report = zoo.detect(np.zeros((*shape, 3), np.uint8), model=detector)
        assert set(report["factors"]) == {"rain", "blur", "jpeg", "haze"}


def test_step_strength_rises_in_logits_from_the_threshold_to_full() -> None:
    assert adaptive.step_strength(0.49, 0.5) == 0.0
    assert adaptive.step_strength(0.5, 0.5) == 0.0
    assert adaptive.step_strength(1 / (1 + np.exp(-0.25)), 0.5, margin=0.5) == pytest.approx(0.5)
    assert adaptive.step_strength(0.99, 0.5) == 1.0
    assert adaptive.step_strength(0.6, 0.5, margin=0) == 1.0


def test_an_unsure_detection_runs_its_step_at_part_strength(rmbn: nn.Module, use_detector) -> None:
    use_detector([0.6, 0.1, 0.95, 0.2])  # rain barely above its threshold (logit 0.41 over it), jpeg well above
    x = torch.rand(1, 3, 48, 64)
    auto = Restorer(rmbn, steps="auto")
    out = auto.restore_tensor(x)["restored"]
    plan = auto.plans[0]
    strength = float(np.log(0.6 / 0.4)) / adaptive.STRENGTH_MARGIN
    assert plan.steps == ("jpeg", "rain") and plan.strengths == {"rain": pytest.approx(strength, abs=1e-4)}
    assert f"rain 0.60 (at {100 * strength:.0f} % strength)" in plan.describe()
    with torch.no_grad():
        after_jpeg = rmbn(x, steps=["jpeg"])
        rain = rmbn(after_jpeg, steps=["rain"])
    expected = after_jpeg + plan.strengths["rain"] * (rain - after_jpeg)
    assert torch.allclose(out, expected.clamp(0, 1), atol=1e-5)
    assert not torch.allclose(out, rain, atol=1e-3)  # not the full step


def test_chain_strengths_are_checked(rmbn: nn.Module) -> None:
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        assert torch.equal(rmbn(x, steps=["haze"], strengths={"haze": 0.0}), x)
        assert torch.allclose(rmbn(x, strengths={"rain": 1.0}), rmbn(x), atol=1e-6)
    for bad in ({"snow": 0.5}, {"rain": 1.5}, {"rain": -0.1}):
        with pytest.raises(ValueError, match="strengths"):
            rmbn(x, strengths=bad)
    with pytest.raises(ValueError, match="strengths"):
        rmbn(x, factor="rain", strengths={"rain": 0.5})


def test_detector_from_gives_the_shipped_detector_or_a_release_file() -> None:
    from pathlib import Path

    assert adaptive.detector_from() is adaptive.load_detector()
    release = Path(zoo.__file__).parent / "weights" / "detector.broad.safetensors"
    loaded = adaptive.detector_from(str(release))
    assert loaded is not adaptive.load_detector() and not loaded.training
    assert torch.equal(loaded.thresholds, adaptive.load_detector().thresholds)
