"""What the dual residual blocks share beyond :mod:`zoo.layers` (Liu, Suganuma, Sun, Okatani, CVPR 2019).

* :func:`durn_conv`: convolutions with the DuRN reference padding rules, as a config choice;
* :class:`ResidualContainer`: the first part of every DuRN block (two 3x3 convs and a skip);
* :func:`updown_min_size`: the smallest input of a block whose ``res`` is at twice the resolution.

The convolution, normalisations and SE-ResBlock themselves live in :mod:`zoo.layers`. Feature maps are float tensors
(B, C, H, W).
"""

import torch
from torch import nn

from zoo.layers import PaddedConv2d, build_norm, same_conv

__all__ = ["PADDINGS", "ResidualContainer", "durn_conv", "updown_min_size"]

# "reflect": ReflectionPad2d(dilation * (k - 1) / 2) then an unpadded conv (the DuRN `ConvLayer`).
# "zero": Conv2d(padding=dilation * (k - 1) / 2).
# "reference": the `ConvLayer` of DuRN-U/US/S-P: reflect floor(k / 2) when dilation == 1, otherwise zero padding of
#     `dilation` pixels (keeps the size only for 3x3 kernels, the only case the reference uses).
PADDINGS = ("reflect", "zero", "reference")


def updown_min_size(k1: int, dilation: int, k2: int) -> int:
    """Smallest H and W of ``x`` in an ``updown`` block (``res`` at 2H x 2W) at which every reflection pad fits.

    The T1 conv (``k1``, ``dilation``) and the stride-2 T2 conv (``k2``) pad ``res``; the 3x3 convs of the container
    pad ``x`` by one pixel, so ``x`` needs at least 2 rows and columns.
    """
    res_pad = max(dilation * (k1 - 1) // 2, 1, (k2 - 1) // 2)
    return max(2, res_pad // 2 + 1)


def durn_conv(
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    stride: int = 1,
    dilation: int = 1,
    padding: str = "reflect",
    bias: bool = True,
) -> PaddedConv2d:
    """A k x k convolution padded as the DuRN reference pads it.

    Args:
        in_channels: Input channels.
        out_channels: Output channels.
        kernel_size: Odd kernel size k.
        stride: Stride (1 or 2 in DuRN).
        dilation: Dilation d.
        padding: One of :data:`PADDINGS`.
        bias: Whether the convolution has a bias.
    """
    if padding not in PADDINGS:
        raise ValueError(f"unknown padding {padding!r}; expected one of {', '.join(PADDINGS)}")
    if padding == "reference":
        if dilation > 1 and kernel_size != 3:
            raise ValueError(
                f"reference padding of a dilated {kernel_size}x{kernel_size} conv changes the map size (the "
                "reference pads `dilation` zeros, which is only right for 3x3); use padding='reflect'"
            )
        padding = "zero" if dilation > 1 else "reflect"
    return same_conv(in_channels, out_channels, kernel_size, stride, dilation, padding, bias)


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
        self.conv1 = durn_conv(channels, channels, 3)
        self.norm1 = build_norm(norm, channels, reference_compat)
        self.conv2 = durn_conv(channels, channels, 3)
        self.norm2 = build_norm(norm, channels, reference_compat)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the container to ``x`` (B, C, H, W)."""
        out = self.relu(self.norm1(self.conv1(x)))
        return self.relu(self.norm2(self.conv2(out) + x))
