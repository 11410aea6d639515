"""Training loop that resumes by skipping batches in index space instead of loading every trained batch again."""

import torch
from mmengine.runner import IterBasedTrainLoop
from mmengine.runner.loops import _InfiniteDataloaderIterator

from zoo.registry import LOOPS

__all__ = ["FastResumeIterBasedTrainLoop"]


@LOOPS.register_module()
class FastResumeIterBasedTrainLoop(IterBasedTrainLoop):
    """``IterBasedTrainLoop`` whose resume tells the batch sampler where to start.

    mmengine's loop calls ``next(dataloader)`` once per already-trained iteration on resume, loading and
    synthesising every batch again. This loop requires a batch sampler with a ``start_iter`` attribute (such as
    :class:`~zoo.training.samplers.TaskCycleBatchSampler`), sets it and rebuilds the iterator, so a resumed run
    sees exactly the batches a straight run would, at no cost.
    """

    def run(self) -> torch.nn.Module:
        """Train from the current iteration to ``max_iters``."""
        self.runner.call_hook("before_train")
        self.runner.call_hook("before_train_epoch")
        if self._iter > 0:
            batch_sampler = getattr(self.dataloader, "batch_sampler", None)
            if not hasattr(batch_sampler, "start_iter"):
                raise TypeError("FastResumeIterBasedTrainLoop needs a batch sampler with `start_iter` to resume")
            batch_sampler.start_iter = self._iter
            self.dataloader_iterator = _InfiniteDataloaderIterator(self.dataloader)
        while self._iter < self._max_iters and not self.stop_training:
            self.runner.model.train()
            self.run_iter(next(self.dataloader_iterator))
            self._decide_current_val_interval()
            if (
                self.runner.val_loop is not None
                and self._iter >= self.val_begin
                and (self._iter % self.val_interval == 0 or self._iter == self._max_iters)
            ):
                self.runner.val_loop.run()
        self.runner.call_hook("after_train_epoch")
        self.runner.call_hook("after_train")
        return self.runner.model
