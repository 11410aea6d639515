"""Exported ONNX / TorchScript graphs match eager PyTorch within 1e-4."""

from pathlib import Path

import pytest
import torch

import zoo
from zoo.export import ExportWrapper, export_model, run_onnx, run_torchscript

TINY_RMBN = dict(type="rmbn", width=0.25, rain_iters=1)


def _eager(model: torch.nn.Module, image: torch.Tensor, factor: str | None = None) -> torch.Tensor:
    with torch.no_grad():
        return ExportWrapper(model, factor).eval()(image)


# ~20-30 s each; `pytest -m slow` (CI's second step). The default run exports the R-MBN chain to TorchScript through
# the CLI (tests/cli/test_export.py), MBN to ONNX and checks dynamo ONNX against eager below.
@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "exporter"), [("torchscript", "dynamo"), ("onnx", "legacy")])
def test_rmbn_chain_exports_as_one_graph(tmp_path: Path, fmt: str, exporter: str) -> None:
    model = zoo.create_model(TINY_RMBN).eval()
    report = export_model(model, tmp_path / f"rmbn.{fmt}", fmt, size=32, exporter=exporter)
    assert report.max_abs_diff < 1e-4
    image = torch.rand(2, 3, 32, 32)
    run = run_onnx if fmt == "onnx" else run_torchscript
    exported = run(report.path, image) if fmt == "torchscript" else run(report.path, image[:1])
    expected = _eager(model, image if fmt == "torchscript" else image[:1])
    assert (exported - expected).abs().max().item() < 1e-4
    assert (expected - image[: len(expected)]).abs().max().item() > 1e-3  # the graph does something


def test_mbn_branch_exports_with_its_factor(tmp_path: Path) -> None:
    model = zoo.create_model(dict(type="mbn", width=0.25, rain_iters=1)).eval()
    report = export_model(model, tmp_path / "mbn.onnx", "onnx", size=32, factor="haze", exporter="legacy")
    image = torch.rand(1, 3, 32, 32)
    assert (run_onnx(report.path, image) - _eager(model, image, "haze")).abs().max().item() < 1e-4


def test_dynamo_onnx_matches_eager(tmp_path: Path) -> None:
    model = zoo.create_model("durn_p_rgb", width=0.25).eval()
    report = export_model(model, tmp_path / "small.onnx", "onnx", size=24)
    image = torch.rand(1, 3, 24, 24)
    assert (run_onnx(report.path, image) - _eager(model, image)).abs().max().item() < 1e-4
    assert report.other_size_diff is None  # static export: another size is refused, not silently wrong


def test_unknown_format_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not supported"):
        export_model("identity", tmp_path / "x.bin", "tflite")
