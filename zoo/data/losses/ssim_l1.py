"""The DuRN / MBN training loss ``1.1 (1 - SSIM) + 0.75 L1`` (arXiv 1907.04508, App. B; registered as ``"ssim_l1"``).

The paper writes ``1.1 x SSIM + 0.75 x l1``; the authors' code minimises ``-1.1 SSIM + 0.75 L1``, which differs from
``1.1 (1 - SSIM) + 0.75 L1`` by the constant 1.1 only (same gradients). SSIM: 11x11 Gaussian window, sigma 1.5,
data range 1, mean over batch, channels and pixels. ``padding="valid"`` (default) is the standard metric's SSIM
(equal to ``pytorch_msssim.ssim``); ``padding="zero"`` is the zero-padded same-size map of the ``pytorch_ssim``
module the authors trained with.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from zoo.data.metrics.functional import ssim_map
from zoo.registry import register_loss

__all__ = ["SSIMLoss", "SSIML1Loss"]


@register_loss("ssim")
class SSIMLoss(nn.Module):
    """``weight (1 - SSIM)`` with the 11x11 Gaussian window (sigma 1.5) on images in [0, 1].

    Args:
        weight: Scale of the loss.
        padding: ``"valid"`` or ``"zero"`` (see module docstring).
    """

    def __init__(self, weight: float = 1.0, padding: str = "valid") -> None:
        super().__init__()
        if padding not in ("valid", "zero"):
            raise ValueError(f"unknown SSIM padding {padding!r}; expected 'valid' or 'zero'")
        self.weight = float(weight)
        self.padding = padding

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Loss of (B, C, H, W) predictions in [0, 1] against targets of the same shape (scalar tensor)."""
        if pred.shape != target.shape:
            raise ValueError(f"pred has shape {tuple(pred.shape)} but target has {tuple(target.shape)}")
        value = ssim_map(pred, target, data_range=1.0, window="gaussian", padding=self.padding).mean()
        return self.weight * (1.0 - value)


@register_loss("ssim_l1")
class SSIML1Loss(nn.Module):
    """``ssim_weight (1 - SSIM) + l1_weight L1``; defaults 1.1 and 0.75 as in DuRN and MBN.

    Args:
        ssim_weight: Weight of ``1 - SSIM``.
        l1_weight: Weight of the mean absolute error.
        padding: SSIM padding, ``"valid"`` or ``"zero"`` (see module docstring).
    """

    def __init__(self, ssim_weight: float = 1.1, l1_weight: float = 0.75, padding: str = "valid") -> None:
        super().__init__()
        self.ssim = SSIMLoss(weight=ssim_weight, padding=padding)
        self.l1_weight = float(l1_weight)

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Loss of (B, C, H, W) predictions in [0, 1] against targets of the same shape (scalar tensor)."""
        return self.ssim(pred, target) + self.l1_weight * F.l1_loss(pred, target)
