"""`zoo bench recipe` at the smoke budget: every recipe row trained per seed, the switches reach the network."""

from pathlib import Path

import pytest
import torch
from _bench_helpers import bench, counts, outputs

import zoo.benchmarks.recipe as recipe
from zoo.registry import create_model


@pytest.mark.slow  # ~30 s of training; `pytest -m slow` (CI's second step)
def test_recipe_study_trains_every_row_per_seed_and_records_branch_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stdout = bench(capsys, "recipe", tmp_path)
    assert counts(stdout, "recipe") == (len(recipe.ROWS) * recipe.REPLICATES, 0)
    summary = outputs(tmp_path, "recipe")
    cells = {(c["config"]["row"], c["config"]["replicate"]): c for c in summary["cells"]}
    assert set(cells) == {(row, r) for row in recipe.ROWS for r in range(recipe.REPLICATES)}
    for (row, replicate), cell in cells.items():
        act, branch_init, residual_init, clip = recipe.ROWS[row]
        train, net = cell["config"]["train"], cell["config"]["net"]
        assert (net["act"], net["branch_init"], net["residual_init"]) == (act, branch_init, residual_init)
        assert train["optim_wrapper.clip_grad"] == (None if clip is None else {"max_norm": clip})
        assert train["randomness.seed"] == replicate
        change = cell["result"]["mean_change"]
        assert set(change) == {"haze", "rain", "jpeg", "blur"} and all(0 <= v < 1 for v in change.values())
    assert "| paper | act=relu, branch_init=default, residual_init=default, clip=none |" in stdout
    assert counts(bench(capsys, "recipe", tmp_path), "recipe") == (0, len(recipe.ROWS) * recipe.REPLICATES)


def test_recorded_change_is_zero_for_an_identity_branch_and_positive_otherwise() -> None:
    images = [torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(i)) for i in range(2)]
    torch.manual_seed(0)
    start_as_identity = create_model("mbn", width=0.125, rain_iters=1, residual_init="zero").eval()
    random_init = create_model("mbn", width=0.125, rain_iters=1).eval()
    for model, identity in ((start_as_identity, True), (random_init, False)):
        recorder = recipe.BranchRecorder(model, "jpeg")
        with torch.inference_mode():
            outputs = [recorder(x, "ignored", {}) for x in images]
        assert len(recorder.changes) == 2
        assert all(torch.equal(y, x) for y, x in zip(outputs, images, strict=True)) == identity
        if identity:
            assert recorder.mean_change() == 0.0
        else:
            assert recorder.mean_change() > recipe.COLLAPSE_THRESHOLD
    with pytest.raises(ValueError, match="no image"):
        recipe.BranchRecorder(random_init, "jpeg").mean_change()
