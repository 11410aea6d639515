"""Training checkpoint -> shipped weights: safetensors, manifest, model card, loadable by tag with sha256 check."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from zoo.cli.main import main
from zoo.registry import ChecksumError, create_model
from zoo.registry import pretrained as pretrained_module
from zoo.training import data as training_data
from zoo.training.release import export_cascade, export_release


@pytest.fixture
def weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    out = tmp_path / "weights"
    out.mkdir()
    monkeypatch.setattr(pretrained_module, "weights_dir", lambda: out)
    pretrained_module.pretrained_table.cache_clear()
    yield out
    pretrained_module.pretrained_table.cache_clear()


def _train_tiny(work: Path, iterations: int, name: str) -> Path:
    """``zoo train durn_us_tiny`` for a few iterations, a checkpoint at the last one; returns the work folder."""
    options = [f"train_cfg.max_iters={iterations}", "train_cfg.val_interval=100"]
    options += [f"default_hooks.checkpoint.interval={iterations}", f"experiment_name={name}"]
    assert main(["train", "durn_us_tiny", "--work-dir", str(work), "--cfg-options", *options]) == 0
    return work


def _y_standard(image: torch.Tensor) -> np.ndarray:
    """The ``standard`` protocol's channel, written independently of zoo.data.metrics: MATLAB luma of 8-bit RGB."""
    rgb = np.round(image.clamp(0, 1).permute(1, 2, 0).double().numpy() * 255.0)
    return 16.0 + (65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + 24.966 * rgb[..., 2]) / 255.0


def _independent_scores(model: torch.nn.Module, pairs: list) -> dict[str, dict[str, float]]:
    """Mean PSNR/SSIM per factor with scikit-image (Gaussian 11x11 SSIM, population statistics)."""
    totals: dict[str, dict[str, list[float]]] = {}
    for dataset in pairs:
        for index in range(len(dataset)):
            item = dataset[index]
            x, gt = item["inputs"], item["data_samples"]["gt"]
            with torch.no_grad():
                y = model(x[None])[0]
            reference = _y_standard(gt)
            scores = totals.setdefault(item["data_samples"]["factor"], {})
            for key, image in (("psnr", y), ("psnr_input", x)):
                value = peak_signal_noise_ratio(reference, _y_standard(image), data_range=255)
                scores.setdefault(key, []).append(value)
            for key, image in (("ssim", y), ("ssim_input", x)):
                value = structural_similarity(
                    reference,
                    _y_standard(image),
                    data_range=255,
                    gaussian_weights=True,
                    sigma=1.5,
                    use_sample_covariance=False,
                )
                scores.setdefault(key, []).append(value)
    return {factor: {k: float(np.mean(v)) for k, v in scores.items()} for factor, scores in totals.items()}


@pytest.mark.slow  # ~40 s (scores the export on the test set); `pytest -m slow` (CI's second step)
def test_export_release_round_trip(tmp_path: Path, weights: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = _train_tiny(tmp_path / "work", iterations=2, name="rel")
    scored: list = []  # the validation pairs the exporter scores on, to score them again independently

    class RecordedPairs(training_data.ValidationPairs):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            scored.append(self)

    monkeypatch.setattr(training_data, "ValidationPairs", RecordedPairs)
    entry = export_release(
        work / "iter_2.pth", "durn_us.unit", weights, "unit test", {"data": "dead leaves"}, half=True
    )
    manifest = json.loads((weights / "manifest.json").read_text())
    assert manifest["durn_us.unit"] == entry
    assert entry["config"] == {"width": 0.25}
    scores = entry["metadata"]["scores"]
    assert set(scores) == {"rain", "blur", "jpeg", "haze", "mixed"}
    card = (weights / "durn_us.unit.md").read_text()
    assert "# durn_us.unit" in card and entry["sha256"] in card and "| haze |" in card

    pretrained_module.pretrained_table.cache_clear()
    model = create_model("durn_us.unit", pretrained=True)
    trained = torch.load(work / "iter_2.pth", map_location="cpu", weights_only=True)["state_dict"]
    for key, value in model.state_dict().items():
        assert torch.equal(value, trained[f"net.{key}"].to(torch.bfloat16).float()), key

    # The stored scores are those of the shipped (bf16-rounded) weights under the standard protocol, as an
    # independent implementation measures them on the same pairs.
    assert entry["metadata"]["protocol"] == "standard"
    independent = _independent_scores(model, scored)
    assert set(independent) == set(scores)
    for factor, values in scores.items():
        for key, value in values.items():
            tolerance = 2e-3 if key.startswith("psnr") else 2e-4
            assert value == pytest.approx(independent[factor][key], abs=tolerance), (factor, key)

    cascade = export_cascade("cascade.unit", [("haze", "durn_us.unit")], weights)
    assert cascade["config"]["steps"][0][0] == "haze"
    pretrained_module.pretrained_table.cache_clear()
    restored = create_model("cascade.unit", pretrained=True)
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(restored(x), model(x).clamp(0, 1), atol=1e-6)

    (weights / entry["file"]).write_bytes(b"tampered")
    with pytest.raises(ChecksumError):
        create_model("durn_us.unit", pretrained=True)


def test_export_refuses_a_mismatched_architecture(tmp_path: Path, weights: Path) -> None:
    work = _train_tiny(tmp_path / "work", iterations=1, name="rel2")
    with pytest.raises(ValueError, match="durn_us"):
        export_release(work / "iter_1.pth", "mbn.unit", weights, "", {}, evaluate=False)
