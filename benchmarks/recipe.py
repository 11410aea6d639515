"""The branch-collapse study: which stage-1 recipe lets every branch of the improved MBN learn.

With the paper's recipe (ReLU everywhere, PyTorch's default initialisation, no gradient clipping) the coarse-to-fine
JPEG and blur branches of the authors' network collapsed to the identity within seconds on a GPU and never
recovered, while haze and rain learned. Each row here trains the improved ``mbn``
from scratch by the stage-1 recipe at the budget, differing only in the switches of the recipe:

- ``act``: ``relu`` (the paper) or ``leaky_relu`` (slope 0.2) in the coarse-to-fine branches;
- ``branch_init``: PyTorch's default initialisation of every input and output branch (the paper's code) or He's
  (``kaiming``). With the default, each conv + ReLU keeps about 0.4 of the signal, so the gradient reaching a
  coarse-to-fine input branch through the ~15 plain convs of its branch pair is 1e-5 to 1e-6 of the weights;
- ``residual_init``: ``default`` or ``zero`` (the last conv before every tanh residual starts at zero, so every
  branch starts as the exact identity and learns a correction, instead of first unlearning a random one);
- ``clip``: gradient-norm clipping at 1.0, or none.

Every row is trained with several seeds. A branch counts as collapsed when its output differs from its input by less
than 1e-3 on average (a quarter of one 8-bit grey level) on its test set.
"""

from pathlib import Path
from typing import Any

import torch

from zoo.data.metrics.protocols import protocol_label
from zoo.factors import TASK_ORDER

from .budgets import Budget
from .cells import CellStore
from .evaluate import evaluate
from .report import PlotPanel, StudyReport, Table
from .train import stage1_options, study_inputs, train_network

__all__ = ["COLLAPSE_THRESHOLD", "LEARNED_DB", "REPLICATES", "ROWS", "BranchRecorder", "run_recipe"]

FACTORS = TASK_ORDER  # also the columns of its tables
REPLICATES = 2
# Mean |output - input| below this (images in [0, 1]) = the branch returns its input.
COLLAPSE_THRESHOLD = 1e-3
# A branch "learned" when it gains at least this much PSNR over its input on the test set.
LEARNED_DB = 0.5
# row -> (act, branch_init, residual_init, gradient clipping max-norm or None)
ROWS: dict[str, tuple[str, str, str, float | None]] = {
    "paper": ("relu", "default", "default", None),
    "LeakyReLU + clip": ("leaky_relu", "default", "default", 1.0),
    "He + zero residual + clip": ("relu", "kaiming", "zero", 1.0),
    "LeakyReLU + He + zero residual + clip": ("leaky_relu", "kaiming", "zero", 1.0),
}


class BranchRecorder:
    """A restorer for :func:`evaluate` that runs one branch and records each image's mean |output - input|.

    The output is clamped to [0, 1] for the record (as the scores see it), so the test set runs through the model
    once for both the scores and the change.
    """

    def __init__(self, model: torch.nn.Module, factor: str) -> None:
        self.model, self.factor = model, factor
        self.changes: list[float] = []

    def __call__(self, x: torch.Tensor, _factor: str, _params: dict[str, Any]) -> torch.Tensor:
        """Restore ``x`` (1, 3, H, W) with the recorder's branch and record the change."""
        y = self.model(x, factor=self.factor)
        self.changes.append(float((y.clamp(0, 1) - x).abs().mean()))
        return y

    def mean_change(self) -> float:
        """Mean over the images restored so far."""
        if not self.changes:
            raise ValueError("no image restored yet")
        return sum(self.changes) / len(self.changes)


def _key(row: str, replicate: int) -> str:
    slug = row.lower().replace(" + ", "_").replace(" ", "_")
    return f"{slug}_r{replicate}"


def run_recipe(
    budget: Budget, seed: int, out: Path, protocol: str, command: str, train_source: str | None = None
) -> StudyReport:
    """Train every recipe row ``REPLICATES`` times (seeds ``seed``, ``seed + 1``, ...) and score every branch."""
    source, store, tests = study_inputs(out, "recipe", budget, seed, protocol, train_source, FACTORS)
    for replicate in range(REPLICATES):
        for row, (act, branch_init, residual_init, clip) in ROWS.items():
            net = dict(
                type="mbn",
                width=budget.width,
                rain_iters=budget.rain_iters,
                act=act,
                branch_init=branch_init,
                residual_init=residual_init,
            )
            options = stage1_options(budget, net, FACTORS, source, seed + replicate)
            options["optim_wrapper.clip_grad"] = None if clip is None else {"max_norm": clip}
            key = _key(row, replicate)

            def compute(options: dict = options, key: str = key) -> dict:
                model = train_network("mbn_stage1", options, out / "work" / key)
                recorders = {f: BranchRecorder(model, f) for f in FACTORS}
                scores = {f: evaluate(recorders[f], tests[f], protocol) for f in FACTORS}
                return {"scores": scores, "mean_change": {f: r.mean_change() for f, r in recorders.items()}}

            config = {"row": row, "replicate": replicate, "net": net, "train": options, "protocol": protocol}
            store.run(key, config, compute)
    return _report(store, budget, seed, command, protocol, source)


def _gain(score: dict[str, float]) -> float:
    return score["psnr"] - score["psnr_input"]


def _report(store: CellStore, budget: Budget, seed: int, command: str, protocol: str, source: str) -> StudyReport:
    records = store.records()
    by_row: dict[str, list[dict]] = {}
    for record in records:
        by_row.setdefault(record["config"]["row"], []).append(record)
    rows, change_rows = [], []
    series: dict[str, list[float | None]] = {}
    for row in ROWS:
        runs = sorted(by_row.get(row, []), key=lambda r: r["config"]["replicate"])
        gains = {f: [_gain(r["result"]["scores"][f]) for r in runs] for f in FACTORS}
        changes = {f: [r["result"]["mean_change"][f] for r in runs] for f in FACTORS}
        collapsed = sum(c < COLLAPSE_THRESHOLD for f in FACTORS for c in changes[f])
        learned = sum(g >= LEARNED_DB for f in FACTORS for g in gains[f])
        act, branch_init, residual_init, clip = ROWS[row]
        clip_text = "none" if clip is None else clip
        switches = f"act={act}, branch_init={branch_init}, residual_init={residual_init}, clip={clip_text}"
        if not runs:
            rows.append([row, switches, *["—"] * len(FACTORS), "—", "—"])
            change_rows.append([row, *["—"] * len(FACTORS)])
            series[row] = [None] * len(FACTORS)
            continue
        rows.append(
            [
                row,
                switches,
                *[" / ".join(f"{g:+.2f}" for g in gains[f]) for f in FACTORS],
                f"{learned} of {len(runs) * len(FACTORS)}",
                f"{collapsed} of {len(runs) * len(FACTORS)}",
            ]
        )
        change_rows.append([row, *[" / ".join(f"{c * 255:.2f}" for c in changes[f]) for f in FACTORS]])
        series[row] = [sum(gains[f]) / len(runs) for f in FACTORS]
    seeds = ", ".join(str(seed + r) for r in range(REPLICATES))
    title = f"Branch collapse: stage-1 recipes at the {budget.name} budget"
    report = StudyReport.of_store(
        store, "recipe", title, budget, seed, command, protocol,
        tables=[
            Table(
                f"PSNR gain over the input (dB, {protocol_label(protocol)}; factor given), one value per seed "
                f"({seeds}); learned = branch runs gaining at least {LEARNED_DB} dB; collapsed = branch runs whose "
                "output stays within 1e-3 (a quarter of a grey level) of the input",
                ["recipe", "switches", *FACTORS, "learned", "collapsed"],
                rows,
            ),
            Table(
                "Mean |output - input| on the test set, in 8-bit grey levels, one value per seed",
                ["recipe", *FACTORS],
                change_rows,
            ),
        ],
        panels=[PlotPanel("PSNR gain per factor, mean over seeds", list(FACTORS), series, "gain (dB)")],
        cells=records,
    )
    iters = budget.stage1_iters
    report.notes.append(
        f"Training: improved `mbn` at width {budget.width}, {budget.rain_iters} rain iteration(s), {iters} "
        f"iterations, batch {budget.batch}, crops {budget.crop} (rain {budget.rain_crop}), Adam lr {budget.lr} "
        f"(x0.1 at 2/3 and 8/9), loss 1.1(1-SSIM)+0.75 L1 on every scale, cycle haze, rain, JPEG, 3x blur; "
        f"training images: {source}. Test: {budget.eval_count} fixed-seed synthetic images per factor, "
        f"{budget.eval_crop}x{budget.eval_crop} centre crops of the bundled photos."
    )
    return report
