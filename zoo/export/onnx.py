"""Export to ONNX, one self-contained file.

Two exporters: ``"dynamo"`` (``torch.export`` based, torch's supported path; about 40 s for a small R-MBN on one CPU
thread, minutes with dynamic shapes) and ``"legacy"`` (the TorchScript-based exporter torch deprecates; about 5 s).
Both give the same graph numerically. Shapes are fixed at the export size unless ``dynamic`` is set (dynamo only:
the legacy exporter bakes R-MBN's padding arithmetic into constants).
"""

import importlib
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn

__all__ = ["EXPORTERS", "export_onnx", "run_onnx"]


def _require(module: str) -> Any:
    """Import an optional ONNX package, or say which extra installs it."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        raise RuntimeError(f"ONNX export needs the {module} package: pip install 'mbn-zoo[export]'") from err


EXPORTERS = ("dynamo", "legacy")


def export_onnx(
    module: nn.Module,
    path: str | Path,
    size: int = 256,
    dynamic: bool = False,
    metadata: dict[str, str] | None = None,
    exporter: str = "dynamo",
) -> Path:
    """Write ``module`` (image -> image) as an ONNX file.

    Args:
        module: Takes and returns (B, 3, H, W) float tensors (e.g. an :class:`~zoo.export.wrapper.ExportWrapper`).
        path: Output file; the weights are stored inside it.
        size: Height and width of the example input used for export.
        dynamic: Batch, height and width are symbolic (any size runs; slow to export); False fixes the input at
            (1, 3, size, size).
        metadata: String key/values stored in the model's ``metadata_props`` (model name, factor, ...).
        exporter: ``"dynamo"`` or ``"legacy"`` (see the module docstring).

    Returns:
        The path written.
    """
    onnx = _require("onnx")

    if exporter not in EXPORTERS:
        raise ValueError(f"ONNX exporter {exporter!r} is not supported; use one of {', '.join(EXPORTERS)}")
    if dynamic and exporter == "legacy":
        raise ValueError("dynamic shapes need the dynamo exporter; the legacy one fixes shape arithmetic as constants")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    example = torch.rand(1, 3, size, size)
    dims = torch.export.Dim.DYNAMIC
    shapes = ({0: dims, 2: dims, 3: dims},) if dynamic else None
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the legacy exporter's deprecation notice; dynamo's progress notes
        if exporter == "dynamo":
            torch.onnx.export(
                module.eval(),
                (example,),
                str(path),
                dynamo=True,
                external_data=False,
                input_names=["image"],
                output_names=["restored"],
                dynamic_shapes=shapes,
                verbose=False,
            )
        else:
            torch.onnx.export(
                module.eval(), (example,), str(path), dynamo=False, input_names=["image"], output_names=["restored"]
            )
    if metadata:
        proto = onnx.load(str(path))
        for key, value in metadata.items():
            proto.metadata_props.add(key=key, value=str(value))
        onnx.save(proto, str(path))
    return path


def run_onnx(path: str | Path, image: torch.Tensor) -> torch.Tensor:
    """Run an exported file with onnxruntime on the CPU; ``image`` is (B, 3, H, W) float32."""
    onnxruntime = _require("onnxruntime")

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (restored,) = session.run(None, {"image": image.detach().cpu().float().numpy()})
    return torch.from_numpy(restored)
