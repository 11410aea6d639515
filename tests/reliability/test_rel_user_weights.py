"""The installed package is read-only at run time: your weights go to a user folder and never become a default.

``zoo export-weights`` writes to ``$ZOO_HOME/weights`` (tests point ``ZOO_HOME`` at a temporary folder) or
``--out-dir``; ``--into-package`` is the developer path, exercised here on a temporary copy of the package's weights
folder. Each architecture's default weights are declared in the shipped manifest's ``defaults`` block.
"""

import json
import os
import shutil
from pathlib import Path

import pytest
import torch
from torch import nn

from zoo.cli.main import main
from zoo.registry import ATTENTION, create_model, register_attention
from zoo.registry import pretrained as pretrained_module
from zoo.registry.parts import MissingPartError

pytest.importorskip("mmengine.runner")

NET = {"type": "durn_us", "width": 0.25}


def _training_checkpoint(path: Path, net: dict, iteration: int = 3) -> Path:
    """A checkpoint in the layout ``zoo train`` writes (config as a plain dict, weights under ``net.``)."""
    state = {f"net.{k}": v for k, v in create_model(dict(net)).state_dict().items()}
    meta = {"zoo_config": {"model": {"type": "RestorationTrainer", "net": dict(net)}}, "iter": iteration}
    torch.save({"meta": meta, "state_dict": state}, path)
    return path


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.fixture
def zoo_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("ZOO_HOME", str(home))
    return home


def test_export_goes_to_the_user_folder_and_never_into_the_package(
    zoo_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = pretrained_module.weights_dir()
    before = _snapshot(package)
    checkpoint = _training_checkpoint(tmp_path / "iter_3.pth", NET)
    # "durn_us.a" sorts before the shipped "durn_us.synth": sort order must not make it the default.
    assert main(["export-weights", str(checkpoint), "--name", "durn_us.a", "--no-evaluate", "--summary", "mine"]) == 0
    assert (zoo_home / "weights" / "durn_us.a.safetensors").is_file()
    assert _snapshot(package) == before, "the installed package was written"

    assert create_model("durn_us", pretrained=True).zoo_name == "durn_us.synth"  # the declared default
    mine = create_model("durn_us.a", pretrained=True)  # yours by full name, sha256 checked
    assert mine.zoo_name == "durn_us.a" and mine.zoo_metadata["summary"] == "mine"
    capsys.readouterr()
    assert main(["list", "--pretrained", "durn_us*"]) == 0
    shipped, _, yours = capsys.readouterr().out.partition("your weights")
    assert "durn_us.synth [default]" in shipped and "durn_us.a" not in shipped
    assert str(zoo_home / "weights") in yours and "durn_us.a" in yours and "mine" in yours


def test_user_weights_follow_the_umask(zoo_home: Path, tmp_path: Path) -> None:
    checkpoint = _training_checkpoint(tmp_path / "iter_3.pth", NET)
    old = os.umask(0o027)
    try:
        assert main(["export-weights", str(checkpoint), "--name", "durn_us.mode", "--no-evaluate"]) == 0
    finally:
        os.umask(old)
    assert (zoo_home / "weights" / "durn_us.mode.safetensors").stat().st_mode & 0o777 == 0o640  # not 0600


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--name", "durn_us.synth"], ["is the name of shipped weights", "(--name)", "choose another tag"]),
        (["--name", "durn_us.x", "--default"], ["never become a default", "(--default)"]),
        (["--name", "../../escape"], ["is not architecture.tag", "rmbn.mydata"]),
        (["--name", "durn_us.x", "--into-package", "--out-dir", "x"], ["exclude each other"]),
        (["--name", "durn_us.x", "--training", "{oops"], ["not valid JSON", "(--training)"]),
    ],
)
def test_export_refusals(
    args: list[str], words: list[str], zoo_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint = _training_checkpoint(tmp_path / "iter_3.pth", NET)
    assert main(["export-weights", str(checkpoint), "--no-evaluate", *args]) == 1
    line = capsys.readouterr().err.strip()
    assert "\n" not in line and all(word in line for word in words), line
    assert not (zoo_home / "weights").exists() and not (tmp_path.parent / "escape.safetensors").exists()


@pytest.fixture
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary copy of the package's weights folder standing in for it (``--into-package`` writes there)."""
    copy = tmp_path / "package_weights"
    shutil.copytree(pretrained_module.weights_dir(), copy)
    monkeypatch.setattr(pretrained_module, "weights_dir", lambda: copy)
    pretrained_module.pretrained_table.cache_clear()
    yield copy
    pretrained_module.pretrained_table.cache_clear()


def test_into_package_adds_shipped_weights_and_default_changes_in_one_place(
    package_copy: Path, zoo_home: Path, tmp_path: Path
) -> None:
    checkpoint = _training_checkpoint(tmp_path / "iter_3.pth", NET)
    assert main(["export-weights", str(checkpoint), "--name", "durn_us.new", "--into-package", "--no-evaluate"]) == 0
    pretrained_module.pretrained_table.cache_clear()
    manifest = json.loads((package_copy / "manifest.json").read_text())
    assert "durn_us.new" in manifest and (package_copy / "durn_us.new.md").is_file()
    assert not (zoo_home / "weights").exists()
    assert create_model("durn_us", pretrained=True).zoo_name == "durn_us.synth"  # a new tag is not the default

    manifest["defaults"]["durn_us"] = "durn_us.new"  # the one place that says which weights are the default
    (package_copy / "manifest.json").write_text(json.dumps(manifest))
    assert create_model("durn_us", pretrained=True).zoo_name == "durn_us.new"

    args = ["export-weights", str(checkpoint), "--name", "durn_us.newer", "--into-package", "--no-evaluate"]
    args.append("--default")
    assert main(args) == 0
    pretrained_module.pretrained_table.cache_clear()
    assert create_model("durn_us", pretrained=True).zoo_name == "durn_us.newer"
    assert json.loads((package_copy / "manifest.json").read_text())["defaults"]["durn_us"] == "durn_us.newer"


def test_a_default_must_name_shipped_weights_of_its_architecture(package_copy: Path) -> None:
    manifest = json.loads((package_copy / "manifest.json").read_text())
    manifest["defaults"]["rmbn"] = "rmbn.gone"
    (package_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="default of 'rmbn' is 'rmbn.gone'.*rmbn.synth4"):
        create_model("rmbn", pretrained=True)


def test_every_shipped_architecture_declares_an_existing_default() -> None:
    from zoo.registry.pretrained import default_tags, pretrained_table

    table, defaults = pretrained_table(), default_tags()
    assert {entry.arch for entry in table.values()} == set(defaults)
    assert all(table[name].arch == arch for arch, name in defaults.items())


@register_attention("rel_user_gate")
class _UserGate(nn.Module):
    """An attention that a 'third-party' module (this test file) registers."""

    def __init__(self, channels: int, hidden: int) -> None:
        super().__init__()
        self.gate = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(self.gate(x.mean(dim=(2, 3), keepdim=True)))


def test_weights_needing_an_unregistered_part_name_it_and_its_module(zoo_home: Path, tmp_path: Path) -> None:
    net = {"type": "durn_s", "width": 0.125, "block": {"attention": {"type": "rel_user_gate"}}}
    checkpoint = _training_checkpoint(tmp_path / "iter_3.pth", net)
    assert main(["export-weights", str(checkpoint), "--name", "durn_s.gated", "--no-evaluate"]) == 0
    assert create_model("durn_s.gated", pretrained=True).zoo_name == "durn_s.gated"
    registered = ATTENTION._module_dict.pop("rel_user_gate")  # as in a process that did not import this module
    try:
        with pytest.raises(MissingPartError, match=f"attention 'rel_user_gate'.*import {__name__}"):
            create_model("durn_s.gated", pretrained=True)
        assert create_model("durn_s", pretrained=True).zoo_name == "durn_s.synth"  # the shipped default still works
    finally:
        ATTENTION._module_dict["rel_user_gate"] = registered


def test_a_corrupt_user_manifest_does_not_break_shipped_weights(zoo_home: Path) -> None:
    (zoo_home / "weights").mkdir(parents=True)
    (zoo_home / "weights" / "manifest.json").write_text("{not json")
    assert create_model("durn_us", pretrained=True).zoo_name == "durn_us.synth"
    with pytest.raises(ValueError, match="manifest.json: not valid JSON"):
        create_model("durn_us.mine", pretrained=True)
