"""`zoo bench ablation` at the smoke budget: five trained DuRB-M configs, outputs, resume after an interruption."""

from pathlib import Path

import numpy as np
import pytest
import torch
from _bench_helpers import bench, counts, outputs
from skimage.metrics import peak_signal_noise_ratio

import zoo.benchmarks.ablation as ablation
from zoo.benchmarks.budgets import get_budget
from zoo.benchmarks.evaluate import factor_test_sets


def _y_standard(image: torch.Tensor) -> np.ndarray:
    """The ``standard`` protocol's channel, written independently of zoo.data.metrics: MATLAB luma of 8-bit RGB."""
    rgb = np.round(image.float().clamp(0, 1).permute(1, 2, 0).double().numpy() * 255.0)
    return 16.0 + (65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + 24.966 * rgb[..., 2]) / 255.0


def _independent_psnr(net: torch.nn.Module, dataset, factor: str) -> tuple[float, float]:
    """Mean PSNR (restored, input) over a test set, with scikit-image on the standard protocol's channel."""
    restored, inputs = [], []
    for index in range(len(dataset)):
        item = dataset[index]
        x, gt = item["inputs"], item["data_samples"]["gt"]
        with torch.no_grad():
            y = net(x[None], factor=factor)[0]
        reference = _y_standard(gt)
        restored.append(peak_signal_noise_ratio(reference, _y_standard(y), data_range=255))
        inputs.append(peak_signal_noise_ratio(reference, _y_standard(x), data_range=255))
    return float(np.mean(restored)), float(np.mean(inputs))


@pytest.mark.slow  # ~20 s of training; `pytest -m slow` (CI's second step)
def test_ablation_runs_resumes_after_interruption_and_skips_done_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real = ablation.train_network
    trained: dict[str, torch.nn.Module] = {}  # cell key -> network, to score it again independently

    def recorded(config, options, work_dir):
        trained[work_dir.name] = real(config, options, work_dir)
        return trained[work_dir.name]

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return recorded(*args, **kwargs)

    monkeypatch.setattr(ablation, "train_network", interrupted)
    from zoo.cli.main import main

    assert main(["bench", "ablation", "--budget", "smoke", "--out", str(tmp_path)]) == 130
    done = sorted(p.name for p in (tmp_path / "ablation" / "cells").glob("*.json"))
    assert done == ["train_TV.json", "train_none.json"]
    mtimes = {p: p.stat().st_mtime_ns for p in (tmp_path / "ablation" / "cells").glob("*.json")}
    capsys.readouterr()

    monkeypatch.setattr(ablation, "train_network", recorded)
    stdout = bench(capsys, "ablation", tmp_path)
    assert counts(stdout, "ablation") == (3, 2)
    assert all(p.stat().st_mtime_ns == t for p, t in mtimes.items())
    summary = outputs(tmp_path, "ablation")
    assert len(summary["cells"]) == 5
    rows = {c["config"]["row"]: c for c in summary["cells"]}
    assert set(rows) == set(ablation.ROWS)
    assert rows["TV"]["config"]["net"]["block"] == {"attention": {"type": "tv"}, "fusion": False}
    tests = factor_test_sets(tmp_path / "ablation" / "testsets", ablation.FACTORS, get_budget("smoke"), 0)
    assert set(trained) == {cell["key"] for cell in summary["cells"]}
    for cell in summary["cells"]:
        assert cell["config"]["train"]["train_cfg.max_iters"] == 4
        scores = cell["result"]["scores"]
        assert set(scores) == {"blur", "haze", "rain", "jpeg"}
        for factor, values in scores.items():
            restored, degraded = _independent_psnr(trained[cell["key"]], tests[factor], factor)
            assert values["psnr"] == pytest.approx(restored, abs=2e-3), (cell["key"], factor)
            assert values["psnr_input"] == pytest.approx(degraded, abs=2e-3), (cell["key"], factor)
    # The networks change their inputs, so scoring the input instead of the output could not pass the check above.
    gaps = [abs(s["psnr"] - s["psnr_input"]) for cell in summary["cells"] for s in cell["result"]["scores"].values()]
    assert max(gaps) > 0.1
    # Fusion adds the plain T2 path and the merge conv: more parameters than the single-path rows.
    assert rows["Fusion"]["result"]["parameters"] > rows["none"]["result"]["parameters"]
    assert "Table 1" in stdout and "| all (MBN) | ✓ | ✓ | ✓ |" in stdout

    stdout = bench(capsys, "ablation", tmp_path)
    assert counts(stdout, "ablation") == (0, 5)


def test_another_budget_in_the_same_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cells = tmp_path / "ablation" / "cells"
    cells.mkdir(parents=True)
    (cells / "train_none.json").write_text('{"budget": {"name": "cpu"}, "seed": 0}')
    from zoo.cli.main import main

    assert main(["bench", "ablation", "--budget", "smoke", "--out", str(tmp_path)]) == 1
    assert "made with budget 'cpu'" in capsys.readouterr().err


def _runs(psnr_by_row: dict[str, list[float]]) -> dict[str, list[dict]]:
    """Rows -> one result per seed, the same PSNR on every factor."""
    return {
        row: [{"scores": {f: {"psnr": value} for f in ablation.FACTORS}} for value in values]
        for row, values in psnr_by_row.items()
    }


def test_verdict_needs_a_margin_larger_than_the_seed_to_seed_spread() -> None:
    others = {row: [25.0, 25.1] for row in ablation.ROWS if row != ablation.FULL}
    clear_win = ablation.verdict(_runs({**others, ablation.FULL: [26.0, 26.05]}))
    assert ": holds at this budget" in clear_win and "spread: blur 0.10" in clear_win
    clear_loss = ablation.verdict(_runs({**others, ablation.FULL: [24.0, 24.05]}))
    assert "does NOT hold" in clear_loss and "blur, haze, rain, jpeg" in clear_loss
    within = ablation.verdict(_runs({**others, ablation.FULL: [25.08, 25.12]}))
    assert "inconclusive at this budget: the margins are within the seed-to-seed spread" in within


def test_verdict_with_one_seed_per_row_is_inconclusive_even_for_a_tie_to_four_decimals() -> None:
    tie = ablation.verdict(_runs({row: [25.1234] for row in ablation.ROWS}))
    assert "inconclusive at this budget: one seed per row" in tie and "NOT" not in tie
    assert "blur +0.00" in tie
