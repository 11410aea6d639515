"""``zoo detect IMAGE... [--json]``: which of rain, blur, JPEG and haze each image has."""

import argparse
import json
import sys

HELP = "detect rain, blur, jpeg artifacts and haze in images (probabilities and severities)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Attach this command's arguments."""
    parser.add_argument("inputs", nargs="+", metavar="IMAGE", help="image files, folders (searched recursively), globs")
    parser.add_argument("-m", "--model", help="detector name or tag (default: the shipped detector)")
    parser.add_argument(
        "--json", action="store_true", help="print exactly one JSON list on stdout, one object per input"
    )


def _table(rows: list[dict]) -> str:
    from zoo.models.detector import DETECTOR_FACTORS

    header = ["image", *DETECTOR_FACTORS, "detected"]
    lines = [header]
    for row in rows:
        if "error" in row:
            lines.append([row["path"], *["-"] * len(DETECTOR_FACTORS), f"error: {row['error']}"])
            continue
        cells = [f"{row['factors'][f]:.2f} ({row['severity'][f]:.2f})" for f in DETECTOR_FACTORS]
        lines.append([row["path"], *cells, ", ".join(row["detected"]) or "none"])
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    text = ["  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)) for line in lines]
    text.insert(1, "  ".join("-" * width for width in widths))
    return (
        "\n".join(text)
        + "\n\nscore (severity 0..1) per factor: the presence probability, or the severity where the detector "
        "decides by it; detected: score at or above the threshold"
    )


def run(args: argparse.Namespace) -> int:
    """Detect factors in every input; an unreadable input is reported in its row and counted."""
    from zoo.inference.detect import detect
    from zoo.inference.files import expand_inputs
    from zoo.inference.image_io import read_image

    jobs = expand_inputs(args.inputs)
    rows, failed = [], 0
    model = None
    for job in jobs:
        try:
            if model is None:
                from zoo.inference.adaptive import load_detector

                model = load_detector(args.model) if args.model else load_detector()
            report = detect(read_image(job.source).pixels, model=model)
            rows.append({"path": str(job.source), **report})
        except (ValueError, OSError) as err:
            message = str(err) if str(job.source) in str(err) else f"{job.source}: {err}"
            if len(jobs) == 1:
                raise ValueError(message) from None
            rows.append({"path": str(job.source), "error": " ".join(message.split())})
            failed += 1
    if args.json:
        print(json.dumps(rows))
    else:
        print(_table(rows))
    if failed:
        print(f"{failed} of {len(jobs)} inputs failed", file=sys.stderr)
        return 1
    return 0
