"""Optimizer wrapper that runs the forward under bf16 autocast where bf16 is fast: CUDA, CPUs with AMX/AVX512-BF16."""

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper

from zoo.registry import OPTIM_WRAPPERS

__all__ = ["AutoBF16OptimWrapper", "bf16_autocast_enabled"]


def bf16_autocast_enabled(bf16: bool | str, device: torch.device) -> bool:
    """Whether the forward runs under bf16 autocast on ``device`` for the setting ``bf16``.

    ``"auto"``: on CUDA GPUs with bf16 support and on CPUs with fast bf16 instructions
    (:func:`zoo.hardware.cpu_supports_fast_bf16`), fp32 elsewhere (MPS, older CPUs, where bf16 is emulated).
    ``True``: on any device type torch's autocast knows. ``False``: never.
    """
    if bf16 is False:
        return False
    if bf16 is True:
        return True
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type == "cpu":
        from zoo.hardware import cpu_supports_fast_bf16

        return cpu_supports_fast_bf16()
    return False


@OPTIM_WRAPPERS.register_module()
class AutoBF16OptimWrapper(OptimWrapper):
    """``OptimWrapper`` that runs the forward under bf16 autocast where it is fast, fp32 otherwise.

    mmengine's ``AmpOptimWrapper`` refuses to run on the CPU; bf16 needs no loss scaling, so a plain wrapper with an
    autocast context is enough and the same config trains on a laptop and on a GPU. Only the forward is autocast
    (mmengine's ``train_step`` enters this context around the preprocessor and the model's loss): the parameters,
    their gradients, gradient clipping and the optimizer state stay fp32. The zoo's training model computes its loss
    in fp32 and its preprocessor synthesises degradations in fp32 even inside the context; validation and metrics
    never enter it.

    Args:
        bf16: ``"auto"`` (default): bf16 on CUDA and on CPUs with AMX or AVX512-BF16, fp32 elsewhere; ``True``:
            bf16 on any device (emulated, so slower, on CPUs without those instructions); ``False``: fp32 everywhere.
        **kwargs: Passed to ``OptimWrapper`` (``optimizer``, ``clip_grad``, ``accumulative_counts``).
    """

    def __init__(self, bf16: bool | str = "auto", **kwargs) -> None:
        if not (isinstance(bf16, bool) or bf16 == "auto"):
            raise ValueError(f"optim_wrapper.bf16={bf16!r}; expected 'auto', True or False")
        super().__init__(**kwargs)
        self.bf16 = bf16

    def autocast_enabled(self, model: torch.nn.Module) -> bool:
        """Whether this wrapper's context autocasts the forward of ``model`` (decided by its parameters' device)."""
        return bf16_autocast_enabled(self.bf16, next(model.parameters()).device)

    @contextmanager
    def optim_context(self, model: torch.nn.Module) -> Iterator[None]:
        """Gradient-accumulation context of the parent plus bf16 autocast where it applies."""
        with super().optim_context(model):
            if self.autocast_enabled(model):
                device_type = next(model.parameters()).device.type
                with torch.autocast(device_type, dtype=torch.bfloat16):
                    yield
            else:
                yield
