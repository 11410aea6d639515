"""Tables 5 and 6: the search for the alignment of the output branches on the hierarchical stack.

As in the paper (App. A.1): every candidate is the minimal design (one shared input branch of 48/96/96 channels,
identical PixelShuffle tails) with its tails placed on the stack of DuRB-M blocks; ``R→B→H`` puts rain's tail on
the stem, blur's after one extra DuRB-M block and haze's after two; ``BH→R`` puts blur and haze on the stem and
rain after one block. Each candidate is trained from scratch with the same budget and scored with the factor
given, averaged over its factors. Table 5 searches blur (B), haze (H) and rain (R); Table 6 inserts JPEG (J) into
the best of Table 5, as its own level or joined to an existing one.
"""

import time
from itertools import permutations
from pathlib import Path

from zoo.data.metrics.protocols import protocol_label
from zoo.factors import LETTERS, TASK_ORDER

from .budgets import Budget
from .evaluate import evaluate, factor_test_sets, mean_scores
from .report import PlotPanel, StudyReport, Table, fmt_pair
from .train import stage1_options, train_network, training_images, training_store

__all__ = ["Alignment", "candidates_step1", "candidates_step2", "label", "run_alignment"]

# The paper's published numbers, measured by the authors' test scripts, not under this table's protocol.
PAPER_COLUMN = "paper as published (`paper` protocol, mean PSNR / SSIM)"

FACTOR_OF = {v: k for k, v in LETTERS.items()}
STEP1 = ("rain", "blur", "haze")
TRAIN_ORDER = TASK_ORDER
# An alignment: levels of the output stack, each a tuple of factors sharing that level.
Alignment = tuple[tuple[str, ...], ...]

PAPER_TABLE5 = {
    "B→H→R": "30.61 / 0.9244",
    "B→R→H": "30.42 / 0.9227",
    "H→B→R": "30.57 / 0.9244",
    "H→R→B": "30.34 / 0.9219",
    "R→B→H": "30.79 / 0.9246",
    "R→H→B": "30.29 / 0.9201",
    "BH→R": "30.24 / 0.9217",
    "B→HR": "30.36 / 0.9216",
    "HR→B": "30.02 / 0.9189",
    "H→RB": "30.41 / 0.9236",
    "RB→H": "30.47 / 0.9219",
    "R→BH": "30.38 / 0.9228",
    "RBH": "30.32 / 0.9206",
}
PAPER_TABLE6 = {
    "J→R→B→H": "30.09 / 0.8997",
    "R→J→B→H": "30.18 / 0.9004",
    "R→B→J→H": "30.22 / 0.8995",
    "R→B→H→J": "30.17 / 0.9004",
    "JR→B→H": "30.20 / 0.8985",
    "R→BJ→H": "30.13 / 0.8991",
    "R→B→HJ": "30.02 / 0.8995",
}


def label(alignment: Alignment) -> str:
    """``(("rain",), ("blur", "haze"))`` -> ``"R→BH"``."""
    return "→".join("".join(LETTERS[f] for f in level) for level in alignment)


def _canonical(text: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(level) for level in text.split("→"))


def paper_value(alignment: Alignment) -> str:
    """The paper's PSNR / SSIM for an alignment (letters within a level in any order), or an em dash."""
    key = tuple(frozenset(LETTERS[f] for f in level) for level in alignment)
    for table in (PAPER_TABLE5, PAPER_TABLE6):
        for text, value in table.items():
            if _canonical(text) == key:
                return f"{value} ({text})"
    return "—"


def candidates_step1() -> list[Alignment]:
    """Table 5: 6 fully hierarchical orders, 6 two-level groupings and the flat one."""
    out: list[Alignment] = [tuple((f,) for f in order) for order in permutations(STEP1)]
    for single in STEP1:
        pair = tuple(f for f in STEP1 if f != single)
        out += [(pair, (single,)), ((single,), pair)]
    out.append((STEP1,))
    return out


def candidates_step2(best: Alignment) -> list[Alignment]:
    """Table 6: JPEG as a new level at every place of ``best``, or joined to each of its levels."""
    out: list[Alignment] = [(*best[:i], ("jpeg",), *best[i:]) for i in range(len(best) + 1)]
    out += [tuple((*level, "jpeg") if i == j else level for i, level in enumerate(best)) for j in range(len(best))]
    return out


def run_alignment(
    budget: Budget,
    seed: int,
    out: Path,
    protocol: str,
    command: str,
    train_source: str | None = None,
    max_minutes: float | None = None,
) -> StudyReport:
    """Train and score every Table 5 candidate, then every Table 6 insertion of JPEG into the best one.

    With ``max_minutes``, no new candidate starts after that time; the report then marks the missing rows and
    running the command again continues where it stopped.
    """
    source = training_images(budget, out / "data", train_source)
    deadline = None if max_minutes is None else time.monotonic() + 60 * max_minutes
    store = training_store(out, "alignment", budget, seed, protocol, train_source, deadline)
    tests = factor_test_sets(out / "testsets", TRAIN_ORDER, budget, seed)

    def cell(alignment: Alignment, step: int) -> dict | None:
        factors = [f for f in TRAIN_ORDER if any(f in level for level in alignment)]
        net = dict(
            type="mbn_minimal",
            width=budget.width,
            input_widths="text",
            alignment=["+".join(level) for level in alignment],
        )
        options = stage1_options(budget, net, factors, source, seed)
        key = f"step{step}_" + "-".join("".join(LETTERS[f] for f in level) for level in alignment)

        def compute() -> dict:
            model = train_network("mbn_stage1", options, out / "work" / key)
            scores = {f: evaluate(lambda x, _f, _p, f=f: model(x, factor=f), tests[f], protocol) for f in factors}
            return {"scores": scores, **mean_scores(list(scores.values()))}

        config = {"alignment": [list(level) for level in alignment], "step": step, "net": net, "train": options}
        return store.run(key, config, compute)

    step1 = {a: cell(a, 1) for a in candidates_step1()}
    complete1 = all(r is not None for r in step1.values())
    best = max((a for a in step1 if step1[a]), key=lambda a: step1[a]["result"]["psnr"], default=None)
    step2 = {a: cell(a, 2) for a in candidates_step2(best)} if complete1 and best else {}

    def rows(results: dict, factors: tuple[str, ...]) -> list[list[str]]:
        top = max((a for a in results if results[a]), key=lambda a: results[a]["result"]["psnr"], default=None)
        out_rows = []
        for a, r in results.items():
            if r is None:
                out_rows.append([label(a), "not run (time limit)", *["" for _ in factors], paper_value(a)])
                continue
            out_rows.append(
                [
                    label(a) + (" (best)" if a == top else ""),
                    fmt_pair(r["result"]["psnr"], r["result"]["ssim"]),
                    *[fmt_pair(r["result"]["scores"][f]["psnr"], r["result"]["scores"][f]["ssim"]) for f in factors],
                    paper_value(a),
                ]
            )
        return out_rows

    done2 = [a for a in step2 if step2[a]]
    best2 = max(done2, key=lambda a: step2[a]["result"]["psnr"]) if done2 else None
    f1 = tuple(f for f in TRAIN_ORDER if f in STEP1)
    psnrs = lambda results: [r["result"]["psnr"] if r else None for r in results.values()]  # noqa: E731
    tables = [
        Table(
            f"Table 5: B, H, R (factor given; mean over the three factors; {protocol_label(protocol)})",
            ["alignment", "mean PSNR / SSIM", *f1, PAPER_COLUMN],
            rows(step1, f1),
        )
    ]
    panels = [PlotPanel("Table 5 (mean PSNR over B, H, R)", [label(a) for a in step1], {"minimal MBN": psnrs(step1)})]
    if step2:
        tables.append(
            Table(
                f"Table 6: J inserted into {label(best)} (mean over four factors; {protocol_label(protocol)})",
                ["alignment", "mean PSNR / SSIM", *TRAIN_ORDER, PAPER_COLUMN],
                rows(step2, TRAIN_ORDER),
            )
        )
        panels.append(
            PlotPanel("Table 6 (mean PSNR over four factors)", [label(a) for a in step2], {"minimal MBN": psnrs(step2)})
        )
    title = f"Tables 5 and 6: alignment of the output branches at the {budget.name} budget"
    report = StudyReport.of_store(
        store, "alignment", title, budget, seed, command, protocol,
        tables=tables,
        panels=panels,
    )
    report.notes.append(
        f"Every candidate: mbn_minimal (input branch 48/96/96 as in App. A.1), width {budget.width}, trained from "
        f"scratch {budget.train_iters} iterations, batch {budget.batch}, crops {budget.crop}, lr {budget.lr}; "
        f"training images: {source}. Test: {budget.eval_count} fixed-seed synthetic images per factor "
        f"({budget.eval_crop}² centre crops of the bundled photos)."
    )
    if not complete1 or any(r is None for r in step2.values()):
        report.notes.append(
            f"INCOMPLETE: {len(store.not_run)} candidate(s) not run within the time limit"
            + ("" if complete1 else "; Table 6 starts once Table 5 is complete")
            + ". Run the same command again to continue; finished candidates are kept."
        )
    if complete1 and best2 is not None and all(r is not None for r in step2.values()):
        report.notes.append(
            f"Chosen at this budget: {label(best)} (Table 5), then {label(best2)} (Table 6); the paper chose R→B→H, "
            "then R→B→J→H (the alignment of the shipped mbn)."
        )
    return report
