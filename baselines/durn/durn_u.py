"""DuRN-U (motion blur) and DuRN-US (haze): encoder / DuRB-U(S) / decoder networks (Liu et al., CVPR 2019).

Both down-sample twice (``res`` at 1/2, ``x`` at 1/4 of the input), stack up-down DuRBs and decode with two
``conv -> PixelShuffle(2)`` steps, then ``tanh`` and the global residual ``+ input``. Head and last convs are
zero-padded as in the reference; the others are reflection-padded.
"""

from collections.abc import Sequence

import torch
from torch import nn

from zoo.blocks import durb_u, durb_us  # noqa: F401 (registers the blocks built below)
from zoo.blocks.interface import build_block
from zoo.layers import build_norm, same_conv, same_padding

from .common import DuRN, conv_norm_relu, register_durn, scaled_width

__all__ = ["DURN_US_BLOCKS", "DURN_U_BLOCKS", "DuRNU", "durn_u", "durn_us"]

# (f = k1, dilation) of the DuRBs.
DURN_U_BLOCKS: tuple[tuple[int, int], ...] = ((3, 3), (7, 1), (3, 3), (7, 1), (3, 2), (5, 1))
DURN_US_BLOCKS: tuple[tuple[int, int], ...] = ((5, 1), (5, 1), (7, 1), (7, 1)) + ((11, 1),) * 8


def _up(in_channels: int, out_channels: int, kernel: int, norm: str | None, reference_compat: bool) -> nn.Sequential:
    """``conv (-> norm) -> PixelShuffle(2)``: ``out_channels`` / 4 channels at twice the resolution."""
    layers = [same_conv(in_channels, out_channels, kernel)]
    if norm is not None:
        layers.append(build_norm(norm, out_channels, reference_compat))
    return nn.Sequential(*layers, nn.PixelShuffle(2))


class DuRNU(DuRN):
    """Encoder / up-down DuRB / decoder network: DuRN-U (default arguments) and DuRN-US.

    Layout for widths (w0, w1, w2)::

        conv7x7 3 -> w0, conv3x3 s2 w0 -> w1 (= res, 1/2), conv3x3 s2 w1 -> w2 (= x, 1/4); norm + ReLU after each
        DuRBs on (x, res)
        [conv_up w2 -> 4 w1 (+ norm), PixelShuffle] -> conv3x3 w1 (+ norm) + ReLU
        [conv_up w1 -> 4 w0 (+ norm), PixelShuffle] -> conv3x3 w0 (+ norm) + ReLU -> conv7x7 w0 -> 3 -> tanh -> + input

    Args:
        blocks: ``(f, dilation)`` per DuRB.
        block_type: A block of the ``updown`` slot (:mod:`zoo.blocks.interface`): ``"durb_u"`` (DuRN-U),
            ``"durb_us"`` (DuRN-US) or ``"durb_m"``; ``res`` has w1 channels at 1/2, ``x`` w2 at 1/4.
        widths: (w0, w1, w2) of the paper-size network: (64, 128, 256) for DuRN-U, (64, 64, 64) for DuRN-US.
        up_kernel: Kernel of the decoder's up-sampling convs (1 in DuRN-U, 3 in DuRN-US).
        norm: ``"instance"`` (DuRN-U), None (DuRN-US) or ``"batch"``.
        block: Extra block config applied to every block (e.g. ``dict(attention=dict(type="tv_gap"))`` for DuRB-US).
        width: Channel multiplier (1.0 = paper size).
        reference_compat: Reference InsNorm (``scale`` added as the shift) and zero padding for dilated convs.
    """

    downsampling = 4

    def __init__(
        self,
        blocks: Sequence[Sequence[int]] = DURN_U_BLOCKS,
        block_type: str = "durb_u",
        widths: Sequence[int] = (64, 128, 256),
        up_kernel: int = 1,
        norm: str | None = "instance",
        block: dict | None = None,
        width: float = 1.0,
        reference_compat: bool = False,
    ) -> None:
        super().__init__(3)
        w0, w1, w2 = (scaled_width(w, width) for w in widths)
        rc = reference_compat
        self.reference_compat = reference_compat
        self.head = nn.Sequential(
            conv_norm_relu(3, w0, 7, padding="zero", norm=norm, reference_compat=rc),
            conv_norm_relu(w0, w1, 3, stride=2, padding="zero", norm=norm, reference_compat=rc),
        )
        self.down = conv_norm_relu(w1, w2, 3, stride=2, padding="zero", norm=norm, reference_compat=rc)
        config = {"type": block_type, **(block or {})}
        offered = dict(norm=norm, reference_compat=rc)
        self.blocks = nn.ModuleList(
            build_block(config, "updown", "DuRN-U", dict(channels=w2, res_channels=w1, k1=f, dilation=d, k2=3), offered)
            for f, d in blocks
        )
        self.tail = nn.Sequential(
            _up(w2, 4 * w1, up_kernel, norm, rc),
            conv_norm_relu(w1, w1, 3, norm=norm, reference_compat=rc),
            _up(w1, 4 * w0, up_kernel, norm, rc),
            conv_norm_relu(w0, w0, 3, norm=norm, reference_compat=rc),
            same_conv(w0, 3, 7, padding="zero"),
            nn.Tanh(),
        )
        self.min_padded = _min_size(blocks, reference_compat)

    def restore(self, x: torch.Tensor) -> torch.Tensor:
        """Restore a padded image (B, 3, H, W), H and W multiples of 4."""
        res = self.head(x)
        feat = self.down(res)
        for block in self.blocks:
            feat, res = block(feat, res)
        return x + self.tail(feat)


def _min_size(blocks: Sequence[Sequence[int]], reference_compat: bool) -> int:
    """Smallest input size at which every reflection padding is valid (``res`` at 1/2, ``x`` at 1/4)."""
    t1_pads = [same_padding(f, d) for f, d in blocks if not (reference_compat and d > 1)]
    return max(8, 2 * (1 + max(t1_pads, default=0)))


@register_durn(
    "durn_u",
    "blur",
    ("blur",),
    "DuRN-U: 6 DuRB-U, widths 64/128/256, InsNorm; motion blur (12.857 M parameters)",
    "Trained by the authors on GoPro (resized to 640x360) and the Car dataset. Instance normalisation "
    "uses whole-image statistics, so tiles differ from whole-image results. reference_compat=True reproduces "
    "the reference InsNorm (scale added as the shift) and zero padding of dilated convs.",
    tiling="discouraged",
)
def durn_u(**kwargs) -> DuRNU:
    """DuRN-U for motion blur (12,856,579 parameters)."""
    return DuRNU(**kwargs)


@register_durn(
    "durn_us",
    "haze",
    ("haze",),
    "DuRN-US: 12 DuRB-US (SE attention), 64 channels, no normalisation; haze (9.071 M parameters)",
    "Trained by the authors on RESIDE ITS and DCPDN data. Haze removal depends on global image "
    "statistics (SE attention), so tiling is discouraged.",
    tiling="discouraged",
)
def durn_us(**kwargs) -> DuRNU:
    """DuRN-US for haze (9,070,915 parameters)."""
    defaults = dict(blocks=DURN_US_BLOCKS, block_type="durb_us", widths=(64, 64, 64), up_kernel=3, norm=None)
    return DuRNU(**{**defaults, **kwargs})
