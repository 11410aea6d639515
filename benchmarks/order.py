"""Table 2: the two-step search over the order in which R-MBN's recurrent path removes the factors.

As in the paper (Sec. 5.2): one stage-1 MBN is trained; each candidate order then fine-tunes it on the recurrent
path (stage 2: 0.8 x loss at the input's own step + 0.2 x loss of the final output, input branches frozen).
Step 1 tries the 6 orders of blur (B), haze (H) and rain (R), scored as R-MBN (no factor given) averaged over those
three factors; step 2 inserts JPEG (J) in the 4 places of the best step-1 order, averaged over four factors.
"""

from itertools import permutations
from pathlib import Path

import torch

from zoo.data.metrics.protocols import protocol_label
from zoo.factors import LETTERS, TASK_ORDER, chain_label

from .budgets import Budget
from .evaluate import evaluate, mean_scores
from .report import PlotPanel, StudyReport, Table, fmt_pair
from .train import finetune_options, stage1_options, study_inputs, train_network

__all__ = ["LETTERS", "label", "run_order"]

# The paper's published numbers, measured by the authors' test scripts, not under this table's protocol.
PAPER_COLUMN = "paper as published (`paper` protocol, mean PSNR / SSIM)"

STEP1 = ("blur", "haze", "rain")
PAPER = {
    "B→H→R": "31.83 / 0.9396",
    "B→R→H": "31.84 / 0.9395",
    "H→B→R": "32.07 / 0.9403",
    "H→R→B": "32.06 / 0.9402",
    "R→B→H": "31.81 / 0.9128",
    "R→H→B": "32.02 / 0.9401",
    "J→H→B→R": "31.14 / 0.9123",
    "H→J→B→R": "31.13 / 0.9121",
    "H→B→J→R": "31.12 / 0.9121",
    "H→B→R→J": "31.13 / 0.9121",
}
TRAIN_ORDER = TASK_ORDER


def label(order: tuple[str, ...]) -> str:
    """``("jpeg", "haze", "blur", "rain")`` -> ``"J→H→B→R"``."""
    return chain_label(order)


def _net(budget: Budget, **extra: object) -> dict:
    return dict(width=budget.width, rain_iters=budget.rain_iters, act="leaky_relu", **extra)


def run_order(
    budget: Budget, seed: int, out: Path, protocol: str, command: str, train_source: str | None = None
) -> StudyReport:
    """Train one stage-1 MBN, fine-tune it for every candidate order, score R-MBN per order."""
    source, store, tests = study_inputs(out, "order", budget, seed, protocol, train_source, TRAIN_ORDER)
    stage1_net = dict(type="mbn", **_net(budget))
    stage1_dir = out / "work" / "stage1"
    weights = stage1_dir / "net.pth"

    def stage1() -> dict:
        net = train_network("mbn_stage1", stage1_options(budget, stage1_net, TRAIN_ORDER, source, seed), stage1_dir)
        torch.save(net.state_dict(), weights)
        scores = {f: evaluate(lambda x, _f, _p, f=f: net(x, factor=f), tests[f], protocol) for f in TRAIN_ORDER}
        from zoo.registry import create_model

        chain = create_model(dict(type="rmbn", **_net(budget)), checkpoint=weights).eval()
        untuned = {f: evaluate(lambda x, _f, _p: chain(x), tests[f], protocol) for f in TRAIN_ORDER}
        return {"weights": str(weights), "mbn_scores": scores, "rmbn_untuned_scores": untuned}

    stage1_config = {"net": stage1_net, "train": stage1_options(budget, stage1_net, TRAIN_ORDER, source, seed)}
    stage1_record = store.run("stage1", stage1_config, stage1)

    def finetune(order: tuple[str, ...], step: int) -> dict:
        net = dict(type="rmbn", **_net(budget, order=list(order)))
        factors = [f for f in TRAIN_ORDER if f in order]
        options = finetune_options(budget, net, factors, source, seed, weights)
        key = f"step{step}_{''.join(LETTERS[f] for f in order)}"

        def compute() -> dict:
            if not weights.is_file():
                raise FileNotFoundError(
                    f"{weights} is missing although the stage-1 cell is done; delete {store.path('stage1')}"
                )
            model = train_network("rmbn_stage2", options, out / "work" / key)
            scores = {f: evaluate(lambda x, _f, _p: model(x), tests[f], protocol) for f in factors}
            return {"scores": scores, **mean_scores(list(scores.values()))}

        return store.run(key, {"order": list(order), "step": step, "net": net, "train": options}, compute)

    step1 = {order: finetune(order, 1) for order in permutations(STEP1)}
    best = max(step1, key=lambda o: step1[o]["result"]["psnr"])
    step2 = {}
    for place in range(len(best) + 1):
        order = (*best[:place], "jpeg", *best[place:])
        step2[order] = finetune(order, 2)

    def rows(results: dict) -> list[list[str]]:
        top = max(results, key=lambda o: results[o]["result"]["psnr"])
        return [
            [
                label(o) + (" (best)" if o == top else ""),
                fmt_pair(r["result"]["psnr"], r["result"]["ssim"]),
                *[
                    fmt_pair(r["result"]["scores"][f]["psnr"], r["result"]["scores"][f]["ssim"])
                    for f in TRAIN_ORDER
                    if f in o
                ],
                PAPER.get(label(o), "—"),
            ]
            for o, r in results.items()
        ]

    s1 = stage1_record["result"]
    reference = [
        [
            "MBN (factor given)",
            *[fmt_pair(s1["mbn_scores"][f]["psnr"], s1["mbn_scores"][f]["ssim"]) for f in TRAIN_ORDER],
        ],
        [
            "stage 1 used as R-MBN J→H→B→R, no fine-tuning",
            *[
                fmt_pair(s1["rmbn_untuned_scores"][f]["psnr"], s1["rmbn_untuned_scores"][f]["ssim"])
                for f in TRAIN_ORDER
            ],
        ],
        [
            "input (degraded)",
            *[fmt_pair(s1["mbn_scores"][f]["psnr_input"], s1["mbn_scores"][f]["ssim_input"]) for f in TRAIN_ORDER],
        ],
    ]
    names = {"haze": "haze", "rain": "rain", "jpeg": "JPEG", "blur": "blur"}
    title = f"Table 2: order of the factors in R-MBN's recurrent path at the {budget.name} budget"
    report = StudyReport.of_store(
        store, "order", title, budget, seed, command, protocol,
        tables=[
            Table(
                "Step 1: orders of B, H, R (R-MBN, no factor given; mean over the three factors; "
                f"{protocol_label(protocol)})",
                ["order", "mean PSNR / SSIM", *[names[f] for f in TRAIN_ORDER if f in STEP1], PAPER_COLUMN],
                rows(step1),
            ),
            Table(
                f"Step 2: J inserted into {label(best)} (mean over four factors; {protocol_label(protocol)})",
                ["order", "mean PSNR / SSIM", *[names[f] for f in TRAIN_ORDER], PAPER_COLUMN],
                rows(step2),
            ),
            Table(
                f"Reference: the stage-1 network every order starts from ({protocol_label(protocol)})",
                ["model", *[names[f] for f in TRAIN_ORDER]],
                reference,
            ),
        ],
        panels=[
            PlotPanel(
                "Step 1 (mean PSNR over B, H, R)",
                [label(o) for o in step1],
                {"R-MBN": [r["result"]["psnr"] for r in step1.values()]},
            ),
            PlotPanel(
                "Step 2 (mean PSNR over four factors)",
                [label(o) for o in step2],
                {"R-MBN": [r["result"]["psnr"] for r in step2.values()]},
            ),
        ],
    )
    report.notes += [
        f"Stage 1: improved-design MBN, width {budget.width}, rain iterations {budget.rain_iters}, LeakyReLU in the "
        f"coarse-to-fine branches, {budget.stage1_iters} iterations at lr {budget.lr}; each order then fine-tunes "
        f"{budget.finetune_iters} iterations at lr {budget.finetune_lr} (batch {budget.batch}, crops {budget.crop}, "
        f"input branches frozen). Training images: {source}. Test: {budget.eval_count} fixed-seed synthetic images "
        f"per factor ({budget.eval_crop}² centre crops of the bundled photos).",
        f"Chosen order at this budget: step 1 {label(best)}, step 2 "
        f"{label(max(step2, key=lambda o: step2[o]['result']['psnr']))}; the paper chose H→B→R, then J→H→B→R.",
    ]
    return report
