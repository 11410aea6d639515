"""Does the default restore leave ordinary photos alone? Each image of some folders, and how much it changed.

``python -m zoo.benchmarks.untouched PATH... [--model rmbn] [--detector FILE] [--out results/cpu] [--name NAME]``
reads every image under the paths (files, folders searched recursively, globs; upright, as ``zoo restore`` reads
them), restores it as ``zoo restore`` does by default (the detector picks R-MBN's steps and their strengths; fp32,
the whole image, 8-bit output) and reports, per photo, the detector's scores, the steps that ran and how far the
output is from the input: PSNR of output against input (``rgb`` protocol; 100 dB for an identical output) and the
largest change of any pixel in grey levels. The summary gives the share of photos returned identical and the share
within 45 dB of their input (the presets study's convention for "unchanged").

There is no clean reference for such photos, so this measures change, not quality: a change on a photo without
rain, blur, haze or strong JPEG artifacts is a false alarm of the detector, and one on a photo that has them may be
right. Look at the changed photos (``zoo restore --save-steps``) before calling one a harm.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

__all__ = ["markdown", "run_untouched"]

UNCHANGED_DB = 45.0
MAX_DB = 100.0


def _to_uint8(pixels: np.ndarray) -> np.ndarray:
    """The image's RGB as HxWx3 uint8 (16-bit and float files are scaled; alpha is dropped)."""
    from zoo.inference.image_io import to_rgb

    rgb, _, _ = to_rgb(pixels)
    return np.round(np.clip(rgb, 0.0, 1.0) * 255).astype(np.uint8)


def _change(before: np.ndarray, after: np.ndarray) -> tuple[float, int]:
    """PSNR (dB, capped at :data:`MAX_DB`) of ``after`` against ``before``, and the largest change in grey levels."""
    difference = after.astype(np.int16) - before.astype(np.int16)
    mse = float(np.mean((difference / 255.0) ** 2))
    db = MAX_DB if mse == 0 else min(MAX_DB, 10.0 * float(np.log10(1.0 / mse)))
    return db, int(np.abs(difference).max())


def run_untouched(paths: list[str], model_name: str = "rmbn", detector_file: str | None = None) -> dict[str, Any]:
    """Per photo: detector scores, steps, strengths and how much the default changed it; and a summary.

    Args:
        paths: Files, folders (searched recursively) or globs, as ``zoo restore`` takes them.
        model_name: The recurrent model (its default weights).
        detector_file: A detector release file to use instead of the shipped detector.

    Raises:
        FileNotFoundError: A path names nothing, or a folder holds no image.
    """
    from zoo.inference.adaptive import detector_from, plan_steps
    from zoo.inference.files import expand_inputs
    from zoo.inference.image_io import read_image
    from zoo.registry import create_model

    jobs = expand_inputs(paths)
    model = create_model(model_name, pretrained=True).eval()
    detector = detector_from(detector_file)
    photos = []
    for job in jobs:
        before = _to_uint8(read_image(job.source).pixels)
        x = torch.from_numpy(before).permute(2, 0, 1)[None].float() / 255
        plan = plan_steps(x, model.order, "auto", detector)
        after = before
        if plan.steps:
            with torch.inference_mode():
                out = model(x, steps=plan.steps, strengths=plan.strengths or None).clamp(0, 1)
            after = np.round(out[0].permute(1, 2, 0).numpy() * 255).astype(np.uint8)
        db, largest = _change(before, after)
        photos.append(
            {
                "path": str(job.source),
                "size": [int(before.shape[1]), int(before.shape[0])],
                "scores": {f: round(p, 4) for f, p in plan.probabilities.items()},
                "steps": list(plan.steps),
                "strengths": {f: round(plan.strengths.get(f, 1.0), 4) for f in plan.steps},
                "psnr_vs_input_db": round(db, 2),
                "largest_change": largest,
            }
        )
        print(f"{job.source}: {', '.join(plan.steps) or 'unchanged'} ({db:.1f} dB)", flush=True)
    count = len(photos)
    return {
        "paths": list(paths),
        "model": model_name,
        "detector": detector_file or "shipped",
        "photos": photos,
        "summary": {
            "photos": count,
            "identical": sum(p["psnr_vs_input_db"] >= MAX_DB for p in photos) / count,
            "within_45_db": sum(p["psnr_vs_input_db"] >= UNCHANGED_DB for p in photos) / count,
            "lowest_db": min(p["psnr_vs_input_db"] for p in photos),
            "steps": {f: sum(f in p["steps"] for p in photos) for f in model.order},
        },
    }


def markdown(report: dict[str, Any], command: str, title: str | None = None) -> str:
    """The report: a summary line and a table of the photos that changed."""
    summary = report["summary"]
    steps = ", ".join(f"{f} {n}" for f, n in summary["steps"].items() if n) or "none"
    lines = [
        f"## {title or 'Does the default leave ordinary photos alone?'}",
        "",
        f"Command: `{command}`  ",
        f"Model `{report['model']}` (default weights), detector: "
        f"{'the shipped one' if report['detector'] == 'shipped' else Path(report['detector']).name}; whole images, "
        "fp32, 8-bit output. Change is measured against the input (no clean reference exists for these photos).",
        "",
        f"- {summary['photos']} photos: {100 * summary['identical']:.0f} % returned identical, "
        f"{100 * summary['within_45_db']:.0f} % within {UNCHANGED_DB:.0f} dB of their input; lowest "
        f"{summary['lowest_db']:.1f} dB.",
        f"- Steps run: {steps}.",
        "",
    ]
    changed = [p for p in report["photos"] if p["steps"]]
    if changed:
        lines += [
            "| photo | size | steps (strength) | detector scores | PSNR vs input (dB) | largest change (grey levels) |",
            "|---|---|---|---|---:|---:|",
        ]
        for photo in changed:
            ran = ", ".join(f"{f} ({100 * photo['strengths'][f]:.0f} %)" for f in photo["steps"])
            scores = ", ".join(f"{f} {p:.2f}" for f, p in photo["scores"].items())
            lines.append(
                f"| {Path(photo['path']).name} | {photo['size'][0]}x{photo['size'][1]} | {ran} | {scores} | "
                f"{photo['psnr_vs_input_db']:.1f} | {photo['largest_change']} |"
            )
    else:
        lines.append("No photo was changed.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the study and write ``NAME.md`` / ``NAME.json`` into ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m zoo.benchmarks.untouched", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="image files, folders (searched recursively) or globs")
    parser.add_argument("--model", default="rmbn", help="recurrent model (default weights; default rmbn)")
    parser.add_argument("--detector", help="a detector release file instead of the shipped detector")
    parser.add_argument("--out", default="results/cpu", help="folder for the report")
    parser.add_argument("--name", default="untouched", help="file name of the report (default untouched)")
    parser.add_argument("--title", help="title of the report")
    args = parser.parse_args(argv)
    from zoo.benchmarks.report import write_record

    try:
        report = run_untouched(args.paths, args.model, args.detector)
    except FileNotFoundError as err:
        parser.error(str(err))
    command = "python -m zoo.benchmarks.untouched " + shlex.join(argv if argv is not None else sys.argv[1:])
    write_record(args.out, args.name, report, command, markdown(report, command, args.title))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
