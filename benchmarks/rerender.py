"""Rebuild a study's report (``.md``, ``.json``, ``.png``) from its committed JSON without recomputing any cell.

For a change to how reports are written (labels, captions, notes), not to what is measured: every cell comes from
the JSON, the study's own code lays the tables out again, and a cell that the current code would need but the JSON
does not hold is an error (run the study's command for that). The command, budget and seed are the JSON's, and so
is the hardware line: it names the machine that measured the cells, not the one rebuilding the report.

Run it from the folder the study command ran in (the JSON's ``--out`` must be the JSON's folder)::

    python -m zoo.benchmarks.rerender results/cpu/leaderboard.json results/cpu/ablation.json

``recompute`` computes chosen cells again in the same way (the others from the JSON), which is how the tests check
published cells against the current code.
"""

import argparse
import json
import shlex
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .budgets import get_budget
from .cells import CellStore, _file_name
from .report import StudyReport, write_report

__all__ = ["MissingCellError", "recompute", "rerender"]


class MissingCellError(RuntimeError):
    """The current code needs a cell that the study's JSON does not hold."""


def _study_args(command: str) -> argparse.Namespace:
    """The arguments of a recorded ``zoo bench STUDY ...`` command."""
    from zoo.cli.bench import add_arguments

    words = shlex.split(command)
    if words[:2] != ["zoo", "bench"]:
        raise ValueError(f"recorded command {command!r} is not a `zoo bench` command")
    parser = argparse.ArgumentParser(prog="zoo bench")
    add_arguments(parser)
    return parser.parse_args(words[2:])


def _run_study(args: argparse.Namespace, work: Path, command: str) -> StudyReport:
    """Run the study's own code with the recorded arguments (every cell then comes from ``work/cells``)."""
    budget = get_budget(args.budget)
    if args.study == "speed":
        from .latency import run_speed

        return run_speed(budget, args.seed, work, command, args.models, args.sizes)
    if args.study == "leaderboard":
        from .leaderboard import parse_datasets, run_leaderboard

        return run_leaderboard(budget, args.seed, work, args.protocol, command, parse_datasets(args.dataset))
    if args.study == "alignment":
        from .alignment import run_alignment

        return run_alignment(budget, args.seed, work, args.protocol, command, args.train_source, args.max_minutes)
    from .ablation import run_ablation
    from .order import run_order
    from .recipe import run_recipe

    runners: dict[str, Callable[..., StudyReport]] = {
        "ablation": run_ablation,
        "order": run_order,
        "recipe": run_recipe,
    }
    return runners[args.study](budget, args.seed, work, args.protocol, command, args.train_source)


def _replay(summary: dict[str, Any], source: Path, work: Path, fresh: frozenset[str] = frozenset()) -> StudyReport:
    """Run the study's code in ``work`` with the JSON's cells; only the cells in ``fresh`` are computed."""
    args = _study_args(summary["command"])
    for record in summary["cells"]:
        if record["key"] not in fresh:
            # a study's own cells live in work/cells; those of a study it runs inside (the leaderboard's preset
            # tables) in work/<that study>/cells
            own = record.get("study", summary.get("study")) == summary.get("study")
            cells = work / "cells" if own else work / record["study"] / "cells"
            cells.mkdir(parents=True, exist_ok=True)
            (cells / _file_name(record["key"])).write_text(json.dumps(record, indent=1) + "\n")
    original_run = CellStore.run

    def replay(store: CellStore, key: str, config: dict[str, Any], compute: Callable[[], dict[str, Any]]) -> Any:
        def missing() -> dict[str, Any]:
            raise MissingCellError(f"cell {key!r} is not in {source}; run `{summary['command']}` to compute it")

        return original_run(store, key, config, compute if key in fresh else missing)

    CellStore.run = replay  # type: ignore[method-assign]
    try:
        return _run_study(args, work, summary["command"])
    finally:
        CellStore.run = original_run  # type: ignore[method-assign]


def rerender(json_path: str | Path) -> dict[str, Path]:
    """Rewrite a study's report next to its JSON from the cells the JSON holds; returns the written paths.

    Raises:
        MissingCellError: The current code needs a cell the JSON lacks (nothing is written then).
        FileExistsError: The study's cell folder exists (its cells would mix with the JSON's; run the study
            command instead).
        ValueError: The JSON's ``--out`` is not its own folder.
    """
    path = Path(json_path)
    summary: dict[str, Any] = json.loads(path.read_text())
    args = _study_args(summary["command"])
    out = Path(args.out)
    if out.resolve() != path.parent.resolve():
        raise ValueError(
            f"{path} was written by a command with --out {args.out}; run this from the folder that command ran in"
        )
    work = out / args.study
    if work.exists():
        raise FileExistsError(f"{work} exists; its cells would mix with those of {path}: move it away first")
    try:
        report = _replay(summary, path, work)
    finally:
        shutil.rmtree(work)
    report.hardware = summary["hardware"]
    return write_report(report, out)


def recompute(json_path: str | Path, keys: list[str], scratch: str | Path) -> dict[str, dict[str, Any]]:
    """Compute some cells of a study again with the study's own code, every other cell taken from its JSON.

    This is how a published cell is checked: the test sets, models and scoring are the ones the study command
    uses now, so a change that moves the number shows up as a difference from the JSON's record.

    Args:
        json_path: The study's ``<study>.json``.
        keys: Cell keys to recompute (``t3_blur_rmbn@rmbn.synth4-521ba746``, ``train_none``, ...).
        scratch: An empty folder for the study's test sets, training runs and cells.

    Returns:
        The new record of every key.
    """
    path = Path(json_path)
    summary: dict[str, Any] = json.loads(path.read_text())
    unknown = sorted(set(keys) - {record["key"] for record in summary["cells"]})
    if unknown:
        raise KeyError(f"{path} has no cell {', '.join(unknown)}")
    work = Path(scratch) / summary["study"]
    report = _replay(summary, path, work, frozenset(keys))
    return {record["key"]: record for record in report.cells if record["key"] in keys}


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m zoo.benchmarks.rerender STUDY.json [...]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", help="<study>.json files written by `zoo bench`")
    for report in parser.parse_args(argv).reports:
        paths = rerender(report)
        print(f"{report}: rewrote {', '.join(str(p) for p in paths.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
