"""Small layers shared by the MBN input and output branches."""

import torch
from torch import nn

from zoo.blocks.durb_m import ReflectConv2d

__all__ = ["ACTIVATIONS", "activation", "check_residual_init", "reflect_conv", "zero_init_"]

# Activation names a branch config may use. "relu" is the paper's; "leaky_relu" (slope 0.2) is a training aid for
# the coarse-to-fine branches, which collapse to the identity early in training with plain ReLU (spec section 11).
ACTIVATIONS = ("relu", "leaky_relu")


def activation(name: str) -> nn.Module:
    """An in-place activation module by name (``"relu"`` or ``"leaky_relu"`` with slope 0.2)."""
    if name == "relu":
        return nn.ReLU(inplace=True)
    if name == "leaky_relu":
        return nn.LeakyReLU(0.2, inplace=True)
    raise ValueError(f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}")


def reflect_conv(in_channels: int, out_channels: int, kernel: int = 3, stride: int = 1) -> nn.Conv2d:
    """Conv with bias and reflection padding ``(kernel - 1) / 2`` (the reference's ``ConvLayer``).

    A :class:`~zoo.blocks.durb_m.ReflectConv2d`: under autocast the padding keeps the input's dtype.
    """
    return ReflectConv2d(
        in_channels, out_channels, kernel, stride=stride, padding=(kernel - 1) // 2, padding_mode="reflect"
    )


def zero_init_(conv: nn.Conv2d) -> None:
    """Set a conv's weight and bias to zero (the last conv before a tanh residual: the branch starts as identity)."""
    with torch.no_grad():
        conv.weight.zero_()
        if conv.bias is not None:
            conv.bias.zero_()


def check_residual_init(residual_init: str) -> bool:
    """Validate a ``residual_init`` knob; True when the last conv must be zero-initialised."""
    if residual_init not in ("default", "zero"):
        raise ValueError(f"residual_init must be 'default' or 'zero', got {residual_init!r}")
    return residual_init == "zero"
