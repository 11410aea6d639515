"""One GPU benchmark of R-MBN speed and memory, written to one JSON file.

Run on a machine with one NVIDIA GPU (H100 / H200), from the repository root::

    python benchmarks/gpu/bench_all.py --out results/speed/gpu_h100.json

It measures, in this order (each section is written to the JSON as soon as it is done, and sections are skipped,
with the reason recorded, once ``--budget-s`` is spent):

1. ``inference_1024``: 1x3x1024x1024 under ``torch.inference_mode`` with channels_last: fp32 (PyTorch defaults, so
   cuDNN may use TF32, as in the reference), bf16 autocast, and bf16 replayed from a CUDA graph; median time,
   MP/s and peak memory. Every output is compared with a strict-fp32 (TF32 off) eager output.
2. ``forward_256``: 1x3x256x256, fp32 and bf16, eager and CUDA graph (``--compile`` adds ``compile_256_bf16``,
   torch.compile in ``--compile-mode``, default ``reduce-overhead``; its compile time is minutes, so run it in a
   call of its own: ``--compile --only compile_256_bf16``);
   per-step fp32 times (jpeg, haze, blur, rain); FLOPs counted with ``torch.utils.flop_counter``.
3. ``train_step``: batch 16 at 256x256, fwd + bwd + Adam (lr 1e-4) through the full J->H->B->R chain with the
   ``1.1 (1 - SSIM) + 0.75 L1`` loss: bf16 autocast with channels_last, with and without activation checkpointing
   (``checkpointing=True``); fp32 with ``--train-fp32`` (126 GiB in the reference: an H200 only). Median time and
   peak memory; an out-of-memory variant is recorded as such.
4. ``degradation``: on-the-fly synthesis of a training batch (``zoo.data.degradations.degrade_batch``, all four
   factors, nvjpeg JPEG) as a share of the training step.
5. ``targets``: the project's GPU targets, met or not, and a Markdown table for the README (``table_markdown``).

The reference figures (the authors' R-MBN on an H200) are in ``REFERENCE``. Weights are random
(seed 0) unless ``--weights`` names a checkpoint; speed does not depend on them, the bf16 deviation slightly does.

``--smoke`` runs everything on the CPU at tiny sizes (width 0.25, one rain iteration, 32-64 pixel images) so a test
can check the script end to end; CUDA graphs and peak memory are then recorded as skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

GIB = 1024**3

# The authors' R-MBN on an NVIDIA H200 (torch 2.11, CUDA 13); CPU: 2-core VM.
REFERENCE = {
    "card": "NVIDIA H200",
    "inference_1024_ms": {"fp32": 411.0, "bf16": 339.0},
    "inference_1024_mp_s": {"fp32": 2.55, "bf16": 3.09},
    "inference_1024_peak_gib": {"fp32": 18.6, "bf16": 14.6},
    "forward_256_ms": {"fp32": 108.0, "bf16": 100.0},
    "forward_256_step_ms_fp32": {"jpeg": 25.2, "haze": 8.5, "blur": 21.6, "rain": 25.1},
    "train_step_16x256_ms": {"fp32": 1171.0, "bf16": 886.0},
    "train_step_16x256_peak_gib": {"fp32": 125.9, "bf16": 66.3},
    "forward_256_tflop": 1.445,
}

# The project's GPU targets.
TARGETS = {
    "inference_1024_bf16_mp_s_min": 9.0,
    "forward_256_ms_max": 30.0,
    "train_step_bf16_ms_max": 450.0,
    "train_step_bf16_peak_gib_max": 33.0,
    "degradation_share_max": 0.05,
}

SECTIONS = ("inference_1024", "forward_256", "forward_256_steps", "train_step", "degradation", "compile_256_bf16")

# "Within bf16 tolerance" of a strict-fp32 output in [0, 1]: mean |diff| <= 2^-8 (bf16's epsilon) and
# max |diff| <= 2^-4.
BF16_TOLERANCE = {"mean_abs": 2.0**-8, "max_abs": 2.0**-4}


@dataclass(frozen=True)
class Sizes:
    """Problem sizes and repetitions of one run."""

    inference: int = 1024
    forward: int = 256
    train_batch: int = 16
    train_size: int = 256
    warmup: int = 2
    reps: int = 5
    train_warmup: int = 2
    train_reps: int = 5
    width: float = 1.0
    rain_iters: int = 4


FULL = Sizes()
SMOKE = Sizes(
    inference=48,
    forward=32,
    train_batch=2,
    train_size=32,
    warmup=1,
    reps=2,
    train_warmup=1,
    train_reps=1,
    width=0.25,
    rain_iters=1,
)


# --------------------------------------------------------------------------------------------------- helpers
class Budget:
    """Wall-clock budget of the whole run; sections check it before they start."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.perf_counter() - self.start

    def left(self) -> float:
        """Seconds left."""
        return self.seconds - self.elapsed()


def synchronize(device: torch.device) -> None:
    """Wait for the device's queued work (no-op on the CPU)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_ms(fn: Callable[[], Any], device: torch.device, warmup: int, reps: int) -> dict[str, Any]:
    """Median / min / all wall times in ms of ``fn`` after ``warmup`` calls, synchronising around each call."""
    for _ in range(warmup):
        fn()
    synchronize(device)
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        synchronize(device)
        times.append((time.perf_counter() - start) * 1e3)
    return {"median_ms": statistics.median(times), "min_ms": min(times), "times_ms": times}


@contextlib.contextmanager
def peak_memory(device: torch.device, record: dict[str, Any]) -> Iterator[None]:
    """Record the peak allocated / reserved memory (GiB) of the block in ``record`` (None on the CPU)."""
    if device.type != "cuda":
        record["peak_gib"] = None
        record["peak_reserved_gib"] = None
        yield
        return
    synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    yield
    synchronize(device)
    record["peak_gib"] = torch.cuda.max_memory_allocated(device) / GIB
    record["peak_reserved_gib"] = torch.cuda.max_memory_reserved(device) / GIB


def autocast(device: torch.device, precision: str, cache_enabled: bool = True) -> contextlib.AbstractContextManager:
    """bf16 autocast for ``precision == "bf16"``, else nothing."""
    if precision == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16, cache_enabled=cache_enabled)
    if precision != "fp32":
        raise ValueError(f"unknown precision {precision!r}; expected 'fp32' or 'bf16'")
    return contextlib.nullcontext()


@contextlib.contextmanager
def strict_fp32() -> Iterator[None]:
    """Disable TF32 in cuDNN and cuBLAS for a true fp32 reference."""
    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved


def compare(output: torch.Tensor, reference: torch.Tensor) -> dict[str, Any]:
    """Deviation of ``output`` from the fp32 ``reference`` and whether it is within bf16 tolerance."""
    diff = (output.float() - reference.float()).abs()
    mse = float(diff.pow(2).mean())
    result = {
        "max_abs": float(diff.max()),
        "mean_abs": float(diff.mean()),
        "psnr_db": math.inf if mse == 0 else 10 * math.log10(1.0 / mse),
    }
    result["within_bf16_tolerance"] = (
        result["mean_abs"] <= BF16_TOLERANCE["mean_abs"] and result["max_abs"] <= BF16_TOLERANCE["max_abs"]
    )
    return result


def build_model(sizes: Sizes, device: torch.device, weights: str | None, **knobs: Any) -> torch.nn.Module:
    """The R-MBN (random weights with seed 0 unless ``weights``), channels_last, on ``device``."""
    from zoo.registry import create_model

    torch.manual_seed(0)
    kwargs: dict[str, Any] = {"width": sizes.width, "rain_iters": sizes.rain_iters, **knobs}
    if weights is not None:
        kwargs["checkpoint"] = weights
    model = create_model("rmbn", **kwargs).to(device)
    if device.type == "cpu":  # the smoke run: dilated convolutions stay in the default order (NaN bf16 gradients)
        from zoo.training.memory_format import to_channels_last

        to_channels_last(model)
        return model
    return model.to(memory_format=torch.channels_last)


def image(batch: int, size: int, device: torch.device, seed: int = 1) -> torch.Tensor:
    """A random (batch, 3, size, size) image in [0, 1], channels_last."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(batch, 3, size, size, generator=generator)
    return x.to(device).contiguous(memory_format=torch.channels_last)


def cuda_graph(fn: Callable[[], torch.Tensor], device: torch.device) -> tuple[Callable[[], torch.Tensor], float]:
    """Capture ``fn`` (no arguments; reads static inputs) in a CUDA graph; returns ``replay`` and capture seconds."""
    start = time.perf_counter()
    stream = torch.cuda.Stream(device)
    stream.wait_stream(torch.cuda.current_stream(device))
    with torch.cuda.stream(stream):
        for _ in range(3):  # warm-up on a side stream (cuDNN autotuning, workspace allocation)
            fn()
    torch.cuda.current_stream(device).wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        static_out = fn()
    synchronize(device)

    def replay() -> torch.Tensor:
        graph.replay()
        return static_out

    return replay, time.perf_counter() - start


def release(device: torch.device) -> None:
    """Free what the last measurement left and return cached device memory."""
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()


def failure(error: BaseException) -> dict[str, Any]:
    """The JSON record of a measurement that raised (printed too): out of memory, or the exception's type."""
    message = (str(error).splitlines() or [""])[0]
    print(f"  failed: {type(error).__name__}: {message}", file=sys.stderr, flush=True)
    if isinstance(error, torch.OutOfMemoryError):
        return {"error": "out of memory", "message": message}
    return {"error": type(error).__name__, "message": message}


def run_variant(record: dict[str, Any], name: str, fn: Callable[[], dict[str, Any]], device: torch.device) -> None:
    """``record[name] = fn()``; an exception (e.g. out of memory) is recorded as ``{"error": ..., "message": ...}``.

    The run is a one-shot on a lent GPU, so one failing variant must not lose the others; failures are kept in the
    JSON and shown in the table.
    """
    try:
        record[name] = fn()
    except Exception as error:  # noqa: BLE001 - recorded, see the docstring
        record[name] = failure(error)
    release(device)


# -------------------------------------------------------------------------------------------------- sections
def bench_inference(
    sizes: Sizes, device: torch.device, weights: str | None, size: int, graphs: bool = True
) -> dict[str, Any]:
    """Full-chain inference at ``size``: fp32 / bf16 eager and bf16 (and fp32) CUDA graph, against strict fp32."""
    model = build_model(sizes, device, weights).eval()
    x = image(1, size, device)
    megapixels = size * size / 1e6
    out: dict[str, Any] = {"size": size}
    with torch.inference_mode():
        with strict_fp32():
            reference = model(x).float()

        def eager(precision: str) -> dict[str, Any]:
            def fn() -> torch.Tensor:
                with autocast(device, precision):
                    return model(x)

            record: dict[str, Any] = {}
            with peak_memory(device, record):
                record.update(time_ms(fn, device, sizes.warmup, sizes.reps))
            record["mp_s"] = megapixels / (record["median_ms"] / 1e3)
            record["vs_strict_fp32"] = compare(fn(), reference)
            return record

        def graphed(precision: str) -> dict[str, Any]:
            if device.type != "cuda":
                return {"skipped": "CUDA graphs need a CUDA device"}
            if not graphs:
                return {"skipped": "--no-cuda-graphs"}
            static_x = x.clone()

            def fn() -> torch.Tensor:
                with autocast(device, precision, cache_enabled=False):
                    return model(static_x)

            record: dict[str, Any] = {}
            with peak_memory(device, record):
                replay, record["capture_s"] = cuda_graph(fn, device)
                record.update(time_ms(replay, device, sizes.warmup, sizes.reps))
            record["mp_s"] = megapixels / (record["median_ms"] / 1e3)
            record["vs_strict_fp32"] = compare(replay(), reference)
            return record

        for precision in ("fp32", "bf16"):
            run_variant(out, f"eager_{precision}", lambda p=precision: eager(p), device)
        for precision in ("bf16", "fp32"):
            run_variant(out, f"cuda_graph_{precision}", lambda p=precision: graphed(p), device)
    return out


def bench_forward_steps(sizes: Sizes, device: torch.device, weights: str | None) -> dict[str, Any]:
    """Per-step fp32 eager forward times at the forward size, and the FLOPs of each step and of the chain."""
    from torch.utils.flop_counter import FlopCounterMode

    model = build_model(sizes, device, weights).eval()
    x = image(1, sizes.forward, device)
    out: dict[str, Any] = {}
    with torch.inference_mode():
        for factor in model.order:

            def fn(f: str = factor) -> torch.Tensor:
                return model(x, factor=f)

            counter = FlopCounterMode(display=False)
            with counter:
                fn()
            out[factor] = {**time_ms(fn, device, sizes.warmup, sizes.reps), "tflop": counter.get_total_flops() / 1e12}
    out["chain_tflop"] = sum(out[f]["tflop"] for f in model.order)
    return out


def bench_compile(sizes: Sizes, device: torch.device, weights: str | None, mode: str, budget: Budget) -> dict[str, Any]:
    """torch.compile (``mode``) of the chain at the forward size, bf16: compile time, median time, deviation."""
    model = build_model(sizes, device, weights).eval()
    x = image(1, sizes.forward, device)
    compiled = torch.compile(model, mode=None if mode == "default" else mode)
    record: dict[str, Any] = {"mode": mode, "budget_left_s_at_start": budget.left()}
    with torch.inference_mode():
        with strict_fp32():
            reference = model(x).float()

        def fn() -> torch.Tensor:
            with autocast(device, "bf16"):
                return compiled(x)

        start = time.perf_counter()
        fn()
        synchronize(device)
        record["compile_s"] = time.perf_counter() - start
        record.update(time_ms(fn, device, sizes.warmup, sizes.reps))
        record["vs_strict_fp32"] = compare(fn(), reference)
    return record


def bench_train(
    sizes: Sizes, device: torch.device, weights: str | None, precision: str, checkpointing: bool
) -> dict[str, Any]:
    """One training step of the full chain: fwd + bwd + Adam with the SSIM + L1 loss; median time, peak memory."""
    from zoo.data.losses import SSIML1Loss

    model = build_model(sizes, device, weights, checkpointing=checkpointing).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, fused=device.type == "cuda")
    loss_fn = SSIML1Loss()
    x = image(sizes.train_batch, sizes.train_size, device, seed=2)
    target = image(sizes.train_batch, sizes.train_size, device, seed=3)
    losses: list[float] = []

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        with autocast(device, precision):
            output = model(x)
        loss = loss_fn(output.float(), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())

    record: dict[str, Any] = {
        "precision": precision,
        "checkpointing": checkpointing,
        "batch": sizes.train_batch,
        "size": sizes.train_size,
        "optimizer": "Adam(lr=1e-4, fused)" if device.type == "cuda" else "Adam(lr=1e-4)",
    }
    for _ in range(sizes.train_warmup):
        step()
    with peak_memory(device, record):
        record.update(time_ms(step, device, 0, sizes.train_reps))
    record["losses"] = [float(v) for v in losses]
    if not all(math.isfinite(v) for v in record["losses"]):
        raise RuntimeError(f"non-finite training loss: {record['losses']}")
    return record


def bench_degradation(sizes: Sizes, device: torch.device) -> dict[str, Any]:
    """``degrade_batch`` of one training batch (all four factors, torchvision / nvjpeg JPEG) on the device."""
    from zoo.data.degradations import JPEG, degrade_batch

    x = image(sizes.train_batch, sizes.train_size, device, seed=4).contiguous()  # NCHW, as a data loader gives
    generator = torch.Generator(device=device).manual_seed(0)
    jpeg = {"jpeg": JPEG(backend="torchvision")}
    factors = ["haze", "rain", "blur", "jpeg"]

    def fn() -> torch.Tensor:
        return degrade_batch(x, factors, generator=generator, degradations=jpeg)[0]

    record: dict[str, Any] = {"factors": factors, "batch": sizes.train_batch, "size": sizes.train_size}
    record.update(time_ms(fn, device, sizes.warmup, sizes.reps))
    return record


# ------------------------------------------------------------------------------------------- targets, table
def _ok(entry: Any) -> bool:
    return isinstance(entry, dict) and "median_ms" in entry


def best_forward(results: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The fastest 256x256 forward variant within bf16 tolerance, as ``(name, record)``."""
    entries = dict(results.get("forward_256", {}))
    if "compile_256_bf16" in results:
        entries["torch_compile_bf16"] = results["compile_256_bf16"]
    candidates = [
        (name, entry)
        for name, entry in entries.items()
        if _ok(entry) and entry.get("vs_strict_fp32", {}).get("within_bf16_tolerance", False)
    ]
    return min(candidates, key=lambda item: item[1]["median_ms"]) if candidates else None


def best_train(results: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The fastest bf16 training variant; among those within the memory target if any is."""
    train = results.get("train_step", {})
    candidates = [(n, e) for n, e in train.items() if _ok(e) and e.get("precision") == "bf16"]
    if not candidates:
        return None
    within = [c for c in candidates if (c[1]["peak_gib"] or 0) <= TARGETS["train_step_bf16_peak_gib_max"]]
    return min(within or candidates, key=lambda item: item[1]["median_ms"])


def evaluate_targets(results: dict[str, Any]) -> dict[str, Any]:
    """The project's GPU targets: measured value, target and ``met`` (None where not measured)."""
    out: dict[str, Any] = {}
    inference = results.get("inference_1024", {})
    bf16 = [
        (n, e)
        for n, e in inference.items()
        if n.endswith("bf16") and _ok(e) and e["vs_strict_fp32"]["within_bf16_tolerance"]
    ]
    if bf16:
        name, entry = max(bf16, key=lambda item: item[1]["mp_s"])
        target = TARGETS["inference_1024_bf16_mp_s_min"]
        out["inference_1024_bf16_mp_s"] = {"variant": name, "value": entry["mp_s"], "target_min": target}
        out["inference_1024_bf16_mp_s"]["met"] = entry["mp_s"] >= target
    best = best_forward(results)
    if best:
        target = TARGETS["forward_256_ms_max"]
        out["forward_256_ms"] = {"variant": best[0], "value": best[1]["median_ms"], "target_max": target}
        out["forward_256_ms"]["met"] = best[1]["median_ms"] <= target
    train = best_train(results)
    if train:
        name, entry = train
        ms_max, gib_max = TARGETS["train_step_bf16_ms_max"], TARGETS["train_step_bf16_peak_gib_max"]
        out["train_step_bf16"] = {
            "variant": name,
            "ms": entry["median_ms"],
            "peak_gib": entry["peak_gib"],
            "target_ms_max": ms_max,
            "target_peak_gib_max": gib_max,
            "met": entry["median_ms"] <= ms_max and entry["peak_gib"] is not None and entry["peak_gib"] <= gib_max,
        }
        degradation = results.get("degradation", {})
        if _ok(degradation):
            share = degradation["median_ms"] / entry["median_ms"]
            target = TARGETS["degradation_share_max"]
            degradation["share_of_train_step"] = share
            out["degradation_share"] = {"value": share, "target_max": target, "met": share <= target}
    return out


def _fmt_ms(entry: Any, rate: bool = False) -> str:
    if not isinstance(entry, dict):
        return "not run"
    if "error" in entry or "skipped" in entry:
        return entry.get("error") or entry.get("skipped")
    text = f"{entry['median_ms']:.1f} ms"
    if rate and entry.get("mp_s") is not None:
        text += f", {entry['mp_s']:.2f} MP/s"
    if entry.get("peak_gib") is not None:
        text += f", {entry['peak_gib']:.1f} GiB"
    return text


def _met(targets: dict[str, Any], key: str) -> str:
    entry = targets.get(key)
    return "not measured" if entry is None else ("yes" if entry["met"] else "no")


def table_markdown(results: dict[str, Any]) -> str:
    """The README table: reference (H200), this run, target, met."""
    card = results.get("env", {}).get("device_name", "?")
    ref = REFERENCE
    inf = results.get("inference_1024", {})
    fwd = results.get("forward_256", {})
    train = results.get("train_step", {})
    targets = results.get("targets", {})
    best = best_forward(results)
    best_train_entry = best_train(results)
    degradation = results.get("degradation", {})
    share = degradation.get("share_of_train_step")
    sizes = results.get("sizes", FULL.__dict__)
    big, small = sizes["inference"], sizes["forward"]
    batch, crop = sizes["train_batch"], sizes["train_size"]
    rows = [
        (
            f"inference 1x3x{big}² bf16 (best of eager / CUDA graph)",
            f"{ref['inference_1024_ms']['bf16']:.0f} ms, {ref['inference_1024_mp_s']['bf16']} MP/s, "
            f"{ref['inference_1024_peak_gib']['bf16']} GiB",
            _fmt_ms(inf.get(targets.get("inference_1024_bf16_mp_s", {}).get("variant", "eager_bf16")), rate=True),
            f">= {TARGETS['inference_1024_bf16_mp_s_min']:g} MP/s",
            _met(targets, "inference_1024_bf16_mp_s"),
        ),
        (
            f"inference 1x3x{big}² fp32 eager",
            f"{ref['inference_1024_ms']['fp32']:.0f} ms, {ref['inference_1024_mp_s']['fp32']} MP/s",
            _fmt_ms(inf.get("eager_fp32"), rate=True),
            "-",
            "-",
        ),
        (
            f"forward 1x3x{small}² fp32 / bf16 eager",
            f"{ref['forward_256_ms']['fp32']:.0f} / {ref['forward_256_ms']['bf16']:.0f} ms",
            f"{_fmt_ms(fwd.get('eager_fp32'))} / {_fmt_ms(fwd.get('eager_bf16'))}",
            "-",
            "-",
        ),
        (
            f"forward 1x3x{small}², best ({best[0] if best else '-'})",
            "-",
            _fmt_ms(best[1]) if best else "not run",
            f"<= {TARGETS['forward_256_ms_max']:g} ms",
            _met(targets, "forward_256_ms"),
        ),
        (
            f"training step {batch}x{crop}² bf16 ({best_train_entry[0] if best_train_entry else '-'})",
            f"{ref['train_step_16x256_ms']['bf16']:.0f} ms, {ref['train_step_16x256_peak_gib']['bf16']} GiB",
            _fmt_ms(best_train_entry[1]) if best_train_entry else "not run",
            f"<= {TARGETS['train_step_bf16_ms_max']:g} ms, <= {TARGETS['train_step_bf16_peak_gib_max']:g} GiB",
            _met(targets, "train_step_bf16"),
        ),
        (
            f"training step {batch}x{crop}² fp32",
            f"{ref['train_step_16x256_ms']['fp32']:.0f} ms, {ref['train_step_16x256_peak_gib']['fp32']} GiB",
            _fmt_ms(train.get("fp32")),
            "-",
            "-",
        ),
        (
            "GPU degradation synthesis, share of a training step",
            "-",
            "not run" if share is None else f"{_fmt_ms(degradation)} ({100 * share:.1f} %)",
            f"<= {100 * TARGETS['degradation_share_max']:g} %",
            _met(targets, "degradation_share"),
        ),
    ]
    lines = [
        f"| measurement | reference ({ref['card']}) | this implementation ({card}) | target | met |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------------ main
def environment(device: torch.device) -> dict[str, Any]:
    """Card, versions and backend flags."""
    env: dict[str, Any] = {
        "device": str(device),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "cudnn_benchmark": torch.backends.cudnn.benchmark,
    }
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        env.update(
            device_name=props.name,
            total_memory_gib=props.total_memory / GIB,
            capability=f"{props.major}.{props.minor}",
            cuda=torch.version.cuda,
            cudnn=torch.backends.cudnn.version(),
            cudnn_allow_tf32=torch.backends.cudnn.allow_tf32,
            matmul_allow_tf32=torch.backends.cuda.matmul.allow_tf32,
        )
    else:
        env["device_name"] = f"CPU ({env['cpu']}, {torch.get_num_threads()} threads)"
    return env


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="JSON file to write")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes on the CPU (end-to-end check)")
    parser.add_argument("--budget-s", type=float, default=450.0, help="skip sections after this many seconds")
    parser.add_argument("--weights", default=None, help="R-MBN checkpoint (default: random weights, seed 0)")
    parser.add_argument("--no-cuda-graphs", action="store_true", help="skip the CUDA-graph variants")
    parser.add_argument("--compile", action="store_true", help="also time torch.compile of the 256² forward")
    parser.add_argument(
        "--compile-mode",
        default="reduce-overhead",
        choices=["default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs"],
        help="torch.compile mode (default reduce-overhead: fused kernels replayed from CUDA graphs)",
    )
    parser.add_argument("--train-fp32", action="store_true", help="also time the fp32 training step (H200)")
    parser.add_argument(
        "--no-cudnn-benchmark", action="store_true", help="keep torch.backends.cudnn.benchmark off (default on)"
    )
    parser.add_argument(
        "--only",
        default=None,
        help=f"comma-separated sections to run (default all): {', '.join(SECTIONS)}",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run every section, writing the JSON after each."""
    args = parse_args(argv)
    only = set(SECTIONS) if args.only is None else set(args.only.split(","))
    if not only <= set(SECTIONS):
        raise SystemExit(f"unknown sections {sorted(only - set(SECTIONS))}; valid: {', '.join(SECTIONS)}")
    if args.smoke:
        device, sizes = torch.device("cpu"), SMOKE
    else:
        if not torch.cuda.is_available():
            raise SystemExit("no CUDA device: run with --smoke for the CPU check")
        device, sizes = torch.device("cuda"), FULL
        torch.backends.cudnn.benchmark = not args.no_cudnn_benchmark
    budget = Budget(args.budget_s)
    graphs = not args.no_cuda_graphs
    results: dict[str, Any] = {
        "benchmark": "benchmarks/gpu/bench_all.py",
        "smoke": args.smoke,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "env": environment(device),
        "sizes": sizes.__dict__,
        "weights": args.weights or "random (seed 0)",
        "reference": REFERENCE,
        "targets_def": TARGETS,
        "bf16_tolerance": BF16_TOLERANCE,
        "skipped": {},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)

    def save() -> None:
        results["elapsed_s"] = budget.elapsed()
        results["targets"] = evaluate_targets(results)
        results["table_markdown"] = table_markdown(results)
        args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")

    def section(name: str, fn: Callable[[], Any], min_left_s: float = 20.0) -> None:
        if name not in only:
            results["skipped"][name] = "not selected (--only)"
        elif budget.left() < min_left_s:
            results["skipped"][name] = f"budget spent ({budget.elapsed():.0f} s of {budget.seconds:.0f} s)"
        else:
            print(f"[{budget.elapsed():6.1f} s] {name}", file=sys.stderr, flush=True)
            try:
                results[name] = fn()
            except Exception as error:  # noqa: BLE001 - recorded in the JSON (see run_variant)
                results[name] = failure(error)
            release(device)
        save()

    section("inference_1024", lambda: bench_inference(sizes, device, args.weights, sizes.inference, graphs))
    section("forward_256", lambda: bench_inference(sizes, device, args.weights, sizes.forward, graphs))
    section("forward_256_steps", lambda: bench_forward_steps(sizes, device, args.weights))

    def train() -> dict[str, Any]:
        out: dict[str, Any] = {}
        run_variant(out, "bf16", lambda: bench_train(sizes, device, args.weights, "bf16", False), device)
        run_variant(out, "bf16_checkpointing", lambda: bench_train(sizes, device, args.weights, "bf16", True), device)
        if args.train_fp32:
            run_variant(out, "fp32", lambda: bench_train(sizes, device, args.weights, "fp32", False), device)
        return out

    section("train_step", train, min_left_s=60.0)
    section("degradation", lambda: bench_degradation(sizes, device))
    if args.compile:
        compile_run = lambda: bench_compile(sizes, device, args.weights, args.compile_mode, budget)  # noqa: E731
        section("compile_256_bf16", compile_run, min_left_s=240.0)
    else:
        results["skipped"]["compile_256_bf16"] = "not requested (--compile)"
    save()
    print(results["table_markdown"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
