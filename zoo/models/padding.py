"""Padding images to the size a network needs, and cropping back."""

import math

import torch
import torch.nn.functional as F

__all__ = ["crop", "pad_to_multiple", "padded_size"]


def padded_size(size: int, multiple: int, min_size: int = 1) -> int:
    """Smallest multiple of ``multiple`` that is >= both ``size`` and ``min_size``."""
    return multiple * math.ceil(max(size, min_size) / multiple)


def pad_to_multiple(image: torch.Tensor, multiple: int, min_size: int = 1) -> torch.Tensor:
    """Reflect-pad the bottom and right of (B, C, H, W) to multiples of ``multiple``, at least ``min_size``.

    A pad larger than the image minus one is applied in several reflections (the image is mirrored again at the
    new border), so tiny images work too.

    Args:
        image: (B, C, H, W) tensor.
        multiple: Required multiple of H and W.
        min_size: Required minimum of H and W.

    Returns:
        The padded tensor; the original occupies ``[..., :H, :W]``.
    """
    height, width = image.shape[-2:]
    target_h = padded_size(height, multiple, min_size)
    target_w = padded_size(width, multiple, min_size)
    while image.shape[-2] < target_h or image.shape[-1] < target_w:
        h, w = image.shape[-2:]
        if (h == 1 and target_h > 1) or (w == 1 and target_w > 1):
            # a single row or column cannot be reflected: repeat it instead
            return F.pad(image, (0, target_w - w, 0, target_h - h), mode="replicate")
        image = F.pad(image, (0, min(target_w - w, w - 1), 0, min(target_h - h, h - 1)), mode="reflect")
    return image


def crop(image: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Top-left (B, C, height, width) crop (undoes :func:`pad_to_multiple`)."""
    return image[..., :height, :width]
