"""Stands in for a third-party package that adds its own attention variant to the zoo through the decorator."""

import torch
from torch import nn

from zoo.registry import register_attention


@register_attention("third_party_gated")
class GatedAttention(nn.Module):
    """Per-channel gate from a 1x1 convolution of the global maximum (an attention the zoo does not ship)."""

    def __init__(self, channels: int, hidden: int) -> None:
        super().__init__()
        self.gate = nn.Conv2d(channels, channels, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(self.gate(x.amax(dim=(2, 3), keepdim=True)))
