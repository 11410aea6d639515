"""``export_model``: build/load a zoo model, export it, and measure how far the export is from eager PyTorch."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from zoo.inference.loading import load_model

from .onnx import export_onnx, run_onnx
from .torchscript import export_torchscript, run_torchscript
from .wrapper import ExportWrapper

__all__ = ["FORMATS", "ExportReport", "export_model"]

FORMATS = ("onnx", "torchscript")


@dataclass(frozen=True)
class ExportReport:
    """What was exported and how close it is to the eager model.

    Attributes:
        path: File written.
        format: ``"onnx"`` or ``"torchscript"``.
        name: Model name (``architecture.tag`` for shipped weights).
        size: Export (and check) height and width.
        max_abs_diff: Largest |exported - eager| on a random (1, 3, size, size) input.
        other_size: The second input shape checked (H, W).
        other_size_diff: Largest difference at ``other_size``, or None when the export does not run at that size.
    """

    path: Path
    format: str
    name: str
    size: int
    max_abs_diff: float
    other_size: tuple[int, int]
    other_size_diff: float | None


def export_model(
    model: str | dict[str, Any] | nn.Module,
    path: str | Path,
    format: str = "onnx",
    size: int = 256,
    factor: str | None = None,
    dynamic: bool = False,
    checkpoint: str | Path | None = None,
    exporter: str = "dynamo",
) -> ExportReport:
    """Export a zoo model and check it against eager PyTorch.

    Args:
        model: A name/tag (shipped weights or a non-learned method), a config dict, or an ``nn.Module``.
        path: Output file.
        format: ``"onnx"`` or ``"torchscript"``.
        size: Example input height and width (rounded up to the model's size multiple).
        factor: Branch for models with factor branches (``mbn`` needs one; ``rmbn`` exports its whole chain
            when None).
        dynamic: ONNX only: symbolic batch, height and width (slow to export).
        checkpoint: Weights file for a named model instead of its shipped weights.
        exporter: ONNX only: ``"dynamo"`` or ``"legacy"`` (see :mod:`zoo.export.onnx`).

    Returns:
        The report, with the measured differences.
    """
    if format not in FORMATS:
        raise ValueError(f"export format {format!r} is not supported; use one of {', '.join(FORMATS)}")
    loaded = load_model(model, checkpoint)
    multiple = loaded.size_multiple
    size = -(-size // multiple) * multiple
    wrapper = ExportWrapper(loaded.module, factor).eval()
    meta = {"zoo_model": loaded.name, "zoo_factor": factor or "", "zoo_size_multiple": str(multiple)}
    if format == "onnx":
        written = export_onnx(wrapper, path, size, dynamic=dynamic, metadata=meta, exporter=exporter)
        runner = run_onnx
    else:
        written = export_torchscript(wrapper, path, size)
        runner = run_torchscript
    generator = torch.Generator().manual_seed(0)
    other = (size + multiple, max(multiple, size - multiple))
    diffs: list[float | None] = []
    for height, width in ((size, size), other):
        image = torch.rand(1, 3, height, width, generator=generator)
        with torch.no_grad():
            eager = wrapper(image)
        try:
            exported = runner(written, image)
        except Exception:  # a fixed-size export refuses other sizes; reported as None, not hidden
            diffs.append(None)
            continue
        diffs.append(float((exported - eager).abs().max()) if exported.shape == eager.shape else None)
    if diffs[0] is None:
        raise RuntimeError(f"the exported {format} file does not run at its own export size {size}x{size}")
    return ExportReport(Path(written), format, loaded.name, size, diffs[0], other, diffs[1])
