"""What the dual residual blocks share beyond :mod:`zoo.layers` (Liu, Suganuma, Sun, Okatani, CVPR 2019).

* :class:`ResidualContainer`: the first part of every DuRN block (two 3x3 convs and a skip);
* :func:`updown_min_size`: the smallest input of a block whose ``res`` is at twice the resolution.

The convolution, normalisations and SE-ResBlock themselves live in :mod:`zoo.layers`. Feature maps are float tensors
(B, C, H, W).
"""

import torch
from torch import nn

from zoo.layers import SEResBlock, build_norm, same_conv

__all__ = ["ResidualContainer", "se_before_t2", "updown_min_size"]


def updown_min_size(k1: int, dilation: int, k2: int) -> int:
    """Smallest H and W of ``x`` in an ``updown`` block (``res`` at 2H x 2W) at which every reflection pad fits.

    The T1 conv (``k1``, ``dilation``) and the stride-2 T2 conv (``k2``) pad ``res``; the 3x3 convs of the container
    pad ``x`` by one pixel, so ``x`` needs at least 2 rows and columns.
    """
    res_pad = max(dilation * (k1 - 1) // 2, 1, (k2 - 1) // 2)
    return max(2, res_pad // 2 + 1)


class ResidualContainer(nn.Module):
    """First part of a DuRB: ``relu(norm(conv(relu(norm(conv(x)))) + x))``, two 3x3 reflect-padded convs.

    The second normalisation comes after the addition, as in the reference.

    Args:
        channels: Channels C (in = out).
        norm: ``"batch"``, ``"instance"`` or None.
        reference_compat: Passed to the normalisation.
    """

    def __init__(self, channels: int, norm: str | None, reference_compat: bool = False) -> None:
        super().__init__()
        self.conv1 = same_conv(channels, channels, 3)
        self.norm1 = build_norm(norm, channels, reference_compat)
        self.conv2 = same_conv(channels, channels, 3)
        self.norm2 = build_norm(norm, channels, reference_compat)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the container to ``x`` (B, C, H, W)."""
        out = self.relu(self.norm1(self.conv1(x)))
        return self.relu(self.norm2(self.conv2(out) + x))


def se_before_t2(
    channels: int, attention: dict | None, hidden: int | None, norm: str | None, reference_compat: bool
) -> SEResBlock:
    """The SE-ResBlock that DuRB-S and DuRB-US put before T2: SE attention and ``channels // 2`` hidden by default."""
    attention = dict(type="se") if attention is None else attention
    hidden = max(1, channels // 2) if hidden is None else hidden
    return SEResBlock(channels, attention, hidden, norm, reference_compat)
