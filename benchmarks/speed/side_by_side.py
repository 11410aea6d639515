"""R-MBN on the CPU, ours against the authors' network, side by side in one process, in alternating rounds.

Run (give the folder of a checkout of https://github.com/6272code/6272-code, or set ``ZOO_REFERENCE_CODE``)::

    OMP_NUM_THREADS=2 python benchmarks/speed/side_by_side.py --reference ~/src/6272-code --size 256 --rounds 5
        --out results/speed/cpu_side_by_side_256.json       (one line)

Without a checkout it prints why it skips and exits 0. Every variant runs once per round and the order rotates from
round to round, so the machine's load (other jobs on shared cores) falls on all variants alike; each round also
gives each variant's time relative to the reference's time in the same round. Weights are random (timing does not
depend on them): the authors' default initialisation, and ours with seed 0; full width, 4 rain iterations
(1.445 TFLOP per forward at 256x256).

Variants (``--variants``, comma separated):

- ``reference``: the authors' R-MBN pass (``reference.ReferenceRMBN``), fp32, as their test script runs it.
- ``fp32``: ours in fp32, on the path ``zoo restore`` takes (:class:`zoo.inference.Restorer`, tiling off).
- ``bf16``: ours under bf16 autocast, what ``--dtype auto`` picks on CPUs with AMX or AVX512-BF16 for weights whose
  card records that bf16 keeps their scores.
- ``fp32-nchw`` / ``bf16-nchw``: the same network called directly with NCHW tensors (no ``Restorer``), to show what
  the layout choice of the ``Restorer`` is worth.
- ``found-rain``, ``found-blur``, ``found-jpeg``, ``found-haze``: what the default path of ``zoo restore``
  (``steps="auto"``) costs when the detector finds that one factor: the shipped detector's call on the image, then
  that single step in bf16 autocast (which ``--dtype auto`` picks on such CPUs for every shipped R-MBN tag; these
  random weights have no card to allow it). The reference runs all four steps on every image.

The medians, the ratios (reference median / variant median, and the median of the per-round ratios), the machine
(CPU model and flags, threads, ``os.getloadavg()`` before and after) and torch's version go to ``--out`` as JSON.
"""

import argparse
import copy
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from zoo.factors import FACTORS

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reference import ENV_VAR, ReferenceRMBN, find_checkout, load_reference_network  # noqa: E402

VARIANTS = (
    "reference",
    "fp32",
    "bf16",
    "fp32-nchw",
    "bf16-nchw",
    "fp32-cl",
    "bf16-cl",
    *(f"found-{f}" for f in FACTORS),
)
DEFAULT_VARIANTS = "reference,fp32,bf16"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def build_variants(
    names: Sequence[str], checkout: Path | None, ours: torch.nn.Module | None = None
) -> dict[str, Callable[[torch.Tensor], torch.Tensor]]:
    """One callable per variant name, each taking a (1, 3, H, W) image in [0, 1] and returning the restored image.

    Args:
        names: Variant names (``VARIANTS``).
        checkout: The authors' code, for ``"reference"``.
        ours: Our R-MBN to time (default: the full-width R-MBN, random weights seeded 0, as the reference).
    """
    from zoo.inference import Restorer
    from zoo.inference.adaptive import detect_tensor
    from zoo.registry import create_model

    if ours is None:
        torch.manual_seed(0)
        ours = create_model("rmbn")
    ours = ours.eval()
    calls: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {}
    for name in names:
        if name == "reference":
            if checkout is None:
                raise ValueError("the reference variant needs a checkout")
            reference = ReferenceRMBN(load_reference_network(checkout))
            calls[name] = reference
        elif name in ("fp32", "bf16"):
            restorer = Restorer(ours, dtype=name, steps="all")
            calls[name] = lambda x, r=restorer: r.restore_tensor(x)["restored"]
        elif name.startswith("found-") and name.removeprefix("found-") in FACTORS:
            restorer = Restorer(ours, dtype="bf16", steps=(name.removeprefix("found-"),))

            def found(x: torch.Tensor, r: Restorer = restorer) -> torch.Tensor:
                detect_tensor(x)  # the default path asks the detector first
                return r.restore_tensor(x)["restored"]

            calls[name] = found
        elif name in ("fp32-nchw", "bf16-nchw", "fp32-cl", "bf16-cl"):
            enabled = name.startswith("bf16")
            layout = torch.channels_last if name.endswith("-cl") else torch.contiguous_format
            net = copy.deepcopy(ours).to(memory_format=layout)

            def direct(
                x: torch.Tensor, net: torch.nn.Module = net, enabled: bool = enabled, layout: Any = layout
            ) -> torch.Tensor:
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=enabled):
                    return net(x.contiguous(memory_format=layout)).float()

            calls[name] = direct
        else:
            raise ValueError(f"unknown variant {name!r}; choose from {', '.join(VARIANTS)}")
    return calls


def run(
    calls: dict[str, Callable[[torch.Tensor], torch.Tensor]], size: int, rounds: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Seconds of one forward per variant and round; the order of the variants rotates every round."""
    x = torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(1))
    names = list(calls)
    times: dict[str, list[float]] = {name: [] for name in names}
    with torch.inference_mode():
        for _ in range(warmup):
            for name in names:
                calls[name](x)
        for index in range(rounds):
            order = names[index % len(names) :] + names[: index % len(names)]
            for name in order:
                start = time.perf_counter()
                calls[name](x)
                times[name].append(time.perf_counter() - start)
            line = "  ".join(f"{name} {times[name][-1]:.2f} s" for name in names)
            print(f"round {index + 1}/{rounds}: {line}", flush=True)
    return times


def summarise(times: dict[str, list[float]]) -> dict[str, Any]:
    """Median, min and speed-up over the reference (ratio of medians and median of same-round ratios)."""
    summary: dict[str, Any] = {}
    reference = times.get("reference")
    for name, values in times.items():
        entry: dict[str, Any] = {"median_s": statistics.median(values), "min_s": min(values), "rounds_s": values}
        if reference and name != "reference":
            entry["speedup_vs_reference"] = statistics.median(reference) / statistics.median(values)
            entry["median_same_round_speedup"] = statistics.median(r / v for r, v in zip(reference, values))
        summary[name] = entry
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, time the variants, print the table and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", help=f"checkout of the authors' repository (default ${ENV_VAR})")
    parser.add_argument("--size", type=int, default=256, help="square input size, a multiple of 16 (default 256)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
    parser.add_argument("--variants", default=DEFAULT_VARIANTS, help=f"comma separated, of {', '.join(VARIANTS)}")
    parser.add_argument("--out", type=Path, help="JSON file to write")
    parser.add_argument("--note", default="", help="free text stored in the JSON (e.g. what else ran)")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.variants.split(",") if name.strip()]
    checkout = find_checkout(args.reference)
    if checkout is None and "reference" in names:
        print(
            f"skipped: no checkout of the authors' code; pass --reference PATH or set {ENV_VAR} to a clone of "
            "https://github.com/6272code/6272-code (or leave 'reference' out of --variants)"
        )
        return 0
    if args.size % 16:
        parser.error(f"--size must be a multiple of 16 (the authors' network needs it); got {args.size}")
    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()
    times = run(build_variants(names, checkout), args.size, args.rounds)
    summary = summarise(times)
    print(f"\n1x3x{args.size}x{args.size}, {args.threads} threads, {args.rounds} rounds, load {load_before}")
    print(f"{'variant':12s} {'median s':>9s} {'min s':>7s} {'speed-up':>9s} {'same-round':>11s}")
    for name, entry in summary.items():
        ratio = entry.get("speedup_vs_reference")
        same = entry.get("median_same_round_speedup")
        ratio_text = f"{ratio:8.2f}x" if ratio else f"{'-':>9s}"
        same_text = f"{same:10.2f}x" if same else f"{'-':>11s}"
        print(f"{name:12s} {entry['median_s']:9.2f} {entry['min_s']:7.2f} {ratio_text} {same_text}")
    record = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "size": args.size,
        "rounds": args.rounds,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "cpu": _cpu_name(),
        "cpu_flags_bf16": sorted(f for f in ("amx_bf16", "avx512_bf16") if f in _flags()),
        "cpu_count": os.cpu_count(),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
        "note": args.note,
        "variants": summary,
    }
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(record, indent=2) + "\n")
        print(f"wrote {args.out}")
    return 0


def _flags() -> frozenset[str]:
    from zoo.hardware import cpu_flags

    return cpu_flags()


if __name__ == "__main__":
    sys.exit(main())
