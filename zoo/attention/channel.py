"""Channel attention for the dual residual blocks: SE (GAP), TV, TV+GAP (Liu et al. 2019, Sec. 3.1, Eq. 1).

Every variant has the call signature ``cls(channels, hidden, **knobs)`` and maps a feature map (B, C, H, W) to the
same map re-weighted per channel, so any block can host any of them through a config such as
``dict(type="tv_gap", beta=3)``.
"""

import torch
from torch import nn

from zoo.registry import register_attention

__all__ = ["ChannelAttention", "NoAttention", "SEAttention", "TVAttention", "TVGapAttention", "total_variation"]


def total_variation(x: torch.Tensor, beta: float = 3.0) -> torch.Tensor:
    """Anisotropic total variation per channel, as in Eq. (1) of the paper.

    ``mean |x[i+1, j] - x[i, j]|^beta + mean |x[i, j+1] - x[i, j]|^beta`` (two separate means, summed; no root).

    Args:
        x: Feature map (B, C, H, W) with H, W >= 2.
        beta: Exponent of the absolute differences.

    Returns:
        Tensor (B, C).
    """
    vertical = (x[:, :, 1:, :] - x[:, :, :-1, :]).abs().pow(beta).mean(dim=(2, 3))
    horizontal = (x[:, :, :, 1:] - x[:, :, :, :-1]).abs().pow(beta).mean(dim=(2, 3))
    return vertical + horizontal


class ChannelAttention(nn.Module):
    """Squeeze-excitation pipeline on per-channel statistics: ``x * sigmoid(fc(relu(fc(stats(x)))))``.

    Subclasses define :meth:`statistics` and how many values per channel it returns (``stats_per_channel``).

    Args:
        channels: Channels C of the feature map.
        hidden: Width of the hidden layer (the reference code calls it ``reduction``; it is a width, not a ratio).
    """

    stats_per_channel = 1

    def __init__(self, channels: int, hidden: int) -> None:
        super().__init__()
        self.channels = channels
        self.fc = nn.Sequential(
            nn.Linear(channels * self.stats_per_channel, hidden),
            nn.ReLU(inplace=True),
            nn.Linear(hidden, channels),
            nn.Sigmoid(),
        )

    def statistics(self, x: torch.Tensor) -> torch.Tensor:
        """Per-channel statistics, shape (B, C * stats_per_channel)."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Re-weight the channels of ``x`` (B, C, H, W)."""
        if x.shape[1] != self.channels:
            raise ValueError(f"attention built for {self.channels} channels got a map with {x.shape[1]}")
        weights = self.fc(self.statistics(x))
        return x * weights[:, :, None, None]


@register_attention("none")
class NoAttention(nn.Module):
    """Identity: the block without attention (ablation row "none")."""

    def __init__(self, channels: int, hidden: int = 0) -> None:
        super().__init__()
        self.channels = channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return ``x`` unchanged."""
        return x


@register_attention("se")
class SEAttention(ChannelAttention):
    """Squeeze-and-excitation on global average pooling (Hu et al. 2018)."""

    def statistics(self, x: torch.Tensor) -> torch.Tensor:
        """Global average per channel."""
        return x.mean(dim=(2, 3))


@register_attention("tv")
class TVAttention(ChannelAttention):
    """SE pipeline on the total variation only (the paper's "TV" ablation row).

    Args:
        channels: Channels C of the feature map.
        hidden: Hidden width.
        beta: Exponent of the total variation (3 in the paper).
    """

    def __init__(self, channels: int, hidden: int, beta: float = 3.0) -> None:
        super().__init__(channels, hidden)
        self.beta = beta

    def statistics(self, x: torch.Tensor) -> torch.Tensor:
        """Total variation per channel."""
        return total_variation(x, self.beta)


@register_attention("tv_gap")
class TVGapAttention(TVAttention):
    """SE pipeline on the global average and the total variation, concatenated (GAP first), as in DuRB-M."""

    stats_per_channel = 2

    def statistics(self, x: torch.Tensor) -> torch.Tensor:
        """Global average then total variation, (B, 2C)."""
        return torch.cat([x.mean(dim=(2, 3)), total_variation(x, self.beta)], dim=1)
