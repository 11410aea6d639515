"""DuRB-S, the dual residual block with an SE-ResBlock before T2 (Liu et al., CVPR 2019)."""

import torch

from zoo.registry import register_block

from .durb_p import DuRBP
from .durn_layers import se_before_t2

__all__ = ["DuRBS"]


@register_block("durb_s")
class DuRBS(DuRBP):
    """DuRB-P whose T2 is ``SE-ResBlock -> conv_k2 -> norm``.

    Args:
        channels: Channels of ``x`` and ``res`` (64 in DuRN-S, 128 in DuRN-S-P).
        k1: Kernel of the T1 conv.
        dilation: Dilation of the T1 conv.
        k2: Kernel of the T2 conv.
        norm: ``"batch"`` (both reference networks), ``"instance"`` or None; also used inside the SE-ResBlock.
        attention: Attention config of the SE-ResBlock (default ``dict(type="se")``); any ``zoo.registry.ATTENTION``
            type works, e.g. ``dict(type="tv_gap")``.
        hidden: Hidden width of the attention MLP; default ``channels // 2`` (32 in DuRN-S, 64 in DuRN-S-P).
        reference_compat: See :class:`~zoo.blocks.durb_p.DuRBP`.
    """

    def __init__(
        self,
        channels: int = 64,
        k1: int = 3,
        dilation: int = 1,
        k2: int = 3,
        norm: str | None = "batch",
        attention: dict | None = None,
        hidden: int | None = None,
        reference_compat: bool = False,
    ) -> None:
        super().__init__(channels, k1, dilation, k2, norm, reference_compat)
        self.se_block = se_before_t2(channels, attention, hidden, norm, reference_compat)

    def t2_input(self, res: torch.Tensor) -> torch.Tensor:
        """The SE-ResBlock applied to ``res'``."""
        return self.se_block(res)
