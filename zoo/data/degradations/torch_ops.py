"""Tensor helpers of the batched torch synthesis path: per-sample correlation by FFT, uint8 quantisation."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["correlate_per_sample", "stack_kernels"]


def stack_kernels(kernels: list[np.ndarray], device: torch.device | str) -> torch.Tensor:
    """Zero-pad square odd-sized kernels to a common size (centres aligned) and stack them as a (B, k, k) tensor."""
    size = max(k.shape[0] for k in kernels)
    out = np.zeros((len(kernels), size, size), np.float32)
    for i, kernel in enumerate(kernels):
        if kernel.shape[0] != kernel.shape[1] or kernel.shape[0] % 2 == 0:
            raise ValueError(f"kernel has shape {kernel.shape}; expected a square kernel of odd size")
        offset = (size - kernel.shape[0]) // 2
        out[i, offset : offset + kernel.shape[0], offset : offset + kernel.shape[1]] = kernel
    return torch.from_numpy(out).to(device)


def correlate_per_sample(x: torch.Tensor, kernels: torch.Tensor, padding_mode: str = "replicate") -> torch.Tensor:
    """Correlate every image with its own kernel by FFT, like ``cv2.filter2D`` with the matching border.

    Args:
        x: (B, C, H, W) float tensor.
        kernels: (B, k, k) float tensor, k odd, same for every channel of a sample.
        padding_mode: ``"replicate"`` (``cv2.BORDER_REPLICATE``, used by every degradation here) or another mode of
            ``torch.nn.functional.pad``.

    Returns:
        (B, C, H, W) tensor: ``out[i, j] = sum_uv x[i + u - p, j + v - p] K[u, v]`` with ``p = k // 2``.
    """
    if kernels.ndim != 3 or kernels.shape[0] != x.shape[0] or kernels.shape[1] != kernels.shape[2]:
        raise ValueError(f"kernels have shape {tuple(kernels.shape)}; expected ({x.shape[0]}, k, k)")
    pad = kernels.shape[-1] // 2
    height, width = x.shape[-2:]
    padded = F.pad(x, (pad, pad, pad, pad), mode=padding_mode)
    size = padded.shape[-2:]
    # Place the kernel centre at the origin of a zero image of the padded size, so circular correlation equals
    # linear correlation on the valid (unpadded) region.
    full = kernels.new_zeros((kernels.shape[0], *size))
    full[:, : kernels.shape[1], : kernels.shape[2]] = kernels
    full = torch.roll(full, shifts=(-pad, -pad), dims=(-2, -1))
    spectrum = torch.fft.rfft2(padded.float()) * torch.conj(torch.fft.rfft2(full)).unsqueeze(1)
    out = torch.fft.irfft2(spectrum, s=size)
    return out[..., pad : pad + height, pad : pad + width].to(x.dtype)
