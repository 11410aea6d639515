"""``zoo export`` writes a file that runs and reports its difference from eager PyTorch."""

import re
from pathlib import Path

import pytest
import torch

from zoo.cli.main import main
from zoo.export import run_torchscript


@pytest.mark.slow  # ~14 s: TorchScript scripting of R-MBN; `pytest -m slow` (CI's second step)
def test_export_untrained_tiny_rmbn_to_torchscript(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rmbn.pt"
    args = ["export", "rmbn", "--untrained", "--set", "width=0.25", "--set", "rain_iters=1"]
    assert main([*args, "--format", "torchscript", "-o", str(out), "--size", "32"]) == 0
    printed = capsys.readouterr().out
    diff = float(re.search(r"at 32x32: ([0-9.e+-]+)", printed).group(1))
    assert diff < 1e-4
    assert run_torchscript(out, torch.rand(1, 3, 32, 32)).shape == (1, 3, 32, 32)


def test_export_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "rmbn", "--set", "width=0.25", "--format", "onnx", "-o", str(tmp_path / "x.onnx")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--untrained or --checkpoint" in err[0]
    assert main(["export", "no_such_model", "--format", "onnx", "-o", str(tmp_path / "x.onnx")]) == 1
    assert "unknown model" in capsys.readouterr().err
