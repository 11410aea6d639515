"""``zoo restore``: restore image files, folders and globs, or a bundled sample, with a zoo model."""

import argparse
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from zoo.inference.restore import Restorer

HELP = "restore images (files, folders, globs) or a bundled degraded sample (--sample) with a zoo model"

EPILOG = (
    "Output formats: PNG, TIFF, BMP and WebP inputs keep their format and bit depth. JPEG inputs are written as PNG: "
    "encoding the restored image as JPEG again (even at quality 95) adds new compression error, about as much as "
    "the JPEG branch removes; --keep-jpeg writes JPEG (quality 95, full-resolution colour) instead, and a single "
    "input with -o NAME.jpg is written as JPEG."
)


def bundled_samples() -> list[str]:
    """Names of the bundled degraded samples, read from the package's ``params.json`` without importing torch."""
    import json
    from importlib import resources

    table = Path(str(resources.files("zoo"))) / "assets" / "degraded" / "params.json"
    try:
        return sorted(Path(name).stem for name in json.loads(table.read_text()))
    except (OSError, ValueError):
        return []


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Attach this command's arguments."""
    parser.add_argument("inputs", nargs="*", metavar="INPUT", help="image files, folders (searched recursively), globs")
    parser.add_argument("-o", "--output", required=True, help="output folder, or a file name for a single input")
    parser.add_argument("-m", "--model", help="model name or architecture.tag (default: the shipped rmbn default)")
    parser.add_argument("--checkpoint", help="weights file to load into --model instead of its shipped weights")
    parser.add_argument("--factor", help="run only this factor's branch (rain, blur, jpeg, haze; mbn needs one)")
    parser.add_argument(
        "--tile",
        type=int,
        help="tile size in pixels for images too large for memory (default: the whole image, or tiles that fit the "
        "memory budget); R-MBN and MBN pool statistics over their whole input, so tiled results can differ slightly "
        "from untiled ones: use the largest tile that fits",
    )
    parser.add_argument("--overlap", type=int, default=32, help="overlap between tiles in pixels (default 32)")
    parser.add_argument(
        "--max-memory",
        type=float,
        metavar="GIB",
        help="memory budget of one forward pass in GiB (default 8); larger images are tiled automatically",
    )
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.add_argument(
        "--dtype",
        default="auto",
        choices=["auto", "fp32", "bf16", "fp16"],
        help="precision (default auto: bf16 autocast on CUDA, and on CPUs with AMX or AVX512-BF16 for shipped "
        "weights whose card shows bf16 keeps their scores; fp32 otherwise)",
    )
    parser.add_argument(
        "--steps",
        default="auto",
        help="R-MBN's steps: auto (default: the factor detector picks them, and a step it is unsure of runs at part "
        "strength; a photo with no degradation comes back unchanged), all (the paper's chain J, H, B, R), or names "
        "such as jpeg,blur",
    )
    parser.add_argument(
        "--save-steps", action="store_true", help="also write R-MBN's per-step images (the steps that ran)"
    )
    parser.add_argument(
        "--sample",
        metavar="NAME",
        help="restore a bundled degraded sample and print where it is, its clean original, the output and PSNR "
        f"(one of: {', '.join(bundled_samples())})",
    )
    parser.add_argument(
        "--keep-jpeg", action="store_true", help="write JPEG inputs as JPEG (quality 95) instead of PNG (see below)"
    )
    parser.epilog = EPILOG


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    print(f"zoo restore: warning: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Restore the inputs (or the sample) and report where the results went."""
    from zoo.inference.restore import Restorer

    if bool(args.inputs) == bool(args.sample):
        raise ValueError("give INPUT files/folders/globs or --sample NAME (one of the two)")
    output = Path(args.output)
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        restorer = Restorer(
            model=args.model,
            factor=args.factor,
            tile=args.tile,
            overlap=args.overlap,
            device=args.device,
            dtype=args.dtype,
            save_steps=args.save_steps,
            checkpoint=args.checkpoint,
            max_memory=args.max_memory,
            steps=args.steps,
        )
        if args.sample:
            return _run_sample(restorer, args.sample, output)
        return _run_files(restorer, args.inputs, output, args.keep_jpeg)


def _run_sample(restorer: "Restorer", name: str, output: Path) -> int:
    from zoo.inference.files import step_path
    from zoo.inference.image_io import write_image
    from zoo.inference.restore import RESTORED
    from zoo.inference.samples import restore_sample, sample_paths

    result = restore_sample(restorer, name)
    target = output if output.suffix.lower() == ".png" else output / f"{result.name}.png"
    written = []
    for index, (key, pixels) in enumerate(result.outputs.items()):
        written.append(write_image(target if key == RESTORED else step_path(target, index, key), pixels))
    gain = result.psnr_restored - result.psnr_degraded
    print(f"model:     {restorer.name} ({restorer.dtype}, {restorer.precision.reason})")
    if restorer.plans:
        print(f"steps:     {restorer.plans[0].describe()}")
    print(f"input:     {sample_paths(name)[0]}")
    print(f"reference: {result.clean} (the clean original)")
    print(f"output:    {written[0]}" + (f" (+{len(written) - 1} step images beside it)" if len(written) > 1 else ""))
    print(f"PSNR degraded vs clean: {result.psnr_degraded:6.2f} dB (RGB)")
    print(f"PSNR restored vs clean: {result.psnr_restored:6.2f} dB ({gain:+.2f} dB)")
    return 0


def _run_files(restorer: "Restorer", inputs: list[str], output: Path, keep_jpeg: bool = False) -> int:
    """Restore every input; with several, a file that cannot be read or written is reported and skipped."""
    from tqdm import tqdm

    from zoo.inference.files import expand_inputs, plan_outputs, restore_file

    jobs = expand_inputs(inputs)
    targets = plan_outputs(jobs, output, keep_jpeg=keep_jpeg)
    count, failed = 0, []
    bar = tqdm(zip(jobs, targets, strict=True), total=len(jobs), unit="image", disable=len(jobs) < 2, file=sys.stderr)
    for job, target in bar:
        bar.set_postfix_str(job.source.name, refresh=False)
        if len(jobs) == 1:
            restore_file(restorer, job.source, target)  # errors reach main(): one line, exit 1
        else:
            try:
                restore_file(restorer, job.source, target)
            except (ValueError, OSError, RuntimeError) as err:
                message = str(err) if str(job.source) in str(err) else f"{job.source}: {err}"
                bar.write(f"zoo restore: error: {message} (skipped)", file=sys.stderr)
                failed.append(job.source)
                continue
        count += 1
        if restorer.plans:
            bar.write(f"{job.source}: {restorer.plans[0].describe()}", file=sys.stdout)
    where = targets[0] if len(targets) == 1 else output
    print(f"restored {count} image{'s' if count != 1 else ''} with {restorer.name} in {restorer.dtype} -> {where}")
    if failed:
        print(f"{len(failed)} of {len(jobs)} inputs failed (listed above); exit status 1", file=sys.stderr)
        return 1
    return 0
