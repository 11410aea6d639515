"""Stage 2 starts from a stage-1 release file: its width, activation and rain iterations carry over or must agree."""

from pathlib import Path

import pytest
import torch

from zoo.registry import create_model
from zoo.registry.checkpoint import read_release_metadata, save_release_weights
from zoo.training.trainer_model import RestorationTrainer

STAGE1 = {"type": "mbn", "width": 0.125, "rain_iters": 2, "act": "leaky_relu"}


@pytest.fixture
def stage1_release(tmp_path: Path) -> Path:
    torch.manual_seed(0)
    net = create_model(dict(STAGE1))
    path = tmp_path / "mbn.mine.safetensors"
    save_release_weights(net.state_dict(), path, {"architecture": STAGE1, "tag": "mbn.mine"})
    return path


def test_forward_settings_of_the_start_checkpoint_carry_over(stage1_release: Path) -> None:
    assert read_release_metadata(stage1_release)["architecture"] == STAGE1
    trainer = RestorationTrainer(net=dict(type="rmbn"), mode="recurrent", init_checkpoint=str(stage1_release))
    assert trainer.net.rain_iters == 2 and trainer.net.width == 0.125
    assert isinstance(trainer.net.heads["jpeg"].act, torch.nn.LeakyReLU)
    # The same weights with the same settings give the stage-1 network's jpeg output.
    stage1 = create_model(dict(STAGE1), checkpoint=stage1_release).eval()
    image = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert torch.equal(trainer.net.eval()(image, factor="jpeg"), stage1(image, factor="jpeg"))


def test_contradicting_the_start_checkpoint_is_refused(stage1_release: Path) -> None:
    with pytest.raises(ValueError, match="trained with act='leaky_relu'.*model.net.act='relu'"):
        RestorationTrainer(net=dict(type="rmbn", width=0.125, act="relu"), init_checkpoint=str(stage1_release))


def test_initialisation_switches_and_other_families_are_not_carried(stage1_release: Path) -> None:
    trainer = RestorationTrainer(
        net=dict(type="rmbn", residual_init="zero", branch_init="kaiming"), init_checkpoint=str(stage1_release)
    )
    assert trainer.net.width == 0.125  # loaded: the switches only change the initialisation, overwritten by the weights
    with pytest.raises(KeyError, match="does not fit"):  # a DuRN gets nothing from an MBN file, and cannot load it
        RestorationTrainer(net=dict(type="durn_us"), init_checkpoint=str(stage1_release))


def test_files_without_release_metadata_give_no_settings(tmp_path: Path) -> None:
    path = tmp_path / "net.pth"
    torch.save({"w": torch.zeros(1)}, path)
    assert read_release_metadata(path) == {}
    assert read_release_metadata(tmp_path / "missing.safetensors") == {}
