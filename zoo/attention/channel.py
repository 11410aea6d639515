"""Channel attention for the dual residual blocks: SE (GAP), TV, TV+GAP (Liu et al. 2019, Sec. 3.1, Eq. 1).

Every variant has the call signature ``cls(channels, hidden, **knobs)`` and maps a feature map (B, C, H, W) to the
same map re-weighted per channel, so any block can host any of them through a config such as
``dict(type="tv_gap", beta=3)``.
"""

from typing import Any

import torch
from torch import nn
from torch.autograd.function import once_differentiable

from zoo.registry import register_attention
from zoo.registry.arguments import check_count, check_positive

__all__ = [
    "ChannelAttention",
    "NoAttention",
    "SEAttention",
    "TVAttention",
    "TVGapAttention",
    "total_variation",
    "total_variation_reference",
]


def total_variation_reference(x: torch.Tensor, beta: float = 3.0) -> torch.Tensor:
    """Eq. (1) written out with autograd (the straightforward form; :func:`total_variation` equals it).

    Args:
        x: Feature map (B, C, H, W) with H, W >= 2.
        beta: Exponent of the absolute differences.

    Returns:
        Tensor (B, C).
    """
    vertical = (x[:, :, 1:, :] - x[:, :, :-1, :]).abs().pow(beta).mean(dim=(2, 3))
    horizontal = (x[:, :, :, 1:] - x[:, :, :, :-1]).abs().pow(beta).mean(dim=(2, 3))
    return vertical + horizontal


def _tv_terms_inplace(x: torch.Tensor, beta: float) -> torch.Tensor:
    """Eq. (1) with one temporary per direction, updated in place (no autograd; same kernels, same values)."""
    vertical = torch.sub(x[:, :, 1:, :], x[:, :, :-1, :]).abs_().pow_(beta).mean(dim=(2, 3))
    horizontal = torch.sub(x[:, :, :, 1:], x[:, :, :, :-1]).abs_().pow_(beta).mean(dim=(2, 3))
    return vertical.add_(horizontal)


class _TotalVariation(torch.autograd.Function):
    """Eq. (1) saving only its input for backward (autograd would keep two full-size maps per direction)."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, beta: float) -> torch.Tensor:
        ctx.save_for_backward(x)
        ctx.beta = beta
        return _tv_terms_inplace(x, beta)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        (x,) = ctx.saved_tensors
        beta = ctx.beta
        grad_x = torch.zeros_like(x)
        for dim in (2, 3):
            size = x.shape[dim]
            count = x.numel() // (x.shape[0] * x.shape[1] * size) * (size - 1)
            diff = torch.sub(x.narrow(dim, 1, size - 1), x.narrow(dim, 0, size - 1))
            # d|d|^beta / dd = beta |d|^(beta - 1) sign(d)
            local = diff.abs().pow_(beta - 1).mul_(diff.sign_()).mul_((grad * (beta / count))[:, :, None, None])
            grad_x.narrow(dim, 1, size - 1).add_(local)
            grad_x.narrow(dim, 0, size - 1).sub_(local)
        return grad_x, None


def total_variation(x: torch.Tensor, beta: float = 3.0) -> torch.Tensor:
    """Anisotropic total variation per channel, as in Eq. (1) of the paper.

    ``mean |x[i+1, j] - x[i, j]|^beta + mean |x[i, j+1] - x[i, j]|^beta`` (two separate means, summed; no root).
    Without autograd the differences are reduced in place (the same values as :func:`total_variation_reference`,
    bit for bit); with autograd a custom backward keeps only ``x`` instead of four full-size temporaries.

    Args:
        x: Feature map (B, C, H, W) with H, W >= 2.
        beta: Exponent of the absolute differences.

    Returns:
        Tensor (B, C).
    """
    if torch.is_grad_enabled() and x.requires_grad:
        return _TotalVariation.apply(x, beta)
    return _tv_terms_inplace(x, beta)


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
        check_count("channels", channels, type(self).__name__)
        check_count("hidden", hidden, type(self).__name__)
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

    def channel_weights(self, x: torch.Tensor) -> torch.Tensor:
        """The per-channel weights ``sigmoid(fc(relu(fc(stats(x)))))`` of ``x`` (B, C, H, W), shape (B, C).

        Blocks that add a shortcut right after the attention use this to fuse the re-weighting and the addition
        (``torch.addcmul``) instead of materialising ``x * weights`` first.
        """
        if x.shape[1] != self.channels:
            raise ValueError(f"attention built for {self.channels} channels got a map with {x.shape[1]}")
        return self.fc(self.statistics(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Re-weight the channels of ``x`` (B, C, H, W)."""
        return x * self.channel_weights(x)[:, :, None, None]


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
        fused: Compute the total variation with :func:`total_variation` (in-place reductions, a memory-saving
            backward); False uses the straightforward :func:`total_variation_reference`. Same values either way.
    """

    def __init__(self, channels: int, hidden: int, beta: float = 3.0, fused: bool = True) -> None:
        super().__init__(channels, hidden)
        check_positive("beta", beta, type(self).__name__)
        self.beta = beta
        self.fused = fused

    def _total_variation(self, x: torch.Tensor) -> torch.Tensor:
        return total_variation(x, self.beta) if self.fused else total_variation_reference(x, self.beta)

    def statistics(self, x: torch.Tensor) -> torch.Tensor:
        """Total variation per channel."""
        return self._total_variation(x)


@register_attention("tv_gap")
class TVGapAttention(TVAttention):
    """SE pipeline on the global average and the total variation, concatenated (GAP first), as in DuRB-M."""

    stats_per_channel = 2

    def statistics(self, x: torch.Tensor) -> torch.Tensor:
        """Global average then total variation, (B, 2C)."""
        return torch.cat([x.mean(dim=(2, 3)), self._total_variation(x)], dim=1)
