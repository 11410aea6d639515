"""Tensor <-> numpy plumbing shared by the classical methods that compute per image on the CPU."""

from collections.abc import Callable

import numpy as np
import torch

__all__ = ["apply_per_image", "check_images"]


def check_images(x: torch.Tensor, channels: tuple[int, ...] = (1, 3)) -> None:
    """Raise a clear error unless ``x`` is a floating (B, C, H, W) batch with an accepted channel count.

    Args:
        x: Candidate image batch.
        channels: Accepted values of C.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor image batch, got {type(x).__name__}")
    if x.ndim != 4:
        raise ValueError(f"expected images of shape (B, C, H, W), got shape {tuple(x.shape)}")
    if not x.is_floating_point():
        raise TypeError(f"expected float images in [0, 1], got dtype {x.dtype}; divide uint8 images by 255 first")
    if x.shape[1] not in channels:
        raise ValueError(f"images have {x.shape[1]} channels; expected {' or '.join(map(str, channels))}")


def apply_per_image(
    x: torch.Tensor,
    fn: Callable[[np.ndarray, int], np.ndarray],
    dtype: type[np.floating] = np.float32,
) -> torch.Tensor:
    """Run a numpy function on every image of a batch and return a batch on ``x``'s device and dtype.

    Args:
        x: Float images (B, C, H, W) in [0, 1].
        fn: ``fn(image, index) -> restored``; ``image`` is an (H, W, C) array of ``dtype`` and ``index`` its
            position in the batch. The result must have the same shape.
        dtype: numpy dtype the images are handed over in.

    Returns:
        The restored batch, clamped to [0, 1], same shape, device and dtype as ``x``.
    """
    images = x.detach().to(device="cpu", dtype=torch.float64).permute(0, 2, 3, 1).numpy().astype(dtype)
    restored = []
    for index, image in enumerate(images):
        out = fn(np.ascontiguousarray(image), index)
        if out.shape != image.shape:
            raise RuntimeError(f"per-image function returned shape {out.shape}; expected {image.shape}")
        restored.append(out)
    batch = torch.from_numpy(np.stack(restored).astype(np.float64)).permute(0, 3, 1, 2)
    return batch.clamp(0.0, 1.0).to(device=x.device, dtype=x.dtype).contiguous()
