"""Does synthesis in dataloader workers pay for the cores it takes from the math? Measured on MBN stage 1.

``zoo bench train-split`` runs it. Cells: ``num_workers`` 0, 1 or 2, and synthesis either in the main process,
batched, in torch (``main``: :class:`~zoo.training.preprocessor.DegradeOnTheFly`, the default) or per sample on the
CPU path while loading (``loader``: :mod:`zoo.training.worker_synthesis`; in the workers when there are any). The
training step is stage 1's at the shipped runs' sizes (batch 8, crops 64 for rain and 96 for the rest) in bf16 (fp32
on CPUs without fast bf16, as ``zoo train``) with channels-last weights and a fixed number of math threads. Every
visit of a cell starts its loader afresh and runs one untimed step (the workers start and fill their queue) and then
``steps`` timed ones; the cells alternate, in an order that rotates every round, so they share the machine's load.

It also times the synthesis alone: one batch through the preprocessor, and the same batch degraded sample by sample
on the CPU path.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Sequence
from typing import Any

import torch

from zoo.factors import FACTORS

__all__ = ["CELLS", "markdown", "measure_split"]

_FINITE = {None: "not checked", True: "all finite", False: "NOT FINITE"}
CELLS = [(0, "main"), (0, "loader"), (1, "main"), (1, "loader"), (2, "main"), (2, "loader")]


def _loader(dataset: Any, workers: int, first: int) -> Any:
    from torch.utils.data import DataLoader, default_collate

    indices = range(first, first + 10_000)
    return DataLoader(dataset, batch_size=8, sampler=indices, num_workers=workers, collate_fn=default_collate)


def _synthesis_ms(model: torch.nn.Module, dataset: Any, factor: str, repeats: int = 3) -> dict[str, float]:
    """Milliseconds to degrade one batch of 8: batched torch (the preprocessor) and per sample on the CPU path."""
    from torch.utils.data import default_collate

    from zoo.training.worker_synthesis import degrade_sample

    main, cpu = [], []
    for r in range(repeats):
        samples = [dataset[8 * r + i] for i in range(8)]
        start = time.perf_counter()
        model.data_preprocessor(default_collate(samples), True)
        main.append(time.perf_counter() - start)
        start = time.perf_counter()
        for i, sample in enumerate(samples):
            degrade_sample(sample, "paper", seed=i)
        cpu.append(time.perf_counter() - start)
    return {"main_ms": 1000 * statistics.median(main), "loader_ms": 1000 * statistics.median(cpu)}


def measure_split(
    width: float = 0.25,
    factors: Sequence[str] = FACTORS,
    threads: int = 1,
    bf16: bool | str = "auto",
    rounds: int = 2,
    steps: int = 3,
    seed: int = 0,
    log=print,
) -> dict[str, Any]:
    """Images per second of every cell for every factor, with the synthesis times; see the module docstring.

    ``bf16="auto"``: bf16 where the CPU has fast bf16 (AMX or AVX512-BF16), fp32 elsewhere, as ``zoo train``
    (:func:`zoo.training.optim.bf16_autocast_enabled`).
    """
    from zoo.training.memory_format import to_channels_last
    from zoo.training.optim import bf16_autocast_enabled
    from zoo.training.throughput import build_trainer, clean_crops, finite
    from zoo.training.worker_synthesis import DegradedInLoader

    bf16 = bf16_autocast_enabled(bf16, torch.device("cpu"))
    model, wrapper = build_trainer("mbn_stage1", width, seed)
    to_channels_last(model)
    wrapper.bf16 = bf16
    saved = torch.get_num_threads()
    results: list[dict[str, Any]] = []
    loads = [os.getloadavg()[0]]
    try:
        torch.set_num_threads(threads)
        for factor in factors:
            clean = clean_crops(factor, 64 if factor == "rain" else 96, seed)
            datasets = {"main": clean, "loader": DegradedInLoader(clean, "paper", seed)}
            walls: dict[tuple[int, str], list[float]] = {cell: [] for cell in CELLS}
            cpus: dict[tuple[int, str], list[float]] = {cell: [] for cell in CELLS}
            for r in range(rounds):
                for k in range(len(CELLS)):
                    workers, where = CELLS[(k + r) % len(CELLS)]
                    batches = iter(_loader(datasets[where], workers, first=1000 * (r + 1)))
                    model.train_step(next(batches), wrapper)  # untimed: workers start, queues fill
                    for _ in range(steps):
                        wall, cpu = time.perf_counter(), time.process_time()
                        model.train_step(next(batches), wrapper)
                        walls[(workers, where)].append(time.perf_counter() - wall)
                        cpus[(workers, where)].append(time.process_time() - cpu)
                    del batches  # shuts the workers down
                loads.append(os.getloadavg()[0])
                log(f"[train-split] width {width} {factor}: round {r + 1}/{rounds}, load average {loads[-1]:.2f}")
            synthesis = _synthesis_ms(model, clean, factor)
            for (workers, where), values in walls.items():
                median = statistics.median(values)
                results.append(
                    {
                        "factor": factor,
                        "num_workers": workers,
                        "synthesis": where,
                        "wall_s": values,
                        "cpu_s": cpus[(workers, where)],
                        "median_s": median,
                        "images_per_s": 8 / median,
                        **synthesis,
                    }
                )
    finally:
        torch.set_num_threads(saved)
    settings = {"width": width, "threads": threads, "bf16": bf16, "rounds": rounds, "steps": steps}
    return {**settings, "parameters_finite": finite(model), "cells": results, "load_average": loads}


def markdown(runs: Sequence[dict[str, Any]], command: str) -> str:
    """One table per run (width): images per second of each cell for each factor, and the synthesis times."""
    lines = ["## Synthesis in the main process or in dataloader workers (MBN stage 1, images per second)", ""]
    lines += [f"Command: `{command}`"]
    headers = [f"{w} workers, {'main (torch, batched)' if s == 'main' else 'loader (CPU path)'}" for w, s in CELLS]
    for run in runs:
        loads = run["load_average"]
        lines += [
            "",
            f"### Width {run['width']:g}, {run['threads']} math thread(s), {'bf16' if run['bf16'] else 'fp32'}",
            "",
            f"Load average (1 min): {min(loads):.1f} to {max(loads):.1f}; medians of {run['rounds']} x "
            f"{run['steps']} steps per cell. Parameters after the run: {_FINITE[run.get('parameters_finite')]}.",
            "",
            "| factor | " + " | ".join(headers) + " | synthesis of a batch: main / loader (share of a step) |",
            "|---|" + "---:|" * (len(headers) + 1),
        ]
        by_key = {(c["factor"], c["num_workers"], c["synthesis"]): c for c in run["cells"]}
        for factor in dict.fromkeys(c["factor"] for c in run["cells"]):
            row = [f"{by_key[(factor, w, s)]['images_per_s']:.2f}" for w, s in CELLS]
            base = by_key[(factor, 0, "main")]
            share = base["main_ms"] / 1000 / base["median_s"]
            row.append(f"{base['main_ms']:.0f} / {base['loader_ms']:.0f} ms ({100 * share:.1f} %)")
            lines.append(f"| {factor} | " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"
