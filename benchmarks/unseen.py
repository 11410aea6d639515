"""The default restore on damage outside the four factors: does it leave such photos alone?

``python -m zoo.benchmarks.unseen [--images validation|test] [--detector FILE] [--out results/cpu]`` takes
``--per-photo`` crops of ``--crop`` x ``--crop`` pixels of every photo of the split (the centre, then random places;
fixed seed), applies each fixed damage of
``zoo.data.degradations.other_damage.KINDS`` (sensor noise, WebP, an enlarged small photo, tone curves, sharpening,
saturation), rounds to 8 bits, and restores it as ``zoo restore`` does by default: the detector picks R-MBN's steps
and their strengths (``zoo.inference.adaptive.plan_steps``). Per kind it reports the mean PSNR gain against the
undamaged crop (``rgb`` protocol: the restore should not lower it), the worst image's gain, the share of images that
got any step, and which steps ran. Kinds marked as distractors were shown to the detector in training (with the
labels of their four factors); the others it never saw. fp32 throughout, so scores do not depend on the CPU's bf16
support.

Choices (which detector to ship) are made with ``--images validation``; the test and audit photos only report.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

__all__ = ["markdown", "run_unseen"]


def _crops(photo: np.ndarray, crop: int, count: int, rng: np.random.Generator) -> list[np.ndarray]:
    """``count`` crops of a photo: the centre first, then random places."""
    height, width = photo.shape[:2]
    size_h, size_w = min(crop, height), min(crop, width)
    places = [((height - size_h) // 2, (width - size_w) // 2)]
    places += [
        (int(rng.integers(height - size_h + 1)), int(rng.integers(width - size_w + 1))) for _ in range(count - 1)
    ]
    return [np.ascontiguousarray(photo[t : t + size_h, s : s + size_w], np.float32) for t, s in places]


def run_unseen(
    images: str = "validation",
    crop: int = 256,
    per_photo: int = 4,
    model_name: str = "rmbn",
    detector_file: str | None = None,
) -> dict[str, Any]:
    """Per damage kind: mean and worst PSNR gain of the default restore, and the steps it ran.

    Args:
        images: ``"validation"`` or ``"test"`` photos (``zoo.data.splits``).
        crop: Side of the crops.
        per_photo: Crops per photo.
        model_name: The recurrent model (its default weights).
        detector_file: A detector release file to use instead of the shipped detector.
    """
    from zoo.data.degradations.other_damage import KINDS, apply_damage, is_distractor
    from zoo.data.metrics import metric_settings, psnr
    from zoo.data.splits import HELD_OUT, load_split
    from zoo.inference.adaptive import detector_from, plan_steps
    from zoo.registry import create_model

    if images not in HELD_OUT:
        raise ValueError(f"images must be one of {', '.join(HELD_OUT)}, got {images!r}")
    model = create_model(model_name, pretrained=True).eval()
    detector = detector_from(detector_file)
    settings = metric_settings("rgb")
    rng = np.random.default_rng(2026)
    split = load_split(images)
    photos = [part for photo in split for part in _crops(photo, crop, per_photo, rng)]
    report: dict[str, Any] = {
        "images": images,
        "photos": len(split),
        "crops": len(photos),
        "crop": crop,
        "detector": detector_file or "shipped",
        "kinds": {},
    }
    for kind in KINDS:
        gains, stepped, counts = [], 0, {f: 0 for f in model.order}
        for index, clean in enumerate(photos):
            damaged = np.round(np.clip(apply_damage(clean, kind, seed=index), 0, 1) * 255) / 255
            x = torch.from_numpy(damaged.astype(np.float32)).permute(2, 0, 1)[None]
            gt = torch.from_numpy(clean).permute(2, 0, 1)
            plan = plan_steps(x, model.order, "auto", detector)
            out = x
            if plan.steps:
                with torch.inference_mode():
                    out = model(x, steps=plan.steps, strengths=plan.strengths or None).clamp(0, 1)
            before = float(psnr(x[0], gt, **settings.psnr_kwargs()))
            after = float(psnr(out[0], gt, **settings.psnr_kwargs()))
            gains.append(after - before)
            stepped += bool(plan.steps)
            for step in plan.steps:
                counts[step] += 1
        report["kinds"][kind] = {
            "trained": is_distractor(kind),
            "mean_gain_db": float(np.mean(gains)),
            "worst_gain_db": float(np.min(gains)),
            "share_with_steps": stepped / len(photos),
            "steps": counts,
        }
        print(f"{kind}: {report['kinds'][kind]['mean_gain_db']:+.2f} dB", flush=True)
    return report


def _detector_name(report: dict[str, Any]) -> str:
    where = report.get("detector", "shipped")
    return "the shipped one" if where == "shipped" else f"`{Path(where).name}`"


def markdown(report: dict[str, Any], command: str) -> str:
    """The report as a Markdown table."""
    lines = [
        f"## The default restore on damage outside the four factors ({report['images']} photos)",
        "",
        f"Command: `{command}`  ",
        f"{report['photos']} photos, {report['crops']} crops of {report['crop']}x{report['crop']} (each photo's "
        "centre, then random places), 8-bit inputs, fp32; PSNR under the `rgb` protocol against the undamaged crop. "
        f"Detector: {_detector_name(report)}.",
        "",
        "| damage | a distractor in the detector's training | mean gain (dB) | worst image (dB) | crops with a step "
        "| steps run |",
        "|---|---|---:|---:|---:|---|",
    ]
    for kind, row in report["kinds"].items():
        steps = ", ".join(f"{f} {n}" for f, n in row["steps"].items() if n) or "none"
        lines.append(
            f"| {kind} | {'yes (as a distractor)' if row['trained'] else 'no'} | {row['mean_gain_db']:+.2f} | "
            f"{row['worst_gain_db']:+.2f} | {100 * row['share_with_steps']:.0f} % | {steps} |"
        )
    lines += [
        "",
        "- noise_S: Gaussian noise of S grey levels; webp_Q: WebP at quality Q; resample_F: shrunk F times and "
        "enlarged back (bicubic); gamma_G: tone curve x^G; dark_K: values times K; sharpen_A: unsharp mask of "
        "amount A; saturate_S: colour saturation times S (`zoo.data.degradations.other_damage.KINDS`).",
        "- A distractor: shown to the detector in training (campaign stages `detector_distract`, `detector_scenes`) "
        "with the labels of its four factors; a detector from elsewhere (`--detector`) may not have seen it.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the study and write ``NAME.md`` / ``NAME.json`` into ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m zoo.benchmarks.unseen", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--images", default="validation", choices=["validation", "test", "audit"], help="which photos (zoo.data.splits)"
    )
    parser.add_argument("--crop", type=int, default=256, help="side of the crops (256)")
    parser.add_argument("--per-photo", type=int, default=4, help="crops per photo (4)")
    parser.add_argument("--model", default="rmbn", help="recurrent model (default weights; default rmbn)")
    parser.add_argument("--detector", help="a detector release file instead of the shipped detector")
    parser.add_argument("--out", default="results/cpu", help="folder for the report")
    parser.add_argument("--name", help="file name of the report (default unseen_IMAGES)")
    args = parser.parse_args(argv)
    if args.crop < 16 or args.per_photo < 1:
        parser.error("--crop must be at least 16 and --per-photo at least 1")
    from zoo.benchmarks.report import write_record

    report = run_unseen(args.images, args.crop, args.per_photo, args.model, args.detector)
    command = ("python -m zoo.benchmarks.unseen " + " ".join(argv if argv is not None else sys.argv[1:])).strip()
    write_record(args.out, args.name or f"unseen_{args.images}", report, command, markdown(report, command))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
