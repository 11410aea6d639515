"""End-to-end speed of ``zoo restore`` with its defaults on a 1 MP photo with one degradation factor.

What a user waits for: a fresh ``zoo restore photo.png -o out/`` process (Python start, imports, loading the default
weights, whatever the default does, writing the result), timed from outside, on a 1024x1024 photo (a bundled test
photo enlarged 2x, then degraded with one factor). With ``--images N`` the process restores a folder of N such
photos (each degraded with its own seed), so the start-up is paid once, as when a user restores a folder. The target
is >= 1 MP/s on 2 threads::

    python benchmarks/speed/bench_restore_1mp.py [--factor blur] [--images 1] [--runs 3] [--threads 2]
        [--out FILE.json] [-- EXTRA zoo restore OPTIONS]      (e.g. -- -m rmbn.synth4 --dtype fp32)

It measures whatever ``zoo restore``'s defaults are at the time (model, ``--dtype auto``, steps), and records the
lines ``zoo restore`` printed (which model and precision ran) with the times, the machine and its load.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from zoo.data.degradations import FACTORS, degrade
from zoo.hardware import cpu_flags
from zoo.inference.samples import assets_dir

SIDE = 1024
PHOTO = "aloe"  # 512x512 photo of the bundled test split (not in any training data)


def make_photo(folder: Path, factor: str, seed: int = 0) -> Path:
    """A 1024x1024 PNG: the test photo enlarged 2x (Lanczos), degraded with ``factor``."""
    clean = Image.open(assets_dir() / "test" / f"{PHOTO}.png").convert("RGB").resize((SIDE, SIDE), Image.LANCZOS)
    degraded, _ = degrade(np.asarray(clean, np.float32) / 255.0, [factor], seed=seed)
    path = folder / f"{PHOTO}_{factor}_1mp.png"
    Image.fromarray(np.clip(np.rint(degraded * 255.0), 0, 255).astype(np.uint8)).save(path)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Time ``--runs`` fresh ``zoo restore`` processes and print MP/s."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", default="blur", choices=FACTORS)
    parser.add_argument("--images", type=int, default=1, help="photos per zoo restore call (>1: a folder of them)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="OMP_NUM_THREADS of the zoo restore process")
    parser.add_argument("--out", type=Path, help="JSON file to write")
    parser.add_argument("extra", nargs="*", help="more zoo restore options, after --")
    args = parser.parse_args(argv)
    zoo = Path(sys.executable).with_name("zoo")
    command = [str(zoo)] if zoo.is_file() else [sys.executable, "-m", "zoo.cli.main"]
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "MKL_NUM_THREADS": str(args.threads)}
    times, printed = [], ""
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        if args.images < 1:
            parser.error("--images must be at least 1")
        if args.images == 1:
            photo = make_photo(Path(folder), args.factor)
        else:
            photo = Path(folder) / "photos"
            photo.mkdir()
            for seed in range(args.images):
                make_photo(photo, args.factor, seed).rename(photo / f"{PHOTO}_{args.factor}_{seed}.png")
        megapixels = args.images * SIDE * SIDE / 1e6
        for run in range(args.runs):
            out = Path(folder) / f"out{run}"
            start = time.perf_counter()
            done = subprocess.run(
                [*command, "restore", str(photo), "-o", str(out), *args.extra],
                env=env,
                capture_output=True,
                text=True,
            )
            times.append(time.perf_counter() - start)
            if done.returncode != 0:
                print(done.stdout + done.stderr, file=sys.stderr)
                return done.returncode
            printed = done.stdout.strip()
            rate = megapixels / times[-1]
            print(f"run {run + 1}/{args.runs}: {times[-1]:.2f} s ({rate:.2f} MP/s)", flush=True)
    median = statistics.median(times)
    print(f"zoo restore said: {printed}")
    print(
        f"{args.images} x {SIDE}x{SIDE} {args.factor}: median {median:.2f} s end to end = "
        f"{megapixels / median:.2f} MP/s"
    )
    if args.out:
        record = {
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "image": f"{PHOTO} enlarged to {SIDE}x{SIDE}, {args.factor}",
            "images_per_call": args.images,
            "command": ["zoo", "restore", "IMAGE" if args.images == 1 else "FOLDER", "-o", "OUT", *args.extra],
            "threads": args.threads,
            "runs_s": times,
            "median_s": median,
            "megapixels_per_s": megapixels / median,
            "zoo_restore_printed": printed,
            "cpu_flags_bf16": sorted(f for f in ("amx_bf16", "avx512_bf16") if f in cpu_flags()),
            "cpu_count": os.cpu_count(),
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(record, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
