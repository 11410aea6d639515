"""Wiener and Richardson-Lucy motion deblurring as zoo models: oracle (true kernel given) and blind variants.

Oracle models take the true correlation kernel of the synthesis, ``forward(x, kernel=K)``, and are flagged
``oracle=True``: their scores are upper bounds, not comparable with methods that see only the image. Blind models
see only the image but pick the kernel from the synthesis's own kernel family and angle range with
``kernel_search.estimate_motion_kernel`` (one kernel per image), so they know the kernel family
(``ModelInfo.knows``) and their scores on the synthetic sets are not those of a fully blind method.
"""

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from ._image_io import apply_per_image, check_images
from ._registration import register_classical
from .deconvolution import richardson_lucy_deconvolve, wiener_deconvolve
from .kernel_search import CRITERIA, KernelCandidate, candidate_kernels, estimate_motion_kernel

__all__ = ["RLDeblurBlind", "RLDeblurOracle", "WienerDeblurBlind", "WienerDeblurOracle", "per_image_kernels"]

WIENER_PAPER = "Wiener 1949 (Extrapolation, Interpolation, and Smoothing of Stationary Time Series)"
RL_PAPER = "Richardson 1972 (JOSA 62(1)); Lucy 1974 (AJ 79(6))"
BLIND_NOTE = (
    "Knows the kernel family: it sees only the image, but chooses the kernel among exactly the kernels the test "
    "synthesis draws from (the 6 ImageNet-C motion-blur settings x angles -45..45, step 5), by how well it makes "
    "the image's power spectrum isotropic (criterion='spectrum'), or by the gradient sparsity "
    "||grad||_1/||grad||_2 of a Wiener deconvolution (criterion='sparsity', the usual one). Its scores on the "
    "synthetic blur sets are therefore not those of a fully blind method: a wrong pick can lose several dB, and "
    "blur from outside the family is not modelled."
)
# Shown beside the blind models' names wherever they are scored (ModelInfo.knows).
KNOWS_KERNEL_FAMILY = "kernel family"
SEARCH_PAPER = "kernel search: spectral blur identification (cf. Cannon, IEEE TASSP 1976)"
ORACLE_NOTE = "Oracle: needs the true correlation kernel, forward(x, kernel=K) with K (k, k) or (B, k, k)."


def per_image_kernels(kernel: np.ndarray | torch.Tensor | None, batch: int) -> list[np.ndarray]:
    """Validate an oracle kernel argument and return one (k, k) float64 kernel per image.

    Args:
        kernel: (k, k) kernel shared by the batch or (B, k, k) kernels, numpy or torch.
        batch: Batch size B.

    Raises:
        ValueError: The kernel is missing or has the wrong shape.
    """
    if kernel is None:
        raise ValueError(
            "this is an oracle deblurring model: pass the true blur kernel, model(x, kernel=K), with K the "
            "(k, k) correlation kernel of the synthesis (e.g. zoo.data.kernels.motion_blur_kernel(...)) or a "
            "(B, k, k) stack; use the *_blind variant when the kernel is unknown"
        )
    array = kernel.detach().cpu().double().numpy() if isinstance(kernel, torch.Tensor) else np.asarray(kernel)
    array = array.astype(np.float64)
    if array.ndim == 2:
        return [array] * batch
    if array.ndim == 3 and array.shape[0] == batch:
        return list(array)
    raise ValueError(f"kernel must have shape (k, k) or ({batch}, k, k) for a batch of {batch}, got {array.shape}")


class _OracleDeblur(nn.Module):
    """Shared forward of the oracle models: deconvolve every image with its given kernel."""

    def deconvolve(self, image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def forward(self, x: torch.Tensor, kernel: np.ndarray | torch.Tensor | None = None) -> torch.Tensor:
        """Deblur (B, C, H, W) images in [0, 1] with the true correlation kernel(s) ``kernel``."""
        check_images(x)
        kernels = per_image_kernels(kernel, x.shape[0])
        return apply_per_image(x, lambda image, i: self.deconvolve(image, kernels[i]), dtype=np.float64)


class _BlindDeblur(nn.Module):
    """Shared forward of the blind models: estimate a kernel per image, then deconvolve with it."""

    def __init__(self, angle_step: float = 5.0, criterion: str = "spectrum", search_balance: float = 0.003) -> None:
        super().__init__()
        if criterion not in CRITERIA:
            raise ValueError(f"unknown kernel-search criterion {criterion!r}; expected one of {CRITERIA}")
        self.candidates = candidate_kernels(angle_step)
        self.criterion = criterion
        self.search_balance = search_balance
        self.last_kernels: list[KernelCandidate] = []

    def deconvolve(self, image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def estimate(self, image: np.ndarray) -> KernelCandidate:
        """The kernel candidate chosen for one (H, W, C) image."""
        return estimate_motion_kernel(image, self.candidates, self.criterion, self.search_balance)[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Deblur (B, C, H, W) images in [0, 1]; the chosen kernels are kept in ``self.last_kernels``."""
        check_images(x)
        chosen: list[KernelCandidate] = []

        def restore(image: np.ndarray, _: int) -> np.ndarray:
            candidate = self.estimate(image)
            chosen.append(candidate)
            return self.deconvolve(image, candidate.kernel())

        out = apply_per_image(x, restore, dtype=np.float64)
        self.last_kernels = chosen
        return out


def _oracle(name: str, paper: str, description: str) -> Callable[[type], type]:
    """Register an oracle deblurring model (given the true kernel)."""
    return register_classical(name, "blur", paper, description, ORACLE_NOTE, oracle=True)


def _blind(name: str, paper: str, description: str) -> Callable[[type], type]:
    """Register a blind deblurring model (the kernel searched in the synthesis's own family)."""
    info = dict(knows=KNOWS_KERNEL_FAMILY, tiling="discouraged")
    return register_classical(name, "blur", f"{paper}; {SEARCH_PAPER}", description, BLIND_NOTE, **info)


class _WienerMixin:
    balance: float

    def deconvolve(self, image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
        return wiener_deconvolve(image, kernel, self.balance)


class _RLMixin:
    iterations: int

    def deconvolve(self, image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
        return richardson_lucy_deconvolve(image, kernel, self.iterations)


@_oracle(
    "wiener_deblur_oracle",
    WIENER_PAPER,
    "Wiener deconvolution (Laplacian regulariser, balance 0.003) with the true kernel (oracle).",
)
class WienerDeblurOracle(_WienerMixin, _OracleDeblur):
    """Wiener deconvolution given the true kernel.

    Args:
        balance: Regularisation weight of the Laplacian prior.
    """

    def __init__(self, balance: float = 0.003) -> None:
        super().__init__()
        self.balance = balance


@_oracle("rl_deblur_oracle", RL_PAPER, "Richardson-Lucy deconvolution, 30 iterations, with the true kernel (oracle).")
class RLDeblurOracle(_RLMixin, _OracleDeblur):
    """Richardson-Lucy deconvolution given the true kernel.

    Args:
        iterations: Number of Richardson-Lucy updates.
    """

    def __init__(self, iterations: int = 30) -> None:
        super().__init__()
        self.iterations = iterations


@_blind(
    "wiener_deblur_blind",
    WIENER_PAPER,
    "Wiener deconvolution with a kernel searched in the synthesis's own kernel family and angle "
    "range (sees only the image; knows the kernel family).",
)
class WienerDeblurBlind(_WienerMixin, _BlindDeblur):
    """Wiener deconvolution with a kernel searched in the synthesis family.

    Args:
        balance: Regularisation weight of the final deconvolution.
        angle_step: Angle spacing of the kernel search in degrees.
        criterion: Kernel-search score, ``"spectrum"`` or ``"sparsity"`` (``kernel_search`` module).
        search_balance: Wiener regularisation of the ``"sparsity"`` criterion.
    """

    def __init__(
        self,
        balance: float = 0.003,
        angle_step: float = 5.0,
        criterion: str = "spectrum",
        search_balance: float = 0.003,
    ) -> None:
        super().__init__(angle_step, criterion, search_balance)
        self.balance = balance


@_blind(
    "rl_deblur_blind",
    RL_PAPER,
    "Richardson-Lucy (30 iterations) with a kernel searched in the synthesis's own kernel family "
    "and angle range (sees only the image; knows the kernel family).",
)
class RLDeblurBlind(_RLMixin, _BlindDeblur):
    """Richardson-Lucy deconvolution with a kernel searched in the synthesis family.

    Args:
        iterations: Number of Richardson-Lucy updates.
        angle_step: Angle spacing of the kernel search in degrees.
        criterion: Kernel-search score, ``"spectrum"`` or ``"sparsity"`` (``kernel_search`` module).
        search_balance: Wiener regularisation of the ``"sparsity"`` criterion.
    """

    def __init__(
        self, iterations: int = 30, angle_step: float = 5.0, criterion: str = "spectrum", search_balance: float = 0.003
    ) -> None:
        super().__init__(angle_step, criterion, search_balance)
        self.iterations = iterations
