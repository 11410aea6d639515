"""Channels-last convolution weights for CPU training, with dilated convolutions kept in the default order.

Dilated convolutions stay contiguous because their bf16 backward pass in channels-last order is broken in the
oneDNN of torch 2.14.1 on an AVX512-BF16 CPU (AMD Zen 4): the weight gradients of a ``Conv2d(24, 16, 3,
dilation=2)`` on an 8x24x96x96 batch come out NaN in every try, a dilated depthwise convolution's are wrong by up to
62 % of their scale, and the backward sometimes ends the process with a segmentation fault. The forward pass is
right. fp32 is right in either order. ``tests/training/test_memory_format.py`` checks the workaround.
"""

import torch
from torch import nn

__all__ = ["to_channels_last"]


def _contiguous_input(module: nn.Module, args: tuple) -> tuple:
    x = args[0]
    if x.is_contiguous(memory_format=torch.channels_last):  # also true for a one-channel tensor in default order
        x = x.clone(memory_format=torch.contiguous_format)
    return (x, *args[1:])


def to_channels_last(model: nn.Module) -> list[str]:
    """Store ``model``'s 4-D weights channels-last in place, except those of dilated convolutions.

    Every dilated ``Conv2d`` (subclasses included) keeps a weight in the default order and gets a forward pre-hook
    that makes its input contiguous, so that oneDNN runs it, forward and backward, in the default order. Parameters
    keep their identity, so an optimizer built before still holds them.

    Returns:
        The names of the convolutions kept in the default order.
    """
    model.to(memory_format=torch.channels_last)
    kept = []
    for name, module in model.named_modules():
        if isinstance(module, nn.Conv2d) and any(d > 1 for d in module.dilation):
            # clone, not .contiguous(): a depthwise weight (one input channel per group) counts as contiguous in
            # channels-last strides too, and oneDNN reads those strides as channels-last
            module.weight.data = module.weight.data.clone(memory_format=torch.contiguous_format)
            module.register_forward_pre_hook(_contiguous_input)
            kept.append(name)
    return kept
