"""Pixel losses: L1 and MSE (registered as ``"l1"`` and ``"mse"``)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from zoo.registry import register_loss

__all__ = ["L1Loss", "MSELoss"]


@register_loss("l1")
class L1Loss(nn.Module):
    """Mean absolute error, times ``weight``.

    Args:
        weight: Scale of the loss.
    """

    def __init__(self, weight: float = 1.0) -> None:
        super().__init__()
        self.weight = float(weight)

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Loss of (B, C, H, W) predictions against targets of the same shape (scalar tensor)."""
        return self.weight * F.l1_loss(pred, target)


@register_loss("mse")
class MSELoss(nn.Module):
    """Mean squared error, times ``weight``.

    Args:
        weight: Scale of the loss.
    """

    def __init__(self, weight: float = 1.0) -> None:
        super().__init__()
        self.weight = float(weight)

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Loss of (B, C, H, W) predictions against targets of the same shape (scalar tensor)."""
        return self.weight * F.mse_loss(pred, target)
