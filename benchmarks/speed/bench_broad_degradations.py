"""Speed of on-the-fly synthesis with each preset (pytest-benchmark).

Run: ``pytest benchmarks/speed/bench_broad_degradations.py --benchmark-only``. Target: a torch batch of 16 x 128 x 128
crops on one CPU thread, per factor and for all four, well under one training step (~0.3 s on the project's 2-core
machine), so that ``degrade_batch(..., preset="broad")`` can feed training without a data-loader worker. The
``broad`` timings include the ``strength`` labels recorded per sample. The CUDA variant (batch 32 x 256 x 256) is
skipped without a GPU.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from zoo.data.degradations import degrade_batch  # noqa: E402
from zoo.data.images import load_sample  # noqa: E402

CASES = [["haze"], ["rain"], ["blur"], ["jpeg"], ["haze", "rain", "blur", "jpeg"], "random"]
IDS = ["haze", "rain", "blur", "jpeg", "all4", "random"]


@pytest.fixture(scope="module")
def batch() -> torch.Tensor:
    """16 different 128x128 crops of a bundled photo; OpenCV and torch limited to one thread."""
    import cv2

    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    photo = load_sample("astronaut")
    crops = np.stack([photo[16 * i : 16 * i + 128, 20 * i : 20 * i + 128] for i in range(16)])
    return torch.from_numpy(crops).permute(0, 3, 1, 2).contiguous()


@pytest.mark.parametrize("preset", ["paper", "broad"])
@pytest.mark.parametrize("factors", CASES, ids=IDS)
def test_cpu_batch_16x128(benchmark, batch: torch.Tensor, factors, preset: str) -> None:
    """Torch path on the CPU, one thread; target well under 0.3 s for the four-factor batch."""
    generator = torch.Generator().manual_seed(0)
    out, params = benchmark.pedantic(
        lambda: degrade_batch(batch, factors, generator, preset=preset), rounds=7, warmup_rounds=1
    )
    assert out.shape == batch.shape and len(params) == batch.shape[0]


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("preset", ["paper", "broad"])
def test_cuda_batch_32x256_all_four(benchmark, preset: str) -> None:
    """Torch path on CUDA, 32 x 256 x 256, all four factors (JPEG through Pillow on the CPU)."""
    photo = np.ascontiguousarray(load_sample("astronaut")[128:384, 128:384])
    x = torch.from_numpy(photo).permute(2, 0, 1)[None].repeat(32, 1, 1, 1).cuda()
    generator = torch.Generator(device="cuda").manual_seed(0)

    def run() -> torch.Tensor:
        out, _ = degrade_batch(x, ["haze", "rain", "blur", "jpeg"], generator, preset=preset)
        torch.cuda.synchronize()
        return out

    run()
    assert benchmark.pedantic(run, rounds=10, warmup_rounds=1).shape == x.shape
