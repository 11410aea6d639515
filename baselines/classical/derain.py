"""Rank-filter deraining: synthetic rain streaks are bright and thin, so local minima and medians remove them.

``min(I, median_k(I))`` keeps every pixel that a median would brighten (texture is untouched where the median is
brighter) and darkens thin bright outliers. Grey-scale opening (erosion then dilation) removes bright structures
thinner than its window. Both run batched in torch on the input's device.
"""

import torch
import torch.nn.functional as F
from torch import nn

from ._image_io import check_images
from ._registration import register_classical

__all__ = ["MedianDerain", "OpenDerain", "median_filter", "opening"]

RAIN_NOTE = (
    "Exploits that synthetic streaks (screen-blended, thin, bright) are local bright outliers; real rain with "
    "wide or dark streaks is not removed, and fine bright texture is lost."
)


def _check_size(size: int) -> None:
    if size < 1 or size % 2 == 0:
        raise ValueError(f"window size must be a positive odd integer, got {size}")


def median_filter(x: torch.Tensor, size: int) -> torch.Tensor:
    """Per-channel median over a ``size`` x ``size`` window with replicated borders (as ``cv2.medianBlur``).

    Args:
        x: (B, C, H, W) float images.
        size: Odd window size.
    """
    _check_size(size)
    half = size // 2
    batch, channels, height, width = x.shape
    padded = F.pad(x, (half, half, half, half), mode="replicate")
    windows = F.unfold(padded.reshape(batch * channels, 1, *padded.shape[2:]), size)  # (B*C, size^2, H*W)
    return windows.median(dim=1).values.reshape(batch, channels, height, width)


def opening(x: torch.Tensor, size: int) -> torch.Tensor:
    """Grey-scale opening (min filter, then max filter) with a square ``size`` x ``size`` window.

    Out-of-image pixels are ignored by both filters (``max_pool2d`` pads with -inf).
    """
    _check_size(size)
    eroded = -F.max_pool2d(-x, size, stride=1, padding=size // 2)
    return F.max_pool2d(eroded, size, stride=1, padding=size // 2)


class _WindowFilter(nn.Module):
    """A deraining filter with one odd, square window; subclasses give :meth:`filter` and the default size."""

    def __init__(self, size: int) -> None:
        super().__init__()
        _check_size(size)
        self.size = size

    def filter(self, x: torch.Tensor) -> torch.Tensor:
        """The filtered batch (B, C, H, W)."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Derain (B, C, H, W) images in [0, 1]; same shape, device and dtype."""
        check_images(x)
        return self.filter(x).clamp(0.0, 1.0)

    def extra_repr(self) -> str:
        """Window size shown by ``print(model)``."""
        return f"size={self.size}"


@register_classical(
    "median_derain",
    "rain",
    "Tukey 1977 (median filter); min(I, median(I)) for bright synthetic streaks (this zoo)",
    "min(I, median5(I)): removes thin bright streaks (the best classical deraining measured here).",
    RAIN_NOTE,
)
class MedianDerain(_WindowFilter):
    """Minimum of the image and its median-filtered version.

    Args:
        size: Odd median window size (5: the best in this project's measurements).
    """

    def __init__(self, size: int = 5) -> None:
        super().__init__(size)

    def filter(self, x: torch.Tensor) -> torch.Tensor:
        """``min(x, median(x))``."""
        return torch.minimum(x, median_filter(x, self.size))


@register_classical(
    "open_derain",
    "rain",
    "Serra 1982 (mathematical morphology: grey-scale opening)",
    "Grey-scale opening 3x3: removes bright structures thinner than the window.",
    RAIN_NOTE,
)
class OpenDerain(_WindowFilter):
    """Grey-scale morphological opening per channel.

    Args:
        size: Odd structuring-element size (square).
    """

    def __init__(self, size: int = 3) -> None:
        super().__init__(size)

    def filter(self, x: torch.Tensor) -> torch.Tensor:
        """The opening of ``x``."""
        return opening(x, self.size)
