"""What every DuRN model shares: padding to a size multiple, the width knob, the citation, small layer builders."""

import math
from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import nn

from zoo.blocks.durn_layers import build_norm, durn_conv
from zoo.registry.arguments import check_width

__all__ = ["DURN_PAPER", "DuRN", "conv_norm_relu", "pad_image", "scaled_width"]

DURN_PAPER = "Liu, Suganuma, Sun, Okatani, CVPR 2019 (DuRN)"
# Below this width every DuRN layer (at most 256 channels at width 1) is at the 4-channel floor of scaled_width.
MIN_DURN_WIDTH = 1 / 256


def scaled_width(channels: int, width: float) -> int:
    """``channels * width`` rounded to a multiple of 4 (at least 4), so pixel shuffles and SE widths stay valid.

    Args:
        channels: Width of the paper-size network.
        width: Channel multiplier; 1.0 gives ``channels`` unchanged.
    """
    check_width(width, "DuRN", minimum=MIN_DURN_WIDTH)
    return max(4, 4 * round(channels * width / 4))


def _pad_dim(x: torch.Tensor, dim: int, amount: int) -> torch.Tensor:
    """Extend ``x`` by ``amount`` pixels at the end of spatial ``dim`` (-1 or -2) by repeated reflection."""
    while amount > 0:
        size = x.shape[dim]
        pad = [0, 0, 0, 0]
        pad_index = 1 if dim == -1 else 3
        if size == 1:  # a single row or column cannot be reflected: repeat it
            pad[pad_index] = amount
            return F.pad(x, pad, mode="replicate")
        step = min(amount, size - 1)
        pad[pad_index] = step
        x = F.pad(x, pad, mode="reflect")
        amount -= step
    return x


def pad_image(x: torch.Tensor, multiple: int, min_size: int = 1) -> torch.Tensor:
    """Reflect-pad the bottom and right of ``x`` (B, C, H, W) to multiples of ``multiple`` and at least ``min_size``.

    Padding wider than the image is done by reflecting repeatedly; a one-pixel dimension is repeated.
    Crop the result back with ``out[..., :H, :W]``.
    """
    height, width = x.shape[-2:]
    target_h = max(min_size, math.ceil(height / multiple) * multiple)
    target_w = max(min_size, math.ceil(width / multiple) * multiple)
    target_h, target_w = (math.ceil(t / multiple) * multiple for t in (target_h, target_w))
    return _pad_dim(_pad_dim(x, -2, target_h - height), -1, target_w - width)


def conv_norm_relu(
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    stride: int = 1,
    padding: str = "reflect",
    norm: str | None = None,
    relu: bool = True,
    reference_compat: bool = False,
) -> nn.Sequential:
    """``conv -> norm -> ReLU`` with DuRN padding rules; norm None and ``relu=False`` drop those parts."""
    layers = [durn_conv(in_channels, out_channels, kernel_size, stride, padding=padding)]
    if norm is not None:
        layers.append(build_norm(norm, out_channels, reference_compat))
    if relu:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class DuRN(nn.Module):
    """Base of the DuRN models: checks the input, pads it to :meth:`size_multiple` / :meth:`min_size`, crops back.

    Subclasses implement :meth:`restore` on padded images, set ``downsampling`` (how many times the network halves
    the image, as a factor: the size multiple) and ``self.min_padded`` (the smallest padded size at which every
    reflection padding inside the network is valid).

    Args:
        in_channels: Channels the network was built for (1 grey, 3 RGB). A grey network also accepts RGB images and
            restores each colour channel as a separate grey image.
    """

    downsampling: ClassVar[int] = 1

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        if in_channels not in (1, 3):
            raise ValueError(f"in_channels must be 1 (grey) or 3 (RGB), got {in_channels}")
        self.in_channels = in_channels
        self.min_padded = 1

    def size_multiple(self, factor: str | None = None) -> int:
        """Multiple of H and W the network works at (the forward pads to it and crops back); one for every factor."""
        return self.downsampling

    def min_size(self, factor: str | None = None) -> int:
        """Smallest H and W the network works at (the forward pads smaller images); one for every factor."""
        return self.min_padded

    def restore(self, x: torch.Tensor) -> torch.Tensor:
        """Restore an image whose size fits the network (B, in_channels, H, W)."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Restore ``x``, float in [0, 1], shape (B, C, H, W) with C = ``in_channels`` (or 3 for a grey network).

        Returns:
            The same shape; raw output ``x +- tanh(.)``, which may leave [0, 1] slightly (clamp for display).
        """
        if x.dim() != 4:
            raise ValueError(f"expected an image batch (B, C, H, W), got shape {tuple(x.shape)}")
        batch, channels, height, width = x.shape
        if channels != self.in_channels:
            if self.in_channels == 1 and channels == 3:
                out = self.forward(x.reshape(batch * 3, 1, height, width))
                return out.reshape(batch, 3, height, width)
            expected = "1 (grey) or 3 (restored per channel)" if self.in_channels == 1 else "3 (RGB)"
            raise ValueError(f"image has {channels} channels; expected {expected}")
        out = self.restore(pad_image(x, self.size_multiple(), self.min_size()))
        return out[..., :height, :width]
