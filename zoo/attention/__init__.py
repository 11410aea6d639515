"""Channel attention variants (registered in ``zoo.registry.ATTENTION``)."""

from .channel import ChannelAttention, NoAttention, SEAttention, TVAttention, TVGapAttention, total_variation

__all__ = ["ChannelAttention", "NoAttention", "SEAttention", "TVAttention", "TVGapAttention", "total_variation"]
