"""Export to TorchScript by tracing (``torch.jit.trace``), loadable with ``torch.jit.load`` without the zoo."""

import warnings
from pathlib import Path

import torch
from torch import nn

__all__ = ["export_torchscript", "run_torchscript"]


def export_torchscript(module: nn.Module, path: str | Path, size: int = 256) -> Path:
    """Trace ``module`` (image -> image) on a (1, 3, size, size) example and save it.

    Tracing records the operations run for the example, so the saved graph is exact for inputs of the example's
    size; shape arithmetic (padding to the size multiple) is recorded as traced tensor operations where torch can,
    and :func:`zoo.export.export_model` checks a second size to tell you whether other sizes are exact too.

    Returns:
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    example = torch.rand(1, 3, size, size)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # torch.jit.trace is deprecated in favour of torch.export; still supported
        traced = torch.jit.trace(module.eval(), (example,), check_trace=False)
    traced.save(str(path))
    return path


def run_torchscript(path: str | Path, image: torch.Tensor) -> torch.Tensor:
    """Load a saved TorchScript file and run it on ``image`` (B, 3, H, W)."""
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        return torch.jit.load(str(path), map_location="cpu")(image)
