"""Blind motion-kernel selection: search the synthesis kernel set for the sharpest Wiener deconvolution.

The candidates are the zoo's own motion-blur kernels (6 ImageNet-C settings x angles in [-45, 45] degrees), so this
is a "blind within the known family" estimate, not general blind deconvolution. The score is the normalised
sparsity ``||grad x||_1 / ||grad x||_2`` of the grey deconvolved image (Krishnan, Tay & Fergus, CVPR 2011): sharp
natural images have sparse gradients, blurred ones (kernel too small) and ringing ones (kernel too large) do not.
"""

from dataclasses import dataclass

import numpy as np

from zoo.data.kernels import MOTION_BLUR_SETTINGS, motion_blur_kernel

from .deconvolution import LAPLACIAN, pad_for_kernel, transfer_function

__all__ = ["KernelCandidate", "candidate_kernels", "estimate_motion_kernel", "gradient_sparsity"]


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


def estimate_motion_kernel(
    image: np.ndarray, candidates: list[KernelCandidate] | None = None, balance: float = 0.003
) -> tuple[KernelCandidate, np.ndarray]:
    """Pick the candidate whose Wiener deconvolution of the grey image has the sparsest gradients.

    Args:
        image: (H, W) or (H, W, C) blurred image in [0, 1].
        candidates: Kernels to try; defaults to ``candidate_kernels()`` (6 settings x 19 angles).
        balance: Wiener regularisation used while searching.

    Returns:
        The chosen candidate and the score of every candidate, in ``candidates`` order.
    """
    candidates = candidate_kernels() if candidates is None else candidates
    if not candidates:
        raise ValueError("no candidate kernels to search")
    grey = np.asarray(image, dtype=np.float64)
    grey = grey.mean(axis=2) if grey.ndim == 3 else grey
    height, width = grey.shape
    largest = max((c.kernel() for c in candidates), key=lambda k: max(k.shape))
    padded, pad = pad_for_kernel(grey[..., None], largest)
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
    return candidates[int(np.argmin(scores))], scores
