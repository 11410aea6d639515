"""DuRN-S-P: raindrop removal with DuRB-S then DuRB-P blocks (Liu et al., CVPR 2019).

Head: conv5x5 3 -> 64, two stride-2 convs (64 -> 128 -> 128), BatchNorm. Three DuRB-S (dilations 12, 8, 6), then
``res := x`` and six DuRB-P with k2 = 5. Tail: two [transposed conv 4x4 stride 2 -> reflect pad (1, 0, 1, 0) ->
2x2 average pool stride 1 -> ReLU] up-samplings, conv5x5 64 -> 3, tanh.

Reference quirks (``reference_compat=True``): the first conv pads 1 pixel instead of 2 (the map shrinks by 2 px and
the stride-2 rounding brings it back for inputs that are multiples of 4), dilated convs are zero-padded with
``dilation`` pixels, and the output is ``input - tanh(.)`` where every other DuRN adds. The default is
``input + tanh(.)`` with size-preserving padding.
"""

from collections.abc import Sequence

import torch
from torch import nn

from zoo.blocks import durb_p, durb_s  # noqa: F401 (registers the blocks built below)
from zoo.blocks.interface import build_block
from zoo.layers import build_norm, same_padding

from .common import DuRN, conv_norm_relu, register_durn, scaled_width

__all__ = ["DURN_S_P_P_BLOCKS", "DURN_S_P_S_BLOCKS", "DuRNSP", "durn_s_p"]

# (f = k1, dilation) of the DuRB-S blocks (k2 = 3) and of the DuRB-P blocks (k2 = 5).
DURN_S_P_S_BLOCKS: tuple[tuple[int, int], ...] = ((3, 12), (3, 8), (3, 6))
DURN_S_P_P_BLOCKS: tuple[tuple[int, int], ...] = ((3, 2), (5, 1), (3, 3), (7, 1), (3, 4), (7, 1))


def _deconv(in_channels: int, out_channels: int) -> nn.Sequential:
    """Transposed conv 4x4 stride 2 (x2 size), then a 2x2 box filter that keeps the size; ReLU."""
    return nn.Sequential(
        nn.ConvTranspose2d(in_channels, out_channels, 4, stride=2, padding=1),
        nn.ReflectionPad2d((1, 0, 1, 0)),
        nn.AvgPool2d(2, stride=1),
        nn.ReLU(),
    )


class DuRNSP(DuRN):
    """DuRN-S-P for raindrops: widths (b, 2b) = (64, 128), BatchNorm.

    Args:
        s_blocks: ``(f, dilation)`` of the DuRB-S blocks.
        p_blocks: ``(f, dilation)`` of the DuRB-P blocks.
        norm: ``"batch"`` (reference), ``"instance"`` or None.
        block: Extra block config applied to every block.
        width: Channel multiplier (1.0 = paper size).
        reference_compat: Reproduce the reference's 2-px shrinking first conv, zero padding of dilated convs and
            output sign (``input - tanh(.)``).
    """

    downsampling = 4

    def __init__(
        self,
        s_blocks: Sequence[Sequence[int]] = DURN_S_P_S_BLOCKS,
        p_blocks: Sequence[Sequence[int]] = DURN_S_P_P_BLOCKS,
        norm: str | None = "batch",
        block: dict | None = None,
        width: float = 1.0,
        reference_compat: bool = False,
    ) -> None:
        super().__init__(3)
        b = scaled_width(64, width)
        rc = reference_compat
        self.reference_compat = reference_compat
        first = nn.Conv2d(3, b, 5, padding=1 if reference_compat else 2)
        self.head = nn.Sequential(
            nn.Sequential(first, build_norm(norm, b, rc), nn.ReLU()),
            conv_norm_relu(b, 2 * b, 3, stride=2, padding="zero", norm=norm, reference_compat=rc),
            conv_norm_relu(2 * b, 2 * b, 3, stride=2, padding="zero", norm=norm, reference_compat=rc),
        )
        offered = dict(norm=norm, reference_compat=rc)
        s_config, p_config = {"type": "durb_s", **(block or {})}, {"type": "durb_p", **(block or {})}
        self.s_blocks = nn.ModuleList(
            build_block(s_config, "flat", "DuRN-S-P", dict(channels=2 * b, k1=f, dilation=d, k2=3), offered)
            for f, d in s_blocks
        )
        self.p_blocks = nn.ModuleList(
            build_block(p_config, "flat", "DuRN-S-P", dict(channels=2 * b, k1=f, dilation=d, k2=5), offered)
            for f, d in p_blocks
        )
        self.tail = nn.Sequential(
            _deconv(2 * b, 2 * b),
            conv_norm_relu(2 * b, 2 * b, 3, norm=norm, reference_compat=rc),
            _deconv(2 * b, b),
            conv_norm_relu(b, 3, 5, relu=False),
            nn.Tanh(),
        )
        pads = [same_padding(f, d) for f, d in (*s_blocks, *p_blocks) if not (reference_compat and d > 1)]
        self.min_padded = 4 * (1 + max([2, *pads]))  # 1/4-scale maps; k2 = 5 needs 2

    def restore(self, x: torch.Tensor) -> torch.Tensor:
        """Restore a padded image (B, 3, H, W), H and W multiples of 4."""
        feat = self.head(x)
        res = feat
        for block in self.s_blocks:
            feat, res = block(feat, res)
        res = feat
        for block in self.p_blocks:
            feat, res = block(feat, res)
        residual = self.tail(feat)
        return x - residual if self.reference_compat else x + residual


@register_durn(
    "durn_s_p",
    "raindrop",
    (),
    "DuRN-S-P: 3 DuRB-S + 6 DuRB-P, widths 64/128, BatchNorm; raindrops (10.177 M parameters)",
    "Trained by the authors on the RainDrop dataset (adherent raindrops, not rain streaks). "
    "reference_compat=True reproduces the reference's output sign (input - tanh), its 2-px shrinking first "
    "conv and zero padding of dilated convs.",
    tiling="discouraged",
)
def durn_s_p(**kwargs) -> DuRNSP:
    """DuRN-S-P for raindrops (10,176,963 parameters)."""
    return DuRNSP(**kwargs)
