"""The factor detector's cost against the restoration it decides on (pytest-benchmark), side by side in one run.

Run::

    OMP_NUM_THREADS=2 pytest benchmarks/speed/bench_detector.py -p no:cacheprovider --benchmark-only

Both run on the same 1024x1024 image (``ZOO_BENCH_SIZE``) and thread count (``ZOO_BENCH_THREADS``, default 2): the
detector (views, statistics and the CNN) and the always-on R-MBN chain of the default ``rmbn`` weights. The target
is a detector at most 5 % of R-MBN's time; ``test_ratio`` prints the ratio of the two medians of this run.
"""

import os

import pytest
import torch

import zoo

THREADS = int(os.environ.get("ZOO_BENCH_THREADS", "2"))
SIZE = int(os.environ.get("ZOO_BENCH_SIZE", "1024"))
_MEDIANS: dict[str, float] = {}


@pytest.fixture(scope="module")
def image() -> torch.Tensor:
    """A random 1x3xSIZExSIZE image; sets the thread count."""
    torch.set_num_threads(THREADS)
    return torch.rand(1, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(0))


def test_detector(benchmark, image: torch.Tensor) -> None:
    """The shipped detector on the image."""
    from zoo.inference.adaptive import load_detector

    detector = load_detector()
    with torch.inference_mode():
        benchmark.pedantic(lambda: detector(image), rounds=5, warmup_rounds=1)
    _MEDIANS["detector"] = benchmark.stats.stats.median


def test_rmbn_chain(benchmark, image: torch.Tensor) -> None:
    """The default R-MBN weights, every step, on the image."""
    model = zoo.create_model("rmbn", pretrained=True).eval()
    with torch.inference_mode():
        benchmark.pedantic(lambda: model(image), rounds=3, warmup_rounds=1)
    _MEDIANS["rmbn"] = benchmark.stats.stats.median


def test_ratio(benchmark) -> None:
    """The detector's median over R-MBN's, both from this run."""
    if set(_MEDIANS) != {"detector", "rmbn"}:
        pytest.skip("run the whole file: the ratio needs both medians of this run")
    ratio = _MEDIANS["detector"] / _MEDIANS["rmbn"]
    benchmark.extra_info["detector_over_rmbn"] = ratio
    benchmark.pedantic(lambda: None, rounds=1)
    print(f"\ndetector {_MEDIANS['detector']:.3f} s, R-MBN {_MEDIANS['rmbn']:.3f} s: {100 * ratio:.1f} % ({SIZE}^2)")
