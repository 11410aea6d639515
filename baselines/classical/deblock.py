"""JPEG deblocking by edge-preserving smoothing: total-variation denoising and the bilateral filter.

Neither models the JPEG quantiser; both flatten the 8x8 block edges and ringing a little and blur fine texture a
little, for gains of a few tenths of a dB (data-and-metrics spec, section 4).
"""

import cv2
import numpy as np
import torch
from torch import nn

from ._image_io import apply_per_image, check_images
from ._registration import register_classical
from .tv import tv_denoise_chambolle

__all__ = ["BilateralDeblock", "TVDeblock"]


@register_classical(
    "tv_deblock",
    "jpeg",
    "Chambolle 2004 (An Algorithm for Total Variation Minimization and Applications, JMIV 20)",
    "Total-variation denoising (Chambolle, weight 0.03, per channel) as JPEG deblocking.",
    "Best classical method at JPEG q10 measured here (+0.6 dB); milder at higher qualities.",
)
class TVDeblock(nn.Module):
    """Chambolle TV denoising per channel, batched in torch on the input's device.

    Args:
        weight: TV weight on the [0, 1] intensity scale.
        eps: Relative energy change that stops the iterations.
        max_iterations: Upper bound on iterations.
    """

    def __init__(self, weight: float = 0.03, eps: float = 2e-4, max_iterations: int = 200) -> None:
        super().__init__()
        if weight <= 0:
            raise ValueError(f"weight must be positive, got {weight}")
        self.weight = weight
        self.eps = eps
        self.max_iterations = max_iterations

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Deblock (B, C, H, W) images in [0, 1]; same shape, device and dtype."""
        check_images(x)
        return tv_denoise_chambolle(x, self.weight, self.eps, self.max_iterations).clamp(0.0, 1.0)

    def extra_repr(self) -> str:
        """Settings shown by ``print(model)``."""
        return f"weight={self.weight}, eps={self.eps}, max_iterations={self.max_iterations}"


@register_classical(
    "bilateral_deblock",
    "jpeg",
    "Tomasi & Manduchi, ICCV 1998 (Bilateral Filtering for Gray and Color Images)",
    "Bilateral filter (d 5, sigma colour 0.1, sigma space 3) as JPEG deblocking.",
    "Best classical method at JPEG q15-50 measured here (+0.4 dB). Runs per image with cv2.bilateralFilter "
    "on the CPU and returns tensors on the input's device.",
)
class BilateralDeblock(nn.Module):
    """OpenCV bilateral filter on float32 images.

    Args:
        diameter: Neighbourhood diameter in pixels.
        sigma_color: Range sigma on the [0, 1] intensity scale.
        sigma_space: Spatial sigma in pixels.
    """

    def __init__(self, diameter: int = 5, sigma_color: float = 0.1, sigma_space: float = 3.0) -> None:
        super().__init__()
        if diameter < 1:
            raise ValueError(f"diameter must be >= 1, got {diameter}")
        self.diameter = diameter
        self.sigma_color = sigma_color
        self.sigma_space = sigma_space

    def _filter(self, image: np.ndarray, _: int) -> np.ndarray:
        out = cv2.bilateralFilter(image, self.diameter, self.sigma_color, self.sigma_space)
        return out.reshape(image.shape)  # cv2 drops the channel axis of single-channel images

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Deblock (B, C, H, W) images in [0, 1]; same shape, device and dtype."""
        check_images(x)
        return apply_per_image(x, self._filter, dtype=np.float32)

    def extra_repr(self) -> str:
        """Settings shown by ``print(model)``."""
        return f"diameter={self.diameter}, sigma_color={self.sigma_color}, sigma_space={self.sigma_space}"
