"""Runner hooks of ``zoo train``: use the CPU fully, and write checkpoints by wall time as well as by iteration."""

import os
import time
from collections.abc import Callable

import torch
from mmengine.hooks import CheckpointHook, Hook
from mmengine.model import is_model_wrapper

from zoo.registry import HOOKS

__all__ = ["CPUTrainingHook", "TimedCheckpointHook", "resolve_threads"]


def resolve_threads(threads: int | str) -> int | None:
    """Math threads for the setting ``threads``; None means "keep torch's own setting".

    An int is taken as given. ``"auto"``: one per physical core, or None when ``OMP_NUM_THREADS`` is set, so that
    ``OMP_NUM_THREADS=1 zoo train ...`` and ``torchrun`` (which sets it per process) are obeyed.
    """
    if threads == "auto":
        if os.environ.get("OMP_NUM_THREADS"):
            return None
        from zoo.hardware import physical_cores

        return physical_cores()
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads={threads!r}; expected 'auto' or a positive number of threads")
    return threads


@HOOKS.register_module()
class CPUTrainingHook(Hook):
    """Before the run: set torch's math threads and store the network's convolution weights channels-last.

    Channels-last weights make oneDNN run every convolution, forward and backward, in channels-last order, 1.3-1.6x
    faster than the default order on the CPU in fp32 and bf16 (``results/cpu/train_throughput.md``). Parameters keep
    their identity (the optimizer is unaffected), checkpoints load into them as usual, and exported weights are
    written contiguous.

    Args:
        threads: ``"auto"`` (default): one thread per physical core unless ``OMP_NUM_THREADS`` is set; or a number.
            Dataloader workers use one thread each whatever this says (PyTorch sets it in every worker).
        channels_last: ``"auto"`` (default): on the CPU, for a model not wrapped for DDP (whose gradient buckets
            follow the layout the parameters had when it was wrapped); ``True``: also on other devices; ``False``:
            never.
    """

    priority = "VERY_HIGH"

    def __init__(self, threads: int | str = "auto", channels_last: bool | str = "auto") -> None:
        resolve_threads(threads)  # refuse a bad value when the runner is built, not when training starts
        if not (isinstance(channels_last, bool) or channels_last == "auto"):
            raise ValueError(f"channels_last={channels_last!r}; expected 'auto', True or False")
        self.threads, self.channels_last = threads, channels_last

    def before_run(self, runner) -> None:
        """Apply both settings and log what was chosen."""
        threads = resolve_threads(self.threads)
        if threads is not None:
            torch.set_num_threads(threads)
        source = "OMP_NUM_THREADS" if threads is None else f"threads={self.threads!r}"
        model = runner.model
        first = next(model.parameters(), None)
        device = first.device if first is not None else torch.device("cpu")
        if self.channels_last is True or (
            self.channels_last == "auto" and device.type == "cpu" and not is_model_wrapper(model)
        ):
            model.to(memory_format=torch.channels_last)
            layout = "channels-last"
        else:
            layout = "default (contiguous)"
        runner.logger.info(f"math threads: {torch.get_num_threads()} ({source}); convolution weights: {layout}")


@HOOKS.register_module()
class TimedCheckpointHook(CheckpointHook):
    """``CheckpointHook`` that also saves when ``interval_minutes`` of wall time have passed since the last save.

    A run killed at any moment then loses at most ``interval_minutes`` (plus one iteration) of training;
    ``zoo train --resume`` continues from the newest checkpoint, whichever rule wrote it. Time-based checkpoints are
    ordinary ``iter_N.pth`` files: they count towards ``max_keep_ckpts`` like the others, so a long run keeps only
    the newest few on disk. The clock starts when training starts (or resumes).

    Args:
        interval_minutes: Longest wall time between two checkpoints; None or 0 switches the rule off.
        clock: Seconds as a float, monotonic (default ``time.monotonic``; tests pass a fake clock).
        **kwargs: ``CheckpointHook``'s arguments (``interval``, ``max_keep_ckpts``, ``save_best``, ...).
    """

    def __init__(
        self, interval_minutes: float | None = 10.0, clock: Callable[[], float] = time.monotonic, **kwargs
    ) -> None:
        if interval_minutes is not None and interval_minutes < 0:
            raise ValueError(f"interval_minutes={interval_minutes}; expected a positive number of minutes, or 0/None")
        super().__init__(**kwargs)
        self.interval_minutes = interval_minutes
        self.clock = clock
        self._last_save = 0.0

    def before_train(self, runner) -> None:
        """Start the clock."""
        super().before_train(runner)
        self._last_save = self.clock()

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Save by iteration (the parent's rule), or by time when the parent did not save."""
        super().after_train_iter(runner, batch_idx, data_batch, outputs)
        if self.by_epoch or not self.interval_minutes:
            return
        if self.clock() - self._last_save >= 60 * self.interval_minutes:
            runner.logger.info(
                f"Saving checkpoint at {runner.iter + 1} iterations ({self.interval_minutes:g} minutes since the last)"
            )
            self._save_checkpoint(runner)

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        super()._save_checkpoint_with_step(runner, step, meta)
        self._last_save = self.clock()
