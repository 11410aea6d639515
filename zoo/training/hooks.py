"""Runner hooks of ``zoo train``: use the CPU fully, and write checkpoints by wall time as well as by iteration."""

import os
import time
from collections.abc import Callable

import torch
from mmengine.hooks import CheckpointHook, Hook
from mmengine.model import is_model_wrapper

from zoo.registry import HOOKS

from .memory_format import to_channels_last
from .threads import OtherProcessesLoad, check_threads, math_threads

__all__ = ["CPUTrainingHook", "TimedCheckpointHook"]


@HOOKS.register_module()
class CPUTrainingHook(Hook):
    """Set torch's math threads (and keep adapting them to the load), and store convolution weights channels-last.

    Threads, ``"auto"``: one per physical core that other processes leave free, measured for ``probe_seconds``
    before training and again every ``recheck_minutes`` (see :mod:`zoo.training.threads`; on a shared machine extra
    threads are much slower than fewer). With ``OMP_NUM_THREADS`` set, torch's own setting from it is kept, so that
    ``OMP_NUM_THREADS=1 zoo train ...`` and ``torchrun`` (which sets it per process) are obeyed. A number: that many,
    always. Results depend slightly on the thread count (the order of parallel sums), so a run whose threads change
    is not bit-identical to one whose threads do not; give a number for bit-identical reruns on a shared machine.
    Dataloader workers use one thread each whatever this says (PyTorch sets it in every worker).

    Channels-last weights make oneDNN run the convolutions, forward and backward, in channels-last order, which adds
    to bf16's gain on the CPU (``results/cpu/train_throughput.md``). Dilated convolutions stay in the default order
    (:func:`~zoo.training.memory_format.to_channels_last`: their bf16 backward is broken in channels-last order on
    AVX512-BF16 CPUs). Parameters keep
    their identity (the optimizer is unaffected), checkpoints load into them as usual, and exported weights are
    written contiguous.

    Args:
        threads: ``"auto"`` (default), a number of threads, or None to leave torch's setting alone.
        channels_last: ``"auto"`` (default): on the CPU, for a model not wrapped for DDP (whose gradient buckets
            follow the layout the parameters had when it was wrapped); ``True``: also on other devices; ``False``:
            never.
        recheck_minutes: How often ``"auto"`` measures the load again during training.
        probe_seconds: How long ``"auto"`` measures the load before training.
    """

    priority = "VERY_HIGH"

    def __init__(
        self,
        threads: int | str | None = "auto",
        channels_last: bool | str = "auto",
        recheck_minutes: float = 2.0,
        probe_seconds: float = 1.0,
    ) -> None:
        self.threads = check_threads(threads)
        if not (isinstance(channels_last, bool) or channels_last == "auto"):
            raise ValueError(f"channels_last={channels_last!r}; expected 'auto', True or False")
        self.channels_last = channels_last
        self.recheck_minutes, self.probe_seconds = recheck_minutes, probe_seconds
        self.load: OtherProcessesLoad | None = None  # created when needed; tests give a fake one
        self.clock: Callable[[], float] = time.monotonic
        self._adaptive, self._last_check = False, 0.0

    def before_run(self, runner) -> None:
        """Apply both settings and log what was chosen."""
        self._adaptive = self.threads == "auto" and not os.environ.get("OMP_NUM_THREADS")
        if self.threads is None:
            source = "torch's own setting"
        elif self.threads != "auto":
            torch.set_num_threads(self.threads)
            source = f"threads={self.threads}"
        elif not self._adaptive:
            source = "from OMP_NUM_THREADS"
        else:
            self.load = self.load or OtherProcessesLoad()
            time.sleep(self.probe_seconds)
            source = self._adapt()
        model = runner.model
        first = next(model.parameters(), None)
        device = first.device if first is not None else torch.device("cpu")
        if self.channels_last is True or (
            self.channels_last == "auto" and device.type == "cpu" and not is_model_wrapper(model)
        ):
            kept = to_channels_last(model)
            layout = f"channels-last ({len(kept)} dilated convolutions kept in the default order)"
        else:
            layout = "default (contiguous)"
        runner.logger.info(f"math threads: {torch.get_num_threads()} ({source}); convolution weights: {layout}")

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Every ``recheck_minutes``, measure the load again and change the thread count if it should change."""
        if not self._adaptive or self.clock() - self._last_check < 60 * self.recheck_minutes:
            return
        before = torch.get_num_threads()
        source = self._adapt()
        if torch.get_num_threads() != before:
            runner.logger.info(f"math threads: {before} -> {torch.get_num_threads()} ({source})")

    def _adapt(self) -> str:
        from zoo.hardware import physical_cores

        others = self.load.sample() if self.load is not None else None
        cores = physical_cores()
        torch.set_num_threads(math_threads(others, cores))
        self._last_check = self.clock()
        busy = "unknown" if others is None else f"{others:.1f}"
        return f"auto: {cores} physical cores, {busy} busy with other processes"


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
