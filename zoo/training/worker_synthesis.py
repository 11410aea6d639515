"""Training crops degraded in the dataloader workers (the CPU recipes), instead of in batches on the training device.

The default synthesis runs in the main process, batched, in torch (:class:`~zoo.training.preprocessor.DegradeOnTheFly`).
This module moves it into the dataloader: each sample is degraded with :func:`zoo.data.degradations.degrade` (numpy,
OpenCV, Pillow), in the workers when ``num_workers > 0``. On 2 cores this does not pay (synthesis is a few percent
of a step and a worker takes a core from the math; ``results/cpu/train_throughput.md``), so no shipped config uses
it; it is here for machines with cores to spare and for that measurement
(``train_dataloader.dataset.type=WorkerSynthesisTaskDatasets``).
"""

import numpy as np
import torch
from torch.utils.data import Dataset

from zoo.registry import DATASETS

from .data import TaskDatasets

__all__ = ["DegradedInLoader", "WorkerSynthesisTaskDatasets", "degrade_sample"]


def degrade_sample(sample: dict, preset: str, seed: int) -> dict:
    """A clean training sample (``degraded=False``) degraded on the CPU path, reproducibly from ``seed``.

    The result says ``degraded=True`` and records the factors it received in ``steps``, as the preprocessor does for
    the samples it degrades, so that it passes the preprocessor unchanged.
    """
    from zoo.data.degradations import degrade

    samples = sample["data_samples"]
    factor = samples["factor"]
    clean = samples["gt"].permute(1, 2, 0).numpy()
    degraded, params = degrade(clean, "random" if factor == "mixed" else [factor], seed=seed, preset=preset)
    inputs = torch.from_numpy(np.ascontiguousarray(degraded, dtype=np.float32)).permute(2, 0, 1).contiguous()
    steps = "+".join(sorted(params["factors"]))
    return {"inputs": inputs.clamp(0, 1), "data_samples": {**samples, "degraded": True, "steps": steps}}


class DegradedInLoader(Dataset):
    """Any dataset of clean training samples, degraded per sample on the CPU path when a sample is loaded.

    Args:
        dataset: Yields ``CleanCrops``-style samples (``data_samples`` with ``gt``, ``factor``, ``degraded=False``).
        preset: Synthesis preset (``"paper"`` or ``"broad"``).
        seed: Base seed; sample ``i`` is degraded with the seed ``seed * 1_000_003 + i``.
    """

    def __init__(self, dataset: Dataset, preset: str = "paper", seed: int = 0) -> None:
        from zoo.data.degradations.presets import check_preset

        self.dataset, self.preset, self.seed = dataset, check_preset(preset), seed

    def __len__(self) -> int:
        return len(self.dataset)  # type: ignore[arg-type]

    def __getitem__(self, index: int) -> dict:
        return degrade_sample(self.dataset[index], self.preset, self.seed * 1_000_003 + index)


@DATASETS.register_module()
class WorkerSynthesisTaskDatasets(TaskDatasets):
    """:class:`~zoo.training.data.TaskDatasets` whose samples are degraded when loaded (in the dataloader workers).

    Works with :class:`~zoo.training.samplers.TaskCycleBatchSampler` like its parent; every sample index always
    gets the same degradation, so a resumed run sees the batches of a straight run.

    Args:
        preset: Synthesis preset (``"paper"`` or ``"broad"``).
        **kwargs: ``TaskDatasets``'s arguments (``factors``, ``source``, ``crop``, ``length``, ``seed``).
    """

    def __init__(self, preset: str = "paper", **kwargs) -> None:
        from zoo.data.degradations.presets import check_preset

        super().__init__(**kwargs)
        self.preset = check_preset(preset)
        self.synthesis_seed = int(kwargs.get("seed", 0))

    def __getitem__(self, index: int) -> dict:
        return degrade_sample(super().__getitem__(index), self.preset, self.synthesis_seed * 1_000_003 + index)
