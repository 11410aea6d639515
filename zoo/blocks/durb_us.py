"""DuRB-US: DuRB-U with an SE-ResBlock before the down-sampling T2 (Liu et al., CVPR 2019)."""

import torch

from zoo.registry import register_block

from .durb_u import DuRBU
from .durn_layers import se_before_t2

__all__ = ["DuRBUS"]


@register_block("durb_us")
class DuRBUS(DuRBU):
    """DuRB-U with a 3x3 ``conv_pre`` of expansion 4 (``res`` has C channels) and T2 = SE-ResBlock -> stride-2 conv.

    The reference DuRN-US has no normalisation (its ``norm_type`` argument is ignored), hence ``norm=None``.

    Args:
        channels: Channels C of ``x`` and ``res`` (64 in DuRN-US).
        k1: Kernel of the T1 conv (the paper's f).
        dilation: Dilation of the T1 conv.
        k2: Kernel of the stride-2 T2 conv.
        norm: None (DuRN-US), ``"batch"`` or ``"instance"``; also used inside the SE-ResBlock.
        attention: Attention config of the SE-ResBlock (default ``dict(type="se")``).
        hidden: Hidden width of the attention MLP; default ``res_channels // 2`` (32 in DuRN-US).
        reference_compat: See :class:`~zoo.blocks.durb_u.DuRBU`.
        res_channels: Channels of ``res`` (and of the SE-ResBlock); default C.
    """

    pre_kernel = 3
    expansion = 4

    def __init__(
        self,
        channels: int = 64,
        k1: int = 3,
        dilation: int = 1,
        k2: int = 3,
        norm: str | None = None,
        attention: dict | None = None,
        hidden: int | None = None,
        reference_compat: bool = False,
        res_channels: int | None = None,
    ) -> None:
        super().__init__(channels, k1, dilation, k2, norm, reference_compat, res_channels=res_channels)
        self.se_block = se_before_t2(self.res_channels, attention, hidden, norm, reference_compat)

    def t2_input(self, res: torch.Tensor) -> torch.Tensor:
        """The SE-ResBlock applied to ``res'``."""
        return self.se_block(res)
