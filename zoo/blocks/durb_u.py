"""DuRB-U, the dual residual block with up- and down-sampling (Liu et al., CVPR 2019, DuRN-U).

``block(x, res) -> (x, res)``: ``x`` has C channels at resolution s, ``res`` has ``C * expansion / 4`` channels at
resolution 2s (T1 up-samples with a pixel shuffle, T2 comes back down with a stride-2 conv).
"""

from typing import ClassVar

import torch
from torch import nn

from zoo.layers import build_norm, same_conv
from zoo.registry import register_block

from .durn_layers import ResidualContainer, updown_min_size

__all__ = ["DuRBU"]


@register_block("durb_u")
class DuRBU(nn.Module):
    """Dual residual block whose T1 up-samples and whose T2 down-samples.

    1. container: two 3x3 convs with a skip;
    2. T1: ``conv_pre`` (C -> expansion * C) -> norm -> PixelShuffle(2) -> ``conv_k1,d`` -> ``+ res`` -> norm -> ReLU
       = ``res'`` (the norm comes after the addition, as in the reference);
    3. T2: ``conv_k2`` stride 2 -> ``+ x_in`` -> norm -> ReLU.

    DuRB-U: 1x1 ``conv_pre`` with expansion 2, so ``res`` has C / 2 channels (256 / 128 in DuRN-U) unless
    ``res_channels`` says otherwise (MBN's stem: 96 / 64). Fits the ``updown`` slot (see :mod:`zoo.blocks.interface`).

    Args:
        channels: Channels C of ``x`` (256 in DuRN-U).
        k1: Kernel of the T1 conv (the paper's f).
        dilation: Dilation of the T1 conv.
        k2: Kernel of the stride-2 T2 conv.
        norm: ``"instance"`` (DuRN-U), ``"batch"`` or None.
        reference_compat: Reference InsNorm (``scale`` added as the shift) and ``dilation`` zeros as the padding of a
            dilated T1 conv; the default is the corrected InsNorm and reflection padding.
        res_channels: Channels of ``res``; default ``C * expansion / 4``. ``conv_pre`` then has ``4 * res_channels``
            outputs.
    """

    slots: ClassVar[tuple[str, ...]] = ("updown",)
    pre_kernel = 1
    expansion = 2

    def __init__(
        self,
        channels: int = 256,
        k1: int = 3,
        dilation: int = 1,
        k2: int = 3,
        norm: str | None = "instance",
        reference_compat: bool = False,
        res_channels: int | None = None,
    ) -> None:
        super().__init__()
        if res_channels is None:
            if (channels * self.expansion) % 4:
                raise ValueError(f"{channels} channels x {self.expansion} is not divisible by 4 (pixel shuffle x2)")
            res_channels = channels * self.expansion // 4
        self.res_channels = res_channels
        self.k1, self.dilation, self.k2 = k1, dilation, k2
        padding = "reference" if reference_compat else "reflect"
        self.container = ResidualContainer(channels, norm, reference_compat)
        self.pre_conv = same_conv(channels, 4 * res_channels, self.pre_kernel)
        self.pre_norm = build_norm(norm, 4 * res_channels, reference_compat)
        self.shuffle = nn.PixelShuffle(2)
        self.t1_conv = same_conv(self.res_channels, self.res_channels, k1, dilation=dilation, padding=padding)
        self.t1_norm = build_norm(norm, self.res_channels, reference_compat)
        self.t2_conv = same_conv(self.res_channels, channels, k2, stride=2)
        self.t2_norm = build_norm(norm, channels, reference_compat)
        self.relu = nn.ReLU()

    def min_size(self) -> int:
        """Smallest height/width of ``x`` for which every reflection pad fits (``res`` is twice as large)."""
        return updown_min_size(self.k1, self.dilation, self.k2)

    def t2_input(self, res: torch.Tensor) -> torch.Tensor:
        """What T2 convolves: ``res'`` itself here; DuRB-US puts an SE-ResBlock in between."""
        return res

    def forward(self, x: torch.Tensor, res: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(x', res')``; ``x`` is (B, C, H, W), ``res`` is (B, C * expansion / 4, 2H, 2W)."""
        x_in = x
        x = self.container(x)
        up = self.shuffle(self.pre_norm(self.pre_conv(x)))
        res = self.relu(self.t1_norm(self.t1_conv(up) + res))
        x = self.relu(self.t2_norm(self.t2_conv(self.t2_input(res)) + x_in))
        return x, res
