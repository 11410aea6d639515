"""Batch sampler that cycles through tasks (the paper's 1 haze, 1 rain, 1 JPEG, 3 blur minibatch cycle)."""

from collections.abc import Iterator, Sequence

import torch
from mmengine.dist import get_dist_info
from torch.utils.data import ConcatDataset, Sampler

from zoo.registry import DATA_SAMPLERS

__all__ = ["TaskCycleBatchSampler"]


@DATA_SAMPLERS.register_module()
class TaskCycleBatchSampler(Sampler[list[int]]):
    """Yield single-task batches following a repeating cycle over the sub-datasets of a ConcatDataset.

    Each task has its own shuffled, infinite index stream (reshuffled with ``seed + pass``), sharded by rank, so
    every rank sees different samples. ``start_iter`` lets a resumed run skip ahead in index space only.

    Args:
        sampler: The inner sampler mmengine builds (only used to reach the dataset and its epoch/seed).
        batch_size: Samples per batch (per rank).
        cycle: Task indices of one cycle, e.g. ``[0, 1, 2, 3, 3, 3]``; shuffled per cycle when ``shuffle_cycle``.
        shuffle_cycle: Visit the cycle's batches in a random order each cycle (the paper's "random order").
        seed: Base seed (mmengine's ``randomness.seed`` is the usual source).
    """

    def __init__(
        self,
        sampler: Sampler,
        batch_size: int,
        cycle: Sequence[int],
        shuffle_cycle: bool = True,
        seed: int = 0,
    ) -> None:
        dataset = getattr(sampler, "dataset", None)
        if not isinstance(dataset, ConcatDataset):
            raise TypeError("TaskCycleBatchSampler needs a ConcatDataset of per-task datasets (TaskConcatDataset)")
        if not cycle or max(cycle) >= len(dataset.datasets) or min(cycle) < 0:
            raise ValueError(f"cycle {list(cycle)} must index the {len(dataset.datasets)} task datasets")
        self.sampler = sampler
        self.dataset = dataset
        self.batch_size = batch_size
        self.cycle = list(cycle)
        self.shuffle_cycle = shuffle_cycle
        self.seed = seed
        self.rank, self.world_size = get_dist_info()
        self.start_iter = 0

    def _task_indices(self, task: int) -> Iterator[int]:
        offset = self.dataset.cumulative_sizes[task - 1] if task else 0
        size = len(self.dataset.datasets[task])
        generator = torch.Generator()
        rounds = 0
        while True:
            generator.manual_seed(self.seed * 1000 + task * 7919 + rounds)
            perm = torch.randperm(size, generator=generator)[self.rank :: self.world_size]
            for index in perm.tolist():
                yield offset + index
            rounds += 1

    def _task_order(self) -> Iterator[int]:
        generator = torch.Generator()
        cycles = 0
        while True:
            order = list(self.cycle)
            if self.shuffle_cycle:
                generator.manual_seed(self.seed * 31 + cycles)
                order = [order[i] for i in torch.randperm(len(order), generator=generator).tolist()]
            yield from order
            cycles += 1

    def __iter__(self) -> Iterator[list[int]]:
        streams = {task: self._task_indices(task) for task in set(self.cycle)}
        order = self._task_order()
        # Fast-forward in index space: replay the task order and draw (without loading) the skipped indices.
        for _ in range(self.start_iter):
            task = next(order)
            for _ in range(self.batch_size):
                next(streams[task])
        while True:
            task = next(order)
            yield [next(streams[task]) for _ in range(self.batch_size)]

    def __len__(self) -> int:
        return len(self.dataset) // self.batch_size
