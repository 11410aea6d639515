"""`zoo train` end to end on CPU with the tiny configs: runs, checkpoints, resumes bit-identically."""

import json
from pathlib import Path

import pytest
import torch

from zoo.cli.main import main

pytest.importorskip("mmengine.runner")


def _train(tmp_path: Path, name: str, config: str, *options: str, resume: bool = False) -> Path:
    work_dir = tmp_path / name
    args = ["train", config, "--work-dir", str(work_dir), "--cfg-options", f"experiment_name={name}", *options]
    if resume:
        args.append("--resume")
    assert main(args) == 0
    return work_dir


def _scalars(work_dir: Path) -> list[dict]:
    (log,) = work_dir.glob("*/vis_data/scalars.json")
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_mbn_stage1_tiny_trains_validates_and_checkpoints(tmp_path: Path) -> None:
    work_dir = _train(tmp_path, "stage1", "mbn_stage1_tiny")
    assert (work_dir / "iter_12.pth").is_file()
    assert list(work_dir.glob("best_restore_psnr_iter_*.pth"))
    assert not list(work_dir.glob("*.part"))
    from mmengine.config import Config

    copy = Config.fromfile(str(work_dir / "mbn_stage1_tiny.py"))  # the run's config, as written to its folder
    assert copy.model.net.width == 0.125 and copy.train_cfg.max_iters == 12
    records = _scalars(work_dir)
    losses = {key for record in records for key in record if key.startswith("loss_")}
    assert losses == {"loss_haze", "loss_rain", "loss_jpeg", "loss_blur"}
    validation = [r for r in records if "restore/psnr" in r]
    assert validation and {"restore/psnr_haze", "restore/psnr_blur"} <= set(validation[-1])


def test_resume_continues_bit_identically(tmp_path: Path) -> None:
    straight = _train(tmp_path, "straight", "mbn_stage1_tiny", "train_cfg.max_iters=8", "train_cfg.val_interval=100")
    _train(
        tmp_path,
        "resumed",
        "mbn_stage1_tiny",
        "train_cfg.max_iters=4",
        "train_cfg.val_interval=100",
        "default_hooks.checkpoint.interval=4",
    )
    resumed = _train(
        tmp_path, "resumed", "mbn_stage1_tiny", "train_cfg.max_iters=8", "train_cfg.val_interval=100", resume=True
    )
    a = torch.load(straight / "iter_8.pth", map_location="cpu", weights_only=True)["state_dict"]
    b = torch.load(resumed / "iter_8.pth", map_location="cpu", weights_only=True)["state_dict"]
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_unknown_config_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "no_such_config"]) == 1
    assert "unknown config 'no_such_config'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "config",
    [
        "durn_us_tiny",
        "durn_u_tiny",
        "durn_s_tiny",
        "durn_p_rgb_tiny",
        "owan_tiny",
        "rmbn_stage2_tiny",
        "rmbn_star_tiny",
    ],
)
def test_every_tiny_config_trains_end_to_end(tmp_path: Path, config: str) -> None:
    work_dir = _train(
        tmp_path,
        config,
        config,
        "train_cfg.max_iters=4",
        "train_cfg.val_interval=4",
        "default_hooks.checkpoint.interval=4",
    )
    assert (work_dir / "iter_4.pth").is_file()
    records = _scalars(work_dir)
    assert any("restore/psnr" in r for r in records)
    assert all(torch.isfinite(torch.tensor(r["loss"])) for r in records if "loss" in r)


def test_shipped_tiny_configs_are_listed() -> None:
    from zoo.training import list_configs

    names = list_configs()
    for base in ("mbn_stage1", "rmbn_stage2", "rmbn_star", "durn_us", "durn_u", "durn_s", "durn_p_rgb", "owan"):
        assert base in names and f"{base}_tiny" in names
