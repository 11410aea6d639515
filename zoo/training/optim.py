"""Optimizer wrapper with bf16 autocast on accelerators and plain fp32 on the CPU."""

from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper

from zoo.registry import OPTIM_WRAPPERS

__all__ = ["AutoBF16OptimWrapper"]


@OPTIM_WRAPPERS.register_module()
class AutoBF16OptimWrapper(OptimWrapper):
    """``OptimWrapper`` that runs the forward under bf16 autocast when the model is on CUDA, fp32 otherwise.

    mmengine's ``AmpOptimWrapper`` refuses to run on the CPU; bf16 needs no loss scaling, so a plain wrapper with an
    autocast context is enough and the same config trains on a laptop and on a GPU.

    Args:
        bf16: Set False to force fp32 everywhere.
        **kwargs: Passed to ``OptimWrapper`` (``optimizer``, ``clip_grad``, ``accumulative_counts``).
    """

    def __init__(self, bf16: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.bf16 = bf16

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        """Gradient-accumulation context of the parent plus autocast where it applies."""
        with super().optim_context(model):
            device = next(model.parameters()).device
            if self.bf16 and device.type == "cuda":
                with torch.autocast("cuda", dtype=torch.bfloat16):
                    yield
            else:
                yield
