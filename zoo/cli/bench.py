"""``zoo bench STUDY``: the paper's tables and the branch-collapse study of the training recipe at a chosen budget.

Studies: leaderboard, ablation, order, alignment, speed (the paper's tables), recipe (which stage-1 recipe lets
every branch learn) and presets (generalisation: every entry on the paper and broad test sets). ``train-speed``
(training images per second of each stage, fp32 against bf16 and threads, side by side) and ``train-split``
(synthesis in the main process or in dataloader workers) measure CPU training; they write ``OUT/<study>.json`` and
``OUT/<study>.md`` (code in ``zoo.training.throughput`` and ``zoo.training.loader_split``).

Each study writes ``OUT/<study>.json`` (every cell with config, budget, seed, hardware and time), ``OUT/<study>.md``
and ``OUT/<study>.png``, prints the Markdown, and keeps finished cells in ``OUT/<study>/cells`` so that running the
same command again resumes and skips them. The code lives in ``zoo.benchmarks``.
"""

import argparse
import shlex
import sys

HELP = (
    "run a study of the paper (leaderboard, ablation, order, alignment, speed) or of the training recipe (recipe) "
    "at a budget: JSON, Markdown, PNG"
)

STUDIES = ("leaderboard", "ablation", "order", "alignment", "recipe", "speed", "presets", "train-speed", "train-split")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Attach this command's arguments."""
    parser.add_argument("study", choices=STUDIES, help="which table(s) to make")
    parser.add_argument(
        "--budget",
        choices=["smoke", "cpu", "gpu"],
        default="smoke",
        help="smoke: tiny, minutes; cpu: about an hour on 2 cores; gpu: the paper's recipe (default smoke)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the test sets and the training runs")
    parser.add_argument("--out", default="bench_out", help="output folder (default bench_out)")
    parser.add_argument(
        "--protocol",
        choices=["standard", "paper", "rgb"],
        default="standard",
        help="PSNR/SSIM convention (zoo.data.metrics.protocols; default standard)",
    )
    parser.add_argument(
        "--train-source",
        help="training images of ablation/order/alignment/recipe: corpus, samples, dead_leaves or a folder "
        "(default: the budget's; smoke uses samples, cpu/gpu the wheel-photo corpus)",
    )
    parser.add_argument(
        "--models", nargs="+", metavar="PATTERN", help="speed: only models matching these fnmatch patterns"
    )
    parser.add_argument("--sizes", nargs="+", type=int, metavar="N", help="speed: input sizes (default the budget's)")
    parser.add_argument(
        "--dataset",
        action="append",
        default=[],
        metavar="FACTOR=KIND:PATH",
        help="leaderboard: score a factor on a real dataset folder instead of the synthetic set, e.g. "
        "blur=gopro:GOPRO_Large/test, haze=reside:SOTS/indoor, rain=didmdn:DID-MDN-test, jpeg=jpeg:LIVE1 "
        "(repeatable)",
    )
    parser.add_argument(
        "--max-minutes",
        type=float,
        metavar="M",
        help="alignment: start no new candidate after M minutes and report what is done (run again to continue)",
    )
    parser.add_argument(
        "--entries",
        nargs="+",
        metavar="ENTRY",
        help="presets: models to score, e.g. rmbn.synth4@auto rmbn.synth4@all mbn.synth4v3:haze@haze identity "
        "(default: identity rmbn@auto rmbn@all rmbn@oracle)",
    )
    parser.add_argument(
        "--presets", nargs="+", choices=["paper", "broad"], help="presets: test sets to score on (default both)"
    )
    parser.add_argument(
        "--images",
        choices=["test", "audit", "validation"],
        help="presets: the photos the test sets are made from (default test; audit: photos no choice looked at)",
    )
    parser.add_argument(
        "--cases", nargs="+", metavar="CASE", help="presets: only these cases, e.g. clean camera_jpeg (default all)"
    )
    parser.add_argument(
        "--per-photo", type=int, metavar="N", help="presets: crops per photo (default the budget's: cpu 2, gpu 4)"
    )
    parser.add_argument(
        "--widths", nargs="+", type=float, metavar="W", help="train-speed/train-split: network widths (default 0.25)"
    )
    parser.add_argument("--rounds", type=int, metavar="N", help="train-speed (default 5) / train-split (default 2)")
    parser.add_argument(
        "--stages", nargs="+", metavar="STAGE", help="train-speed: mbn_stage1 rmbn_stage2 rmbn_star (default all)"
    )
    parser.add_argument(
        "--settings",
        nargs="+",
        metavar="NAME",
        help="train-speed: shipped fp32-cl bf16 bf16-cl bf16-all auto bf16-all-x4 (default: all of these; the first "
        "is the speed-up's base), or fp32-all fp32-all-x4 (CPUs without fast bf16)",
    )
    parser.add_argument("--factors", nargs="+", metavar="FACTOR", help="train-split: factors (default all four)")
    parser.add_argument("--threads", type=int, metavar="N", help="train-split: math threads (default 1)")
    parser.add_argument("--quiet", action="store_true", help="do not print the table at the end")


def run(args: argparse.Namespace) -> int:
    """Run one study and write its outputs."""
    from pathlib import Path

    from zoo.benchmarks.budgets import get_budget
    from zoo.benchmarks.report import write_report

    if args.max_minutes is not None and args.study != "alignment":
        raise ValueError("--max-minutes applies to the alignment study only")
    for option, value in (("--images", args.images), ("--cases", args.cases), ("--per-photo", args.per_photo)):
        if value is not None and args.study != "presets":
            raise ValueError(f"{option} applies to the presets study only")
    budget = get_budget(args.budget)
    out = Path(args.out)
    command = "zoo bench " + " ".join(shlex.quote(a) for a in (sys.argv[2:] if _from_cli() else _argv(args)))
    if args.study in ("train-speed", "train-split"):
        from zoo.training.speed_cli import run as run_training_speed

        return run_training_speed(args, command)
    work = out / args.study
    if args.study == "ablation":
        from zoo.benchmarks.ablation import run_ablation

        report = run_ablation(budget, args.seed, work, args.protocol, command, args.train_source)
    elif args.study == "order":
        from zoo.benchmarks.order import run_order

        report = run_order(budget, args.seed, work, args.protocol, command, args.train_source)
    elif args.study == "alignment":
        from zoo.benchmarks.alignment import run_alignment

        report = run_alignment(budget, args.seed, work, args.protocol, command, args.train_source, args.max_minutes)
    elif args.study == "recipe":
        from zoo.benchmarks.recipe import run_recipe

        report = run_recipe(budget, args.seed, work, args.protocol, command, args.train_source)
    elif args.study == "leaderboard":
        from zoo.benchmarks.leaderboard import parse_datasets, run_leaderboard

        report = run_leaderboard(budget, args.seed, work, args.protocol, command, parse_datasets(args.dataset))
    elif args.study == "presets":
        from zoo.benchmarks.presets import run_presets

        report = run_presets(
            budget,
            args.seed,
            work,
            args.protocol,
            command,
            args.entries,
            args.presets or ("paper", "broad"),
            args.images or "test",
            args.cases,
            args.per_photo,
        )
    else:
        from zoo.benchmarks.latency import run_speed

        report = run_speed(budget, args.seed, work, command, args.models, args.sizes)
    paths = write_report(report, out)
    if not args.quiet:
        print(report.markdown())
    print(
        f"{report.study}: {report.computed} cells computed, {report.skipped} skipped (already done); "
        f"wrote {', '.join(str(p) for p in paths.values())}"
    )
    return 0


def _from_cli() -> bool:
    return len(sys.argv) > 2 and sys.argv[1] == "bench"


def _argv(args: argparse.Namespace) -> list[str]:
    parts = [args.study, "--budget", args.budget, "--seed", str(args.seed), "--out", str(args.out)]
    if args.protocol != "standard":
        parts += ["--protocol", args.protocol]
    if args.train_source:
        parts += ["--train-source", args.train_source]
    if args.models:
        parts += ["--models", *args.models]
    if args.sizes:
        parts += ["--sizes", *map(str, args.sizes)]
    if args.max_minutes is not None:
        parts += ["--max-minutes", str(args.max_minutes)]
    for spec in args.dataset:
        parts += ["--dataset", spec]
    if args.entries:
        parts += ["--entries", *args.entries]
    if args.presets:
        parts += ["--presets", *args.presets]
    if getattr(args, "images", None):
        parts += ["--images", args.images]
    for option in ("widths", "rounds", "stages", "settings", "factors", "threads"):
        value = getattr(args, option, None)
        if value:
            parts += [f"--{option}", *map(str, value if isinstance(value, list) else [value])]
    return parts
