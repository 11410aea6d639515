"""Layers shared by the DuRN dual residual blocks (Liu, Suganuma, Sun, Okatani, CVPR 2019).

* :func:`durn_conv` / :class:`PaddedConv2d`: convolutions with the DuRN reference padding rules, as a config choice;
* :class:`InsNorm`: the DuRN instance normalisation, with the reference's shift bug behind ``reference_compat``;
* :func:`build_norm`: ``"batch" | "instance" | None`` -> a module;
* :class:`ResidualContainer`: the first part of every DuRB (two 3x3 convs and a skip);
* :class:`SEResBlock`: the SE-ResNet basic block that DuRB-S and DuRB-US put before T2.

Feature maps are float tensors (B, C, H, W).
"""

import torch
import torch.nn.functional as F
from torch import nn

from zoo.registry import ATTENTION

__all__ = [
    "PADDINGS",
    "InsNorm",
    "PaddedConv2d",
    "ResidualContainer",
    "SEResBlock",
    "build_norm",
    "durn_conv",
    "same_padding",
    "updown_min_size",
]

# "reflect": ReflectionPad2d(dilation * (k - 1) / 2) then an unpadded conv (the DuRN `ConvLayer`).
# "zero": Conv2d(padding=dilation * (k - 1) / 2).
# "reference": the `ConvLayer` of DuRN-U/US/S-P: reflect floor(k / 2) when dilation == 1, otherwise zero padding of
#     `dilation` pixels (keeps the size only for 3x3 kernels, the only case the reference uses).
PADDINGS = ("reflect", "zero", "reference")


def same_padding(kernel_size: int, dilation: int = 1) -> int:
    """Padding that keeps the size of a stride-1 convolution with an odd kernel."""
    if kernel_size % 2 == 0:
        raise ValueError(f"kernel size {kernel_size} is even; DuRN convolutions need odd kernels")
    return dilation * (kernel_size - 1) // 2


def updown_min_size(k1: int, dilation: int, k2: int) -> int:
    """Smallest H and W of ``x`` in an ``updown`` block (``res`` at 2H x 2W) at which every reflection pad fits.

    The T1 conv (``k1``, ``dilation``) and the stride-2 T2 conv (``k2``) pad ``res``; the 3x3 convs of the container
    pad ``x`` by one pixel, so ``x`` needs at least 2 rows and columns.
    """
    res_pad = max(dilation * (k1 - 1) // 2, 1, (k2 - 1) // 2)
    return max(2, res_pad // 2 + 1)


class PaddedConv2d(nn.Conv2d):
    """``Conv2d`` that pads its input itself, by reflection or with zeros.

    Both padding modes have the same parameters and state-dict keys (``weight``, ``bias``), so weights move freely
    between the corrected and the reference-compatible form.

    Args:
        in_channels: Input channels.
        out_channels: Output channels.
        kernel_size: Kernel size k.
        stride: Stride.
        dilation: Dilation.
        pad: Pixels added on every side.
        mode: ``"reflect"`` or ``"zero"``.
        bias: Whether the convolution has a bias.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        dilation: int = 1,
        pad: int = 0,
        mode: str = "reflect",
        bias: bool = True,
    ) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, 0, dilation=dilation, bias=bias)
        if mode not in ("reflect", "zero"):
            raise ValueError(f"unknown padding mode {mode!r}; expected 'reflect' or 'zero'")
        self.pad = pad
        self.mode = mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pad ``x`` (B, C, H, W) and convolve it."""
        if self.pad:
            x = F.pad(x, [self.pad] * 4, mode="reflect" if self.mode == "reflect" else "constant")
        return super().forward(x)

    def extra_repr(self) -> str:
        """Show the padding next to the convolution settings."""
        return f"{super().extra_repr()}, pad={self.pad} ({self.mode})"


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
    pad = same_padding(kernel_size, dilation)
    if padding == "reference":
        if dilation > 1 and kernel_size != 3:
            raise ValueError(
                f"reference padding of a dilated {kernel_size}x{kernel_size} conv changes the map size (the "
                "reference pads `dilation` zeros, which is only right for 3x3); use padding='reflect'"
            )
        padding = "zero" if dilation > 1 else "reflect"
    return PaddedConv2d(in_channels, out_channels, kernel_size, stride, dilation, pad, padding, bias)


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


class SEResBlock(nn.Module):
    """SE-ResNet basic block: ``relu(att(norm(conv(relu(norm(conv(x)))))) + x)``.

    The two 3x3 convolutions are zero-padded and have no bias (as in the reference ``se_nets.SEBasicBlock``).

    Args:
        channels: Channels C.
        attention: Attention config for ``zoo.registry.ATTENTION`` (e.g. ``dict(type="se")``); ``channels`` and
            ``hidden`` are filled in unless the config sets them.
        hidden: Default hidden width of the attention MLP.
        norm: ``"batch"``, ``"instance"`` or None, after each convolution.
        reference_compat: Passed to the normalisation.
    """

    def __init__(
        self, channels: int, attention: dict, hidden: int, norm: str | None, reference_compat: bool = False
    ) -> None:
        super().__init__()
        self.conv1 = durn_conv(channels, channels, 3, padding="zero", bias=False)
        self.norm1 = build_norm(norm, channels, reference_compat)
        self.conv2 = durn_conv(channels, channels, 3, padding="zero", bias=False)
        self.norm2 = build_norm(norm, channels, reference_compat)
        self.attention = ATTENTION.build(dict(attention), default_args=dict(channels=channels, hidden=hidden))
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the block to ``x`` (B, C, H, W)."""
        out = self.relu(self.norm1(self.conv1(x)))
        out = self.attention(self.norm2(self.conv2(out)))
        return self.relu(out + x)
