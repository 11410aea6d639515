"""DuRB-M, the dual residual block of MBN's stem (Liu et al. 2019; arXiv 1907.04508, Sec. 3.1, Fig. 5).

A DuRB-M maps ``(x, res)`` to ``(x', res')``: ``x`` has ``channels`` maps at resolution s, ``res`` has
``res_channels`` maps at 2s. Its parts, in order:

1. container: a residual block (two 3x3 convs, channel attention, ``+ x``, ReLU), by default with the paper's
   TV+GAP attention;
2. T1: 1x1 conv to ``4 * channels`` -> PixelShuffle (2s) -> conv(k1, dilation) to ``res_channels`` -> ``+ res``
   -> ReLU, which becomes ``res'``;
3. T2 ("Fusion"): a plain stride-2 3x3 conv and an SE-ResNet block followed by a stride-2 conv(k2), in parallel,
   concatenated and merged by a 3x3 conv -> ``+ x`` -> ReLU.

Every row of the paper's Table 1 ablation is a config of this one class:

| row    | ``attention``            | ``fusion`` |
|--------|--------------------------|------------|
| none   | ``dict(type="none")``    | False      |
| TV     | ``dict(type="tv")``      | False      |
| GAP    | ``dict(type="se")``      | False      |
| Fusion | ``dict(type="none")``    | True       |
| all    | ``dict(type="tv_gap")``  | True       |

With ``fusion=False`` T2 is a single path (``single_path="se"``: SE-ResNet block -> stride-2 conv(k2), as in
DuRB-US; ``"conv"``: the plain stride-2 3x3 conv, as in DuRB-U), added to ``x`` without a merge conv.
"""

from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import nn

from zoo.layers import SEResBlock, same_conv
from zoo.registry import register_block

from .durn_layers import updown_min_size

__all__ = ["DuRBM"]


@register_block("durb_m")
class DuRBM(nn.Module):
    """Dual residual block DuRB-M: ``block(x, res) -> (x, res)``.

    Args:
        k1: Kernel of the T1 conv after the PixelShuffle up-sampling.
        dilation: Dilation of that conv.
        k2: Kernel of the stride-2 conv on the T2 SE path.
        channels: Channels of ``x`` (96 in MBN).
        res_channels: Channels of ``res`` (64 in MBN).
        attention: Attention config of the container block; default TV+GAP with beta 3.
        attention_hidden: Default hidden width of that attention (64 in MBN: fc 2C -> 64 -> C).
        se_attention: Attention config of the T2 SE-ResNet block; default SE.
        se_hidden: Default hidden width of that attention (96 in MBN: fc 64 -> 96 -> 64, wider than its input).
        fusion: Run the plain-conv and SE paths of T2 in parallel and merge them (the paper's "Fusion").
        single_path: Which T2 path to keep when ``fusion`` is False: ``"se"`` or ``"conv"``.

    Fits the ``updown`` slot (see :mod:`zoo.blocks.interface`).
    """

    slots: ClassVar[tuple[str, ...]] = ("updown",)

    def __init__(
        self,
        k1: int = 3,
        dilation: int = 1,
        k2: int = 3,
        channels: int = 96,
        res_channels: int = 64,
        attention: dict[str, Any] | None = None,
        attention_hidden: int = 64,
        se_attention: dict[str, Any] | None = None,
        se_hidden: int = 96,
        fusion: bool = True,
        single_path: str = "se",
    ) -> None:
        super().__init__()
        if k1 % 2 == 0 or k2 % 2 == 0:
            raise ValueError(f"DuRB-M kernels must be odd (got k1={k1}, k2={k2})")
        if single_path not in ("se", "conv"):
            raise ValueError(f"single_path must be 'se' or 'conv', got {single_path!r}")
        attention = dict(type="tv_gap", beta=3) if attention is None else attention
        se_attention = dict(type="se") if se_attention is None else se_attention
        self.fusion = fusion
        self.single_path = single_path
        self.k1, self.dilation, self.k2 = k1, dilation, k2

        self.container = SEResBlock(channels, attention, attention_hidden)
        self.t1_expand = nn.Conv2d(channels, 4 * channels, 1)
        self.t1_conv = same_conv(channels, res_channels, k1, dilation=dilation)
        if fusion or single_path == "conv":
            self.t2_conv = same_conv(res_channels, channels, 3, stride=2)
        if fusion or single_path == "se":
            self.t2_se_block = SEResBlock(res_channels, se_attention, se_hidden)
            self.t2_se_conv = same_conv(res_channels, channels, k2, stride=2)
        if fusion:
            self.merge = same_conv(2 * channels, channels, 3)

    def min_size(self) -> int:
        """Smallest height/width of ``x`` for which every reflection pad fits (``res`` is twice as large)."""
        return updown_min_size(self.k1, self.dilation, self.k2)

    def forward(self, x: torch.Tensor, res: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Run the block.

        Args:
            x: (B, channels, H, W).
            res: (B, res_channels, 2H, 2W).

        Returns:
            ``(x', res')`` with the same shapes.
        """
        shortcut = x
        x = self.container(x)
        up = self.t1_conv(F.pixel_shuffle(self.t1_expand(x), 2))
        res = up.add_(res).relu_()
        if self.fusion:
            plain = F.relu(self.t2_conv(res), inplace=True)
            attended = F.relu(self.t2_se_conv(self.t2_se_block(res)), inplace=True)
            x = self.merge(torch.cat([plain, attended], dim=1))
        elif self.single_path == "se":
            x = self.t2_se_conv(self.t2_se_block(res))
        else:
            x = self.t2_conv(res)
        return x.add_(shortcut).relu_(), res
