"""Export zoo models to ONNX and TorchScript (``zoo.export``), checked against the eager model."""

from .export import FORMATS, ExportReport, export_model
from .onnx import export_onnx, run_onnx
from .torchscript import export_torchscript, run_torchscript
from .wrapper import ExportWrapper

__all__ = [
    "FORMATS",
    "ExportReport",
    "ExportWrapper",
    "export_model",
    "export_onnx",
    "export_torchscript",
    "run_onnx",
    "run_torchscript",
]
