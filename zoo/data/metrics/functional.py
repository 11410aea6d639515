"""PSNR and SSIM with every convention explicit: colour space, border crop, quantisation and SSIM window.

Inputs are images in [0, 1]: numpy arrays HxWx3 (or HxW), or torch tensors (B, C, H, W) / (C, H, W). Both metrics
follow the same pipeline, so a protocol is fully described by the keyword arguments:

1. clip to [0, 1] and scale to [0, 255];
2. ``quantize``: ``"round"`` (to uint8, like saving a PNG; BasicSR's ``tensor2img``), ``"truncate"``
   (``astype(np.uint8)``, as the paper's test scripts do) or ``"none"``;
3. ``color_space``: ``"rgb"``; ``"y_matlab"``: MATLAB ``rgb2ycbcr`` luma ``16 + 65.481 R + 128.553 G + 24.966 B``
   (R, G, B in [0, 1]) computed in floating point, as BasicSR does; ``"y_opencv"``: full-range luma
   ``0.299 R + 0.587 G + 0.114 B`` as ``cv2.cvtColor(COLOR_RGB2YCrCb)`` computes it, rounded to an integer when the
   image was quantised (OpenCV on uint8 images, the paper's convention). The two luma definitions differ by
   about 1.3 dB of PSNR (20 log10(255 / 219));
4. ``crop_border`` pixels removed from every side;
5. the metric with data range 255.

SSIM ``window``: ``"gaussian"`` (Wang et al.'s ``ssim_index.m``, BasicSR, ``pytorch_msssim``: 11x11 Gaussian,
sigma 1.5, population statistics) or ``"uniform"`` (scikit-image's default: 7x7 box, sample covariance). Both use
the valid region only (no padding) and K1 = 0.01, K2 = 0.03; channels are averaged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["COLOR_SPACES", "QUANTIZE_MODES", "SSIM_WINDOWS", "gaussian_window", "prepare", "psnr", "ssim", "ssim_map"]

COLOR_SPACES: tuple[str, ...] = ("rgb", "y_matlab", "y_opencv")
QUANTIZE_MODES: tuple[str, ...] = ("round", "truncate", "none")
SSIM_WINDOWS: tuple[str, ...] = ("gaussian", "uniform")


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(choices)}")


def _as_batch(image: Any) -> tuple[torch.Tensor, str]:
    """(B, C, H, W) float64 tensor and a tag saying how to return results ("numpy", "tensor3", "tensor4")."""
    if isinstance(image, np.ndarray):
        if image.ndim == 2:
            image = image[..., None]
        if image.ndim != 3:
            raise ValueError(f"numpy image has shape {image.shape}; expected (H, W, C) or (H, W)")
        return torch.from_numpy(np.ascontiguousarray(image, dtype=np.float64)).permute(2, 0, 1)[None], "numpy"
    if isinstance(image, torch.Tensor):
        if image.ndim == 3:
            return image[None], "tensor3"
        if image.ndim == 4:
            return image, "tensor4"
        raise ValueError(f"tensor image has shape {tuple(image.shape)}; expected (B, C, H, W) or (C, H, W)")
    raise TypeError(f"expected a numpy array or a torch tensor; got {type(image).__name__}")


def _output(values: torch.Tensor, tag: str, dtype: torch.dtype) -> float | torch.Tensor:
    if tag == "numpy":
        return float(values[0])
    values = values.to(dtype) if dtype.is_floating_point else values
    return values[0] if tag == "tensor3" else values


def prepare(
    image: torch.Tensor, color_space: str = "rgb", crop_border: int = 0, quantize: str = "round"
) -> torch.Tensor:
    """Apply steps 1-4 of the module pipeline to a (B, C, H, W) batch in [0, 1]; returns values in [0, 255]."""
    _check_choice("color_space", color_space, COLOR_SPACES)
    _check_choice("quantize", quantize, QUANTIZE_MODES)
    if crop_border < 0:
        raise ValueError(f"crop_border must be >= 0; got {crop_border}")
    x = image.clamp(0.0, 1.0) * 255.0
    if quantize == "round":
        x = torch.round(x)
    elif quantize == "truncate":
        x = torch.floor(x)
    if color_space != "rgb":
        if x.shape[1] != 3:
            raise ValueError(f"color_space {color_space!r} needs RGB images; got {x.shape[1]} channels")
        r, g, b = x[:, 0:1], x[:, 1:2], x[:, 2:3]
        if color_space == "y_matlab":
            x = 16.0 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0
        else:
            x = 0.299 * r + 0.587 * g + 0.114 * b
            if quantize != "none":
                x = torch.round(x)
    if crop_border:
        if 2 * crop_border >= min(x.shape[-2:]):
            raise ValueError(f"crop_border {crop_border} leaves nothing of a {tuple(x.shape[-2:])} image")
        x = x[..., crop_border:-crop_border, crop_border:-crop_border]
    return x


def _dtype(image: Any) -> torch.dtype:
    return image.dtype if isinstance(image, torch.Tensor) else torch.float64


def _pair(a: Any, b: Any) -> tuple[torch.Tensor, torch.Tensor, str]:
    x, tag = _as_batch(a)
    y, _ = _as_batch(b)
    if x.shape != y.shape:
        raise ValueError(f"images have different shapes {tuple(x.shape)} and {tuple(y.shape)}")
    # Metrics are computed in float64: SSIM's variances at data range 255 lose digits in float32.
    return x.to(torch.float64), y.to(device=x.device, dtype=torch.float64), tag


def psnr(
    a: Any, b: Any, color_space: str = "rgb", crop_border: int = 0, quantize: str = "round"
) -> float | torch.Tensor:
    """Peak signal-to-noise ratio in dB (data range 255 after the pipeline of the module docstring).

    Args:
        a: Restored image(s) in [0, 1]: numpy HxWx3 / HxW, or tensor (B, C, H, W) / (C, H, W).
        b: Reference image(s), same type and shape.
        color_space: ``"rgb"``, ``"y_matlab"`` or ``"y_opencv"``.
        crop_border: Pixels removed from every side before comparing.
        quantize: ``"round"``, ``"truncate"`` or ``"none"``.

    Returns:
        A float for numpy input; a tensor of shape (B,) (or a scalar for (C, H, W)) for tensor input. Identical
        images give ``inf``.
    """
    x, y, tag = _pair(a, b)
    x = prepare(x, color_space, crop_border, quantize)
    y = prepare(y, color_space, crop_border, quantize)
    mse = ((x - y) ** 2).mean(dim=(1, 2, 3))
    return _output(10.0 * torch.log10(255.0**2 / mse), tag, _dtype(a))


def gaussian_window(size: int = 11, sigma: float = 1.5) -> torch.Tensor:
    """Normalised 1-D Gaussian window of ``size`` taps (float64)."""
    coords = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    taps = torch.exp(-(coords**2) / (2 * sigma**2))
    return taps / taps.sum()


def _filter(x: torch.Tensor, taps: torch.Tensor, padding: int) -> torch.Tensor:
    """Separable depthwise filtering of (B, C, H, W) with 1-D ``taps``; zero padding of ``padding`` pixels."""
    channels = x.shape[1]
    taps = taps.to(device=x.device, dtype=x.dtype)
    horizontal = taps.view(1, 1, 1, -1).expand(channels, 1, 1, -1)
    vertical = taps.view(1, 1, -1, 1).expand(channels, 1, -1, 1)
    x = F.conv2d(x, horizontal, padding=(0, padding), groups=channels)
    return F.conv2d(x, vertical, padding=(padding, 0), groups=channels)


def ssim_map(
    x: torch.Tensor,
    y: torch.Tensor,
    data_range: float = 1.0,
    window: str = "gaussian",
    padding: str = "valid",
) -> torch.Tensor:
    """SSIM map of two (B, C, H, W) batches (differentiable; used by the metric and the ``ssim_l1`` loss).

    Args:
        x: First batch.
        y: Second batch.
        data_range: Dynamic range of the values (1 for [0, 1] images, 255 after ``prepare``).
        window: ``"gaussian"`` (11x11, sigma 1.5, population statistics) or ``"uniform"`` (7x7, sample covariance).
        padding: ``"valid"`` (no padding, the standard) or ``"zero"`` (zero padding, same-size map, as the
            ``pytorch_ssim`` used to train DuRN and MBN).

    Returns:
        (B, C, H', W') SSIM map.
    """
    _check_choice("SSIM window", window, SSIM_WINDOWS)
    _check_choice("SSIM padding", padding, ("valid", "zero"))
    if window == "gaussian":
        taps, covariance_scale = gaussian_window(11, 1.5), 1.0
    else:
        taps = torch.full((7,), 1.0 / 7, dtype=torch.float64)
        covariance_scale = 49.0 / 48.0  # sample (N - 1) instead of population normalisation, N = 7 x 7
    size = taps.numel()
    if min(x.shape[-2:]) < size:
        raise ValueError(f"SSIM with a {size}x{size} window needs images of at least {size}x{size} pixels")
    pad = size // 2 if padding == "zero" else 0
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mu_x, mu_y = _filter(x, taps, pad), _filter(y, taps, pad)
    var_x = covariance_scale * (_filter(x * x, taps, pad) - mu_x**2)
    var_y = covariance_scale * (_filter(y * y, taps, pad) - mu_y**2)
    cov = covariance_scale * (_filter(x * y, taps, pad) - mu_x * mu_y)
    return ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))


def ssim(
    a: Any,
    b: Any,
    color_space: str = "rgb",
    crop_border: int = 0,
    quantize: str = "round",
    window: str = "gaussian",
) -> float | torch.Tensor:
    """Structural similarity (mean of the valid SSIM map over pixels and channels).

    Args:
        a: Restored image(s) in [0, 1]: numpy HxWx3 / HxW, or tensor (B, C, H, W) / (C, H, W).
        b: Reference image(s), same type and shape.
        color_space: ``"rgb"``, ``"y_matlab"`` or ``"y_opencv"``.
        crop_border: Pixels removed from every side before comparing.
        quantize: ``"round"``, ``"truncate"`` or ``"none"``.
        window: ``"gaussian"`` (standard) or ``"uniform"`` (scikit-image default, the paper's code).

    Returns:
        A float for numpy input; a tensor of shape (B,) (or a scalar for (C, H, W)) for tensor input.
    """
    x, y, tag = _pair(a, b)
    x = prepare(x, color_space, crop_border, quantize)
    y = prepare(y, color_space, crop_border, quantize)
    values = ssim_map(x, y, data_range=255.0, window=window).mean(dim=(1, 2, 3))
    return _output(values, tag, _dtype(a))
