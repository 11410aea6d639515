"""python -m zoo.training.ship: copies a release file and its manifest entry, checked by sha256."""

import hashlib
import json
from pathlib import Path

import pytest

from zoo.training.ship import main, ship


def _release(folder: Path, tag: str, payload: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{tag}.safetensors").write_bytes(payload)
    entry = {
        "file": f"{tag}.safetensors",
        "sha256": hashlib.sha256(payload).hexdigest(),
        "config": {"type": "mbn"},
        "metadata": {"summary": "test weights", "architecture": "mbn", "parameters": 3},
    }
    (folder / "manifest.json").write_text(json.dumps({tag: entry}))


def test_ship_copies_the_file_entry_and_card_and_sets_the_default(tmp_path: Path) -> None:
    source, into = tmp_path / "campaign", tmp_path / "package"
    _release(source, "mbn.new", b"weights")
    into.mkdir()
    (into / "manifest.json").write_text(json.dumps({"defaults": {"mbn": "mbn.old"}, "mbn.old": {"file": "x"}}))
    ship(source, ["mbn.new"], make_default=True, into=into)
    manifest = json.loads((into / "manifest.json").read_text())
    assert manifest["defaults"] == {"mbn": "mbn.new"} and set(manifest) == {"defaults", "mbn.old", "mbn.new"}
    assert (into / "mbn.new.safetensors").read_bytes() == b"weights"
    assert "test weights" in (into / "mbn.new.md").read_text()


def test_ship_refuses_a_file_that_is_not_its_entry_and_unknown_tags(tmp_path: Path) -> None:
    source, into = tmp_path / "campaign", tmp_path / "package"
    _release(source, "mbn.new", b"weights")
    (source / "mbn.new.safetensors").write_bytes(b"tampered")
    into.mkdir()
    with pytest.raises(ValueError, match="sha256"):
        ship(source, ["mbn.new"], into=into)
    with pytest.raises(KeyError, match="mbn.other"):
        ship(source, ["mbn.other"], into=into)
    assert not (into / "mbn.new.safetensors").exists() and not (into / "manifest.json").exists()


def test_command_line_ships_into_the_package_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import zoo.training.ship as module

    seen = {}
    monkeypatch.setattr(module, "ship", lambda folder, tags, default: seen.update(f=folder, t=tags, d=default) or [])
    assert main([str(tmp_path), "detector.broad", "--default"]) == 0
    assert seen == {"f": str(tmp_path), "t": ["detector.broad"], "d": True}
