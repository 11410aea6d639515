"""Coarse-to-fine branches I2/I3 and g2/g3 of the improved MBN (Liu et al. 2019, App. A.2.2, A.2.3).

Scale-recurrent with selective parameter sharing (Gao et al. 2019): the model runs the stem once per scale,
coarse (1/4) to fine (1). Each stage of a branch has one conv per scale (``scale_conv*``, index 0 = coarsest)
and convs shared by all scales (``shared_conv*``). Images are float tensors in [0, 1].

The released network has two quirks in the tail, reproduced with ``reference_compat=True``: the coarse scale's
output conv serves all three scales (the mid and fine ones are dead weights), and the fine scale skips the last
shared conv. The default (corrected) mode gives each scale its own output conv and runs every shared conv at every
scale; both modes have the same parameters and state_dict keys (478,089 parameters per tail at full width).
"""

from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import nn

from zoo.layers import same_conv
from zoo.registry import register_branch

from .common import activation, check_branch_init, check_residual_init, kaiming_init_, zero_init_

__all__ = ["CoarseToFineHead", "CoarseToFineTail"]


def _pair_of_convs(channels: int) -> nn.ModuleList:
    return nn.ModuleList([same_conv(channels, channels), same_conv(channels, channels)])


@register_branch("c2f_head")
class CoarseToFineHead(nn.Module):
    """I2 / I3 head, called once per scale.

    Per scale: conv3x3 (scale-specific; the coarsest sees the image, the others ``concat(image, up-sampled coarser
    output)``) -> two shared conv3x3 -> pixel-unshuffle -> conv3x3 (scale-specific) -> two shared conv3x3 = res
    (1/2) -> pixel-unshuffle -> conv3x3 (scale-specific) = x (1/4). Every conv is followed by the activation.

    Args:
        channels: Channels of ``x`` (96).
        res_channels: Channels of ``res`` (64).
        hidden: Width of the first stage (32).
        in_channels: Image channels (3).
        scales: Number of scales (3).
        act: ``"relu"`` (paper) or ``"leaky_relu"``.
        init: ``"default"`` (PyTorch's, as in the paper's code) or ``"kaiming"`` (He initialisation, biases zero).
        skip: Also return the first stage's features (``hidden`` channels at the scale's full resolution) for a
            tail built with ``skip=True``. Not in the paper: a full-resolution path around the 1/4-resolution stem.
    """

    mode: ClassVar[str] = "multiscale"
    downsample: ClassVar[int] = 4

    def __init__(
        self,
        channels: int = 96,
        res_channels: int = 64,
        hidden: int = 32,
        in_channels: int = 3,
        scales: int = 3,
        act: str = "relu",
        init: str = "default",
        skip: bool = False,
    ) -> None:
        super().__init__()
        self.scales = scales
        self.skip = skip
        self.act = activation(act)
        firsts = [in_channels] + [2 * in_channels] * (scales - 1)
        self.scale_conv1 = nn.ModuleList([same_conv(c, hidden) for c in firsts])
        self.shared_conv1 = _pair_of_convs(hidden)
        self.scale_conv2 = nn.ModuleList([same_conv(4 * hidden, res_channels) for _ in range(scales)])
        self.shared_conv2 = _pair_of_convs(res_channels)
        self.scale_conv3 = nn.ModuleList([same_conv(4 * res_channels, channels) for _ in range(scales)])
        if check_branch_init(init):
            kaiming_init_((m for m in self.modules() if isinstance(m, nn.Conv2d)), act)

    def forward(self, image: torch.Tensor, scale: int, coarser: torch.Tensor | None = None) -> tuple[torch.Tensor, ...]:
        """Encode one scale.

        Args:
            image: The degraded image at this scale (B, 3, H, W).
            scale: Scale index, 0 = coarsest.
            coarser: The coarser scale's output up-sampled to (B, 3, H, W); None at scale 0.

        Returns:
            ``(x, res)``: (B, channels, H/4, W/4) and (B, res_channels, H/2, W/2); with ``skip``, also the first
            stage's features (B, hidden, H, W).
        """
        if (coarser is None) != (scale == 0):
            raise ValueError("the coarsest scale takes no coarser output; every other scale needs one")
        y = image if coarser is None else torch.cat([image, coarser], dim=1)
        act = self.act
        y = act(self.scale_conv1[scale](y))
        for conv in self.shared_conv1:
            y = act(conv(y))
        first = y
        y = act(self.scale_conv2[scale](F.pixel_unshuffle(y, 2)))
        for conv in self.shared_conv2:
            y = act(conv(y))
        x = act(self.scale_conv3[scale](F.pixel_unshuffle(y, 2)))
        return (x, y, first) if self.skip else (x, y)


@register_branch("c2f_tail")
class CoarseToFineTail(nn.Module):
    """g2 / g3 tail, called once per scale.

    Per scale: [conv1x1 + PS] and conv3x3 to ``res_channels`` (scale-specific) -> two shared conv3x3 ->
    [conv1x1 + PS] and conv3x3 to ``hidden`` (scale-specific) -> two shared conv3x3 -> output conv3x3 -> tanh ->
    ``+ image``. The activation follows every conv except the 1x1 ones and the output conv.

    Args:
        channels: Channels of the stem output (96).
        res_channels: Width of the first stage (64).
        hidden: Width of the second stage (32).
        out_channels: Image channels (3).
        scales: Number of scales (3).
        act: ``"relu"`` (paper) or ``"leaky_relu"``.
        reference_compat: Reproduce the released network (coarse output conv at every scale, no second shared
            conv of the last stage at the finest scale).
        residual_init: ``"default"`` or ``"zero"`` (zero-initialise the output convs).
        init: ``"default"`` (PyTorch's) or ``"kaiming"`` (He initialisation of every conv but the output convs:
            the 1x1 expansions with gain 1, the others with the activation's gain; biases zero).
        skip: Add the input branch's first-stage features (a head built with ``skip=True``) to the last stage's
            input, at full resolution. No extra parameters; not in the paper (the released tail has no skip).
    """

    mode: ClassVar[str] = "multiscale"

    def __init__(
        self,
        channels: int = 96,
        res_channels: int = 64,
        hidden: int = 32,
        out_channels: int = 3,
        scales: int = 3,
        act: str = "relu",
        reference_compat: bool = False,
        residual_init: str = "default",
        init: str = "default",
        skip: bool = False,
    ) -> None:
        super().__init__()
        if reference_compat and (act != "relu" or skip):
            raise ValueError("reference_compat reproduces the released network, which uses act='relu' and no skip")
        self.scales = scales
        self.skip = skip
        self.reference_compat = reference_compat
        self.act = activation(act)
        self.expand1 = nn.ModuleList([nn.Conv2d(channels, 4 * channels, 1) for _ in range(scales)])
        self.scale_conv1 = nn.ModuleList([same_conv(channels, res_channels) for _ in range(scales)])
        self.shared_conv1 = _pair_of_convs(res_channels)
        self.expand2 = nn.ModuleList([nn.Conv2d(res_channels, 4 * res_channels, 1) for _ in range(scales)])
        self.scale_conv2 = nn.ModuleList([same_conv(res_channels, hidden) for _ in range(scales)])
        self.shared_conv2 = _pair_of_convs(hidden)
        # In reference_compat mode only out_conv[0] is used; the others stay so that the keys are the same.
        self.out_conv = nn.ModuleList([same_conv(hidden, out_channels) for _ in range(scales)])
        if check_branch_init(init):
            kaiming_init_([*self.expand1, *self.expand2], None)
            kaiming_init_([*self.scale_conv1, *self.shared_conv1, *self.scale_conv2, *self.shared_conv2], act)
        if check_residual_init(residual_init):
            for conv in self.out_conv:
                zero_init_(conv)

    def forward(
        self, x: torch.Tensor, image: torch.Tensor, scale: int, skip: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Decode one scale: stem features (B, channels, H/4, W/4) -> ``image + tanh(...)`` (B, 3, H, W).

        ``skip``: the head's first-stage features (B, hidden, H, W), given exactly when built with ``skip=True``.
        """
        if (skip is not None) != self.skip:
            raise ValueError(f"this tail was built with skip={self.skip}; got {'a' if skip is not None else 'no'} skip")
        act = self.act
        y = act(self.scale_conv1[scale](F.pixel_shuffle(self.expand1[scale](x), 2)))
        for conv in self.shared_conv1:
            y = act(conv(y))
        y = act(self.scale_conv2[scale](F.pixel_shuffle(self.expand2[scale](y), 2)))
        if skip is not None:
            y = y + skip
        finest = scale == self.scales - 1
        last_stage = self.shared_conv2[:1] if self.reference_compat and finest else self.shared_conv2
        for conv in last_stage:
            y = act(conv(y))
        out_conv = self.out_conv[0] if self.reference_compat else self.out_conv[scale]
        return image + torch.tanh(out_conv(y))
