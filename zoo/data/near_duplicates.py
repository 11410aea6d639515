"""Find the same photo in two image lists, even as another crop or at another scale (multi-scale template matching).

Every image is reduced to a grey thumbnail 128 pixels on its long side (the reference) and to a pyramid of smaller
thumbnails (long side 128 x s for 16 scales s from 0.3 to 1). Image A is a crop of image B, at any scale, when one
of A's thumbnails lies inside B's reference with a normalised cross-correlation (OpenCV ``TM_CCOEFF_NORMED``) of at
least :data:`MIN_CORRELATION`; both directions are tried. Measured on the bundled and wheel photos: a crop of 60 % of
a photo rescaled by 0.5 to 1.4 matches it at 0.94 or more; the validation and test photos match the 65 images of
the training corpus (wheel and Debian photos, dead leaves) at 0.80 or less.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["MIN_CORRELATION", "Thumbnails", "correlation", "find_near_duplicates", "thumbnails"]

MIN_CORRELATION = 0.9
_SIDE = 128
_SCALES = tuple(float(s) for s in np.geomspace(0.3, 1.0, 16))
_MIN_TEMPLATE = 40  # smaller thumbnails (smooth gradients) match unrelated photos by chance


class Thumbnails(NamedTuple):
    """The reference thumbnail of an image and its smaller versions (grey float32)."""

    reference: np.ndarray
    pyramid: tuple[np.ndarray, ...]


def _grey(image: np.ndarray, long_side: float) -> np.ndarray:
    import cv2

    grey = cv2.cvtColor(np.clip(image, 0, 1).astype(np.float32), cv2.COLOR_RGB2GRAY)
    scale = long_side / max(grey.shape)
    return cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def thumbnails(image: np.ndarray) -> Thumbnails:
    """Reference and pyramid thumbnails of an HxWx3 float image in [0, 1]."""
    pyramid = tuple(t for s in _SCALES if min((t := _grey(image, _SIDE * s)).shape) >= _MIN_TEMPLATE)
    return Thumbnails(_grey(image, _SIDE), pyramid)


def _inside(template_pyramid: tuple[np.ndarray, ...], reference: np.ndarray) -> float:
    import cv2

    best = -1.0
    for template in template_pyramid:
        if template.shape[0] <= reference.shape[0] and template.shape[1] <= reference.shape[1]:
            best = max(best, float(cv2.matchTemplate(reference, template, cv2.TM_CCOEFF_NORMED).max()))
    return best


def correlation(a: Thumbnails, b: Thumbnails) -> float:
    """Highest correlation of either image, at any of its scales, placed anywhere inside the other."""
    return max(_inside(a.pyramid, b.reference), _inside(b.pyramid, a.reference))


def find_near_duplicates(
    first: dict[str, np.ndarray], second: dict[str, np.ndarray], threshold: float = MIN_CORRELATION
) -> list[tuple[str, str, float]]:
    """Pairs ``(name in first, name in second, correlation)`` that show the same photo.

    Args:
        first: Images by name, HxWx3 float in [0, 1].
        second: Images by name.
        threshold: Correlation from which a pair counts as the same photo.
    """
    thumbs_b = {name: thumbnails(image) for name, image in second.items()}
    found = []
    for name_a, image in first.items():
        thumbs_a = thumbnails(image)
        for name_b, thumbs in thumbs_b.items():
            if (value := correlation(thumbs_a, thumbs)) >= threshold:
                found.append((name_a, name_b, round(value, 4)))
    return found
