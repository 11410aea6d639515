import pytest
import torch

import zoo
from zoo.benchmarks.strength import chain_with_strengths, choose_margin, markdown


@pytest.fixture(scope="module")
def rmbn() -> torch.nn.Module:
    return zoo.create_model({"type": "rmbn", "width": 0.125, "rain_iters": 1}).eval()


def test_chain_with_strengths_skips_zero_runs_full_and_blends_part(rmbn: torch.nn.Module) -> None:
    x = torch.rand(1, 3, 32, 32)
    assert torch.equal(chain_with_strengths(rmbn, x, {"rain": 0.0, "haze": 0.0}), x)
    with torch.no_grad():
        full = rmbn(x, steps=["haze"])
    assert torch.allclose(chain_with_strengths(rmbn, x, {"haze": 1.0, "rain": 0.0}), full, atol=1e-6)
    half = chain_with_strengths(rmbn, x, {"haze": 0.5})
    assert torch.allclose(half, (x + 0.5 * (full - x)).clamp(0, 1), atol=1e-5)


def test_markdown_lists_every_row_and_the_summaries() -> None:
    cell = {"0": {"mean": -0.5, "worst": -9.0, "n": 3}, "1": {"mean": 0.25, "worst": -1.5, "n": 3}}
    report = {
        "model": "rmbn",
        "thresholds": {"rain": 0.8},
        "margins": ["0", "1"],
        "per_photo": 6,
        "seconds": 12.0,
        "gain": {"broad": {"rain": cell, "pairs": cell}, "paper": {"rain": cell}},
    }
    text = markdown(report, "python -m zoo.benchmarks.strength")
    assert text.count("| broad |") == 2 and "| paper | rain | 3 | -0.50 (-9.0) | +0.25 (-1.5) |" in text
    assert "| all | worst image | | -9.0 | -1.5 |" in text and "| all | mean of the rows | | -0.50 | +0.25 |" in text
    assert "Model `rmbn` (default weights)" in text
    candidate = markdown({**report, "weights": "/runs/w/rmbn.blur_ft.safetensors"}, "c")
    assert "Model `rmbn` (weights `rmbn.blur_ft.safetensors`)" in candidate  # a judged candidate names its file


def test_the_rule_trades_a_little_mean_gain_for_a_smaller_worst_loss() -> None:
    def row(mean_and_worst: dict[str, tuple[float, float]]) -> dict:
        return {m: {"mean": mean, "worst": worst, "n": 1} for m, (mean, worst) in mean_and_worst.items()}

    gains = {"0": (1.07, -9.1), "1": (1.06, -3.7), "2": (1.02, -1.3), "4": (0.92, -0.3)}
    report = {"margins": list(gains), "gain": {"broad": {"rain": row(gains)}}}
    assert choose_margin(report) == "2"  # 4 is safer but gives up 0.15 dB of mean gain
    assert choose_margin(report, tolerance=0.2) == "4"
    assert choose_margin(report, tolerance=0.0) == "0"
    assert "Chosen: margin 2" in markdown(
        {**report, "model": "rmbn", "thresholds": {}, "per_photo": 1, "seconds": 1.0}, "c"
    )


def test_the_shipped_margin_is_the_one_the_recorded_validation_study_chose() -> None:
    import json
    from pathlib import Path

    from zoo.inference.adaptive import STRENGTH_MARGIN

    report = json.loads((Path(__file__).resolve().parents[2] / "results" / "cpu" / "strength.json").read_text())
    assert float(choose_margin(report)) == STRENGTH_MARGIN


@pytest.mark.parametrize("bad", ["snow=0.5", "haze=1.5", "haze=high", "haze"])
def test_threshold_overrides_are_checked(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    from zoo.benchmarks.strength import main

    with pytest.raises(SystemExit):
        main(["--threshold", bad])
    assert "--threshold" in capsys.readouterr().err
