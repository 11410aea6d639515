"""Tiled inference with overlap blending, so images of any size restore in bounded memory.

The image is padded (reflection) to a multiple of the model's ``size_multiple`` and cut into square tiles whose size,
stride and origins are multiples of it, so a model with strided down-sampling sees the same sampling grid in every
tile as on the whole image. Neighbouring tiles overlap by ``overlap`` pixels. Inside an overlap each tile's weight is
zero over the quarter nearest its own border (where zero padding inside the model corrupts its output), rises along a
raised-cosine ramp over the middle half and is one beyond; image borders get weight one. The blended output is the
weight-normalised sum.

Consequence: for a model whose receptive-field radius is at most ``overlap // 4`` pixels, tiled output equals untiled
output (up to float rounding) everywhere. Models that pool statistics over the *whole* input are not tile-invariant:
MBN's SE and TV+GAP attention average over all pixels, and the haze branch estimates one global atmospheric light,
so each tile sees different statistics and seams can appear in flat regions. Such models say so in
``ModelInfo.tiling`` (``"discouraged"`` or ``"unsupported"``); :func:`zoo.inference.restore` warns or refuses
accordingly.
"""

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

__all__ = ["blend_weights", "pad_to_multiple", "tile_starts", "tiled_forward"]

TileFn = Callable[[torch.Tensor], dict[str, torch.Tensor]]


def pad_to_multiple(x: torch.Tensor, multiple: int) -> tuple[torch.Tensor, tuple[int, int]]:
    """Pad (B, C, H, W) at the bottom and right to multiples of ``multiple``.

    Reflection padding is used; a side shorter than the padding it needs is padded by replication instead (reflection
    is undefined there).

    Returns:
        The padded tensor and the original ``(H, W)``.
    """
    height, width = x.shape[-2:]
    pad_h, pad_w = (-height) % multiple, (-width) % multiple
    if pad_h == 0 and pad_w == 0:
        return x, (height, width)
    mode = "reflect" if pad_h < height and pad_w < width else "replicate"
    return F.pad(x, (0, pad_w, 0, pad_h), mode=mode), (height, width)


def tile_starts(length: int, tile: int, stride: int) -> list[int]:
    """Origins of tiles of size ``tile`` covering ``[0, length)`` with the given stride; the last tile ends at the edge.

    A length not longer than the tile gives one tile at 0 (of the whole length).
    """
    if length <= tile:
        return [0]
    starts = list(range(0, length - tile, stride))
    starts.append(length - tile)
    return starts


def _ramp(length: int) -> torch.Tensor:
    """Raised-cosine values strictly between 0 and 1, increasing, sampled at pixel centres."""
    positions = (torch.arange(length, dtype=torch.float64) + 0.5) / length
    return (0.5 - 0.5 * torch.cos(math.pi * positions)).float()


def blend_weights(size: int, overlap: int, lead: bool, trail: bool) -> torch.Tensor:
    """One axis of a tile's blending weight.

    Args:
        size: Tile length along the axis.
        overlap: Overlap with each neighbour.
        lead: The tile has a neighbour before it (its first pixels are shared).
        trail: The tile has a neighbour after it.

    Returns:
        float32 (size,): 0 over the ``overlap // 4`` pixels nearest a shared border, a cosine ramp over the next
        ``overlap - 2 * (overlap // 4)`` pixels, 1 elsewhere.
    """
    weight = torch.ones(size)
    guard = overlap // 4
    ramp = _ramp(overlap - 2 * guard)
    if lead:
        weight[:guard] = 0.0
        weight[guard : guard + ramp.numel()] = ramp
    if trail:
        weight[size - guard :] = 0.0
        weight[size - guard - ramp.numel() : size - guard] = torch.minimum(
            weight[size - guard - ramp.numel() : size - guard], ramp.flip(0)
        )
    return weight


def tiled_forward(
    fn: TileFn,
    x: torch.Tensor,
    tile: int | None,
    overlap: int = 32,
    multiple: int = 1,
) -> dict[str, torch.Tensor]:
    """Run ``fn`` over ``x`` tile by tile and blend the outputs.

    Args:
        fn: Maps a (B, 3, h, w) tile (h, w multiples of ``multiple``) to a dict of (B, 3, h, w) outputs, e.g.
            ``{"restored": ..., "jpeg": ...}``. It may run on another device; outputs are moved back to ``x.device``.
        x: (B, 3, H, W) float image, any H and W.
        tile: Tile size in pixels (rounded down to a multiple of ``multiple``), or None for one pass over the image.
        overlap: Overlap between neighbouring tiles in pixels (rounded up to a multiple of ``multiple``).
        multiple: The model's size multiple.

    Returns:
        The blended outputs, float32, cropped back to (B, 3, H, W).
    """
    if multiple < 1:
        raise ValueError(f"size multiple must be >= 1, got {multiple}")
    padded, (height, width) = pad_to_multiple(x, multiple)
    full_h, full_w = padded.shape[-2:]
    if tile is None or (full_h <= tile and full_w <= tile):
        return {key: value.to(x.device, torch.float32)[..., :height, :width] for key, value in fn(padded).items()}
    if overlap < 0:
        raise ValueError(f"overlap must be >= 0, got {overlap}")
    tile = (tile // multiple) * multiple
    overlap = math.ceil(overlap / multiple) * multiple
    if tile <= overlap:
        raise ValueError(
            f"tile {tile} (after rounding to the size multiple {multiple}) must be larger than the overlap {overlap}"
        )
    stride = tile - overlap
    rows, cols = tile_starts(full_h, tile, stride), tile_starts(full_w, tile, stride)
    outputs: dict[str, torch.Tensor] = {}
    weight_sum = torch.zeros(full_h, full_w, device=x.device)
    for top in rows:
        tile_h = min(tile, full_h)
        weight_y = blend_weights(tile_h, overlap, lead=top > 0, trail=top + tile_h < full_h)
        for left in cols:
            tile_w = min(tile, full_w)
            weight_x = blend_weights(tile_w, overlap, lead=left > 0, trail=left + tile_w < full_w)
            weight = (weight_y[:, None] * weight_x[None, :]).to(x.device)
            piece = padded[..., top : top + tile_h, left : left + tile_w].contiguous()
            for key, value in fn(piece).items():
                if key not in outputs:
                    outputs[key] = torch.zeros(*value.shape[:-2], full_h, full_w, device=x.device)
                region = outputs[key][..., top : top + tile_h, left : left + tile_w]
                region += value.to(x.device, torch.float32) * weight
            weight_sum[top : top + tile_h, left : left + tile_w] += weight
    if bool((weight_sum <= 0).any()):  # cannot happen for tile > overlap; a bug if it does
        raise RuntimeError("tiling left pixels without weight; please report this with the image size and tile")
    return {key: (value / weight_sum)[..., :height, :width] for key, value in outputs.items()}
