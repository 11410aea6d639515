"""Speed of the degradation synthesis (pytest-benchmark; run ``pytest benchmarks/speed --benchmark-only``).

Targets: CPU mixed chain (haze, rain, blur, JPEG) <= 20 ms per 256x256 image on one thread; torch batch
of 32 x 256 x 256 mixed <= 10 ms on an H100 / H200 (the GPU benchmark is skipped without CUDA).
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from zoo.data.degradations import JPEG, degrade, degrade_batch  # noqa: E402
from zoo.data.images import load_sample  # noqa: E402

ALL = ["haze", "rain", "blur", "jpeg"]


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    """A 256x256 crop of a bundled photo; OpenCV and torch limited to one thread."""
    import cv2

    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    return np.ascontiguousarray(load_sample("astronaut")[128:384, 128:384])


@pytest.mark.parametrize("factors", [["haze"], ["rain"], ["blur"], ["jpeg"], ALL], ids=[*ALL, "mixed"])
def test_cpu_chain_256(benchmark, image: np.ndarray, factors: list[str]) -> None:
    """CPU path (numpy / OpenCV / Pillow), one 256x256 image, one thread; target <= 20 ms for the mixed chain."""
    seeds = iter(range(10**9))
    out, params = benchmark(lambda: degrade(image, factors, seed=next(seeds)))
    assert out.shape == image.shape and params["factors"] == factors


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("jpeg_backend", ["torchvision", "pil"])
def test_torch_batch_32x256_mixed(benchmark, image: np.ndarray, jpeg_backend: str) -> None:
    """Torch path on CUDA, a batch of 32 x 256 x 256, all four factors; target <= 10 ms (nvjpeg backend)."""
    device = torch.device("cuda")
    x = torch.from_numpy(image).permute(2, 0, 1)[None].repeat(32, 1, 1, 1).to(device)
    generator = torch.Generator(device=device).manual_seed(0)
    jpeg = {"jpeg": JPEG(backend=jpeg_backend)}

    def run() -> torch.Tensor:
        out, _ = degrade_batch(x, ALL, generator=generator, degradations=jpeg)
        torch.cuda.synchronize()
        return out

    run()  # warm-up (cuFFT plans, nvjpeg handles)
    out = benchmark(run)
    assert out.shape == x.shape
