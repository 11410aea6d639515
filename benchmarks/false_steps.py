"""What a wrongly run step costs: each R-MBN step run on images that lack its factor (a detector's false alarm).

``python -m zoo.benchmarks.false_steps MODEL [MODEL ...] [--images validation|test] [--per-photo 3]`` scores each
recurrent model (a tag such as ``rmbn.broad``, a release file, or an adaptive-stage training checkpoint) on the
single-factor cases of the ``paper`` and ``broad`` sets and the two-factor cases of ``broad``
(``PresetTestSet``; ``--images validation`` by default, since these scores choose what ships). For every image it
runs the case's own steps (the oracle) and then, for each factor the case lacks, the own steps plus that one. It
reports, per case, the oracle's mean PSNR gain over the input, and per false step the mean and worst change in PSNR
against the oracle (``rgb`` protocol). On ``clean`` and ``camera_jpeg`` images, which should come back unchanged,
it reports instead the PSNR of the false step's output against the input and the share within 45 dB of it.
fp32 throughout.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from zoo.data.datasets.preset_sets import CLEAN_CASES, case_steps

__all__ = ["CASES", "load_recurrent", "markdown", "run_false_steps"]

CLEAN_DB = 45.0
# (preset, case): the clean cases, the single factors of both presets and the broad pairs
CASES: tuple[tuple[str, str], ...] = (
    *(("broad", c) for c in CLEAN_CASES),
    *(("paper", c) for c in ("rain", "blur", "jpeg", "haze")),
    *(("broad", c) for c in ("rain", "blur", "jpeg", "jpeg_mild", "haze")),
    *(("broad", c) for c in ("haze+rain", "haze+blur", "haze+jpeg", "rain+blur", "rain+jpeg", "blur+jpeg")),
)


def load_recurrent(name: str) -> torch.nn.Module:
    """A recurrent model from a tag (``rmbn.broad``), a release file or a training checkpoint (``iter_N.pth``)."""
    from zoo.registry import create_model

    path = Path(name)
    if path.suffix in (".safetensors", ".pth"):
        from zoo.benchmarks.pilot_scores import network_from

        return network_from(path)[0]
    return create_model(name, pretrained=True).eval()


def run_false_steps(
    models: Sequence[str] | Mapping[str, torch.nn.Module],
    images: str = "validation",
    per_photo: int = 3,
    crop: int = 256,
    cases: Sequence[tuple[str, str]] = CASES,
) -> dict[str, Any]:
    """Per model and case: the oracle's gain and, per false step, the change against the oracle (see the module).

    Args:
        models: Names for :func:`load_recurrent`, or built recurrent models by name.
        images: ``"validation"`` or ``"test"`` photos.
        per_photo: Crops per photo and case.
        crop: Side of the crops.
        cases: ``(preset, case)`` pairs.
    """
    from zoo.data.datasets import PresetTestSet
    from zoo.data.metrics import metric_settings, psnr

    kwargs = metric_settings("rgb").psnr_kwargs()
    report: dict[str, Any] = {"images": images, "per_photo": per_photo, "crop": crop, "models": {}}
    built = dict(models) if isinstance(models, Mapping) else {name: None for name in models}
    for name, model in built.items():
        model = load_recurrent(name) if model is None else model
        rows: dict[str, Any] = {}
        for preset, case in cases:
            dataset = PresetTestSet(preset, case, images=images, crop=crop, per_photo=per_photo)
            own = case_steps(case)
            absent = [f for f in model.order if f not in own]
            oracle_gain, changes = [], {f: [] for f in absent}
            for index in range(len(dataset)):
                item = dataset[index]
                x, gt = item["inputs"][None], item["data_samples"]["gt"]
                with torch.inference_mode():
                    oracle = model(x, steps=own)[0]
                    wrong = {f: model(x, steps=[*own, f])[0] for f in absent}
                before = float(psnr(x[0], gt, **kwargs))
                reached = float(psnr(oracle, gt, **kwargs)) if own else before
                oracle_gain.append(reached - before)
                for factor, out in wrong.items():
                    if case in CLEAN_CASES:  # against the input, which should come back as it is
                        changes[factor].append(float(psnr(out, x[0], **kwargs)))
                    else:
                        changes[factor].append(float(psnr(out, gt, **kwargs)) - reached)
            rows[f"{preset}:{case}"] = {
                "oracle_gain_db": float(np.mean(oracle_gain)),
                "false_steps": {
                    f: {"mean_db": float(np.mean(v)), "worst_db": float(np.min(v))}
                    | ({"within_45db": float(np.mean(np.array(v) >= CLEAN_DB))} if case in CLEAN_CASES else {})
                    for f, v in changes.items()
                },
                "images": len(dataset),
            }
            print(f"{name} {preset}:{case}: " + _cell(rows[f"{preset}:{case}"], case), flush=True)
        report["models"][name] = {"cases": rows, "summary": _summary(rows)}
    return report


def _summary(cases: dict[str, Any]) -> dict[str, float]:
    """Mean over cases: oracle gain, false-step change on degraded cases, false-step PSNR on clean cases (NaN: none)."""
    degraded = [c for k, c in cases.items() if k.partition(":")[2] not in CLEAN_CASES]
    clean = [c for k, c in cases.items() if k.partition(":")[2] in CLEAN_CASES]
    wrong = [s for c in degraded for s in c["false_steps"].values()]
    on_clean = [s for c in clean for s in c["false_steps"].values()]

    def mean(values: list[float]) -> float:
        return float(np.mean(values)) if values else float("nan")

    return {
        "oracle_gain_db": mean([c["oracle_gain_db"] for c in degraded]),
        "false_step_change_db": mean([s["mean_db"] for s in wrong]),
        "false_step_worst_db": min((s["worst_db"] for s in wrong), default=float("nan")),
        "clean_false_step_psnr_db": mean([s["mean_db"] for s in on_clean]),
        "clean_within_45db": mean([s["within_45db"] for s in on_clean]),
    }


def _cell(row: dict[str, Any], case: str) -> str:
    steps = row["false_steps"]
    if case in CLEAN_CASES:
        return ", ".join(f"{f} {s['mean_db']:.1f} dB ({100 * s['within_45db']:.0f} %)" for f, s in steps.items())
    return f"oracle {row['oracle_gain_db']:+.2f}; " + ", ".join(f"{f} {s['mean_db']:+.2f}" for f, s in steps.items())


def markdown(report: dict[str, Any], command: str) -> str:
    """Per model: a row per case, and a summary row."""
    lines = [
        f"## What a wrongly run step costs ({report['images']} photos)",
        "",
        f"Command: `{command}`  ",
        f"{report['per_photo']} crops of {report['crop']}x{report['crop']} per photo and case (`PresetTestSet`), "
        "8-bit inputs, fp32, `rgb` protocol. Degraded cases: the oracle's mean gain over the input (its own steps), "
        "then per false step the mean change in PSNR against the oracle (worst image in brackets). Clean cases: per "
        f"false step the mean PSNR of the output against the input (share within {CLEAN_DB:.0f} dB in brackets).",
        "",
        "| model | oracle gain (dB) | false step: mean change, worst (dB) | clean: false step PSNR (dB) |",
        "|---|---:|---:|---:|",
    ]
    for name, entry in report["models"].items():
        s = entry["summary"]
        lines.append(
            f"| `{name}` | {s['oracle_gain_db']:+.2f} | {s['false_step_change_db']:+.2f}, "
            f"{s['false_step_worst_db']:+.2f} | {s['clean_false_step_psnr_db']:.1f} "
            f"({100 * s['clean_within_45db']:.0f} %) |"
        )
    for name, entry in report["models"].items():
        lines += [
            "",
            f"**`{name}`**",
            "",
            "| case | oracle gain | rain | blur | jpeg | haze |",
            "|---|---:|---|---|---|---|",
        ]
        for key, row in entry["cases"].items():
            clean = key.partition(":")[2] in CLEAN_CASES
            cells = []
            for factor in ("rain", "blur", "jpeg", "haze"):
                step = row["false_steps"].get(factor)
                if step is None:
                    cells.append("(own)")
                elif clean:
                    cells.append(f"{step['mean_db']:.1f} ({100 * step['within_45db']:.0f} %)")
                else:
                    cells.append(f"{step['mean_db']:+.2f} ({step['worst_db']:+.2f})")
            gain = "-" if clean else f"{row['oracle_gain_db']:+.2f}"
            lines.append(f"| {key} | {gain} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Score the models and write ``NAME.md`` / ``NAME.json`` into ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m zoo.benchmarks.false_steps", description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="recurrent models: tags, release files or training checkpoints")
    parser.add_argument("--images", default="validation", choices=["validation", "test"], help="which photos")
    parser.add_argument("--per-photo", type=int, default=3, help="crops per photo and case (3)")
    parser.add_argument("--out", default="results/cpu", help="folder for the report")
    parser.add_argument("--name", help="file name of the report (default false_steps_IMAGES)")
    args = parser.parse_args(argv)
    if args.per_photo < 1:
        parser.error("--per-photo must be at least 1")
    from zoo.benchmarks.report import write_record

    report = run_false_steps(args.models, args.images, args.per_photo)
    command = ("python -m zoo.benchmarks.false_steps " + " ".join(argv if argv is not None else sys.argv[1:])).strip()
    write_record(args.out, args.name or f"false_steps_{args.images}", report, command, markdown(report, command))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
