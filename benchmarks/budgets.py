"""Compute budgets of the studies: ``smoke`` (tiny, CI), ``cpu`` (about an hour on 2 cores), ``gpu`` (the paper).

One :class:`Budget` fixes everything a study's cost depends on: network width, iterations, batch, crops, the test
set size and the timing rounds of the speed table. The paper's recipe (its App. B) is the ``gpu``
budget; ``cpu`` keeps the recipe's shape (optimiser, loss, cycles, schedule) and shrinks width, crops and steps.
"""

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["BUDGETS", "Budget", "get_budget"]


@dataclass(frozen=True)
class Budget:
    """Everything a study's cost depends on.

    Attributes:
        name: ``smoke``, ``cpu`` or ``gpu``.
        width: Channel-width multiplier of every trained network (1.0 = the paper's widths).
        rain_iters: Iterations of the improved design's rain path (the paper's code: 4).
        train_iters: Stage-1 style iterations of every network trained from scratch (Tables 1, 5, 6).
        stage1_iters: Iterations of the stage-1 MBN that the order search fine-tunes (Table 2).
        finetune_iters: Iterations of each recurrent fine-tuning of the order search (Table 2).
        batch: Minibatch size.
        crop: Training crop for blur, JPEG and haze.
        rain_crop: Training crop for rain.
        lr: Adam learning rate of training from scratch.
        finetune_lr: Adam learning rate of the recurrent fine-tuning.
        train_source: Clean training images: ``corpus`` (the wheel-photo corpus of the shipped weights, the
            ``train`` split of ``zoo.data.splits``) or ``dead_leaves`` (procedural); never test photos.
        eval_crop: Centre crop of the fixed test sets.
        eval_count: Test images per factor in the training studies.
        board_crop: Centre crop of the leaderboard's test sets.
        board_count: Leaderboard test images per factor and per Table 4 subset (beyond the 5 bundled photos, the
            photos repeat with other degradation draws).
        speed_sizes: Square input sizes of the speed table.
        speed_warmup: Untimed warm-up calls per speed cell (skipped when one call exceeds ``speed_max_seconds``).
        speed_rounds: Timed calls per speed cell at most.
        speed_max_seconds: Stop adding timed calls to a speed cell after this many seconds (at least one call).
        paper: What the paper used for the same quantity (for the reports).
    """

    name: str
    width: float
    rain_iters: int
    train_iters: int
    stage1_iters: int
    finetune_iters: int
    batch: int
    crop: int
    rain_crop: int
    lr: float
    finetune_lr: float
    train_source: str
    eval_crop: int
    eval_count: int
    board_crop: int
    board_count: int
    speed_sizes: tuple[int, ...]
    speed_warmup: int
    speed_rounds: int
    speed_max_seconds: float
    paper: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view for the JSON records."""
        data = asdict(self)
        data["speed_sizes"] = list(self.speed_sizes)
        return data


_PAPER = {
    "ablation": "5e4 iterations, batch 20, crop 256, full width (Sec. 5.1, App. B)",
    "order": "stage 1 to 8e4 iterations, then 1e4 iterations of fine-tuning per order, batch 4, lr 1e-6 (Sec. 5.2)",
    "alignment": "1e5 iterations, batch 3, crop 256 per alignment (App. A.1)",
    "test sets": "GoPro, SOTS indoor, DID-MDN, LIVE1 (Table 3); RESIDE-beta OTS 492 scenes (Table 4)",
}

BUDGETS: dict[str, Budget] = {
    "smoke": Budget(
        name="smoke",
        width=0.125,
        rain_iters=1,
        train_iters=4,
        stage1_iters=4,
        finetune_iters=2,
        batch=2,
        crop=48,
        rain_crop=48,
        lr=2e-4,
        finetune_lr=1e-5,
        train_source="dead_leaves",
        eval_crop=48,
        eval_count=1,
        board_crop=48,
        board_count=1,
        speed_sizes=(64,),
        speed_warmup=0,
        speed_rounds=1,
        speed_max_seconds=5.0,
        paper=_PAPER,
    ),
    "cpu": Budget(
        name="cpu",
        width=0.25,
        rain_iters=1,
        train_iters=600,
        stage1_iters=600,
        finetune_iters=40,
        batch=4,
        crop=64,
        rain_crop=64,
        lr=5e-4,
        finetune_lr=5e-5,
        train_source="corpus",
        eval_crop=128,
        eval_count=5,
        board_crop=256,
        board_count=5,
        speed_sizes=(256, 512),
        speed_warmup=1,
        speed_rounds=3,
        speed_max_seconds=20.0,
        paper=_PAPER,
    ),
    "gpu": Budget(
        name="gpu",
        width=1.0,
        rain_iters=4,
        train_iters=50_000,
        stage1_iters=80_000,
        finetune_iters=10_000,
        batch=20,
        crop=256,
        rain_crop=128,
        lr=1e-4,
        finetune_lr=1e-6,
        train_source="corpus",
        eval_crop=256,
        eval_count=5,
        board_crop=256,
        board_count=20,
        speed_sizes=(256, 512),
        speed_warmup=3,
        speed_rounds=10,
        speed_max_seconds=60.0,
        paper=_PAPER,
    ),
}


def get_budget(name: str) -> Budget:
    """The budget called ``name``; raises ``ValueError`` for unknown names."""
    if name not in BUDGETS:
        raise ValueError(f"unknown budget {name!r}; expected one of {', '.join(BUDGETS)}")
    return BUDGETS[name]
