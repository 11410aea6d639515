"""Synthesis while loading (in dataloader workers): reproducible samples the preprocessor passes unchanged."""

from pathlib import Path

import pytest
import torch
from torch.utils.data import default_collate

from zoo.data.images import dead_leaves
from zoo.training.data import CleanCrops
from zoo.training.worker_synthesis import DegradedInLoader

pytest.importorskip("mmengine.runner")


@pytest.fixture(scope="module")
def crops() -> dict[str, CleanCrops]:
    images = [dead_leaves(96, seed=i) for i in range(2)]
    return {f: CleanCrops(images, f, crop=48, length=100) for f in ("rain", "blur", "jpeg", "haze", "mixed")}


@pytest.mark.parametrize("factor", ["rain", "blur", "jpeg", "haze", "mixed"])
def test_samples_are_degraded_reproducibly(crops: dict[str, CleanCrops], factor: str) -> None:
    dataset = DegradedInLoader(crops[factor], "paper", seed=3)
    a, b, other = dataset[5], dataset[5], dataset[6]
    samples = a["data_samples"]
    assert samples["degraded"] is True and samples["factor"] == factor
    assert torch.equal(samples["gt"], crops[factor][5]["data_samples"]["gt"])
    assert a["inputs"].shape == samples["gt"].shape and a["inputs"].dtype == torch.float32
    assert 0 <= float(a["inputs"].min()) and float(a["inputs"].max()) <= 1
    assert float((a["inputs"] - samples["gt"]).abs().mean()) > 1e-3
    assert torch.equal(a["inputs"], b["inputs"])
    assert not torch.equal(a["inputs"], other["inputs"])
    steps = samples["steps"].split("+")
    assert steps == [factor] if factor != "mixed" else set(steps) <= {"rain", "blur", "jpeg", "haze"}


def test_preprocessor_passes_loader_degraded_batches_unchanged(crops: dict[str, CleanCrops]) -> None:
    from zoo.training.preprocessor import DegradeOnTheFly

    batch = default_collate([DegradedInLoader(crops["blur"])[i] for i in range(2)])
    out = DegradeOnTheFly()(dict(batch), True)
    assert torch.equal(out["inputs"], batch["inputs"])
    assert list(out["data_samples"]["steps"]) == ["blur", "blur"]


def test_importing_the_training_package_registers_the_dataset() -> None:
    import subprocess
    import sys

    code = "import zoo.training; from zoo.registry import DATASETS; print(DATASETS.get('WorkerSynthesisTaskDatasets'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "WorkerSynthesisTaskDatasets" in out


def test_config_can_synthesise_in_workers(tmp_path: Path) -> None:
    from zoo.cli.main import main

    options = [
        "train_dataloader.dataset.type=WorkerSynthesisTaskDatasets",
        "train_dataloader.num_workers=1",
        "train_cfg.max_iters=2",
        "train_cfg.val_interval=100",
        "experiment_name=workers",
    ]
    assert main(["train", "mbn_stage1_tiny", "--work-dir", str(tmp_path), "--cfg-options", *options]) == 0
    assert (tmp_path / "iter_2.pth").is_file()
