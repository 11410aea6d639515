"""The identity "restorer": returns its input; the floor every restoration method must beat."""

import torch
from torch import nn

from zoo.factors import FACTORS
from zoo.registry import ModelInfo, register_model

__all__ = ["Identity"]


@register_model(
    "identity",
    ModelInfo(
        task="none (returns the input)",
        factors=FACTORS,
        learned=False,
        description="Identity: the degraded input itself, the reference row of every table.",
    ),
)
class Identity(nn.Module):
    """Return the input image unchanged (float tensor in [0, 1], shape (B, C, H, W))."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return ``x``."""
        return x
