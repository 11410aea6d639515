"""``zoo bench train-speed`` and ``train-split``: run the CPU training measurements, write JSON and Markdown."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

__all__ = ["run"]


def run(args: argparse.Namespace, command: str) -> int:
    """Measure at every width in ``args.widths``; write ``OUT/<study>.json`` and ``OUT/<study>.md``; print the table."""
    from zoo.training.throughput import SETTINGS, STAGES, machine

    widths = args.widths or [0.25]
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    if args.study == "train-speed":
        from zoo.hardware import physical_cores
        from zoo.training.throughput import markdown, measure, settings_for

        settings = settings_for(args.settings or SETTINGS, physical_cores())
        stages = args.stages or STAGES
        runs = [measure(w, stages, settings, rounds=args.rounds or 5, seed=args.seed) for w in widths]
        text = markdown(runs, command, machine())
    else:
        from zoo.factors import FACTORS
        from zoo.training.loader_split import markdown, measure_split

        factors = args.factors or FACTORS
        threads = args.threads or 1
        runs = [measure_split(w, factors, threads, rounds=args.rounds or 2, seed=args.seed) for w in widths]
        text = markdown(runs, command)
    name = args.study.replace("-", "_")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    record = {"study": args.study, "command": command, "started": started, "machine": machine(), "runs": runs}
    (out / f"{name}.json").write_text(json.dumps(record, indent=1) + "\n")
    (out / f"{name}.md").write_text(text)
    if not args.quiet:
        print(text)
    print(f"{args.study}: wrote {out / f'{name}.json'}, {out / f'{name}.md'}")
    return 0
