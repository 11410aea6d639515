"""Blind motion-kernel selection: search the synthesis kernel set for the kernel that best explains the image.

The candidates are the zoo's own motion-blur kernels (6 ImageNet-C settings x angles in [-45, 45] degrees), exactly
the family and angle range the test synthesis draws from, so this is a "blind within the known family" estimate, not
general blind deconvolution: the models that use it are labelled as knowing the kernel family (``ModelInfo.knows``).
Two scores (lower = better):

- ``"spectrum"`` (default): natural images have nearly isotropic power spectra, a motion blur makes them
  directional. The log power spectrum of the (Hann-windowed, grey) image minus the candidate's log ``|OTF|^2``
  should then depend on the radial frequency only; the score is its variance within rings of equal frequency
  (spectral blur identification in the spirit of Cannon, IEEE TASSP 1976).
- ``"sparsity"``: the normalised sparsity ``||grad x||_1 / ||grad x||_2`` of the candidate's Wiener deconvolution
  (Krishnan, Tay & Fergus, CVPR 2011): on 7 test photos it picked the right kernel far less often than
  ``"spectrum"``.
"""

from dataclasses import dataclass

import numpy as np

from zoo.data.kernels import MOTION_BLUR_SETTINGS, motion_blur_kernel

from .deconvolution import LAPLACIAN, pad_for_kernel, transfer_function

__all__ = [
    "CRITERIA",
    "KernelCandidate",
    "candidate_kernels",
    "estimate_motion_kernel",
    "gradient_sparsity",
    "spectral_anisotropy_scores",
]

CRITERIA = ("spectrum", "sparsity")


@dataclass(frozen=True)
class KernelCandidate:
    """One kernel of the search set: ``motion_blur_kernel(radius, sigma, angle)``."""

    radius: int
    sigma: float
    angle: float

    def kernel(self) -> np.ndarray:
        """The dense correlation kernel."""
        return motion_blur_kernel(self.radius, self.sigma, self.angle)


def candidate_kernels(angle_step: float = 5.0, max_angle: float = 45.0) -> list[KernelCandidate]:
    """Every (radius, sigma) of ``MOTION_BLUR_SETTINGS`` at angles ``-max_angle, ..., max_angle``.

    Args:
        angle_step: Spacing of the angle grid in degrees.
        max_angle: Largest absolute angle in degrees.
    """
    if angle_step <= 0:
        raise ValueError(f"angle_step must be positive, got {angle_step}")
    angles = np.arange(-max_angle, max_angle + 1e-9, angle_step)
    return [KernelCandidate(r, s, float(a)) for r, s in MOTION_BLUR_SETTINGS for a in angles]


def gradient_sparsity(image: np.ndarray) -> float:
    """Normalised sparsity ``||grad||_1 / ||grad||_2`` of a grey image (lower = sharper)."""
    gradients = np.concatenate([np.diff(image, axis=0).ravel(), np.diff(image, axis=1).ravel()])
    norm = np.sqrt(np.sum(gradients**2))
    if norm == 0:
        return float("inf")
    return float(np.sum(np.abs(gradients)) / norm)


def _centred_otf_power(kernel: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """``|OTF|^2`` of a correlation kernel on a full (H, W) FFT grid (the phase is irrelevant for the power)."""
    return np.abs(transfer_function(kernel[::-1, ::-1] / kernel.sum(), shape, real=False)) ** 2


def spectral_anisotropy_scores(
    image: np.ndarray, candidates: list[KernelCandidate], rings: int = 24, floor: float = 1e-3
) -> np.ndarray:
    """Ring-wise variance of ``log P_image - log(|OTF|^2 + floor)`` for every candidate (lower = better fit).

    Args:
        image: (H, W) grey blurred image.
        candidates: Kernels to score.
        rings: Number of radial frequency bins over [0, 0.5] cycles per pixel.
        floor: Added to ``|OTF|^2`` so that its zeros do not dominate the log.

    Returns:
        (len(candidates),) scores.
    """
    height, width = image.shape
    largest = max(max(c.kernel().shape) for c in candidates)
    shape = (max(height, largest), max(width, largest))
    windowed = (image - image.mean()) * np.outer(np.hanning(height), np.hanning(width))
    log_power = np.log(np.abs(np.fft.fft2(windowed, s=shape)) ** 2 + 1e-8)
    radius = np.hypot(np.fft.fftfreq(shape[0])[:, None], np.fft.fftfreq(shape[1])[None, :])
    ring = np.minimum((radius / 0.5 * rings).astype(int), rings)
    band = (radius > 0.02) & (radius < 0.4)  # skip the DC neighbourhood and the noisy corners
    ring, log_power = ring[band], log_power[band]
    counts = np.maximum(np.bincount(ring, minlength=rings + 1), 1)
    scores = np.empty(len(candidates))
    for index, candidate in enumerate(candidates):
        residual = log_power - np.log(_centred_otf_power(candidate.kernel(), shape)[band] + floor)
        ring_mean = np.bincount(ring, residual, minlength=rings + 1) / counts
        scores[index] = np.mean((residual - ring_mean[ring]) ** 2)
    return scores


def _sparsity_scores(image: np.ndarray, candidates: list[KernelCandidate], balance: float) -> np.ndarray:
    height, width = image.shape
    largest = max((c.kernel() for c in candidates), key=lambda k: max(k.shape))
    padded, pad = pad_for_kernel(image[..., None], largest)
    padded = padded[..., 0]
    shape = padded.shape
    spectrum = np.fft.rfft2(padded)
    reg = balance * np.abs(transfer_function(LAPLACIAN, shape)) ** 2
    scores = np.empty(len(candidates))
    for index, candidate in enumerate(candidates):
        kernel = candidate.kernel().astype(np.float64)
        otf = transfer_function(kernel[::-1, ::-1] / kernel.sum(), shape)
        restored = np.fft.irfft2(np.conj(otf) / (np.abs(otf) ** 2 + reg) * spectrum, s=shape)
        scores[index] = gradient_sparsity(np.clip(restored[pad : pad + height, pad : pad + width], 0.0, 1.0))
    return scores


def estimate_motion_kernel(
    image: np.ndarray,
    candidates: list[KernelCandidate] | None = None,
    criterion: str = "spectrum",
    balance: float = 0.003,
) -> tuple[KernelCandidate, np.ndarray]:
    """Pick the candidate kernel that best explains a blurred image.

    Args:
        image: (H, W) or (H, W, C) blurred image in [0, 1]; colour images are averaged to grey.
        candidates: Kernels to try; defaults to ``candidate_kernels()`` (6 settings x 19 angles).
        criterion: ``"spectrum"`` or ``"sparsity"`` (see the module docstring).
        balance: Wiener regularisation of the ``"sparsity"`` criterion.

    Returns:
        The chosen candidate and the score of every candidate, in ``candidates`` order.
    """
    candidates = candidate_kernels() if candidates is None else candidates
    if not candidates:
        raise ValueError("no candidate kernels to search")
    if criterion not in CRITERIA:
        raise ValueError(f"unknown kernel-search criterion {criterion!r}; expected one of {CRITERIA}")
    grey = np.asarray(image, dtype=np.float64)
    grey = grey.mean(axis=2) if grey.ndim == 3 else grey
    if criterion == "spectrum":
        scores = spectral_anisotropy_scores(grey, candidates)
    else:
        scores = _sparsity_scores(grey, candidates, balance)
    return candidates[int(np.argmin(scores))], scores
