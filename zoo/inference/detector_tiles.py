"""Rain, JPEG and blur judged with tiles of large images, at the size the factor detector was trained on.

The detector learned from images of 128 to 448 pixels a side (``zoo.training.detector_data``). On a photo of a few
megapixels its global view shrinks rain streaks away and its four crops cover little of the image, so it finds rain and
JPEG artifacts less surely than on a small image with the same damage: on the test photo ``kleiber`` with the paper's
rain at 2010x1131 pixels it gave rain 0.92 (a step at 1-4 % strength, +0.1 to +0.3 dB) where the rain step at full
strength gains +10.6 dB (two seeds, a scratch script of session 12); at 1005x566 it gave 0.99. Rain streaks and JPEG
blocks have a fixed size in pixels, so for an image whose longer side is above :data:`TILE_FROM`, those two factors are
scored on up to :data:`MAX_TILES` tiles of :data:`TILE_SIDE` pixels spread evenly over it (on the 8-pixel JPEG grid),
and the tiles' logits are averaged. Blur is found only where both agree: its score is the lower of the whole image's and
the tiles' mean. Each alone errs on large photos: the whole image's score runs blur steps on sharp photos with a shallow
depth of field, and a tile of a large photo is a close-up, and close-ups of smooth scenes look blurred (on ``kleiber``
the tiles' mean blur score rose above its threshold on JPEG and rain images). By ``python -m
zoo.benchmarks.large_photos``, whole image against this rule, with the detector it was chosen with (commit 2e5623e):
mean blur-step gain on the paper's blur -0.71 -> -0.45 dB on ``kleiber`` and -0.16 -> -0.03 on 19 training photos at
about 2000 pixels, on their broad blur +0.22 -> +0.15 (fewer steps), and steps on their clean versions 16 % -> 0 %. With
session 13's detector (results/cpu/large_photos_*.md) the rule still keeps the clean versions free of steps (21 % -> 0
%), but on ``kleiber`` both scores find blur in all 8 blurred versions and the step loses there (-0.72 and -0.59 dB).
Haze keeps the whole image's score.
"""

from __future__ import annotations

import math

import torch

__all__ = [
    "AGREED_FACTORS",
    "MAX_TILES",
    "TILED_FACTORS",
    "TILE_FROM",
    "TILE_SIDE",
    "tile_positions",
    "with_tiled_factors",
]

TILE_FROM = 1024  # longer side (pixels) above which the tiled factors are scored on tiles
TILE_SIDE = 384  # within the 128-448 pixels of the detector's training images
MAX_TILES = 24
TILED_FACTORS = ("rain", "jpeg")  # scored on the tiles
AGREED_FACTORS = ("blur",)  # the lower of the whole image's score and the tiles'


def tile_positions(height: int, width: int, side: int = TILE_SIDE, limit: int = MAX_TILES) -> list[tuple[int, int]]:
    """Top-left corners of ``side`` x ``side`` tiles covering an image, on the 8-pixel grid, at most ``limit``.

    Tiles overlap where the image is not a multiple of ``side``; when more than ``limit`` are needed, ``limit`` of
    them are taken evenly spread in reading order.
    """
    if min(height, width) < side:
        raise ValueError(f"an image of {height}x{width} pixels is smaller than one tile ({side})")

    def starts(length: int) -> list[int]:
        count = math.ceil(length / side)
        last = (length - side) // 8 * 8
        return sorted({round(i * last / max(1, count - 1)) // 8 * 8 for i in range(count)})

    positions = [(top, left) for top in starts(height) for left in starts(width)]
    if len(positions) > limit:
        picks = torch.linspace(0, len(positions) - 1, limit).round().long().tolist()
        positions = [positions[i] for i in picks]
    return positions


def with_tiled_factors(
    x: torch.Tensor, detector: torch.nn.Module, probabilities: torch.Tensor, severities: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The whole-image scores of a large image, with its tiles' scores for the tiled and the agreed factors.

    :data:`TILED_FACTORS` get the tiles' mean; :data:`AGREED_FACTORS` get the lower of it and the whole image's.

    Args:
        x: (B, 3, H, W) in [0, 1], on the detector's device.
        detector: The factor detector (``zoo.models.detector.FactorDetector``).
        probabilities: Its (B, 4) scores of the whole images.
        severities: Its (B, 4) severities of the whole images.

    Returns:
        ``(probabilities, severities)``; unchanged when the longer side is at most :data:`TILE_FROM` or the shorter
        one below :data:`TILE_SIDE`.
    """
    from zoo.models.detector import DETECTOR_FACTORS

    height, width = x.shape[-2:]
    if max(height, width) <= TILE_FROM or min(height, width) < TILE_SIDE:
        return probabilities, severities
    tiled = [DETECTOR_FACTORS.index(f) for f in TILED_FACTORS]
    agreed = [DETECTOR_FACTORS.index(f) for f in AGREED_FACTORS]
    positions = tile_positions(height, width)
    probabilities, severities = probabilities.clone(), severities.clone()
    for index in range(x.shape[0]):
        tiles = torch.stack([x[index, :, t : t + TILE_SIDE, s : s + TILE_SIDE] for t, s in positions])
        with torch.no_grad():
            tile_probabilities, tile_severities = detector(tiles)
        for scores, tile_scores in ((probabilities, tile_probabilities), (severities, tile_severities)):
            mean = torch.sigmoid(torch.logit(tile_scores.clamp(1e-6, 1 - 1e-6)).mean(dim=0)).to(scores.dtype)
            scores[index, tiled] = mean[tiled]
            scores[index, agreed] = torch.minimum(scores[index, agreed], mean[agreed])
    return probabilities, severities
