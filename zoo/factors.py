"""The degradation factors, defined once: their names, the orders they are used in, and their letters.

Four factors (Liu et al. 2019, arXiv 1907.04508): rain streaks, motion blur, JPEG artifacts and haze. Each place that
lists them uses one of the orders below, so a table, a chain and a synthesis never disagree about which is which.
"""

from collections.abc import Iterable, Sequence

__all__ = [
    "CHAIN_ORDER",
    "FACTORS",
    "LETTERS",
    "MIXED",
    "PAPER_TABLE_ORDER",
    "STAGE1_CYCLE",
    "SYNTHESIS_ORDER",
    "TASK_ORDER",
    "chain_label",
    "cycle_indices",
]

# Canonical order: MBN's branches and output stack (R->B->J->H), model cards, the detector's outputs.
FACTORS: tuple[str, ...] = ("rain", "blur", "jpeg", "haze")
# Columns of the paper's tables (Table 1, the ablation: blur, haze, rain, JPEG).
PAPER_TABLE_ORDER: tuple[str, ...] = ("blur", "haze", "rain", "jpeg")
# R-MBN's recurrence and the cascade: J -> H -> B -> R (the paper's chosen order).
CHAIN_ORDER: tuple[str, ...] = ("jpeg", "haze", "blur", "rain")
# Order in which the synthesis applies several factors to one image (haze, then rain, blur, JPEG last).
SYNTHESIS_ORDER: tuple[str, ...] = ("haze", "rain", "blur", "jpeg")
# Training tasks of the stage-1 configs, in this order (their task datasets are indexed by it).
TASK_ORDER: tuple[str, ...] = ("haze", "rain", "jpeg", "blur")
# The paper's stage-1 cycle: 1 haze, 1 rain, 1 JPEG and 3 blur minibatches (Sec. 4.1), visited in random order.
STAGE1_CYCLE: tuple[str, ...] = ("haze", "rain", "jpeg", "blur", "blur", "blur")
# The combined-factor task (1 to 4 random factors per image).
MIXED = "mixed"
LETTERS: dict[str, str] = {"rain": "R", "blur": "B", "jpeg": "J", "haze": "H"}


def chain_label(order: Iterable[str], arrow: str = "→") -> str:
    """Letters of a factor order joined by arrows, e.g. ``J→H→B→R`` for :data:`CHAIN_ORDER`."""
    return arrow.join(LETTERS[factor] for factor in order)


def cycle_indices(tasks: Iterable[str], cycle: Sequence[str] = STAGE1_CYCLE) -> list[int]:
    """The cycle over ``tasks`` as task indices, grouped by task (what ``TaskCycleBatchSampler`` takes).

    ``[0, 1, 2, 3, 3, 3]`` for :data:`TASK_ORDER`; a subset of the factors keeps each one's share of the cycle.

    Raises:
        ValueError: A task is not a factor of the cycle.
    """
    tasks = list(tasks)
    unknown = [task for task in tasks if task not in cycle]
    if unknown:
        raise ValueError(f"tasks {', '.join(unknown)} are not in the cycle {tuple(cycle)}")
    return [index for index, task in enumerate(tasks) for _ in range(cycle.count(task))]
