"""Untrusted files: weights are safetensors, foreign checkpoints load weights-only, YAML configs load safely.

Every malicious file here would create a marker file if its code ran; each test checks that the marker is absent.
"""

import json
import pathlib
import pickle
import struct
from pathlib import Path

import pytest
import torch

from zoo.cli.main import main
from zoo.registry import create_model, load_state_dict, save_release_weights
from zoo.registry.pretrained import pretrained_table, weights_dir


class _Payload:
    """Unpickling this runs ``Path(marker).touch()``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


@pytest.fixture(params=["torch_save", "plain_pickle", "wrapped_state_dict"])
def evil_checkpoint(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, Path]:
    """A ``.pth`` whose unpickling would run code, and the marker file that code would create."""
    marker = tmp_path / "code_ran"
    path = tmp_path / "evil.pth"
    if request.param == "torch_save":
        torch.save({"w": _Payload(marker)}, path)
    elif request.param == "plain_pickle":
        path.write_bytes(pickle.dumps({"w": _Payload(marker)}))
    else:
        torch.save({"state_dict": create_model("identity").state_dict(), "meta": _Payload(marker)}, path)
    return path, marker


def _error_line(err: str, command: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith(f"zoo {command}: error: ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# --- weights -------------------------------------------------------------------------------------------------------


def _is_safetensors(path: Path) -> bool:
    """safetensors layout: 8-byte little-endian header length, then a JSON header; no pickle anywhere."""
    data = path.read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    return isinstance(header, dict) and 8 + length <= len(data)


def test_release_weights_are_safetensors(tmp_path: Path) -> None:
    path = tmp_path / "w.safetensors"
    save_release_weights(create_model("durn_us", width=0.25).state_dict(), path, {"tag": "t"})
    assert _is_safetensors(path)
    from safetensors import safe_open

    with safe_open(str(path), "pt") as handle:
        assert json.loads(handle.metadata()["zoo"]) == {"tag": "t"}


def test_shipped_weights_are_all_safetensors() -> None:
    """Whatever ships in the package (nothing yet while the weights train): only .safetensors, listed with a sha256."""
    folder = weights_dir()
    table = pretrained_table()
    for name, entry in table.items():
        if entry.components:  # made of other entries' files, checked as those entries
            assert set(entry.components.values()) <= set(table), name
            continue
        assert entry.file.endswith(".safetensors"), name
        assert len(entry.sha256) == 64, name
        assert _is_safetensors(entry.path), name
    if folder.is_dir():
        pickles = [p.name for p in folder.rglob("*") if p.suffix in (".pth", ".pt", ".pkl", ".bin", ".ckpt")]
        assert not pickles, f"pickled weights in the package: {pickles}"


def test_foreign_checkpoint_with_code_is_refused_by_the_api(evil_checkpoint: tuple[Path, Path]) -> None:
    path, marker = evil_checkpoint
    with pytest.raises(ValueError, match="weights-only"):
        load_state_dict(path)
    with pytest.raises(ValueError, match="weights-only"):
        create_model("identity", checkpoint=path)
    assert not marker.exists()


def test_foreign_checkpoint_with_code_is_refused_by_the_cli(
    evil_checkpoint: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    path, marker = evil_checkpoint
    image = tmp_path / "in.png"
    Image.new("RGB", (8, 8)).save(image)
    args = ["restore", str(image), "-m", "durn_us", "--checkpoint", str(path), "-o", str(tmp_path / "out")]
    assert main(args) == 1
    assert "weights-only" in _error_line(capsys.readouterr().err, "restore")
    assert main(["convert-reference", str(path), "-o", str(tmp_path / "x.safetensors")]) == 1
    assert "refused" in _error_line(capsys.readouterr().err, "convert-reference")
    assert not marker.exists() and not (tmp_path / "x.safetensors").exists()


def test_plain_foreign_checkpoint_still_loads(tmp_path: Path) -> None:
    """weights_only refuses code, not ordinary checkpoints (wrapped in 'state_dict' with plain metadata)."""
    model = create_model("durn_us", width=0.25)
    path = tmp_path / "foreign.pth"
    torch.save({"state_dict": model.state_dict(), "epoch": 3, "meta": {"note": "x"}}, path)
    loaded = create_model("durn_us", width=0.25, checkpoint=path)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), loaded.state_dict().values()))


def test_train_load_from_a_foreign_checkpoint_is_weights_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "code_ran"
    path = tmp_path / "evil.pth"
    torch.save({"state_dict": {}, "meta": _Payload(marker)}, path)
    work = tmp_path / "work"
    options = [f"load_from={path}", "train_cfg.max_iters=1", f"experiment_name=rel_{tmp_path.name}"]
    assert main(["train", "durn_us_tiny", "--work-dir", str(work), "--cfg-options", *options]) == 1
    assert "refused: it holds Python objects" in _error_line(capsys.readouterr().err, "train")
    assert not marker.exists() and not list(work.glob("*.pth"))


# --- configs -------------------------------------------------------------------------------------------------------

_YAML_ATTACKS = {
    "apply": "model: !!python/object/apply:pathlib.Path.touch [['{marker}']]\n",
    "object_new": "model: !!python/object/new:pathlib.Path.touch [['{marker}']]\n",
    "name": "model: !!python/name:os.system\n",
    "in_base": None,  # a safe-looking config whose _base_ file carries the attack
}


@pytest.mark.parametrize("attack", sorted(_YAML_ATTACKS))
def test_yaml_config_with_python_tags_is_refused(
    attack: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from zoo.training import load_config

    marker = tmp_path / "code_ran"
    path = tmp_path / "config.yaml"
    if attack == "in_base":
        (tmp_path / "base.yaml").write_text(_YAML_ATTACKS["apply"].format(marker=marker))
        path.write_text("_base_: ./base.yaml\ntrain_cfg: {max_iters: 1}\n")
    else:
        path.write_text(_YAML_ATTACKS[attack].format(marker=marker))
    with pytest.raises(ValueError, match="not a safe YAML config"):
        load_config(str(path))
    assert main(["train", str(path), "--work-dir", str(tmp_path / "work")]) == 1
    assert "not a safe YAML config" in _error_line(capsys.readouterr().err, "train")
    assert not marker.exists()


def test_plain_yaml_config_loads(tmp_path: Path) -> None:
    from zoo.training import load_config

    path = tmp_path / "config.yaml"
    path.write_text("_base_: zoo::durn_us_tiny.py\ntrain_cfg: {max_iters: 3}\npad: !!python/tuple [1, 2]\n")
    cfg = load_config(str(path))
    assert cfg.train_cfg.max_iters == 3 and cfg.model.net.type == "durn_us" and cfg.pad == (1, 2)


def test_yaml_loader_is_restored_after_loading(tmp_path: Path) -> None:
    """The safe loader is swapped in for load_config only; mmengine's handler is put back afterwards."""
    from mmengine.fileio.io import file_handlers

    from zoo.training import load_config

    before = dict(file_handlers)
    path = tmp_path / "c.yaml"
    path.write_text("_base_: zoo::durn_us_tiny.py\n")
    load_config(str(path))
    assert file_handlers == before


def test_docs_say_py_configs_are_code() -> None:
    root = Path(__file__).resolve().parents[2]
    text = (root / "docs" / "reliability.md").read_text()
    assert ".py` configs are Python code" in text
    import argparse

    from zoo.cli.train import add_arguments
    from zoo.training.runner import load_config

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert ".py configs are code" in " ".join(parser.format_help().split())
    assert "are Python code and are executed" in " ".join((load_config.__doc__ or "").split())
