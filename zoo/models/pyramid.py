"""Image pyramids for the coarse-to-fine branches: bicubic x0.5 / x2 resizing with ``F.interpolate``.

As in the reference R-MBN chain: bicubic, ``align_corners=False``, no antialiasing. Sizes must be even.
"""

import torch
import torch.nn.functional as F

__all__ = ["build_pyramid", "downscale2", "upscale2"]


def downscale2(image: torch.Tensor) -> torch.Tensor:
    """Bicubic x0.5 of (B, C, H, W) with even H, W."""
    height, width = image.shape[-2:]
    return F.interpolate(image, size=(height // 2, width // 2), mode="bicubic", align_corners=False)


def upscale2(image: torch.Tensor) -> torch.Tensor:
    """Bicubic x2 of (B, C, H, W)."""
    height, width = image.shape[-2:]
    return F.interpolate(image, size=(2 * height, 2 * width), mode="bicubic", align_corners=False)


def build_pyramid(image: torch.Tensor, levels: int) -> list[torch.Tensor]:
    """``levels`` images, coarsest first, each half the size of the next; the last is ``image`` itself."""
    pyramid = [image]
    for _ in range(levels - 1):
        pyramid.append(downscale2(pyramid[-1]))
    return pyramid[::-1]
