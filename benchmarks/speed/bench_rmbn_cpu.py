"""Speed of the R-MBN forward on CPU (pytest-benchmark).

Run ``pytest benchmarks/speed/bench_rmbn_cpu.py --benchmark-only -p no:cacheprovider``.

Target (issue 3): the full J->H->B->R chain at 1x3x256x256 under ``torch.inference_mode`` with channels_last in
<= 8 s on a 2-core CPU (the reference network takes 12.0 s there; spec section 7.3). One forward is ~1.45 TFLOP,
so this file runs few rounds. Threads: ``ZOO_BENCH_THREADS`` (default 2).
"""

import os

import pytest
import torch

from zoo.registry import create_model


@pytest.fixture(scope="module")
def model() -> torch.nn.Module:
    """The full-width R-MBN in eval mode, channels_last."""
    torch.set_num_threads(int(os.environ.get("ZOO_BENCH_THREADS", "2")))
    return create_model("rmbn").eval().to(memory_format=torch.channels_last)


def test_rmbn_forward_256_cpu(benchmark, model: torch.nn.Module) -> None:
    """One J->H->B->R chain at 1x3x256x256 under inference_mode."""
    torch.manual_seed(0)
    x = torch.rand(1, 3, 256, 256).contiguous(memory_format=torch.channels_last)

    def forward() -> torch.Tensor:
        with torch.inference_mode():
            return model(x)

    out = benchmark.pedantic(forward, rounds=2, iterations=1, warmup_rounds=1)
    assert out.shape == x.shape and 0 <= out.min() and out.max() <= 1
