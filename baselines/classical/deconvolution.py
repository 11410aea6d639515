"""Non-blind deconvolution: Wiener (Wiener 1949) and Richardson-Lucy (Richardson 1972; Lucy 1974), FFT-based.

Kernels follow the zoo's synthesis convention: a *correlation* kernel applied by ``cv2.filter2D`` with
``BORDER_REPLICATE``. The point-spread function is that kernel flipped in both axes. Images are padded with their
edge values (half the kernel size, at least) before the FFT, so the circular convolution of the FFT matches the
replicated border of the synthesis, and cropped back afterwards.
"""

from collections.abc import Callable

import numpy as np

__all__ = [
    "fast_fft_size",
    "pad_for_kernel",
    "richardson_lucy_deconvolve",
    "transfer_function",
    "wiener_deconvolve",
]

# 5-point discrete Laplacian: the default Wiener regulariser (as in scikit-image's ``restoration.wiener``).
LAPLACIAN = np.array([[0.0, -1.0, 0.0], [-1.0, 4.0, -1.0], [0.0, -1.0, 0.0]])


def _check_kernel(kernel: np.ndarray) -> np.ndarray:
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 2 or kernel.shape[0] % 2 == 0 or kernel.shape[1] % 2 == 0:
        raise ValueError(f"blur kernel must be a 2-D array with odd height and width, got shape {kernel.shape}")
    if not np.isfinite(kernel).all() or kernel.sum() <= 0:
        raise ValueError("blur kernel must be finite with a positive sum")
    return kernel


def transfer_function(impulse_response: np.ndarray, shape: tuple[int, int], real: bool = True) -> np.ndarray:
    """FFT of an odd-sized convolution kernel, centred on pixel (0, 0) of an image of ``shape``.

    Args:
        impulse_response: (kh, kw) convolution kernel (not a correlation kernel) with odd sides.
        shape: (H, W) of the image it will be multiplied with in the Fourier domain.
        real: Return the half spectrum of ``rfft2`` (H, W // 2 + 1) instead of the full (H, W) one.

    Returns:
        Complex array (H, W // 2 + 1), or (H, W) when ``real`` is False.
    """
    kh, kw = impulse_response.shape
    if kh > shape[0] or kw > shape[1]:
        raise ValueError(f"kernel {impulse_response.shape} is larger than the padded image {shape}")
    padded = np.zeros(shape, dtype=np.float64)
    padded[:kh, :kw] = impulse_response
    padded = np.roll(padded, (-(kh // 2), -(kw // 2)), axis=(0, 1))
    return np.fft.rfft2(padded) if real else np.fft.fft2(padded)


def fast_fft_size(n: int) -> int:
    """Smallest integer >= ``n`` whose only prime factors are 2, 3 and 5 (fast for pocketfft)."""
    size = n
    while True:
        rest = size
        for prime in (2, 3, 5):
            while rest % prime == 0:
                rest //= prime
        if rest == 1:
            return size
        size += 1


def pad_for_kernel(image: np.ndarray, kernel: np.ndarray) -> tuple[np.ndarray, int]:
    """Edge-pad an (H, W, C) image by the kernel's larger side on every border, then up to a fast FFT size.

    The extra rows and columns for the FFT size go to the bottom and right, so ``padded[pad:pad + H, pad:pad + W]``
    is the image.

    Returns:
        The padded image and the pad width on the top and left.
    """
    pad = max(kernel.shape)
    height, width = image.shape[:2]
    extra_h = fast_fft_size(height + 2 * pad) - height - pad
    extra_w = fast_fft_size(width + 2 * pad) - width - pad
    return np.pad(image, ((pad, extra_h), (pad, extra_w), (0, 0)), mode="edge"), pad


def _as_hwc(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image, dtype=np.float64)
    if image.ndim == 2:
        return image[..., None]
    if image.ndim != 3:
        raise ValueError(f"expected an (H, W) or (H, W, C) image, got shape {image.shape}")
    return image


def _deconvolve(image: np.ndarray, kernel: np.ndarray, solve: Callable[..., np.ndarray]) -> np.ndarray:
    """Pad the image for the kernel, run ``solve(padded, otf, shape)`` on it, crop back and clip to [0, 1].

    ``otf`` is the kernel's transfer function (the correlation kernel flipped into a PSF, normalised) at the padded
    ``shape``; ``image`` is (H, W) or (H, W, C).
    """
    kernel = _check_kernel(kernel)
    squeeze = np.asarray(image).ndim == 2
    height, width = np.asarray(image).shape[:2]
    padded, pad = pad_for_kernel(_as_hwc(image), kernel)
    shape = padded.shape[:2]
    restored = solve(padded, transfer_function(kernel[::-1, ::-1] / kernel.sum(), shape), shape)
    restored = np.clip(restored[pad : pad + height, pad : pad + width], 0.0, 1.0)
    return restored[..., 0] if squeeze else restored


def wiener_deconvolve(image: np.ndarray, kernel: np.ndarray, balance: float = 0.003) -> np.ndarray:
    """Wiener-Hunt deconvolution with a Laplacian regulariser.

    ``X = conj(H) Y / (|H|^2 + balance |L|^2)`` per channel, with H the transfer function of the PSF and L that of
    the discrete Laplacian.

    Args:
        image: (H, W) or (H, W, C) blurred image in [0, 1].
        kernel: Correlation blur kernel with odd sides (``cv2.filter2D`` convention).
        balance: Regularisation weight (noise-to-signal trade-off); smaller = sharper and noisier.

    Returns:
        Deblurred float64 image of the input's shape, clipped to [0, 1].
    """
    if balance <= 0:
        raise ValueError(f"balance must be positive, got {balance}")

    def solve(padded: np.ndarray, otf: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        reg = transfer_function(LAPLACIAN, shape)
        wiener = np.conj(otf) / (np.abs(otf) ** 2 + balance * np.abs(reg) ** 2)
        return np.fft.irfft2(wiener[..., None] * np.fft.rfft2(padded, axes=(0, 1)), s=shape, axes=(0, 1))

    return _deconvolve(image, kernel, solve)


def richardson_lucy_deconvolve(
    image: np.ndarray, kernel: np.ndarray, iterations: int = 30, eps: float = 1e-12
) -> np.ndarray:
    """Richardson-Lucy deconvolution, started from a flat 0.5 estimate (as scikit-image does).

    Update: ``x <- x * (PSF^T * (y / (PSF * x)))`` with ``*`` convolution, per channel.

    Args:
        image: (H, W) or (H, W, C) blurred image in [0, 1].
        kernel: Correlation blur kernel with odd sides (``cv2.filter2D`` convention).
        iterations: Number of multiplicative updates.
        eps: Floor of the re-blurred estimate in the ratio, against division by zero.

    Returns:
        Deblurred float64 image of the input's shape, clipped to [0, 1].
    """
    if iterations < 1:
        raise ValueError(f"iterations must be >= 1, got {iterations}")

    def solve(observed: np.ndarray, otf: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        otf = otf[..., None]

        def blur(x: np.ndarray, transfer: np.ndarray) -> np.ndarray:
            return np.fft.irfft2(np.fft.rfft2(x, axes=(0, 1)) * transfer, s=shape, axes=(0, 1))

        estimate = np.full_like(observed, 0.5)
        for _ in range(iterations):
            ratio = observed / np.maximum(blur(estimate, otf), eps)
            estimate = np.maximum(estimate * blur(ratio, np.conj(otf)), 0.0)
        return estimate

    return _deconvolve(image, kernel, solve)
