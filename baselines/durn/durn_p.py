"""DuRN-P and DuRN-S: full-resolution dual residual networks (Liu et al., CVPR 2019).

DuRN-P (Gaussian noise, grey, BatchNorm; and the RGB variant without normalisation trained on real noise) and
DuRN-S (rain streaks, RGB, DuRB-S blocks, 64 channels) share one layout::

    conv3x3 -> norm -> ReLU -> conv3x3 -> norm -> ReLU (= x = res) -> 6 x DuRB
    -> conv3x3 -> norm -> ReLU -> conv3x3 -> tanh -> + input

All convolutions are reflection-padded, in the reference too, so these networks have no ``reference_compat`` mode.
"""

from collections.abc import Sequence

import torch
from torch import nn

from zoo.blocks import durb_p, durb_s  # noqa: F401 (registers the blocks built below)
from zoo.blocks.interface import build_block
from zoo.layers import same_padding

from .common import DuRN, conv_norm_relu, register_durn, scaled_width

__all__ = ["DURN_P_BLOCKS", "DuRNP", "durn_p", "durn_p_rgb", "durn_s"]

# (k1, k2, dilation) of the six DuRBs of DuRN-P and DuRN-S.
DURN_P_BLOCKS: tuple[tuple[int, int, int], ...] = ((5, 3, 1), (7, 5, 1), (7, 5, 2), (11, 7, 2), (11, 5, 1), (11, 7, 3))


class DuRNP(DuRN):
    """DuRN with full-resolution DuRB-P (or DuRB-S) blocks.

    Args:
        in_channels: 1 (grey) or 3 (RGB).
        channels: Width of the paper-size network (32 for DuRN-P, 64 for DuRN-S).
        norm: ``"batch"``, ``"instance"`` or None.
        block_type: Registered block, ``"durb_p"`` or ``"durb_s"``.
        blocks: ``(k1, k2, dilation)`` per block.
        block: Extra block config applied to every block (e.g. ``dict(attention=dict(type="tv_gap"))``).
        width: Channel multiplier (1.0 = paper size; e.g. 0.125 for CPU tests).
    """

    def __init__(
        self,
        in_channels: int = 1,
        channels: int = 32,
        norm: str | None = "batch",
        block_type: str = "durb_p",
        blocks: Sequence[Sequence[int]] = DURN_P_BLOCKS,
        block: dict | None = None,
        width: float = 1.0,
    ) -> None:
        super().__init__(in_channels)
        ch = scaled_width(channels, width)
        self.head = nn.Sequential(conv_norm_relu(in_channels, ch, 3, norm=norm), conv_norm_relu(ch, ch, 3, norm=norm))
        config = {"type": block_type, **(block or {})}
        self.blocks = nn.ModuleList(
            build_block(config, "flat", "DuRN-P", dict(channels=ch, k1=k1, dilation=d, k2=k2), dict(norm=norm))
            for k1, k2, d in blocks
        )
        self.tail = nn.Sequential(
            conv_norm_relu(ch, ch, 3, norm=norm), conv_norm_relu(ch, in_channels, 3, relu=False), nn.Tanh()
        )
        self.min_padded = 1 + max(max(same_padding(k1, d), same_padding(k2)) for k1, k2, d in blocks)

    def restore(self, x: torch.Tensor) -> torch.Tensor:
        """Restore a padded image (B, in_channels, H, W)."""
        feat = self.head(x)
        res = feat
        for block in self.blocks:
            feat, res = block(feat, res)
        return x + self.tail(feat)


@register_durn(
    "durn_p",
    "Gaussian noise (grey)",
    (),
    "DuRN-P: 6 DuRB-P, 32 channels, BatchNorm, grey (0.816 M parameters)",
    "Grey network (B, 1, H, W); an RGB image is restored one colour channel at a time. "
    "Trained by the authors on BSD grey with sigma in {30, 50, 70}/255. Inputs smaller than 16 px are "
    "reflect-padded.",
)
def durn_p(**kwargs) -> DuRNP:
    """DuRN-P for grey images with BatchNorm (816,225 parameters)."""
    return DuRNP(**{"in_channels": 1, "channels": 32, "norm": "batch", **kwargs})


@register_durn(
    "durn_p_rgb",
    "jpeg",
    ("jpeg",),
    "DuRN-P without normalisation, RGB: the zoo's dedicated JPEG model (0.816 M parameters)",
    "The authors trained this network on real noise (RealNoiseHKPoly). The paper's dedicated JPEG "
    "model (Table 3) is a different network (RNAN, Zhang et al. 2019); the zoo uses DuRN-P without "
    "normalisation as its dedicated JPEG model (its weights are to be trained on JPEG artifacts) and as the JPEG "
    "step of the default cascade.",
)
def durn_p_rgb(**kwargs) -> DuRNP:
    """DuRN-P for RGB images without normalisation (815,651 parameters)."""
    return DuRNP(**{"in_channels": 3, "channels": 32, "norm": None, **kwargs})


@register_durn(
    "durn_s",
    "rain",
    ("rain",),
    "DuRN-S: 6 DuRB-S (SE attention), 64 channels, BatchNorm, RGB; rain streaks (3.730 M parameters)",
    "Trained by the authors on DID-MDN / DDN. The SE attention uses global averages, so tiles differ "
    "from whole-image results.",
    tiling="discouraged",
)
def durn_s(**kwargs) -> DuRNP:
    """DuRN-S for rain streaks (3,729,923 parameters)."""
    return DuRNP(**{"in_channels": 3, "channels": 64, "norm": "batch", "block_type": "durb_s", **kwargs})
