"""Stage 2 starts from a stage-1 release file: its width, activation and rain iterations carry over or must agree,
and exporting the run records them."""

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
    with pytest.raises(ValueError, match="holds 'mbn' weights"):  # a DuRN cannot load an MBN file; the header says so
        RestorationTrainer(net=dict(type="durn_us"), init_checkpoint=str(stage1_release))


def test_files_without_release_metadata_give_no_settings(tmp_path: Path) -> None:
    path = tmp_path / "net.pth"
    torch.save({"w": torch.zeros(1)}, path)
    assert read_release_metadata(path) == {}
    assert read_release_metadata(tmp_path / "missing.safetensors") == {}


def _run_checkpoint(tmp_path: Path, init_checkpoint: Path) -> Path:
    """A training checkpoint of a stage-2 run whose config names only the family, as the README's example does."""
    trainer = RestorationTrainer(net=dict(type="rmbn"), mode="recurrent", init_checkpoint=str(init_checkpoint))
    cfg = f"model = dict(type='RestorationTrainer', net=dict(type='rmbn'), init_checkpoint={str(init_checkpoint)!r})\n"
    path = tmp_path / "iter_1.pth"
    torch.save({"meta": {"cfg": cfg, "iter": 1}, "state_dict": trainer.state_dict()}, path)
    return path


def test_export_takes_the_architecture_the_run_took_from_its_start(stage1_release: Path, tmp_path: Path) -> None:
    from zoo.training.release import export_release

    entry = export_release(
        _run_checkpoint(tmp_path, stage1_release), "rmbn.mine", tmp_path / "out", "s", {}, evaluate=False
    )
    assert entry["config"] == {k: v for k, v in STAGE1.items() if k != "type"}
    exported = create_model(dict(type="rmbn", **entry["config"]), checkpoint=tmp_path / "out" / "rmbn.mine.safetensors")
    assert exported.width == 0.125 and exported.rain_iters == 2


def test_export_without_the_start_file_says_so(stage1_release: Path, tmp_path: Path) -> None:
    from zoo.training.release import export_release

    checkpoint = _run_checkpoint(tmp_path, stage1_release)
    stage1_release.unlink()
    with pytest.raises(FileNotFoundError, match="took its architecture from that file, which is not found"):
        export_release(checkpoint, "rmbn.mine", tmp_path / "out", "s", {}, evaluate=False)


def test_a_tuple_in_the_config_agrees_with_the_list_a_release_file_holds(tmp_path: Path) -> None:
    from zoo.training.trainer_model import settings_of_start

    path = tmp_path / "detector.mine.safetensors"
    architecture = {"type": "detector", "channels": [8, 8, 8], "hidden": 8}
    net = create_model(dict(architecture))
    save_release_weights(net.state_dict(), path, {"architecture": architecture, "tag": "detector.mine"})
    settings = settings_of_start({"type": "detector", "channels": (8, 8, 8)}, str(path))
    assert list(settings["channels"]) == [8, 8, 8] and settings["hidden"] == 8
    with pytest.raises(ValueError, match=r"trained with channels=\[8, 8, 8\]"):
        settings_of_start({"type": "detector", "channels": (8, 8, 16)}, str(path))
