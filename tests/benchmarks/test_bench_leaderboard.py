"""`zoo bench leaderboard` at the smoke budget: untrained rows marked, shipped weights scored, claims checked."""

import json
from pathlib import Path

import pytest
import torch
from _bench_helpers import bench, counts, outputs

import zoo.registry.pretrained as pretrained
from zoo.benchmarks.leaderboard import parse_datasets
from zoo.registry import create_model
from zoo.registry.checkpoint import save_release_weights

TINY = {
    "durn_s.tiny": {"width": 0.125},
    "durn_u.tiny": {"width": 0.125},
    "durn_p_rgb.tiny": {"width": 0.125},
    "durn_us.tiny": {"width": 0.125},
    "mbn.tiny": {"width": 0.125, "rain_iters": 1},
    "mbn.tiny_v2": {"width": 0.125, "rain_iters": 1},
    "rmbn.tiny": {"width": 0.125, "rain_iters": 1},
    "rmbn.tiny_star": {"width": 0.125, "rain_iters": 1},
}


@pytest.fixture
def no_weights(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """An empty weights folder (whatever the package ships)."""
    folder = tmp_path / "no_weights"
    folder.mkdir()
    monkeypatch.setattr(pretrained, "weights_dir", lambda: folder)
    pretrained.pretrained_table.cache_clear()
    yield folder
    pretrained.pretrained_table.cache_clear()


@pytest.fixture
def tiny_weights(no_weights: Path) -> Path:
    """Tiny random weights for every learned model of the leaderboard except OWAN, in a fake manifest."""
    manifest = {}
    for name, config in TINY.items():
        torch.manual_seed(0)
        model = create_model(dict(type=name.partition(".")[0], **config))
        digest = save_release_weights(model.state_dict(), no_weights / f"{name}.safetensors", {})
        manifest[name] = {
            "file": f"{name}.safetensors",
            "sha256": digest,
            "config": config,
            "metadata": {"summary": f"random tiny {name}", "training": {"iterations": 0}},
        }
    (no_weights / "manifest.json").write_text(json.dumps(manifest))
    pretrained.pretrained_table.cache_clear()
    return no_weights


def test_without_weights_learned_rows_say_untrained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_weights: Path
) -> None:
    stdout = bench(capsys, "leaderboard", tmp_path / "out")
    summary = outputs(tmp_path / "out", "leaderboard")
    assert "| R-MBN | untrained | untrained | untrained | untrained | **untrained (no shipped weights)** |" in stdout
    assert "not checked" in stdout
    models = {c["config"]["model"] for c in summary["cells"]}
    assert "rmbn" not in models and {"identity", "dcp_dehaze", "wiener_deblur_oracle"} <= models
    t4 = [c for c in summary["cells"] if c["config"]["table"] == "t4"]
    assert len(t4) == 16  # identity on the 15 combinations of Table 4 and the random mixtures

    from zoo.cli.main import main

    # Cells scored under another protocol are never reused.
    assert main(["bench", "leaderboard", "--out", str(tmp_path / "out"), "--protocol", "paper"]) == 1
    assert "'protocol': 'standard'" in capsys.readouterr().err


@pytest.mark.slow  # ~18 s; `pytest -m slow` (CI's second step)
def test_with_shipped_weights_every_row_is_scored_and_new_weights_are_new_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_weights: Path
) -> None:
    stdout = bench(capsys, "leaderboard", tmp_path / "out")
    summary = outputs(tmp_path / "out", "leaderboard")
    cells = [c for c in summary["cells"] if "subset" in c["config"]]  # the paper's tables (not the preset tables)
    by = {(c["config"]["table"], c["config"]["subset"], c["config"]["row"]): c for c in cells}
    for factor in ("blur", "haze", "rain", "jpeg"):
        for row in ("MBN (factor given)", "R-MBN", "cascade J→H→B→R", "identity (degraded input)"):
            assert ("t3", factor, row) in by, (factor, row)
    assert by[("t3", "rain", "dedicated (durn_s)")]["config"]["weights"] == "durn_s.tiny"
    assert by[("t3", "rain", "MBN (factor given)")]["config"]["weights"] == "mbn.tiny"  # the first tag
    assert by[("t3", "rain", "MBN (factor given): mbn.tiny_v2")]["config"]["weights"] == "mbn.tiny_v2"  # one row each
    assert by[("t4", "haze+rain", "R-MBN*")]["config"]["weights"] == "rmbn.tiny_star"
    assert by[("t4", "haze+rain", "R-MBN")]["config"]["weights"] == "rmbn.tiny"
    assert ("t4", "random", "OWAN (Suganuma et al.)") not in by  # no shipped OWAN weights
    assert "| OWAN (Suganuma et al.) | **untrained (no shipped weights)** |" in stdout
    assert "Claim 'R-MBN close to MBN'" in stdout and "not checked" not in stdout.split("Claim 'R-MBN close")[1][:60]
    identity = by[("t3", "blur", "identity (degraded input)")]["result"]
    assert identity["psnr"] == identity["psnr_input"]
    computed, _ = counts(stdout, "leaderboard")

    stdout = bench(capsys, "leaderboard", tmp_path / "out")
    assert counts(stdout, "leaderboard") == (0, computed)

    # Retrained weights under the same tag: only that model's cells are recomputed.
    torch.manual_seed(1)
    model = create_model(dict(type="mbn", **TINY["mbn.tiny"]))
    manifest = json.loads((tiny_weights / "manifest.json").read_text())
    manifest["mbn.tiny"]["sha256"] = save_release_weights(model.state_dict(), tiny_weights / "mbn.tiny.safetensors", {})
    (tiny_weights / "manifest.json").write_text(json.dumps(manifest))
    pretrained.pretrained_table.cache_clear()
    stdout = bench(capsys, "leaderboard", tmp_path / "out")
    assert counts(stdout, "leaderboard") == (4, computed - 4)


def test_dataset_specs_are_checked(tmp_path: Path) -> None:
    assert parse_datasets([f"blur=gopro:{tmp_path}"]) == {"blur": ("gopro", str(tmp_path))}
    with pytest.raises(ValueError, match="FACTOR=KIND:PATH"):
        parse_datasets(["blur:gopro"])
    with pytest.raises(ValueError, match="FACTOR=KIND:PATH"):
        parse_datasets([f"snow=gopro:{tmp_path}"])
    with pytest.raises(FileNotFoundError):
        parse_datasets([f"haze=reside:{tmp_path / 'missing'}"])
