"""Training checkpoint -> shipped weights: safetensors, manifest, model card, loadable by tag with sha256 check."""

import json
from pathlib import Path

import pytest
import torch

from zoo.cli.main import main
from zoo.registry import ChecksumError, create_model
from zoo.registry import pretrained as pretrained_module
from zoo.training.release import export_cascade, export_release


@pytest.fixture
def weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    out = tmp_path / "weights"
    out.mkdir()
    monkeypatch.setattr(pretrained_module, "weights_dir", lambda: out)
    pretrained_module.pretrained_table.cache_clear()
    yield out
    pretrained_module.pretrained_table.cache_clear()


def test_export_release_round_trip(tmp_path: Path, weights: Path) -> None:
    work = tmp_path / "work"
    assert (
        main(
            [
                "train",
                "durn_us_tiny",
                "--work-dir",
                str(work),
                "--cfg-options",
                "train_cfg.max_iters=2",
                "train_cfg.val_interval=100",
                "default_hooks.checkpoint.interval=2",
                "experiment_name=rel",
            ]
        )
        == 0
    )
    entry = export_release(
        work / "iter_2.pth", "durn_us.unit", weights, "unit test", {"data": "dead leaves"}, half=True
    )
    manifest = json.loads((weights / "manifest.json").read_text())
    assert manifest["durn_us.unit"] == entry
    assert entry["config"] == {"width": 0.25}
    scores = entry["metadata"]["scores"]
    assert set(scores) == {"rain", "blur", "jpeg", "haze", "mixed"}
    assert all(0 < s["psnr"] < 100 and 0 < s["ssim"] <= 1 for s in scores.values())
    card = (weights / "durn_us.unit.md").read_text()
    assert "# durn_us.unit" in card and entry["sha256"] in card and "| haze |" in card

    pretrained_module.pretrained_table.cache_clear()
    model = create_model("durn_us.unit", pretrained=True)
    trained = torch.load(work / "iter_2.pth", map_location="cpu", weights_only=True)["state_dict"]
    for key, value in model.state_dict().items():
        assert torch.equal(value, trained[f"net.{key}"].to(torch.bfloat16).float()), key

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
    work = tmp_path / "work"
    assert (
        main(
            [
                "train",
                "durn_us_tiny",
                "--work-dir",
                str(work),
                "--cfg-options",
                "train_cfg.max_iters=1",
                "train_cfg.val_interval=100",
                "default_hooks.checkpoint.interval=1",
                "experiment_name=rel2",
            ]
        )
        == 0
    )
    with pytest.raises(ValueError, match="durn_us"):
        export_release(work / "iter_1.pth", "mbn.unit", weights, "", {}, evaluate=False)
