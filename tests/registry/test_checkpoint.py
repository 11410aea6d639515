import json
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from zoo.registry import ChecksumError, load_state_dict, save_release_weights, sha256_file
from zoo.registry import pretrained as pretrained_module
from zoo.registry.factory import create_model


def test_safetensors_round_trip_with_sha256(tmp_path: Path) -> None:
    tensors = {"a": torch.arange(6.0).reshape(2, 3), "b": torch.ones(4)}
    digest = save_release_weights(tensors, tmp_path / "w.safetensors", {"tag": "unit"})
    assert digest == sha256_file(tmp_path / "w.safetensors")
    loaded = load_state_dict(tmp_path / "w.safetensors", expected_sha256=digest)
    assert torch.equal(loaded["a"], tensors["a"]) and torch.equal(loaded["b"], tensors["b"])
    assert not (tmp_path / "w.safetensors.tmp").exists()


def test_tampered_file_fails_the_checksum(tmp_path: Path) -> None:
    path = tmp_path / "w.safetensors"
    digest = save_release_weights({"a": torch.zeros(8)}, path, {})
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ChecksumError, match="does not match"):
        load_state_dict(path, expected_sha256=digest)


def test_torch_files_load_weights_only_and_unwrap(tmp_path: Path) -> None:
    path = tmp_path / "ckpt.pth"
    torch.save({"state_dict": {"w": torch.ones(2)}, "meta": {"epoch": 3}}, path)
    assert torch.equal(load_state_dict(path)["w"], torch.ones(2))


class _Evil:
    def __reduce__(self):  # would run code if unpickled without weights_only
        return (print, ("pwned",))


def test_pickled_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.pth"
    with open(path, "wb") as handle:
        pickle.dump({"w": _Evil()}, handle)
    with pytest.raises(ValueError, match="weights-only"):
        load_state_dict(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_state_dict(tmp_path / "nope.safetensors")


@pytest.fixture
def fake_weights_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(pretrained_module, "weights_dir", lambda: tmp_path)
    pretrained_module.pretrained_table.cache_clear()
    yield tmp_path
    pretrained_module.pretrained_table.cache_clear()


class UnitLinear(torch.nn.Module):
    def __init__(self, features: int = 2) -> None:
        super().__init__()
        self.fc = torch.nn.Linear(features, features)


@pytest.fixture
def unit_models() -> Iterator[None]:
    """``UnitLinear`` registered as ``unit_linear`` and ``unit_linear2`` for the test's duration."""
    from zoo.registry import MODEL_INFO, MODELS, ModelInfo, register_model

    for name in ("unit_linear", "unit_linear2"):
        register_model(name, ModelInfo(task="test"), force=True)(UnitLinear)
    yield
    for name in ("unit_linear", "unit_linear2"):
        MODELS._module_dict.pop(name, None)
        MODEL_INFO.pop(name, None)


def test_pretrained_tag_loads_and_verifies(fake_weights_dir: Path, unit_models: None) -> None:
    reference = UnitLinear(features=3)
    digest = save_release_weights(reference.state_dict(), fake_weights_dir / "u.safetensors", {})
    manifest = {
        "unit_linear.toy": {
            "file": "u.safetensors",
            "sha256": digest,
            "config": {"features": 3},
            "metadata": {"summary": "toy"},
        }
    }
    (fake_weights_dir / "manifest.json").write_text(json.dumps(manifest))
    pretrained_module.pretrained_table.cache_clear()

    model = create_model("unit_linear.toy", pretrained=True)
    assert model.fc.in_features == 3
    assert torch.equal(model.fc.weight, reference.fc.weight)
    assert model.zoo_name == "unit_linear.toy" and model.zoo_metadata == {"summary": "toy"}
    assert not model.training
    with pytest.raises(ValueError, match="no default weights are declared for 'unit_linear'.*unit_linear.toy"):
        create_model("unit_linear", pretrained=True)  # a sole tag is not a default unless declared
    (fake_weights_dir / "manifest.json").write_text(
        json.dumps({"defaults": {"unit_linear": "unit_linear.toy"}} | manifest)
    )
    assert create_model("unit_linear", pretrained=True).fc.in_features == 3  # the declared default

    manifest["unit_linear.toy"]["sha256"] = "0" * 64
    (fake_weights_dir / "manifest.json").write_text(json.dumps(manifest))
    pretrained_module.pretrained_table.cache_clear()
    with pytest.raises(ChecksumError):
        create_model("unit_linear.toy", pretrained=True)


def test_weights_made_of_other_entries_load_each_with_its_checksum(fake_weights_dir: Path, unit_models: None) -> None:
    """An entry with ``components`` takes its weights from other entries' files, under a prefix."""
    from zoo.registry import create_model

    part = UnitLinear(features=3)
    digest = save_release_weights(part.state_dict(), fake_weights_dir / "u.safetensors", {})
    manifest = {
        "unit_linear.part": {"file": "u.safetensors", "sha256": digest, "config": {"features": 3}},
        "unit_linear2.whole": {"components": {"inner": "unit_linear.part"}, "config": {"features": 3}},
    }
    (fake_weights_dir / "manifest.json").write_text(json.dumps(manifest))
    pretrained_module.pretrained_table.cache_clear()
    entry = pretrained_module.pretrained_table()["unit_linear2.whole"]
    with pytest.raises(ValueError, match="has no weights file: it is made of unit_linear.part"):
        _ = entry.path
    with pytest.raises(KeyError, match="unexpected"):  # the prefix is applied: the keys are inner.fc.*, not fc.*
        create_model("unit_linear2.whole", pretrained=True)
    manifest["unit_linear.part"]["sha256"] = "0" * 64
    (fake_weights_dir / "manifest.json").write_text(json.dumps(manifest))
    pretrained_module.pretrained_table.cache_clear()
    with pytest.raises(ChecksumError):
        create_model("unit_linear2.whole", pretrained=True)
    manifest["unit_linear2.whole"]["components"] = {"inner": "unit_linear.missing"}
    (fake_weights_dir / "manifest.json").write_text(json.dumps(manifest))
    pretrained_module.pretrained_table.cache_clear()
    with pytest.raises(ValueError, match="is made of unit_linear.missing, which the manifest does not hold"):
        pretrained_module.pretrained_table()


def test_checkpoint_shape_mismatch_names_the_key(tmp_path: Path, unit_models: None) -> None:
    torch.save(UnitLinear(features=3).state_dict(), tmp_path / "w.pth")
    with pytest.raises(ValueError, match="fc.weight"):
        create_model("unit_linear2", checkpoint=tmp_path / "w.pth")
    torch.save({"other": torch.ones(1)}, tmp_path / "x.pth")
    with pytest.raises(KeyError, match="missing"):
        create_model("unit_linear2", checkpoint=tmp_path / "x.pth")
