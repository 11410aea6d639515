"""Speed of the R-MBN forward on CPU (pytest-benchmark).

Run (on a quiet machine; the JSON goes to ``results/speed/``)::

    OMP_NUM_THREADS=2 pytest benchmarks/speed/bench_rmbn_cpu.py -p no:cacheprovider --benchmark-only
        --benchmark-json results/speed/cpu_rmbn_forward_256.pytest-benchmark.json   (one line)

The full J->H->B->R chain at 1x3x256x256 under ``torch.inference_mode`` with channels_last (the layout
``zoo.restore`` uses on CPUs). One forward is ~1.45 TFLOP, so this file runs few rounds. Variants:

- ``reference``: the authors' network in the same process (``reference.py``), fp32. It needs a checkout of their
  repository: set ``ZOO_REFERENCE_CODE`` to its folder; without one this variant skips and says so. Speed-ups are
  only ever computed against this variant measured in the same run (``summarize_cpu.py``), never against a number
  from another day; ``side_by_side.py`` alternates the variants round by round, which is fairer on shared cores.
- ``fp32``: exact fp32 (the reference's conditions).
- ``bf32``: fp32 tensors, oneDNN convolutions with bf16 inputs and fp32 accumulation
  (``torch.backends.mkldnn.conv.fp32_precision = "bf16"``, AMX on CPUs that have it); the CPU analogue of cuDNN's
  TF32 default on GPUs.
- ``bf16``: ``torch.autocast("cpu", dtype=torch.bfloat16)``: what ``--dtype auto`` runs on CPUs with AMX or
  AVX512-BF16 for weights whose card records that bf16 keeps their scores.

The deviation of the reduced-precision outputs from fp32 and the machine load (``os.getloadavg()``) before and after
each measurement are stored in ``extra_info``. Threads: ``ZOO_BENCH_THREADS`` (default 2). Size:
``ZOO_BENCH_SIZE`` (default 256). ``ZOO_BENCH_MALLOC_TUNED=1`` keeps freed memory in glibc's heap (``mallopt``: no
``mmap`` for large blocks, no trimming), which saves the page faults of re-allocating large feature maps; it is
process-wide, so it is applied when this module is imported and recorded.
"""

import contextlib
import ctypes
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

import zoo
from zoo.registry import create_model

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import ENV_VAR, ReferenceRMBN, find_checkout, load_reference_network  # noqa: E402

THREADS = int(os.environ.get("ZOO_BENCH_THREADS", "2"))
SIZE = int(os.environ.get("ZOO_BENCH_SIZE", "256"))
MALLOC_TUNED = os.environ.get("ZOO_BENCH_MALLOC_TUNED", "0") == "1"


def tune_malloc() -> None:
    """Keep freed blocks in glibc's heap: ``M_MMAP_THRESHOLD`` = 1 GiB, ``M_TRIM_THRESHOLD`` = 2 GiB."""
    libc = ctypes.CDLL("libc.so.6")
    m_trim_threshold, m_mmap_threshold = -1, -3
    if libc.mallopt(m_mmap_threshold, 1 << 30) != 1 or libc.mallopt(m_trim_threshold, (1 << 31) - 1) != 1:
        raise RuntimeError("mallopt refused the thresholds")


if MALLOC_TUNED:
    tune_malloc()


@contextlib.contextmanager
def precision(name: str) -> Iterator[None]:
    """The numeric mode of a variant (see the module docstring)."""
    if name == "fp32":
        yield
    elif name == "bf16":
        with torch.autocast("cpu", dtype=torch.bfloat16):
            yield
    elif name == "bf32":
        saved = torch.backends.mkldnn.conv.fp32_precision
        torch.backends.mkldnn.conv.fp32_precision = "bf16"
        try:
            yield
        finally:
            torch.backends.mkldnn.conv.fp32_precision = saved
    else:
        raise ValueError(f"unknown precision {name!r}")


@pytest.fixture(scope="module")
def model() -> torch.nn.Module:
    """The full-width R-MBN (random weights, seed 0) in eval mode, channels_last."""
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    return create_model("rmbn").eval().to(memory_format=torch.channels_last)


@pytest.fixture(scope="module")
def reference_model() -> torch.nn.Module:
    """The authors' R-MBN pass around their network (random weights), or a skip that says how to get it."""
    checkout = find_checkout()
    if checkout is None:
        pytest.skip(
            f"the side-by-side reference needs a checkout of https://github.com/6272code/6272-code: set {ENV_VAR}"
        )
    return ReferenceRMBN(load_reference_network(checkout))


@pytest.fixture(scope="module")
def image() -> torch.Tensor:
    """A random 1x3xSIZExSIZE image, channels_last."""
    generator = torch.Generator().manual_seed(1)
    return torch.rand(1, 3, SIZE, SIZE, generator=generator).contiguous(memory_format=torch.channels_last)


@pytest.fixture(scope="module")
def fp32_output(model: torch.nn.Module, image: torch.Tensor) -> torch.Tensor:
    """The exact fp32 output, to measure the reduced-precision variants against."""
    with torch.inference_mode():
        return model(image)


@pytest.mark.parametrize("mode", ["reference", "fp32", "bf32", "bf16"])
def test_rmbn_forward_cpu(
    benchmark, request: pytest.FixtureRequest, model: torch.nn.Module, image: torch.Tensor, fp32_output: torch.Tensor,
    mode: str,
) -> None:
    """One J->H->B->R chain at 1x3xSIZExSIZE under inference_mode (ours channels_last; the reference NCHW fp32)."""
    if mode == "reference":
        network, inputs, numeric = request.getfixturevalue("reference_model"), image.contiguous(), "fp32"
    else:
        network, inputs, numeric = model, image, mode

    def forward() -> torch.Tensor:
        with torch.inference_mode(), precision(numeric):
            return network(inputs)

    load_before = os.getloadavg()
    cpu_start = time.process_time()
    out = benchmark.pedantic(forward, rounds=3, iterations=1, warmup_rounds=1)
    comparable = mode != "reference"  # the reference has other (random) weights
    benchmark.extra_info.update(
        mode=mode,
        size=SIZE,
        threads=torch.get_num_threads(),
        omp_num_threads=os.environ.get("OMP_NUM_THREADS"),
        malloc_tuned=MALLOC_TUNED,
        cpu_count=os.cpu_count(),
        torch=torch.__version__,
        zoo_source=os.path.dirname(zoo.__file__),
        loadavg_before=load_before,
        loadavg_after=os.getloadavg(),
        process_cpu_s_per_round=(time.process_time() - cpu_start) / 4,
        max_abs_diff_vs_fp32=float((out.float() - fp32_output).abs().max()) if comparable else None,
        mean_abs_diff_vs_fp32=float((out.float() - fp32_output).abs().mean()) if comparable else None,
        date=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    )
    assert out.shape == image.shape and 0 <= out.min() and out.max() <= 1
    if not comparable:
        return
    if mode == "fp32":
        assert torch.equal(out, fp32_output)
    else:
        assert float((out.float() - fp32_output).abs().mean()) < 2.0**-8
