import pytest
import torch

import zoo
from zoo.benchmarks.strength import chain_with_strengths, markdown


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
