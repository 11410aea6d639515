"""Rain-streak branches I1 and g1 of the improved MBN (Liu et al. 2019, App. A.2.1; design of PReNet).

I1 is a ConvLSTM head that the model calls once per iteration of its rain loop: every iteration sees the current
estimate and the original rainy image, and the LSTM state is carried from one iteration to the next. g1 is the
symmetric PixelShuffle tail whose tanh residual is added to the original rainy image.
"""

from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import nn

from zoo.layers import same_conv
from zoo.registry import register_branch

from .common import check_branch_init, check_residual_init, kaiming_init_, zero_init_

__all__ = ["ConvLSTMCell", "RainHead", "RainTail"]

LSTMState = tuple[torch.Tensor, torch.Tensor]


class ConvLSTMCell(nn.Module):
    """Conv3x3 + ReLU on the input, then a ConvLSTM with 3x3 gate convs (reflection padding).

    The four gate convs (input, forget, cell, output) are one conv with ``4 * hidden`` outputs in that order; the
    gates see ``concat([conv(input), h])`` (input features first).

    Args:
        in_channels: Channels of the input.
        hidden: Channels of the input conv, of h and of c.
    """

    def __init__(self, in_channels: int, hidden: int) -> None:
        super().__init__()
        self.hidden = hidden
        self.input_conv = same_conv(in_channels, hidden)
        self.gates = same_conv(2 * hidden, 4 * hidden)

    def forward(self, x: torch.Tensor, state: LSTMState | None) -> LSTMState:
        """One step. ``state`` is ``(h, c)`` or None for zeros; returns the new ``(h, c)``."""
        z = F.relu(self.input_conv(x), inplace=True)
        if state is None:
            h = z.new_zeros(z.shape[0], self.hidden, z.shape[2], z.shape[3])
            c = torch.zeros_like(h)
        else:
            h, c = state
        i, f, g, o = self.gates(torch.cat([z, h], dim=1)).chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, c


@register_branch("rain_lstm_head")
class RainHead(nn.Module):
    """I1: ConvLSTM on ``concat(estimate, rainy)`` -> conv3x3 (res, full size) -> pixel-unshuffle -> conv3x3 (x, 1/2).

    Args:
        channels: Channels of the stem input ``x`` (96).
        res_channels: Channels of ``res`` (64).
        hidden: ConvLSTM width (32).
        in_channels: Image channels (3).
        init: ``"default"`` (PyTorch's, as in the paper's code) or ``"kaiming"`` (He initialisation, biases zero;
            the gate conv, followed by sigmoid / tanh, with gain 1).
    """

    mode: ClassVar[str] = "recurrent"
    downsample: ClassVar[int] = 2
    scales: ClassVar[int] = 1

    def __init__(
        self, channels: int = 96, res_channels: int = 64, hidden: int = 32, in_channels: int = 3, init: str = "default"
    ) -> None:
        super().__init__()
        self.lstm = ConvLSTMCell(2 * in_channels, hidden)
        self.res_conv = same_conv(hidden, res_channels)
        self.feat_conv = same_conv(4 * res_channels, channels)
        if check_branch_init(init):
            kaiming_init_([self.lstm.input_conv, self.res_conv, self.feat_conv], "relu")
            kaiming_init_([self.lstm.gates], None)

    def forward(
        self, estimate: torch.Tensor, original: torch.Tensor, state: LSTMState | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, LSTMState]:
        """One iteration.

        Args:
            estimate: Current estimate (B, 3, H, W); the rainy image itself in the first iteration.
            original: The rainy image (B, 3, H, W).
            state: LSTM ``(h, c)`` from the previous iteration, or None at the first.

        Returns:
            ``(x, res, state)``: x (B, channels, H/2, W/2), res (B, res_channels, H, W) and the new state.
        """
        state = self.lstm(torch.cat([estimate, original], dim=1), state)
        res = F.relu(self.res_conv(state[0]), inplace=True)
        x = F.relu(self.feat_conv(F.pixel_unshuffle(res, 2)), inplace=True)
        return x, res, state


@register_branch("rain_tail")
class RainTail(nn.Module):
    """g1: conv1x1 + PixelShuffle (x2) -> conv3x3 + ReLU -> conv3x3 to RGB -> tanh -> ``+ image``.

    Args:
        channels: Channels of the stem output (96).
        hidden: Width after the PixelShuffle (48).
        out_channels: Image channels (3).
        residual_init: ``"default"`` or ``"zero"`` (zero-initialise the conv before the tanh).
        init: ``"default"`` or ``"kaiming"`` (He initialisation of the expansion, gain 1, and of the ReLU conv).
    """

    mode: ClassVar[str] = "single"

    def __init__(
        self,
        channels: int = 96,
        hidden: int = 48,
        out_channels: int = 3,
        residual_init: str = "default",
        init: str = "default",
    ) -> None:
        super().__init__()
        self.expand = nn.Conv2d(channels, 4 * hidden, 1)
        self.conv = same_conv(hidden, hidden)
        self.out_conv = same_conv(hidden, out_channels)
        if check_branch_init(init):
            kaiming_init_([self.expand], None)
            kaiming_init_([self.conv], "relu")
        if check_residual_init(residual_init):
            zero_init_(self.out_conv)

    def forward(self, x: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
        """Map stem features (B, channels, H/2, W/2) to ``image + tanh(...)`` (B, 3, H, W), not clamped."""
        y = F.relu(self.conv(F.pixel_shuffle(self.expand(x), 2)), inplace=True)
        return image + torch.tanh(self.out_conv(y))
