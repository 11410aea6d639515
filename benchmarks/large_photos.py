"""Detection on large photos: the whole image's scores against the default's (tiles for rain, JPEG and blur).

``python -m zoo.benchmarks.large_photos PATH... [--side 2000] [--seeds 2] [--out results/cpu] [--name NAME]``
reads the photos (files, folders, globs), box-downscales each by an integer factor to a longer side of about
``--side`` pixels, and per photo and seed adds the ``paper`` and ``broad`` rain, JPEG and blur of
``zoo.data.degradations`` (8-bit values). For each factor it reports how the shipped detector scores it on the whole
image (``detector(x)``) and as the default does (``zoo.inference.adaptive.detect_tensor``: tiles for images above
``zoo.inference.detector_tiles.TILE_FROM`` pixels): the share of images where the factor is present by
``zoo.data.labels`` (JPEG below quality 70, a visible change) and found, the share where it is absent and found (a
false alarm), and the mean step strength where present; for blur also the PSNR gain of the blur step run at the
strength each score gives (the default R-MBN's blur branch). The photos themselves, and each as a camera JPEG of
quality 85, count as clean. Only photos larger than the tile limit show a difference.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

import numpy as np
import torch

__all__ = ["markdown", "run_large_photos"]

CASES = (
    ("paper", "rain"),
    ("broad", "rain"),
    ("paper", "jpeg"),
    ("broad", "jpeg"),
    ("paper", "blur"),
    ("broad", "blur"),
)


def _load(path, side: int) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as opened:
        image = opened.convert("RGB")
    factor = max(1, round(max(image.size) / side))
    return np.asarray(image.reduce(factor) if factor > 1 else image, np.float32) / 255


def _scores(x: np.ndarray, detector: torch.nn.Module) -> tuple[list[float], list[float]]:
    """The detector's scores of the whole image, and the default's (the same with its tiles where large)."""
    from zoo.inference.detector_tiles import with_tiled_factors

    batch = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).permute(2, 0, 1)[None]
    with torch.no_grad():
        whole = detector(batch)
    return whole[0][0].tolist(), with_tiled_factors(batch, detector, *whole)[0][0].tolist()


def _blur_gain(model: torch.nn.Module, damaged: np.ndarray, clean: np.ndarray, strength: float) -> float:
    """PSNR gain (dB, RGB, 8-bit) of the default's blur step run at ``strength`` (0: not run)."""
    if strength <= 0:
        return 0.0
    from zoo.data.metrics import psnr

    x = torch.from_numpy(np.ascontiguousarray(damaged, dtype=np.float32)).permute(2, 0, 1)[None]
    with torch.inference_mode():
        out = model(x, steps=("blur",), strengths={"blur": strength} if strength < 1 else None).clamp(0, 1)
    restored = np.round(out[0].permute(1, 2, 0).numpy() * 255) / 255
    return float(psnr(restored, clean)) - float(psnr(damaged, clean))


def run_large_photos(paths: list[str], side: int = 2000, seeds: int = 2) -> dict[str, Any]:
    """Per case: presence, and whole-image against default (tiled) detection, over the photos and seeds."""
    from zoo.data.degradations import degrade
    from zoo.data.degradations.jpeg import jpeg_roundtrip
    from zoo.data.labels import factor_labels
    from zoo.inference.adaptive import load_detector, step_strength
    from zoo.inference.files import expand_inputs
    from zoo.models.detector import DETECTOR_FACTORS
    from zoo.registry import create_model

    detector = load_detector()
    model = create_model("rmbn", pretrained=True).eval()
    thresholds = [float(t) for t in detector.thresholds]
    rows: dict[str, list[dict[str, Any]]] = {f"{p} {f}": [] for p, f in CASES} | {"clean": []}
    sizes = []
    for index, job in enumerate(expand_inputs(paths)):
        clean = _load(job.source, side)
        sizes.append(list(clean.shape[1::-1]))
        for image in (clean, jpeg_roundtrip(clean, 85)):
            whole, default = _scores(image, detector)
            rows["clean"].append({"present": False, "whole": whole, "default": default})
        for seed in range(seeds):
            for preset, factor in CASES:
                damaged, params = degrade(clean, [factor], seed=1000 * index + seed, preset=preset)
                present = factor_labels(params, clean, preset)[0][factor] > 0.5
                damaged = np.round(np.clip(damaged, 0, 1) * 255) / 255
                whole, default = _scores(damaged, detector)
                row = {"present": bool(present), "whole": whole, "default": default}
                if factor == "blur":
                    column = DETECTOR_FACTORS.index("blur")
                    strengths = {
                        how: step_strength(row[how][column], thresholds[column]) for how in ("whole", "default")
                    }
                    gains = {s: _blur_gain(model, damaged, clean, s) for s in set(strengths.values())}  # often equal
                    row |= {f"gain_{how}": gains[s] for how, s in strengths.items()}
                rows[f"{preset} {factor}"].append(row)
        print(f"{job.source}: {sizes[-1][0]}x{sizes[-1][1]}", flush=True)
    summary = {}
    for case, items in rows.items():
        column = DETECTOR_FACTORS.index(case.split()[-1]) if case != "clean" else None
        result = {"images": len(items)}
        for how in ("whole", "default"):
            if column is None:
                found = [any(p > t for p, t in zip(i[how], thresholds, strict=True)) for i in items]
                result[how] = {"any_step": float(np.mean(found))}
                continue
            present = [i for i in items if i["present"]]
            absent = [i for i in items if not i["present"]]
            strengths = [step_strength(i[how][column], thresholds[column]) for i in present]
            result[how] = {
                "found": float(np.mean([s > 0 for s in strengths])) if present else None,
                "mean_strength": float(np.mean(strengths)) if present else None,
                "false_alarms": float(np.mean([i[how][column] > thresholds[column] for i in absent]))
                if absent
                else None,
            }
            if "gain_whole" in (items[0] if items else {}):
                result[how]["steps"] = sum(step_strength(i[how][column], thresholds[column]) > 0 for i in items)
                result[how]["mean_gain_db"] = float(np.mean([i[f"gain_{how}"] for i in items]))
        result["present"] = sum(i["present"] for i in items)
        summary[case] = result
    return {"paths": list(paths), "side": side, "seeds": seeds, "sizes": sizes, "cases": summary}


def _share(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f} %"


def markdown(report: dict[str, Any], command: str) -> str:
    """The whole-image and default detection side by side, per case."""
    lines = [
        "## Detection on large photos: whole image against tiles (the default)",
        "",
        f"Command: `{command}`  ",
        f"{len(report['sizes'])} photos, longer side about {report['side']} pixels, {report['seeds']} seeds per case; "
        "shipped detector and thresholds; 8-bit inputs. Present: by `zoo.data.labels` (JPEG below quality 70).",
        "",
        "| case | images (present) | found where present: whole / default | mean step strength: whole / default "
        "| false alarms where absent: whole / default |",
        "|---|---:|---:|---:|---:|",
    ]
    for case, row in report["cases"].items():
        if case == "clean":
            continue
        whole, default = row["whole"], row["default"]
        lines.append(
            f"| {case} | {row['images']} ({row['present']}) | {_share(whole['found'])} / {_share(default['found'])} | "
            f"{whole['mean_strength']:.2f} / {default['mean_strength']:.2f} | "
            f"{_share(whole['false_alarms'])} / {_share(default['false_alarms'])} |"
        )
    clean = report["cases"]["clean"]
    for case, row in report["cases"].items():
        if "mean_gain_db" in row["whole"]:
            lines.append(
                f"\n- {case}: the blur step ran on {row['whole']['steps']} of {row['images']} images by the whole "
                f"image's score and on {row['default']['steps']} by the default; mean PSNR gain over all "
                f"{row['images']} (a step not run counts 0): {row['whole']['mean_gain_db']:+.2f} / "
                f"{row['default']['mean_gain_db']:+.2f} dB."
            )
    lines += [
        "",
        f"- Clean photos and their camera JPEGs (quality 85), {clean['images']} images: any step "
        f"{_share(clean['whole']['any_step'])} on the whole image, {_share(clean['default']['any_step'])} by the "
        "default.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the study and write ``NAME.md`` / ``NAME.json`` into ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m zoo.benchmarks.large_photos", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="photo files, folders (searched recursively) or globs")
    parser.add_argument("--side", type=int, default=2000, help="longer side to downscale to (about; default 2000)")
    parser.add_argument("--seeds", type=int, default=2, help="degradations per photo and case (default 2)")
    parser.add_argument("--out", default="results/cpu", help="folder for the report")
    parser.add_argument("--name", default="large_photos", help="file name of the report (default large_photos)")
    args = parser.parse_args(argv)
    if args.side < 64 or args.seeds < 1:
        parser.error("--side must be at least 64 and --seeds at least 1")
    from zoo.benchmarks.report import write_record

    try:
        report = run_large_photos(args.paths, args.side, args.seeds)
    except FileNotFoundError as err:
        parser.error(str(err))
    command = "python -m zoo.benchmarks.large_photos " + shlex.join(argv if argv is not None else sys.argv[1:])
    write_record(args.out, args.name, report, command, markdown(report, command))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
