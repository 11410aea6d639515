"""Training throughput (images per second) of each stage under several CPU settings, measured side by side.

``zoo bench train-speed`` runs it. Every stage runs the training step of its shipped config at the shipped runs'
sizes (width 0.25, one rain iteration, batch 8 for stage 1 and 4 for the others, crops 64 for rain and 96 for the
rest): the clean crops are loaded and collated, then ``train_step`` synthesises the degradation, runs the forward and
the loss, back-propagates, clips and steps Adam. The settings alternate (the order rotates every round), so on a
shared machine every setting sees the same load; each setting runs an untimed step before its timed one, so the
cost of switching thread count or memory order is not counted; the load average and the process's CPU time are
recorded with every step.

A stage's throughput is that of its task cycle: images of one cycle over the time of one cycle (stage 1 and stage 2:
1 haze, 1 rain, 1 JPEG and 3 blur batches; R-MBN*: mixed batches).
"""

from __future__ import annotations

import copy
import os
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import torch

from zoo.training.memory_format import to_channels_last

__all__ = [
    "EXTRA_SETTINGS",
    "SETTINGS",
    "STAGES",
    "Setting",
    "Workload",
    "build_trainer",
    "clean_crops",
    "machine",
    "markdown",
    "measure",
    "settings_for",
    "workloads",
]

CYCLE = {"haze": 1, "rain": 1, "jpeg": 1, "blur": 3}  # batches of each factor in one task cycle (stages 1 and 2)


@dataclass(frozen=True)
class Setting:
    """How a step runs: autocast dtype, math threads, convolution weights' memory order."""

    name: str
    bf16: bool
    threads: int  # 0: "auto", chosen before each step from the load of other processes (zoo.training.threads)
    channels_last: bool
    batch_scale: int = 1  # batches this many times the shipped runs' size


@dataclass(frozen=True)
class Workload:
    """One stage's training step for one factor: config, batch and crop of the shipped runs."""

    stage: str
    factor: str
    batch: int
    crop: int


STAGES = ("mbn_stage1", "rmbn_stage2", "rmbn_star")
SETTINGS = ("shipped", "fp32-cl", "bf16", "bf16-cl", "bf16-all", "auto", "bf16-all-x4")  # see settings_for
EXTRA_SETTINGS = ("fp32-all", "fp32-all-x4")  # by name only: the settings of CPUs without fast bf16


def settings_for(names: Sequence[str], cores: int) -> list[Setting]:
    """The settings by name.

    ``shipped``: fp32, 1 thread (the shipped runs); ``bf16``: 1 thread; ``fp32-cl`` and ``bf16-cl``: 1 thread,
    channels-last weights (dilated convolutions excepted, see :mod:`zoo.training.memory_format`);
    ``bf16-all``: bf16, one thread per physical core, channels-last (``zoo train`` on an idle machine with fast
    bf16); ``auto``: what ``zoo train`` does by default: bf16 where the CPU has fast bf16 (AMX or AVX512-BF16),
    fp32 elsewhere, channels-last, the threads it picks from the current load; ``bf16-all-x4``: as ``bf16-all``
    with batches four times the shipped runs' (32 for stage 1, 16 for the others): small convolutions keep two cores
    busier on bigger batches. ``fp32-all`` and ``fp32-all-x4``: as ``bf16-all`` and ``bf16-all-x4`` in fp32, for
    CPUs without fast bf16 (where bf16 is emulated and slower than fp32); not in the default list.
    """
    from zoo.training.optim import bf16_autocast_enabled

    fast_bf16 = bf16_autocast_enabled("auto", torch.device("cpu"))  # what zoo train's default does on this CPU
    auto_name = f"{'bf16' if fast_bf16 else 'fp32 (no fast bf16)'}, auto threads, channels-last (zoo train's default)"
    table = {
        "shipped": Setting("fp32, 1 thread (shipped runs)", False, 1, False),
        "fp32-cl": Setting("fp32, 1 thread, channels-last", False, 1, True),
        "bf16": Setting("bf16, 1 thread", True, 1, False),
        "bf16-cl": Setting("bf16, 1 thread, channels-last", True, 1, True),
        "bf16-all": Setting(f"bf16, {cores} threads, channels-last", True, cores, True),
        "auto": Setting(auto_name, fast_bf16, 0, True),
        "bf16-all-x4": Setting(f"bf16, {cores} threads, channels-last, batch x4", True, cores, True, 4),
        "fp32-all": Setting(f"fp32, {cores} threads, channels-last", False, cores, True),
        "fp32-all-x4": Setting(f"fp32, {cores} threads, channels-last, batch x4", False, cores, True, 4),
    }
    unknown = [n for n in names if n not in table]
    if unknown:
        raise ValueError(f"unknown setting(s) {unknown}; expected some of {', '.join(table)}")
    return [table[n] for n in names]


def workloads(stages: Sequence[str] = STAGES) -> list[Workload]:
    """Every (stage, factor) step of the selected stages at the shipped runs' batch and crop sizes."""
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise ValueError(f"unknown stage(s) {unknown}; expected some of {', '.join(STAGES)}")
    out = []
    for stage in stages:
        batch = 8 if stage == "mbn_stage1" else 4
        factors = ["mixed"] if stage == "rmbn_star" else list(CYCLE)
        out += [Workload(stage, f, batch, 64 if f == "rain" else 96) for f in factors]
    return out


def finite(model: torch.nn.Module) -> bool:
    """Whether every parameter of ``model`` is finite (a training step that produced NaN or inf shows here)."""
    return all(bool(torch.isfinite(p).all()) for p in model.parameters())


def build_trainer(stage: str, width: float, seed: int = 0) -> tuple[torch.nn.Module, Any]:
    """The training model of a shipped stage config, and an fp32 optimizer wrapper with the config's Adam and clipping.

    The network is built at ``width`` with one rain iteration and LeakyReLU, as in the shipped runs.
    """
    from zoo.registry import MODELS
    from zoo.training import load_config
    from zoo.training.optim import AutoBF16OptimWrapper

    cfg = load_config(stage)
    model_cfg = copy.deepcopy(cfg.model.to_dict())
    model_cfg["net"] = {**model_cfg["net"], "width": width, "rain_iters": 1, "act": "leaky_relu"}
    torch.manual_seed(seed)
    model = MODELS.build(model_cfg)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=cfg.optim_wrapper.optimizer.lr)
    return model, AutoBF16OptimWrapper(bf16=False, optimizer=optimizer, clip_grad=cfg.optim_wrapper.get("clip_grad"))


def clean_crops(factor: str, crop: int, seed: int = 0) -> Any:
    """Clean training crops of procedural images (no files needed), as ``TaskDatasets`` makes them."""
    from zoo.data.images import dead_leaves
    from zoo.training.data import CleanCrops

    images = [dead_leaves(max(256, crop), seed=seed + i) for i in range(8)]
    return CleanCrops(images, factor, crop, length=1_000_000, seed=seed)


class _Step:
    """A workload's model and optimizer wrapper (one pair per memory order) and its clean crops."""

    def __init__(self, work: Workload, width: float, seed: int) -> None:
        plain, wrapper = build_trainer(work.stage, width, seed)
        cl = copy.deepcopy(plain)
        to_channels_last(cl)
        cl_optimizer = torch.optim.Adam([p for p in cl.parameters() if p.requires_grad], **wrapper.optimizer.defaults)
        cl_wrapper = type(wrapper)(bf16=False, optimizer=cl_optimizer, clip_grad=wrapper.clip_grad_kwargs or None)
        self.models, self.wrappers = {False: plain, True: cl}, {False: wrapper, True: cl_wrapper}
        self.crops = clean_crops(work.factor, work.crop, seed)
        self.work = work

    def run(self, setting: Setting, first: int, threads: int) -> tuple[float, float]:
        """One training step on samples from ``first`` (the batch times ``setting.batch_scale``); wall and CPU s."""
        from torch.utils.data import default_collate

        torch.set_num_threads(threads)
        model, wrapper = self.models[setting.channels_last], self.wrappers[setting.channels_last]
        wrapper.bf16 = setting.bf16
        wall, cpu = time.perf_counter(), time.process_time()
        batch = default_collate([self.crops[first + i] for i in range(self.work.batch * setting.batch_scale)])
        model.train_step(batch, wrapper)
        return time.perf_counter() - wall, time.process_time() - cpu


def measure(
    width: float = 0.25,
    stages: Sequence[str] = STAGES,
    settings: Sequence[Setting] | None = None,
    rounds: int = 5,
    warmup: int = 1,
    seed: int = 0,
    log=print,
) -> dict[str, Any]:
    """Time every workload under every setting, alternating; returns the raw times and per-cell medians."""
    from zoo.hardware import physical_cores
    from zoo.training.threads import OtherProcessesLoad, math_threads

    cores = physical_cores()
    settings = list(settings or settings_for(SETTINGS, cores))
    works = workloads(stages)
    steps = {w: _Step(w, width, seed) for w in works}
    saved_threads = torch.get_num_threads()
    times: dict[tuple[Workload, str], list[tuple[float, float, int]]] = {}
    times.update({(w, s.name): [] for w in works for s in settings})
    loads, others = [os.getloadavg()[0]], OtherProcessesLoad()
    widest = max(s.batch_scale for s in settings)  # rounds take disjoint samples under every setting
    scale = {s.name: s.batch_scale for s in settings}
    try:
        for r in range(warmup + rounds):
            for w in works:
                for k in range(len(settings)):
                    setting = settings[(k + r) % len(settings)]
                    threads = setting.threads or math_threads(others.sample(), cores)
                    # An untimed step first: the first step after a change of thread count or memory order is
                    # slower (measured: 2 threads right after 1 thread ran 20-30 % below 2 threads after 2), and
                    # since the rotation keeps the settings' cyclic order, that cost fell on the same settings.
                    steps[w].run(setting, (2 * r + 1) * w.batch * widest, threads)
                    wall, cpu = steps[w].run(setting, 2 * r * w.batch * widest, threads)
                    if r >= warmup:
                        times[(w, setting.name)].append((wall, cpu, threads))
            loads.append(os.getloadavg()[0])
            log(f"[train-speed] width {width}: round {r + 1}/{warmup + rounds} done, load average {loads[-1]:.2f}")
    finally:
        torch.set_num_threads(saved_threads)
    cells = []
    for (w, name), pairs in times.items():
        walls = [p[0] for p in pairs]
        median = statistics.median(walls)
        cells.append(
            {
                **asdict(w),
                "batch": w.batch * scale[name],
                "setting": name,
                "wall_s": walls,
                "cpu_s": [p[1] for p in pairs],
                "threads": [p[2] for p in pairs],
                "median_s": median,
                "images_per_s": w.batch * scale[name] / median,
            }
        )
    layouts = {False: "contiguous", True: "channels-last"}
    broken = [f"{w.stage}/{w.factor}/{layouts[cl]}" for w in works for cl in layouts if not finite(steps[w].models[cl])]
    return {
        "width": width,
        "rounds": rounds,
        "warmup": warmup,
        "settings": [asdict(s) for s in settings],
        "non_finite_parameters": broken,
        "untimed_step_first": True,
        "cells": cells,
        "stages": _stage_rates(cells, settings),
        "load_average": loads,
    }


def _stage_rates(cells: list[dict[str, Any]], settings: Sequence[Setting]) -> list[dict[str, Any]]:
    """Images per second of each stage's task cycle under each setting, and each setting's speed-up."""
    out = []
    for stage in dict.fromkeys(c["stage"] for c in cells):
        rates, per_cpu = {}, {}
        for setting in settings:
            mine = [c for c in cells if c["stage"] == stage and c["setting"] == setting.name]
            weight = {c["factor"]: CYCLE.get(c["factor"], 1) for c in mine}
            images = sum(weight[c["factor"]] * c["batch"] for c in mine)
            seconds = sum(weight[c["factor"]] * c["median_s"] for c in mine)
            rates[setting.name] = images / seconds
            cpu_seconds = sum(weight[c["factor"]] * statistics.median(c["cpu_s"]) for c in mine)
            per_cpu[setting.name] = images / cpu_seconds
        base = rates[settings[0].name]
        out.append(
            {
                "stage": stage,
                "images_per_s": rates,
                "speedup": {k: v / base for k, v in rates.items()},
                "images_per_cpu_s": per_cpu,
            }
        )
    return out


def markdown(runs: Sequence[dict[str, Any]], command: str, machine: dict[str, Any], target: float = 4.0) -> str:
    """The runs (one per width) as Markdown: per stage and per (stage, factor), images per second and speed-up."""
    first = runs[0]
    lines = [
        "## Training throughput on the CPU (images per second)",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {machine['cpu']}, {machine['physical_cores']} physical cores, fast bf16: "
        f"{machine['fast_bf16']}; torch {machine['torch']}. The settings alternate step by step (the order rotates "
        f"every round{_switch_text(first)}); medians of {first['rounds']} rounds after {first['warmup']} warm-up "
        f"round(s). Speed-ups are against the first setting (the shipped runs'); the target is {target:g}x.",
    ]
    for run in runs:
        names = [s["name"] for s in run["settings"]]
        auto = {s["name"] for s in run["settings"] if s["threads"] == 0}
        loads = run["load_average"]
        lines += [
            "",
            f"### Width {run['width']:g}",
            "",
            f"Load average (1 min) during the run: {min(loads):.1f} to {max(loads):.1f} "
            f"(median {statistics.median(loads):.1f}) on {machine['logical_cpus']} logical CPUs. Parameters after "
            f"the run: {_finite_text(run)}.",
            "",
            "| stage (task cycle) | " + " | ".join(names) + " |",
            "|---|" + "---:|" * len(names),
        ]
        for stage in run["stages"]:
            cells = [f"{stage['images_per_s'][n]:.2f} ({stage['speedup'][n]:.2f}x)" for n in names]
            lines.append(f"| {stage['stage']} | " + " | ".join(cells) + " |")
        lines += ["", "| images per CPU second | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
        for stage in run["stages"]:
            base = stage["images_per_cpu_s"][names[0]]
            cells = [f"{stage['images_per_cpu_s'][n]:.2f} ({stage['images_per_cpu_s'][n] / base:.2f}x)" for n in names]
            lines.append(f"| {stage['stage']} | " + " | ".join(cells) + " |")
        lines += ["", "| stage | factor | shipped batch, crop | " + " | ".join(names) + " |"]
        lines.append("|---|---|---|" + "---:|" * len(names))
        by_key = {(c["stage"], c["factor"], c["setting"]): c for c in run["cells"]}
        for stage, factor in dict.fromkeys((c["stage"], c["factor"]) for c in run["cells"]):
            values = []
            for n in names:
                c = by_key[(stage, factor, n)]
                share = statistics.median(c["cpu_s"]) / c["median_s"]
                threads = f", threads {'/'.join(map(str, sorted(set(c['threads']))))}" if n in auto else ""
                values.append(f"{c['images_per_s']:.2f} ({c['median_s']:.2f} s, CPU {share:.1f}{threads})")
            cell = by_key[(stage, factor, names[0])]
            shipped = cell["batch"] // run["settings"][0].get("batch_scale", 1)  # older records have no scale
            lines.append(f"| {stage} | {factor} | {shipped}, {cell['crop']}² | " + " | ".join(values) + " |")
    lines += [
        "",
        "Stage rows: images per second of the stage's task cycle (speed-up). Images per CPU second: the same with the "
        "process's own CPU time in place of the wall time; for one thread it is about what an idle core gives, for "
        "more threads it counts the time threads spin while waiting for each other. Factor rows: images per second "
        "(median seconds per step; CPU: the process's CPU seconds per wall second, 1.0 = one core fully used, less = "
        "it waited for a core; for auto threads, the thread counts it chose).",
    ]
    return "\n".join(lines) + "\n"


def _switch_text(run: dict[str, Any]) -> str:
    if run.get("untimed_step_first"):
        return "; each timed step follows an untimed one under the same setting, so switching costs are not counted"
    return ""


def _finite_text(run: dict[str, Any]) -> str:
    broken = run.get("non_finite_parameters")
    if broken is None:
        return "not checked"
    return "all finite" if not broken else f"NOT FINITE in {', '.join(broken)}"


def machine() -> dict[str, Any]:
    """CPU model, physical and logical cores, bf16 support, torch version."""
    from zoo.benchmarks.cells import hardware
    from zoo.hardware import cpu_supports_fast_bf16, physical_cores

    info = hardware()
    return {
        "cpu": info["cpu"],
        "physical_cores": physical_cores(),
        "logical_cpus": os.cpu_count(),
        "fast_bf16": cpu_supports_fast_bf16(),
        "torch": info["torch"],
        "omp_num_threads": info["omp_num_threads"],
    }
