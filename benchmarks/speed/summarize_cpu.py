"""Condense pytest-benchmark JSON files of ``bench_rmbn_cpu.py`` into one record with the CPU targets.

Example (one command)::

    python benchmarks/speed/summarize_cpu.py --run after=AFTER.json --run before=BEFORE.json
        --headline after -o results/speed/cpu_rmbn_forward_256.json

Each ``--run LABEL=FILE`` is one pytest-benchmark JSON (e.g. the optimised code and the code before the
optimisations, measured back to back on the same machine). The ``--headline`` run's fp32 median is checked against
the project's targets (<= 8 s, then <= 6 s) for a 1x3x256x256 forward on 2 cores. Speed-ups over the authors'
network are computed only from its ``reference`` variant measured in the same run (``ZOO_REFERENCE_CODE``); a run
without it has none (``side_by_side.py`` alternates the variants and is the fairer comparison on shared cores).
"""

import argparse
import json
import platform
from pathlib import Path
from typing import Any

TARGETS_S = {"issue_3": 8.0, "issue_10": 6.0}


def condense(data: dict[str, Any]) -> dict[str, Any]:
    """Per mode: median / min / rounds in seconds and the recorded extra info."""
    modes: dict[str, Any] = {}
    for bench in data["benchmarks"]:
        info = bench["extra_info"]
        stats = bench["stats"]
        modes[info["mode"]] = {
            "median_s": stats["median"],
            "min_s": stats["min"],
            "rounds_s": stats["data"],
            **{k: v for k, v in info.items() if k != "mode"},
        }
    cpu = data["machine_info"]["cpu"]
    return {
        "datetime": data["datetime"],
        "commit": data.get("commit_info", {}).get("id"),
        "machine": {
            "cpu": cpu.get("brand_raw"),
            "cores": cpu.get("count"),
            "hz": cpu.get("hz_actual_friendly"),
            "amx_bf16": "amx_bf16" in cpu.get("flags", []),
            "shared": "2 vCPUs of a VM shared with other jobs (see loadavg_before / loadavg_after)",
        },
        "modes": modes,
    }


def main(argv: list[str] | None = None) -> int:
    """Write the condensed record."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", action="append", required=True, help="LABEL=pytest-benchmark.json")
    parser.add_argument("--headline", required=True, help="label of the run checked against the targets")
    parser.add_argument("-o", "--out", required=True, type=Path)
    parser.add_argument("--note", default="", help="free text stored in the record")
    args = parser.parse_args(argv)
    runs = {}
    for item in args.run:
        label, _, path = item.partition("=")
        if not path:
            raise SystemExit(f"--run needs LABEL=FILE, got {item!r}")
        runs[label] = condense(json.loads(Path(path).read_text()))
    if args.headline not in runs:
        raise SystemExit(f"--headline {args.headline!r} is not one of the runs {sorted(runs)}")
    modes = runs[args.headline]["modes"]
    headline = modes["fp32"]
    if headline["size"] != 256 or headline["threads"] != 2:
        size, threads = headline["size"], headline["threads"]
        raise SystemExit(f"the headline fp32 run is {size}² on {threads} threads, not 256² on 2")
    record = {
        "benchmark": "benchmarks/speed/bench_rmbn_cpu.py (R-MBN J->H->B->R, 1x3x256x256, inference_mode, "
        "channels_last, random weights)",
        "python": platform.python_version(),
        "headline": {
            "run": args.headline,
            "fp32_median_s": headline["median_s"],
            "loadavg_before": headline["loadavg_before"],
            "targets_s": TARGETS_S,
            "met": {issue: headline["median_s"] <= limit for issue, limit in TARGETS_S.items()},
            "speedup_vs_reference_same_run": {
                mode: modes["reference"]["median_s"] / values["median_s"]
                for mode, values in modes.items()
                if mode != "reference"
            }
            if "reference" in modes
            else None,
        },
        "note": args.note,
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record["headline"], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
