"""DuRB-P, the dual residual block with plain convolutions (Liu et al., CVPR 2019, DuRN-P).

``block(x, res) -> (x, res)``; in = out = res channels, all maps at the same resolution.
"""

from typing import ClassVar

import torch
from torch import nn

from zoo.layers import build_norm, same_conv
from zoo.registry import register_block

from .durn_layers import ResidualContainer

__all__ = ["DuRBP"]


@register_block("durb_p")
class DuRBP(nn.Module):
    """Dual residual block with a plain T1 conv (k1, dilated) and a plain T2 conv (k2).

    1. container: two 3x3 convs with a skip (:class:`~zoo.blocks.durn_layers.ResidualContainer`);
    2. T1: ``res' = relu(norm(conv_k1,d(x)) + res)``;
    3. T2: ``x' = relu(norm(conv_k2(res')) + x_in)``.

    Args:
        channels: Channels of ``x`` and ``res`` (32 in DuRN-P, 128 in DuRN-S-P).
        k1: Kernel of the T1 conv.
        dilation: Dilation of the T1 conv.
        k2: Kernel of the T2 conv.
        norm: ``"batch"`` (DuRN-P, DuRN-S-P), ``"instance"`` or None (DuRN-P without normalisation).
        reference_compat: Pad a dilated T1 conv with ``dilation`` zeros and use the reference InsNorm, as the
            DuRN-U/US/S-P reference code does; the default reflect-pads every conv.

    Fits the ``flat`` slot only (``res`` at the resolution of ``x``; see :mod:`zoo.blocks.interface`).
    """

    slots: ClassVar[tuple[str, ...]] = ("flat",)

    def __init__(
        self,
        channels: int = 32,
        k1: int = 3,
        dilation: int = 1,
        k2: int = 3,
        norm: str | None = "batch",
        reference_compat: bool = False,
    ) -> None:
        super().__init__()
        padding = "reference" if reference_compat else "reflect"
        self.container = ResidualContainer(channels, norm, reference_compat)
        self.t1_conv = same_conv(channels, channels, k1, dilation=dilation, padding=padding)
        self.t1_norm = build_norm(norm, channels, reference_compat)
        self.t2_conv = same_conv(channels, channels, k2)
        self.t2_norm = build_norm(norm, channels, reference_compat)
        self.relu = nn.ReLU()

    def t2_input(self, res: torch.Tensor) -> torch.Tensor:
        """What T2 convolves: ``res'`` itself here; DuRB-S puts an SE-ResBlock in between."""
        return res

    def forward(self, x: torch.Tensor, res: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(x', res')`` for ``x`` and ``res`` of shape (B, C, H, W)."""
        x_in = x
        x = self.container(x)
        res = self.relu(self.t1_norm(self.t1_conv(x)) + res)
        x = self.relu(self.t2_norm(self.t2_conv(self.t2_input(res))) + x_in)
        return x, res
