"""What the MBN input and output branches share: activations and initialisations (their convs: zoo.layers)."""

from collections.abc import Iterable

import torch
from torch import nn

__all__ = [
    "ACTIVATIONS",
    "BRANCH_INITS",
    "activation",
    "check_branch_init",
    "check_residual_init",
    "kaiming_init_",
    "zero_init_",
]

# Activation names a branch config may use. "relu" is the paper's; "leaky_relu" (slope 0.2) is a training aid for
# the coarse-to-fine branches, which collapse to the identity early in training with plain ReLU.
ACTIVATIONS = ("relu", "leaky_relu")
# Initialisations a branch config may ask for: PyTorch's default (the paper's code) or He's.
BRANCH_INITS = ("default", "kaiming")
LEAKY_SLOPE = 0.2


def activation(name: str) -> nn.Module:
    """An in-place activation module by name (``"relu"`` or ``"leaky_relu"`` with slope 0.2)."""
    if name == "relu":
        return nn.ReLU(inplace=True)
    if name == "leaky_relu":
        return nn.LeakyReLU(LEAKY_SLOPE, inplace=True)
    raise ValueError(f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}")


def zero_init_(conv: nn.Conv2d) -> None:
    """Set a conv's weight and bias to zero (the last conv before a tanh residual: the branch starts as identity)."""
    with torch.no_grad():
        conv.weight.zero_()
        if conv.bias is not None:
            conv.bias.zero_()


def kaiming_init_(convs: Iterable[nn.Conv2d], act: str | None) -> None:
    """He initialisation (normal, fan-in) of convs, biases zero.

    PyTorch's default conv initialisation keeps about 0.4 of the signal's standard deviation per conv + ReLU layer,
    so through the ~15 plain convs of a coarse-to-fine branch pair the gradient reaching the input branch is 1e-5
    to 1e-6 of the weights (measured at width 0.25); He's initialisation keeps it at 1e-2 to 1.

    Args:
        convs: The convs to initialise.
        act: The activation that follows them (``"relu"`` or ``"leaky_relu"``), or None for convs followed by no
            activation (gain 1).
    """
    if act is not None:
        activation(act)  # validates the name, once
    slope = LEAKY_SLOPE if act == "leaky_relu" else 0.0
    for conv in convs:
        if act is None:
            nn.init.kaiming_normal_(conv.weight, mode="fan_in", nonlinearity="linear")
        else:
            nn.init.kaiming_normal_(conv.weight, a=slope, mode="fan_in", nonlinearity="leaky_relu")
        if conv.bias is not None:
            nn.init.zeros_(conv.bias)


def check_branch_init(init: str) -> bool:
    """Validate a branch ``init`` knob; True when the branch must be He-initialised."""
    if init not in BRANCH_INITS:
        raise ValueError(f"init must be one of {', '.join(BRANCH_INITS)}, got {init!r}")
    return init == "kaiming"


def check_residual_init(residual_init: str) -> bool:
    """Validate a ``residual_init`` knob; True when the last conv must be zero-initialised."""
    if residual_init not in ("default", "zero"):
        raise ValueError(f"residual_init must be 'default' or 'zero', got {residual_init!r}")
    return residual_init == "zero"
