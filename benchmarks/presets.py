"""The generalisation study: every entry scored on the `paper` and `broad` test sets of the held-out test photos.

An entry is a model name or tag with a mode after ``@``:

- ``rmbn.TAG@auto``: the adaptive default (the detector picks the steps); ``@all``: the paper's always-on chain;
  ``@oracle``: exactly the steps of the factors the case applied (the best the adaptive default could choose);
- any other model, ``NAME@CASE``: that model alone, scored only on that case (a classical dehazer on ``haze``, a
  factor-given MBN on its factor: ``mbn.TAG:haze@haze``);
- ``identity``: the input itself (gain 0 everywhere).

Each cell is one entry on one case of one preset: mean PSNR and SSIM of input and output under the study's
protocol, the mean gain, the share of outputs within 45 dB (RGB) of a clean input, the mean seconds per image, and
for ``@auto`` how often each step ran. A PSNR is capped at 100 dB (identical images), so a clean input returned
unchanged scores gain 0. Models trained on one preset and scored on the other measure generalisation
(the cross test). Test sets: ``zoo.data.datasets.PresetTestSet``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .budgets import Budget
from .cells import CellStore
from .report import PlotPanel, StudyReport, Table

__all__ = [
    "DEFAULT_ENTRIES",
    "PRESET_SIZES",
    "SUMMARY_COLUMNS",
    "parse_entry",
    "run_presets",
    "summary_table",
    "weights_id",
]

# budget name -> (crop, crops per photo) of the preset test sets
PRESET_SIZES = {"smoke": (48, 1), "cpu": (256, 2), "gpu": (256, 4)}
DEFAULT_ENTRIES = ("identity", "rmbn@auto", "rmbn@all", "rmbn@oracle")
CLEAN_DB = 45.0
MAX_DB = 100.0  # PSNR of an image identical to its reference (clean inputs), so that means stay finite
_SMOKE_CASES = ("clean", "camera_jpeg", "blur", "haze", "haze+rain")
_PHOTOS = {
    "test": "held-out test photos",
    "audit": "audit photos, looked at only after every choice was made",
    "validation": "validation photos",
}


def parse_entry(entry: str) -> tuple[str, str | None, str]:
    """``(model, factor, mode)`` of an entry such as ``rmbn.broad@auto`` or ``mbn.synth4v3:haze@haze``."""
    name, _, mode = entry.partition("@")
    model, _, factor = name.partition(":")
    if not model:
        raise ValueError(f"entry {entry!r} names no model")
    if model == "identity":
        return model, None, "all"
    return model, factor or None, mode or "auto"


def weights_id(model: str) -> str:
    """``name.tag-sha8`` of the weights a model name resolves to (its default tag when untagged), else the name.

    Cell keys carry it, so new weights (or a new default) get new cells instead of reusing old ones.
    """
    from zoo.registry.pretrained import default_tags, pretrained_table

    table = pretrained_table()
    name = model if model in table else default_tags().get(model, model)
    entry = table.get(name)
    return f"{name}-{entry.digest(table)[:8]}" if entry is not None else model


def available(entry: str) -> bool:
    """Whether an entry's weights ship (and, for ``@auto``, the detector's): untrained entries are left out."""
    from zoo.registry import get_model_info

    model, _, mode = parse_entry(entry)
    if model != "identity" and get_model_info(model.partition(".")[0]).learned and weights_id(model) == model:
        return False
    return mode != "auto" or weights_id("detector") != "detector"


def _entry_id(model: str, mode: str) -> str:
    """The weights of an entry, plus the detector's and the step-strength margin for ``@auto``."""
    from zoo.inference.adaptive import STRENGTH_MARGIN

    ident = weights_id(model)
    return f"{ident}+{weights_id('detector')}+m{STRENGTH_MARGIN:g}" if mode == "auto" else ident


def _restorer(model: str, factor: str | None, mode: str):
    """The entry's restorer (fp32); oracle entries get their steps per image, single-case entries run as they are."""
    from zoo.inference.restore import Restorer

    return Restorer(model, factor=factor, steps="auto" if mode == "auto" else "all", dtype="fp32")


def _score_case(restorer, mode: str, dataset, protocol: str) -> dict[str, Any]:
    import time

    from zoo.data.datasets.preset_sets import case_steps
    from zoo.data.metrics import metric_settings, psnr, ssim

    totals = dict.fromkeys(("psnr", "ssim", "psnr_input", "ssim_input"), 0.0)
    within, seconds, ran = 0, 0.0, {}
    for index in range(len(dataset)):
        item = dataset[index]
        x, gt = item["inputs"][None], item["data_samples"]["gt"]
        case = item["data_samples"]["factor"]
        tic = time.perf_counter()
        if mode == "oracle":
            restorer.steps = tuple(case_steps(case))
        y = restorer.restore_tensor(x)["restored"][0]
        seconds += time.perf_counter() - tic
        for plan in restorer.plans:
            for step in plan.steps:
                ran[step] = ran.get(step, 0) + 1
        settings = metric_settings(protocol, case)
        totals["psnr"] += min(MAX_DB, float(psnr(y, gt, **settings.psnr_kwargs())))
        totals["ssim"] += float(ssim(y, gt, **settings.ssim_kwargs()))
        totals["psnr_input"] += min(MAX_DB, float(psnr(x[0], gt, **settings.psnr_kwargs())))
        totals["ssim_input"] += float(ssim(x[0], gt, **settings.ssim_kwargs()))
        change = float(torch.mean((y - x[0]) ** 2))
        within += change == 0 or 10 * math.log10(1 / change) >= CLEAN_DB
    n = len(dataset)
    result = {key: round(value / n, 4) for key, value in totals.items()}
    result["gain"] = round(result["psnr"] - result["psnr_input"], 4)
    result["unchanged_share"] = round(within / n, 4)
    result["seconds_per_image"] = round(seconds / n, 4)
    result["steps_ran"] = {step: round(count / n, 4) for step, count in sorted(ran.items())}
    result["n"] = n
    return result


def run_presets(
    budget: Budget,
    seed: int,
    out: Path,
    protocol: str,
    command: str,
    entries: Sequence[str] | None = None,
    presets: Sequence[str] = ("paper", "broad"),
    images: str = "test",
    cases: Sequence[str] | None = None,
    per_photo: int | None = None,
) -> StudyReport:
    """Score every entry on every case of every preset; finished cells are kept and skipped.

    ``images`` is the photo split the cases are made from: ``test`` (default), ``audit`` (photos looked at only
    after every choice was made) or ``validation`` (to tune on). ``cases`` keeps only those cases of each preset
    (for example ``clean camera_jpeg``); ``per_photo`` sets the crops per photo instead of the budget's (a run with
    another number keeps its cells apart, since its crops differ).
    """
    from zoo.data.datasets import PresetTestSet, preset_cases
    from zoo.data.splits import HELD_OUT

    if images not in HELD_OUT:
        raise ValueError(f"images must be one of {', '.join(HELD_OUT)}, got {images!r}")
    known = {case for preset in presets for case in preset_cases(preset)}
    unknown = sorted(set(cases or ()) - known)
    if unknown:
        raise ValueError(f"unknown case(s) {', '.join(unknown)}; the presets' cases are {', '.join(sorted(known))}")
    if per_photo is not None and per_photo < 1:
        raise ValueError(f"per_photo must be at least 1, got {per_photo}")
    entries = list(entries or DEFAULT_ENTRIES)
    crop, budget_per_photo = PRESET_SIZES[budget.name]
    per_photo = per_photo or budget_per_photo
    settings = {"protocol": protocol, "crop": crop, "per_photo": per_photo}
    if images != "test":  # the test photos' cells keep the keys they had before the option existed
        settings["images"] = images
    store = CellStore(out, "presets", budget, seed, settings)
    report = StudyReport(
        "presets",
        f"Generalisation: the paper and broad test sets ({_PHOTOS[images]})",
        budget,
        seed,
        command,
        protocol=protocol,
    )
    restorers: dict[str, Any] = {}
    datasets: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for preset in presets:
        chosen = tuple(c for c in preset_cases(preset) if cases is None or c in cases)
        if budget.name == "smoke":
            chosen = tuple(c for c in chosen if c in _SMOKE_CASES)
        rows, gains = [], {}
        for entry in entries:
            model, factor, mode = parse_entry(entry)
            row = [f"`{entry}`"]
            gains[entry] = []
            for case in chosen:
                only = mode not in ("auto", "all", "oracle")
                if only and case != mode:
                    row.append("")
                    gains[entry].append(None)
                    continue

                def compute(
                    entry=entry, model=model, factor=factor, mode=mode, case=case, preset=preset
                ) -> dict[str, Any]:
                    if entry not in restorers:
                        restorers[entry] = _restorer(model, factor, mode)
                    if (preset, case) not in datasets:  # made once, scored by every entry
                        made = PresetTestSet(
                            preset, case, images=images, crop=crop, per_photo=per_photo, seed=seed + 2026
                        )
                        datasets[(preset, case)] = [made[i] for i in range(len(made))]
                    with torch.inference_mode():
                        return _score_case(restorers[entry], mode, datasets[(preset, case)], protocol)

                ident = _entry_id(model, mode)
                config = {"table": f"presets-{preset}", "model": model, "entry": entry, "weights": ident}
                config |= {"preset": preset, "case": case}
                record = store.run(f"{preset}__{entry}__{ident}__{case}", config, compute)
                result = record["result"] if record else None
                if result is None:
                    row.append("—")
                    gains[entry].append(None)
                    continue
                report.cells.append(record)
                gains[entry].append(result["gain"])
                cell = f"{result['gain']:+.2f}"
                if case in ("clean", "camera_jpeg"):
                    cell += f" ({100 * result['unchanged_share']:.0f} %)"
                row.append(cell)
            rows.append(row)
        report.tables.append(
            Table(
                f"{preset}: mean PSNR gain (dB) per case; clean and camera_jpeg: (share of images within "
                f"{CLEAN_DB:.0f} dB of their input, RGB)",
                ["entry", *chosen],
                rows,
            )
        )
        report.panels.append(PlotPanel(f"{preset}: mean PSNR gain per case", list(chosen), gains, ylabel="gain (dB)"))
        report.tables.append(_inputs_table(preset, chosen, report.cells))
    report.computed, report.skipped = len(store.computed), len(store.skipped)
    if per_photo != budget_per_photo:
        report.notes.append(
            f"{per_photo} crops of {crop}x{crop} per photo (the {budget.name} budget's: {budget_per_photo})."
        )
    report.notes.append(
        "auto: the adaptive default (the detector picks the steps); all: the paper's always-on chain; oracle: the "
        "steps of the factors the case applied. Cases: zoo.data.datasets.preset_sets."
    )
    return report


def _inputs_table(preset: str, cases: Sequence[str], cells: list[dict[str, Any]]) -> Table:
    """Mean input PSNR of each case (the same test images for every entry)."""
    inputs = {}
    for record in cells:
        if record["config"]["preset"] == preset:
            inputs.setdefault(record["config"]["case"], record["result"]["psnr_input"])
    row = [f"{inputs[c]:.2f}" if c in inputs and np.isfinite(inputs[c]) else "—" for c in cases]
    return Table(f"{preset}: mean PSNR (dB) of the degraded inputs", ["", *cases], [["input", *row]])


SUMMARY_COLUMNS = ("clean", "camera_jpeg", "rain", "blur", "jpeg", "haze", "pairs", "triples", "all four")


def summary_table(cells: list[dict[str, Any]], preset: str, entries: Sequence[str], protocol: str) -> Table:
    """One row per entry: its gains on clean, camera-JPEG and single-factor inputs, and over mixtures.

    Clean and camera-JPEG cells also give the share of inputs left unchanged; ``pairs`` and ``triples`` are the mean
    gains over the six pairs and the four triples of factors.
    """
    from zoo.data.metrics.protocols import protocol_label

    by_entry: dict[str, dict[str, dict[str, Any]]] = {}
    for record in cells:
        config = record["config"]
        if config["preset"] == preset:
            by_entry.setdefault(config["entry"], {})[config["case"]] = record["result"]
    rows = []
    for entry in entries:
        results = by_entry.get(entry, {})
        row = [f"`{entry}`"]
        for column in SUMMARY_COLUMNS:
            cases = {"pairs": 1, "triples": 2, "all four": 3}.get(column)
            chosen = [r for c, r in results.items() if c.count("+") == cases] if cases else [results.get(column)]
            chosen = [r for r in chosen if r is not None]
            if not chosen:
                row.append("—")
                continue
            cell = f"{np.mean([r['gain'] for r in chosen]):+.2f}"
            if column in ("clean", "camera_jpeg"):
                cell += f" ({100 * chosen[0]['unchanged_share']:.0f} %)"
            row.append(cell)
        rows.append(row)
    return Table(
        f"{preset} test set (held-out photos): mean PSNR gain in dB ({protocol_label(protocol)}); clean and camera "
        f"JPEG: (share of images returned within {CLEAN_DB:.0f} dB of the input)",
        ["entry", *SUMMARY_COLUMNS],
        rows,
    )
