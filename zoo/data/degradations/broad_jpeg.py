"""JPEG of the ``broad`` preset: quality 10-95, 4:2:0 or 4:4:4 chroma, and sometimes a second compression.

Both paths use Pillow (the torch path moves the images to the CPU and back), so they agree exactly. The image is
rounded to uint8 before each encoding, as any saved file is. A double compression (a photo saved again, e.g. by an
editor or a messaging app) uses a second quality drawn independently, with the same chroma subsampling.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np

from zoo.registry import register_degradation

from .base import Degradation

if TYPE_CHECKING:
    import torch

__all__ = ["SUBSAMPLING", "BroadJPEG", "jpeg_encode_decode"]

# Pillow's ``subsampling=`` values by chroma subsampling name.
SUBSAMPLING: dict[str, int] = {"4:4:4": 0, "4:2:0": 2}


def jpeg_encode_decode(image: np.ndarray, quality: int, subsampling: str = "4:2:0") -> np.ndarray:
    """Pillow JPEG round trip of an HxWx3 float32 image in [0, 1]; returns float32 in [0, 1].

    Args:
        image: The image.
        quality: JPEG quality, 1-100.
        subsampling: Chroma subsampling, ``"4:2:0"`` (Pillow's default) or ``"4:4:4"``.
    """
    from PIL import Image

    if not 1 <= quality <= 100:
        raise ValueError(f"JPEG quality must be in 1..100; got {quality}")
    if subsampling not in SUBSAMPLING:
        raise ValueError(f"unknown chroma subsampling {subsampling!r}; expected one of {', '.join(SUBSAMPLING)}")
    pixels = np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(
        buffer, format="JPEG", quality=int(quality), subsampling=SUBSAMPLING[subsampling]
    )
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("RGB"), dtype=np.float32) / 255.0


@register_degradation("broad_jpeg")
class BroadJPEG(Degradation):
    """JPEG compression with a uniform integer quality, random chroma subsampling and optional double compression.

    Args:
        quality_range: (low, high) qualities, inclusive, of every compression.
        subsampling_444_share: Probability of 4:4:4 chroma (otherwise 4:2:0, the common camera setting).
        double_share: Probability of a second compression.
    """

    name = "jpeg"

    def __init__(
        self, quality_range: tuple[int, int] = (10, 95), subsampling_444_share: float = 0.4, double_share: float = 0.3
    ) -> None:
        low, high = int(quality_range[0]), int(quality_range[1])
        if not 1 <= low <= high <= 100:
            raise ValueError(f"quality_range {quality_range} must satisfy 1 <= low <= high <= 100")
        for label, value in (("subsampling_444_share", subsampling_444_share), ("double_share", double_share)):
            if not 0 <= value <= 1:
                raise ValueError(f"{label} must be a probability in [0, 1]; got {value}")
        self.quality_range = (low, high)
        self.subsampling_444_share = float(subsampling_444_share)
        self.double_share = float(double_share)

    def sample_params(self, rng: np.random.Generator) -> dict[str, Any]:
        """Draw ``quality``, ``subsampling`` and ``quality2`` (the second compression's quality, or None)."""
        low, high = self.quality_range
        quality = int(rng.integers(low, high + 1))
        subsampling = "4:4:4" if rng.random() < self.subsampling_444_share else "4:2:0"
        quality2 = int(rng.integers(low, high + 1)) if rng.random() < self.double_share else None
        return {"quality": quality, "subsampling": subsampling, "quality2": quality2}

    def apply(
        self, image: np.ndarray, quality: int, subsampling: str = "4:2:0", quality2: int | None = None
    ) -> np.ndarray:
        """Compress an HxWx3 float32 image in [0, 1] once, or twice when ``quality2`` is set."""
        out = jpeg_encode_decode(image, quality, subsampling)
        return out if quality2 is None else jpeg_encode_decode(out, quality2, subsampling)

    def apply_batch(self, x: torch.Tensor, params: list[dict[str, Any]]) -> torch.Tensor:
        """Compress a (B, 3, H, W) tensor through Pillow on the CPU, one parameter dict per sample."""
        import torch

        images = x.detach().permute(0, 2, 3, 1).float().cpu().numpy()
        out = np.stack([self.apply(img, **p) for img, p in zip(images, params, strict=True)])
        return torch.from_numpy(out).permute(0, 3, 1, 2).to(device=x.device, dtype=x.dtype)
