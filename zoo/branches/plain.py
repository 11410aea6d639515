"""Plain branches: the haze pair I4 / g4, also the minimal design's pair (Liu et al. 2019, Sec. 3.2, App. A).

The head is three 3x3 convs with strides 1, 2, 2 (``res`` after the second, ``x`` after the third). Table 8 of the
paper (0.07 M) fits widths 32/64/96 (74,784 parameters); the text of App. A.1 says 48/96/96 (125,952 parameters,
with a 96-channel ``res``). The tail is two [conv1x1 + PixelShuffle, conv3x3 + ReLU] stages and a conv3x3 + tanh
(128,579 parameters, the 0.13 M of Table 8).
"""

from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import nn

from zoo.layers import same_conv
from zoo.registry import register_branch

from .common import check_branch_init, check_residual_init, kaiming_init_, zero_init_

__all__ = ["PixelShuffleTail", "PlainHead"]


@register_branch("plain_head")
class PlainHead(nn.Module):
    """conv3x3 (stride 1) + ReLU -> conv3x3 (stride 2) + ReLU = res (1/2) -> conv3x3 (stride 2) + ReLU = x (1/4).

    Args:
        channels: Channels of ``x`` (96).
        res_channels: Channels of ``res`` (64; 96 in the paper text's minimal head).
        hidden: Channels of the first conv (32; 48 in the paper text's minimal head).
        in_channels: Image channels (3).
        init: ``"default"`` (PyTorch's) or ``"kaiming"`` (He initialisation, biases zero).
    """

    mode: ClassVar[str] = "single"
    downsample: ClassVar[int] = 4
    scales: ClassVar[int] = 1

    def __init__(
        self, channels: int = 96, res_channels: int = 64, hidden: int = 32, in_channels: int = 3, init: str = "default"
    ) -> None:
        super().__init__()
        self.convs = nn.ModuleList(
            [
                same_conv(in_channels, hidden),
                same_conv(hidden, res_channels, stride=2),
                same_conv(res_channels, channels, stride=2),
            ]
        )
        if check_branch_init(init):
            kaiming_init_(self.convs, "relu")

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Map an image (B, 3, H, W) to ``(x, res)``: (B, channels, H/4, W/4) and (B, res_channels, H/2, W/2)."""
        y = F.relu(self.convs[0](image), inplace=True)
        res = F.relu(self.convs[1](y), inplace=True)
        x = F.relu(self.convs[2](res), inplace=True)
        return x, res


@register_branch("ps_tail")
class PixelShuffleTail(nn.Module):
    """[conv1x1 + PS] -> conv3x3 + ReLU -> [conv1x1 + PS] -> conv3x3 + ReLU -> conv3x3 -> tanh -> ``+ image``.

    Args:
        channels: Channels of the stem output (96).
        mid_channels: Width of the first conv after up-sampling (64).
        hidden: Width of the second (32).
        out_channels: Image channels (3).
        residual_init: ``"default"`` or ``"zero"`` (zero-initialise the conv before the tanh).
        init: ``"default"`` or ``"kaiming"`` (He initialisation: the 1x1 expansions with gain 1, the ReLU convs
            with ReLU's gain; biases zero).
    """

    mode: ClassVar[str] = "single"

    def __init__(
        self,
        channels: int = 96,
        mid_channels: int = 64,
        hidden: int = 32,
        out_channels: int = 3,
        residual_init: str = "default",
        init: str = "default",
    ) -> None:
        super().__init__()
        self.expand1 = nn.Conv2d(channels, 4 * channels, 1)
        self.conv1 = same_conv(channels, mid_channels)
        self.expand2 = nn.Conv2d(mid_channels, 4 * mid_channels, 1)
        self.conv2 = same_conv(mid_channels, hidden)
        self.out_conv = same_conv(hidden, out_channels)
        if check_branch_init(init):
            kaiming_init_([self.expand1, self.expand2], None)
            kaiming_init_([self.conv1, self.conv2], "relu")
        if check_residual_init(residual_init):
            zero_init_(self.out_conv)

    def forward(self, x: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
        """Map stem features (B, channels, H/4, W/4) to ``image + tanh(...)`` (B, 3, H, W), not clamped."""
        y = F.relu(self.conv1(F.pixel_shuffle(self.expand1(x), 2)), inplace=True)
        y = F.relu(self.conv2(F.pixel_shuffle(self.expand2(y), 2)), inplace=True)
        return image + torch.tanh(self.out_conv(y))
