"""Would re-running the detector after each step tell a helpful step from a harmful one?

Issue 16 suggests, as an optional safeguard, re-running the detector after a step and undoing the step when it did
not remove its factor. ``python -m zoo.benchmarks.step_check [--images validation|test] [--out results/cpu]``
measures whether that signal separates the steps that help from those that hurt, before anything is built on it.

It restores, as ``zoo restore`` does by default (detector, then R-MBN's found steps at their strengths, fp32), every
case of the ``paper`` and ``broad`` sets of the split (``--per-photo`` crops per photo for single cases, 2 for the
mixtures) and the damage kinds outside the four factors (``zoo.data.degradations.other_damage.KINDS``, on
``--per-photo`` crops per photo; ``--crop`` 256 by default). For every step that ran it records:

- its *contribution*: the PSNR gain (``rgb`` protocol, 100 dB cap) of the default minus the gain of the same plan
  without that step (the other steps at their strengths);
- its *drop*: the detector's logit for the step's factor on the step's input minus that on its output.

A safeguard "undo a step whose drop is below D" would remove the steps below D; the report gives, per factor and D,
how many steps that removes, how many of them had hurt, and the total change in dB (minus the sum of their
contributions; positive means the safeguard would have helped). Choices are made on ``--images validation``; the
test photos only report.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

__all__ = ["DROPS", "markdown", "run_step_check", "summarise"]

DROPS = (0.0, 0.1, 0.3, 1.0)  # logit drops below which the safeguard would undo a step


def _inputs(images: str, per_photo: int, crop: int) -> Iterator[tuple[str, str, torch.Tensor, torch.Tensor]]:
    """``(source, case, degraded (1,3,H,W), clean (3,H,W))`` of every preset case and unseen-damage kind."""
    from zoo.benchmarks.unseen import _crops
    from zoo.data.datasets import PresetTestSet, preset_cases
    from zoo.data.degradations.other_damage import KINDS, apply_damage
    from zoo.data.splits import load_split

    for preset in ("broad", "paper"):
        for case in preset_cases(preset):
            count = per_photo if "+" not in case else 2
            dataset = PresetTestSet(preset, case, images=images, crop=crop, per_photo=count, seed=7)
            for index in range(len(dataset)):
                item = dataset[index]
                yield preset, case, item["inputs"][None], item["data_samples"]["gt"]
    rng = np.random.default_rng(2026)
    crops = [part for photo in load_split(images) for part in _crops(photo, crop, per_photo, rng)]
    for kind in KINDS:
        for index, clean in enumerate(crops):
            damaged = np.round(np.clip(apply_damage(clean, kind, seed=index), 0, 1) * 255) / 255
            x = torch.from_numpy(damaged.astype(np.float32)).permute(2, 0, 1)[None]
            yield "unseen", kind, x, torch.from_numpy(clean).permute(2, 0, 1)


def run_step_check(
    images: str = "validation", per_photo: int = 4, crop: int = 256, model_name: str = "rmbn"
) -> dict[str, Any]:
    """Every step the default ran on the split's cases, with its contribution and its detector drop.

    Args:
        images: ``"validation"`` or ``"test"``.
        per_photo: Crops per photo for the single-factor cases and the damage kinds (mixtures: 2).
        crop: Side of the crops.
        model_name: The recurrent model (its default weights).
    """
    from zoo.benchmarks.strength import chain_with_strengths
    from zoo.data.metrics import metric_settings, psnr
    from zoo.inference.adaptive import detect_tensor, load_detector, logit, plan_steps
    from zoo.models.detector import DETECTOR_FACTORS
    from zoo.registry import create_model

    if images not in ("validation", "test"):
        raise ValueError(f"images must be 'validation' or 'test', got {images!r}")
    model = create_model(model_name, pretrained=True).eval()
    detector = load_detector()
    kwargs = metric_settings("rgb").psnr_kwargs()

    def score(y: torch.Tensor, gt: torch.Tensor) -> float:
        return min(100.0, float(psnr(y.clamp(0, 1), gt, **kwargs)))

    def scores(y: torch.Tensor) -> dict[str, float]:
        return dict(zip(DETECTOR_FACTORS, detect_tensor(y, detector)[0][0].tolist(), strict=True))

    steps, images_seen = [], 0
    for source, case, x, gt in _inputs(images, per_photo, crop):
        images_seen += 1
        plan = plan_steps(x, model.order, "auto", detector)
        if not plan.steps:
            continue
        with torch.inference_mode():
            final, outputs = model(x, steps=plan.steps, strengths=plan.strengths or None, return_steps=True)
        before = score(x[0], gt)
        gain = score(final[0], gt) - before
        seen = plan.probabilities  # the detector's scores of the input, as the plan used them
        for factor in plan.steps:
            rest = {f: plan.strengths.get(f, 1.0) for f in plan.steps if f != factor}
            without = chain_with_strengths(model, x, rest)
            after = scores(outputs[factor])  # each step's output is scored once, for every factor
            steps.append(
                {
                    "source": source,
                    "case": case,
                    "factor": factor,
                    "strength": plan.strengths.get(factor, 1.0),
                    "contribution_db": gain - (score(without[0], gt) - before),
                    "drop": logit(seen[factor]) - logit(after[factor]),
                }
            )
            seen = after
    return {"images": images, "per_photo": per_photo, "crop": crop, "inputs": images_seen, "steps": steps}


def summarise(report: dict[str, Any], drops: tuple[float, ...] = DROPS) -> dict[str, Any]:
    """Per factor: steps run, how many helped or hurt, and what undoing the steps below each drop would change."""
    out = {}
    for factor in dict.fromkeys(s["factor"] for s in report["steps"]):
        mine = [s for s in report["steps"] if s["factor"] == factor]
        rows = {}
        for limit in drops:
            undone = [s for s in mine if s["drop"] < limit]
            rows[f"{limit:g}"] = {
                "undone": len(undone),
                "undone_that_hurt": sum(s["contribution_db"] < 0 for s in undone),
                "change_db": -sum(s["contribution_db"] for s in undone),
                "change_unseen_db": -sum(s["contribution_db"] for s in undone if s["source"] == "unseen"),
            }
        out[factor] = {
            "steps": len(mine),
            "helped": sum(s["contribution_db"] > 0 for s in mine),
            "hurt": sum(s["contribution_db"] < 0 for s in mine),
            "total_db": sum(s["contribution_db"] for s in mine),
            "undo_below": rows,
        }
    return out


def markdown(report: dict[str, Any], command: str) -> str:
    """The summary as Markdown: one row per factor and drop limit."""
    table = summarise(report)
    lines = [
        f"## Re-running the detector after each step ({report['images']} photos)",
        "",
        f"Command: `{command}`  ",
        f"{report['inputs']} degraded crops of {report['crop']}x{report['crop']} (paper and broad cases, and damage "
        "outside the four factors), restored by the default (detector, found steps at their strengths, fp32). "
        "Contribution of a step: the default's PSNR gain minus the gain without that step (`rgb`, 100 dB cap). Drop: "
        "the detector's logit for the step's factor before the step minus after it.",
        "",
        "| factor | steps run | helped / hurt | their total (dB) | undo if drop < | steps undone | of them hurt "
        "| change (dB, all) | change (dB, unseen damage) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for factor, row in table.items():
        for limit, cut in row["undo_below"].items():
            lines.append(
                f"| {factor} | {row['steps']} | {row['helped']} / {row['hurt']} | {row['total_db']:+.2f} | {limit} | "
                f"{cut['undone']} | {cut['undone_that_hurt']} | {cut['change_db']:+.2f} | "
                f"{cut['change_unseen_db']:+.2f} |"
            )
    lines += [
        "",
        "A positive change means undoing those steps would have raised the summed PSNR over all crops. Sums are over "
        "crops (not means), so one crop with a 100 dB cap (a clean crop that a step changed) can dominate a row.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the study and write ``step_check_IMAGES.md`` / ``.json`` into ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m zoo.benchmarks.step_check", description=__doc__.splitlines()[0])
    parser.add_argument("--images", default="validation", choices=["validation", "test"], help="which photos")
    parser.add_argument("--per-photo", type=int, default=4, help="crops per photo for single cases (4)")
    parser.add_argument("--crop", type=int, default=256, help="side of the crops (256)")
    parser.add_argument("--out", default="results/cpu", help="folder for the report")
    args = parser.parse_args(argv)
    if args.per_photo < 1 or args.crop < 16:
        parser.error("--per-photo must be at least 1 and --crop at least 16")
    from zoo.benchmarks.report import write_record

    report = run_step_check(args.images, args.per_photo, args.crop)
    command = ("python -m zoo.benchmarks.step_check " + " ".join(argv if argv is not None else sys.argv[1:])).strip()
    write_record(args.out, f"step_check_{args.images}", report, command, markdown(report, command))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
