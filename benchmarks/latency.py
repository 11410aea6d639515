"""Speed table: latency and megapixels per second of every zoo model at 256x256 and 512x512.

The timing method is pytest-benchmark's ``pedantic`` mode, done inline so that one cell at a time can be resumed:
``time.perf_counter`` around single calls under ``torch.inference_mode``, untimed warm-up calls first, then up to
``rounds`` timed calls (fewer when a call takes long; at least one), reporting the median and the minimum. CPU fp32
always (at the current torch thread count); on a CUDA machine also GPU fp32 and bf16 autocast for the learned
models, synchronising before and after each call. Models are built at their default (full) configuration,
untrained: speed does not depend on the weights. MBN and the minimal design are timed per factor branch.
"""

import fnmatch
import statistics
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import torch

from zoo.factors import FACTORS

from .budgets import Budget
from .cells import CellStore
from .report import PlotPanel, StudyReport, Table

__all__ = ["Case", "cases", "run_speed", "time_calls"]

FACTOR_MODELS = ("mbn", "mbn_minimal")


@dataclass(frozen=True)
class Case:
    """One timed model: a row name, the architecture and, for MBN, the factor branch."""

    row: str
    arch: str
    factor: str | None = None


def cases(patterns: Sequence[str] | None = None) -> list[Case]:
    """Every zoo model (MBN and the minimal design once per factor), filtered by fnmatch patterns."""
    from zoo.registry import list_models

    names = list_models()
    if patterns:
        names = [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)]
        if not names:
            raise ValueError(f"no zoo model matches {' '.join(patterns)}; see `zoo list`")
    out = []
    for name in names:
        if name in FACTOR_MODELS:
            out += [Case(f"{name} [{f}]", name, f) for f in FACTORS]
        else:
            out.append(Case(name, name))
    return out


def time_calls(
    fn: Callable[[], object],
    warmup: int,
    rounds: int,
    max_seconds: float,
    sync: Callable[[], None],
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, float]:
    """Time ``fn`` like pytest-benchmark's pedantic mode, bounded by ``max_seconds`` per cell.

    The first call is a warm-up when ``warmup > 0`` and it took less than half of ``max_seconds``; otherwise it is
    the (cold) measurement itself. ``clock`` returns seconds (the tests pass a clock that the timed call moves).
    """

    def once() -> float:
        sync()
        tic = clock()
        fn()
        sync()
        return clock() - tic

    start = clock()
    first = once()
    cold = warmup == 0 or first > max_seconds / 2
    times = [first] if cold else []
    if not cold:
        for _ in range(warmup - 1):
            once()
    while len(times) < rounds and (not times or clock() - start < max_seconds):
        times.append(once())
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "mean_s": statistics.fmean(times),
        "stdev_s": statistics.stdev(times) if len(times) > 1 else 0.0,
        "rounds": len(times),
        "first_call_s": first,
        "cold": cold,
    }


def _input(size: int, channels: int) -> torch.Tensor:
    """A bundled photo resized to ``size`` (content matters for the iterative classical methods)."""
    import cv2
    import numpy as np

    from zoo.data.images import load_sample

    image = cv2.resize(load_sample("astronaut"), (size, size), interpolation=cv2.INTER_AREA)
    x = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None].float().clamp(0, 1)
    return x.mean(1, keepdim=True) if channels == 1 else x


def _in_channels(model: torch.nn.Module) -> int:
    conv = next((m for m in model.modules() if isinstance(m, torch.nn.Conv2d)), None)
    return 3 if conv is None else conv.in_channels


def _call(case: Case, model: torch.nn.Module, x: torch.Tensor, oracle: bool) -> Callable[[], object]:
    kwargs: dict[str, object] = {}
    if case.factor:
        kwargs["factor"] = case.factor
    if oracle:
        from zoo.data.kernels import motion_blur_kernel

        kwargs["kernel"] = motion_blur_kernel(radius=10, sigma=5.0, angle=30.0)

    def call() -> object:
        with torch.inference_mode():
            return model(x, **kwargs)

    return call


def run_speed(
    budget: Budget,
    seed: int,
    out: Path,
    command: str,
    patterns: Sequence[str] | None = None,
    sizes: Sequence[int] | None = None,
) -> StudyReport:
    """Time every selected model at every size on the CPU (and the GPU when there is one)."""
    from zoo.registry import create_model, get_model_info

    sizes = tuple(sizes or budget.speed_sizes)
    store = CellStore(out, "speed", budget, seed)
    gpu = torch.cuda.is_available()
    modes = [("cpu", "fp32")] + ([("cuda", "fp32"), ("cuda", "bf16")] if gpu else [])
    selected = cases(patterns)
    used: list[str] = []
    params: dict[str, float] = {}
    for case in selected:
        info = get_model_info(case.arch)
        for device, dtype in modes:
            if device == "cuda" and not info.learned:
                continue  # classical methods run in numpy on the CPU
            for size in sizes:
                key = f"{case.row}_{device}_{dtype}_{size}".replace(" ", "")
                used.append(key)
                config = {"model": case.arch, "factor": case.factor, "size": size, "device": device, "dtype": dtype}

                def compute(case: Case = case, device: str = device, dtype: str = dtype, size: int = size) -> dict:
                    torch.manual_seed(seed)
                    model = create_model(case.arch).eval().to(device)
                    x = _input(size, _in_channels(model)).to(device)
                    call = _call(case, model, x, get_model_info(case.arch).oracle)
                    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if dtype == "bf16" else nullcontext()
                    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
                    with autocast:
                        timing = time_calls(
                            call, budget.speed_warmup, budget.speed_rounds, budget.speed_max_seconds, sync
                        )
                    megapixels = size * size / 1e6
                    return {
                        **{k: round(v, 9) if isinstance(v, float) else v for k, v in timing.items()},
                        "mp_per_s": float(f"{megapixels / timing['median_s']:.6g}"),
                        "parameters": sum(p.numel() for p in model.parameters()),
                        "threads": torch.get_num_threads(),
                    }

                record = store.run(key, config, compute)
                params[case.row] = record["result"]["parameters"] / 1e6
    records = {r["key"]: r for r in store.records() if r["key"] in set(used)}

    def cell(case: Case, device: str, dtype: str, size: int) -> str:
        r = records.get(f"{case.row}_{device}_{dtype}_{size}".replace(" ", ""))
        if r is None:
            return "CPU only" if device == "cuda" else "—"
        res = r["result"]
        mark = "*" if res["cold"] else ""
        return f"{res['median_s'] * 1000:.1f} ms{mark} / {res['mp_per_s']:.3f}"

    headers = ["model", "params (M)"]
    for device, dtype in modes:
        headers += [f"{device} {dtype} {s}² (latency / MP/s)" for s in sizes]
    rows = [[c.row, f"{params[c.row]:.3f}", *[cell(c, d, t, s) for d, t in modes for s in sizes]] for c in selected]
    panels = [
        PlotPanel(
            f"{device} {dtype}: megapixels per second (log scale)",
            [c.row for c in selected],
            {
                f"{s}²": [
                    records[k]["result"]["mp_per_s"]
                    if (k := f"{c.row}_{device}_{dtype}_{s}".replace(" ", "")) in records
                    else None
                    for c in selected
                ]
                for s in sizes
            },
            ylabel="MP/s",
            log=True,
        )
        for device, dtype in modes
    ]
    report = StudyReport.of_store(
        store, "speed", f"Speed of every zoo model at the {budget.name} budget", budget, seed, command,
        tables=[Table("Latency (median of the timed calls) and megapixels per second", headers, rows)],
        panels=panels,
        cells=list(records.values()),
    )
    report.notes += [
        f"Timing: pytest-benchmark's pedantic method inline: {budget.speed_warmup} warm-up call(s), up to "
        f"{budget.speed_rounds} timed calls, no more calls after {budget.speed_max_seconds:.0f} s; * = a single cold "
        f"call (the first call took over half of that limit, or no warm-up at this budget). torch threads: "
        f"{torch.get_num_threads()}. Untrained full-size models (speed does not depend on the weights); batch 1; "
        "inference_mode; input: the astronaut photo resized.",
        "GPU: "
        + ("fp32 and bf16 autocast for the learned models." if gpu else "no CUDA device here; GPU rows skipped."),
    ]
    return report
