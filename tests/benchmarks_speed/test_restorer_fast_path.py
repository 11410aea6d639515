"""The Restorer's CPU fast path (channels-last tensors and weights) gives the outputs of a plain NCHW forward."""

import copy

import pytest
import torch

from zoo.inference import Restorer
from zoo.registry import create_model


@pytest.fixture(scope="module")
def tiny_rmbn() -> torch.nn.Module:
    torch.manual_seed(0)
    return create_model("rmbn", width=0.25, rain_iters=2).eval()


@pytest.mark.parametrize("dtype", ["fp32", "bf16"])
def test_restorer_matches_a_plain_nchw_forward(tiny_rmbn: torch.nn.Module, dtype: str) -> None:
    plain = copy.deepcopy(tiny_rmbn)
    x = torch.rand(1, 3, 48, 64, generator=torch.Generator().manual_seed(2))
    restorer = Restorer(copy.deepcopy(tiny_rmbn), dtype=dtype, steps="all")
    assert restorer.loaded.module.heads["rain"].lstm.gates.weight.is_contiguous(memory_format=torch.channels_last)
    got = restorer.restore_tensor(x)["restored"]
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=dtype == "bf16"):
        expected = plain(x).float().clamp(0, 1)
    assert got.shape == x.shape
    if dtype == "fp32":
        torch.testing.assert_close(got, expected, rtol=0, atol=1e-5)
    else:  # bf16 rounding depends on the order of the sums, which the layout changes
        assert (got - expected).abs().mean() < 2e-3
