"""Basic layers shared by the blocks, branches, models and baselines: one home for each.

* :func:`scaled_width`: a paper width times a width multiplier, rounded one way everywhere;
* :func:`padded_size`, :func:`pad_to_multiple`, :func:`crop`: pad an image to the size a network needs, crop back;
* :func:`same_padding`, :class:`PaddedConv2d`, :func:`same_conv`: size-keeping convolutions padded by reflection
  or with zeros (the reflection keeps bf16 maps in bf16 under autocast);
* :class:`InsNorm`, :func:`build_norm`: the normalisations the networks name in their configs;
* :class:`SEResBlock`: the residual block with channel attention (MBN's container, DuRN's SE-ResBlock).

Images and feature maps are float tensors (B, C, H, W).
"""

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from zoo.attention.channel import ChannelAttention
from zoo.registry import ATTENTION

__all__ = [
    "PADDINGS",
    "InsNorm",
    "PaddedConv2d",
    "SEResBlock",
    "build_norm",
    "crop",
    "pad_to_multiple",
    "padded_size",
    "same_conv",
    "same_padding",
    "scaled_width",
]


def scaled_width(channels: int, width: float, multiple: int = 1) -> int:
    """``channels * width`` rounded to the nearest multiple of ``multiple`` (at least ``multiple``).

    Args:
        channels: Width of the paper-size network.
        width: Channel multiplier; 1.0 gives ``channels`` unchanged.
        multiple: 1 for MBN; 4 for the DuRNs, whose pixel shuffles and SE widths need multiples of 4.
    """
    return max(multiple, multiple * round(channels * width / multiple))


# ---------------------------------------------------------------------------------------------------- padding
def padded_size(size: int, multiple: int, min_size: int = 1) -> int:
    """Smallest multiple of ``multiple`` that is >= both ``size`` and ``min_size``."""
    return multiple * math.ceil(max(size, min_size) / multiple)


def _extend(image: torch.Tensor, dim: int, amount: int) -> torch.Tensor:
    """Extend spatial ``dim`` (-1 or -2) at its end by ``amount`` pixels, reflecting again at each new border."""
    while amount > 0:
        size = image.shape[dim]
        pad = [0, 0, 0, 0]
        index = 1 if dim == -1 else 3
        if size == 1:  # a single row or column cannot be reflected: repeat it
            pad[index] = amount
            return F.pad(image, pad, mode="replicate")
        pad[index] = min(amount, size - 1)
        image = F.pad(image, pad, mode="reflect")
        amount -= pad[index]
    return image


def pad_to_multiple(image: torch.Tensor, multiple: int, min_size: int = 1) -> torch.Tensor:
    """Reflect-pad the bottom and right of (B, C, H, W) to multiples of ``multiple``, at least ``min_size``.

    A pad larger than the image minus one is applied in several reflections (the image is mirrored again at the new
    border), so tiny images work too; a side of one pixel is repeated.

    Returns:
        The padded tensor; the original occupies ``[..., :H, :W]`` (see :func:`crop`).
    """
    height, width = image.shape[-2:]
    image = _extend(image, -2, padded_size(height, multiple, min_size) - height)
    return _extend(image, -1, padded_size(width, multiple, min_size) - width)


def crop(image: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Top-left (B, C, height, width) crop (undoes :func:`pad_to_multiple`)."""
    return image[..., :height, :width]


# ---------------------------------------------------------------------------------------------------- convs
def same_padding(kernel_size: int, dilation: int = 1) -> int:
    """Padding that keeps the size of a stride-1 convolution with an odd kernel."""
    if kernel_size % 2 == 0:
        raise ValueError(f"kernel size {kernel_size} is even; these convolutions need odd kernels")
    return dilation * (kernel_size - 1) // 2


class PaddedConv2d(nn.Conv2d):
    """``nn.Conv2d`` padded to keep the size, by reflection (``mode="reflect"``) or with zeros (``"zero"``).

    Both modes have the parameters and state-dict keys of ``nn.Conv2d``, so weights move freely between them. Under
    CPU autocast, ``reflection_pad2d`` would run in fp32 (a bf16 map cast up, padded, kept in fp32 for the backward
    and cast down again by the convolution); this class pads with autocast off, so the bf16 map is padded as it is (a
    copy, the same values) and only the convolution runs under autocast.

    Args:
        in_channels: Input channels.
        out_channels: Output channels.
        kernel_size: Odd kernel size k.
        mode: ``"reflect"`` or ``"zero"``; ``d * (k - 1) / 2`` pixels on every side for dilation d.
        **conv: ``stride``, ``dilation`` and ``bias`` of ``nn.Conv2d``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, mode: str = "reflect", **conv: Any):
        if mode not in ("reflect", "zero"):
            raise ValueError(f"unknown padding mode {mode!r}; expected 'reflect' or 'zero'")
        pad = same_padding(kernel_size, conv.get("dilation", 1))
        padding_mode = "reflect" if mode == "reflect" else "zeros"
        super().__init__(in_channels, out_channels, kernel_size, padding=pad, padding_mode=padding_mode, **conv)

    @property
    def mode(self) -> str:
        """``"reflect"`` or ``"zero"``."""
        return "reflect" if self.padding_mode == "reflect" else "zero"

    def _conv_forward(self, input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
        device = input.device.type
        autocast = torch.amp.is_autocast_available(device) and torch.is_autocast_enabled(device)
        if self.padding_mode != "reflect" or not autocast:
            return super()._conv_forward(input, weight, bias)
        with torch.autocast(device, enabled=False):
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode="reflect")
        return F.conv2d(padded, weight, bias, self.stride, 0, self.dilation, self.groups)


# Padding rules of same_conv. "reflect" and "zero": by reflection or with zeros, dilation * (k - 1) / 2 pixels.
# "reference": the rule of the DuRN-U/US/S-P reference code, reflection when dilation == 1, otherwise `dilation` zeros
# (which keeps the size only for 3x3 kernels, the only case the reference uses).
PADDINGS = ("reflect", "zero", "reference")


def same_conv(
    in_channels: int,
    out_channels: int,
    kernel_size: int = 3,
    stride: int = 1,
    dilation: int = 1,
    padding: str = "reflect",
    bias: bool = True,
) -> PaddedConv2d:
    """A size-keeping k x k convolution (the reference code's ``ConvLayer``) padded by one of :data:`PADDINGS`.

    Raises:
        ValueError: An unknown padding, an even kernel, or the reference rule on a dilated kernel other than 3x3.
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
    return PaddedConv2d(in_channels, out_channels, kernel_size, padding, stride=stride, dilation=dilation, bias=bias)


# ---------------------------------------------------------------------------------------------------- norms
class InsNorm(nn.Module):
    """Instance normalisation of DuRN-U: per-sample, per-channel mean and biased variance over H x W.

    ``out = (x - mean) / sqrt(var + eps) * scale + shift``. The reference adds ``scale`` where ``shift`` belongs (its
    ``shift`` is never used) and initialises ``scale`` uniformly in [0, 1); ``reference_compat=True`` reproduces both.
    The corrected default starts from ``scale = 1``, ``shift = 0``. Statistics are computed in float32.

    Args:
        channels: Channels C.
        eps: Added to the variance (1e-9 in the reference).
        reference_compat: Reproduce the reference's shift bug and initialisation.
    """

    def __init__(self, channels: int, eps: float = 1e-9, reference_compat: bool = False) -> None:
        super().__init__()
        self.eps = eps
        self.reference_compat = reference_compat
        self.scale = nn.Parameter(torch.rand(channels) if reference_compat else torch.ones(channels))
        self.shift = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise ``x`` (B, C, H, W) per sample and channel."""
        x32 = x.float()
        var, mean = torch.var_mean(x32, dim=(2, 3), correction=0, keepdim=True)
        normed = ((x32 - mean) / torch.sqrt(var + self.eps)).to(x.dtype)
        shift = self.scale if self.reference_compat else self.shift
        return normed * self.scale[:, None, None] + shift[:, None, None]


def build_norm(kind: str | None, channels: int, reference_compat: bool = False) -> nn.Module:
    """Normalisation layer by name: ``"batch"`` (BatchNorm2d), ``"instance"`` (:class:`InsNorm`) or None (identity).

    Args:
        kind: ``"batch"``, ``"instance"`` or None.
        channels: Channels C.
        reference_compat: Passed to :class:`InsNorm`.
    """
    if kind is None:
        return nn.Identity()
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "instance":
        return InsNorm(channels, reference_compat=reference_compat)
    raise ValueError(f"unknown norm {kind!r}; expected 'batch', 'instance' or None")


# ---------------------------------------------------------------------------------------------------- blocks
class SEResBlock(nn.Module):
    """Residual block with channel attention: ``relu(att(norm(conv(relu(norm(conv(x)))))) + x)``.

    The two 3x3 convolutions are zero-padded and have no bias. Without normalisation this is the container of
    MBN's DuRB-M and its T2 SE-ResNet block (the reference's ``SEBasicBlock`` / ``SETVBasicBlock``); with it, the
    SE-ResBlock of DuRN's DuRB-S and DuRB-US. With a :class:`~zoo.attention.channel.ChannelAttention` the re-weighting
    and the shortcut are one ``torch.addcmul`` (``fused``; False keeps the straightforward ``attention(y) + x``).

    Args:
        channels: Channels C (in = out).
        attention: Attention config for ``zoo.registry.ATTENTION`` (e.g. ``dict(type="se")``); ``channels`` and
            ``hidden`` are filled in unless the config sets them.
        hidden: Default hidden width of the attention MLP.
        norm: ``"batch"``, ``"instance"`` or None, after each convolution.
        reference_compat: Passed to the normalisation.
    """

    def __init__(
        self,
        channels: int,
        attention: dict[str, Any],
        hidden: int,
        norm: str | None = None,
        reference_compat: bool = False,
    ) -> None:
        super().__init__()
        self.conv1 = same_conv(channels, channels, 3, padding="zero", bias=False)
        self.norm1 = build_norm(norm, channels, reference_compat)
        self.conv2 = same_conv(channels, channels, 3, padding="zero", bias=False)
        self.norm2 = build_norm(norm, channels, reference_compat)
        self.attention = ATTENTION.build(dict(attention), default_args=dict(channels=channels, hidden=hidden))
        self.fused = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map (B, C, H, W) to (B, C, H, W)."""
        y = self.norm2(self.conv2(F.relu(self.norm1(self.conv1(x)), inplace=True)))
        if self.fused and type(self.attention).forward is ChannelAttention.forward:
            return torch.addcmul(x, y, self.attention.channel_weights(y)[:, :, None, None]).relu_()
        return F.relu(self.attention(y) + x, inplace=True)
