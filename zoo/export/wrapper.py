"""The graph that gets exported: one forward from a (B, 3, H, W) image to the clamped restored image."""

from typing import Any

import torch
from torch import nn

__all__ = ["ExportWrapper"]


class ExportWrapper(nn.Module):
    """Fix a zoo model's call options so the exported graph takes only the image.

    For ``rmbn`` (and ``cascade``) the whole recurrent chain J -> H -> B -> R is traced into one graph: the chain
    has a fixed order and no data-dependent control flow, so tracing unrolls it exactly.

    Args:
        model: The zoo model (in eval mode).
        factor: Branch to run for models with factor branches (``mbn`` needs one), or None.
    """

    def __init__(self, model: nn.Module, factor: str | None = None) -> None:
        super().__init__()
        self.model = model
        self.call_kwargs: dict[str, Any] = {} if factor is None else {"factor": factor}

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        """Restore ``image`` (B, 3, H, W) in [0, 1]; returns (B, 3, H, W) clamped to [0, 1]."""
        return self.model(image, **self.call_kwargs).clamp(0.0, 1.0)
