"""No code runs from a file you were given: every loading path reads checkpoints with ``weights_only=True``.

Two hostile files go through every path that loads a checkpoint (``create_model``, ``zoo restore``,
``zoo convert-reference``, ``zoo export``, ``zoo export-weights``, ``zoo train --resume``, ``load_from`` and
``model.init_checkpoint``):

- ``evil.pth``: a pickle whose unpickling would create a marker file (``__reduce__``);
- ``code_config.pth``: a clean pickle (tensors, strings) whose stored config text (``meta.cfg``, what mmengine
  executes) would create the marker if it were run.

Each is refused with one line that names the file, and the marker never appears. Checkpoints the project writes
itself load with a plain ``torch.load(weights_only=True)``.
"""

import pathlib
from pathlib import Path

import pytest
import torch

from zoo.cli.main import main
from zoo.registry import create_model

pytest.importorskip("mmengine.runner")

TINY = {"type": "durn_us", "width": 0.25}


class _Payload:
    """Unpickling this runs ``Path(marker).touch()``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def _tiny_state(prefix: str = "") -> dict[str, torch.Tensor]:
    return {prefix + k: v for k, v in create_model(dict(TINY)).state_dict().items()}


def _code_config(marker: Path) -> str:
    touch = f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n"
    return touch + "model = dict(net=dict(type='durn_us', width=0.25))\n"


def _write_hostile(kind: str, path: Path, marker: Path, prefix: str = "") -> Path:
    """A checkpoint in the layout of ``zoo train`` (``meta`` + ``state_dict``) carrying code of the given kind."""
    meta: object = _Payload(marker) if kind == "pickle" else {"cfg": _code_config(marker), "iter": 1, "epoch": 0}
    torch.save({"meta": meta, "state_dict": _tiny_state(prefix)}, path)
    return path


KINDS = ["pickle", "code_config"]
# What the refusal line says for each kind.
REASON = {"pickle": "refused: it holds Python objects", "code_config": "holds code"}


@pytest.fixture(params=KINDS)
def hostile(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path, Path]:
    marker = tmp_path / "code_ran"
    return request.param, _write_hostile(request.param, tmp_path / "evil.pth", marker), marker


def _one_error_line(capsys: pytest.CaptureFixture[str], command: str) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith(f"zoo {command}: error: ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_create_model_refuses(hostile: tuple[str, Path, Path]) -> None:
    kind, path, marker = hostile
    with pytest.raises(ValueError, match=REASON[kind]) as caught:
        create_model(dict(TINY), checkpoint=path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)
    assert not marker.exists()


@pytest.mark.parametrize("command", ["restore", "convert-reference", "export"])
def test_cli_commands_that_load_weights_refuse(
    command: str, hostile: tuple[str, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    kind, path, marker = hostile
    image = tmp_path / "in.png"
    Image.new("RGB", (8, 8)).save(image)
    out = str(tmp_path / "out")
    args = {
        "restore": ["restore", str(image), "-m", "durn_us", "--checkpoint", str(path), "-o", out],
        "convert-reference": ["convert-reference", str(path), "-o", str(tmp_path / "x.safetensors")],
        "export": [
            "export",
            "durn_us",
            "--checkpoint",
            str(path),
            "--format",
            "torchscript",
            "-o",
            out,
            "--set",
            "width=0.25",
        ],
    }[command]
    assert main(args) == 1
    line = _one_error_line(capsys, command)
    assert REASON[kind] in line and str(path) in line, line
    assert not marker.exists() and not (tmp_path / "x.safetensors").exists() and not (tmp_path / "out").exists()


def test_export_weights_refuses(hostile: tuple[str, Path, Path], tmp_path: Path, capsys) -> None:
    kind, path, marker = hostile
    out = tmp_path / "weights"
    assert main(["export-weights", str(path), "--name", "durn_us.evil", "--out-dir", str(out), "--no-evaluate"]) == 1
    line = _one_error_line(capsys, "export-weights")
    assert REASON[kind] in line and str(path) in line, line
    assert not marker.exists() and not out.exists()


def test_export_weights_refuses_code_in_meta_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """mmengine's resume executes ``meta.config`` too; it is checked like ``meta.cfg``."""
    marker = tmp_path / "code_ran"
    path = tmp_path / "iter_1.pth"
    meta = {"cfg": "model = dict(net=dict(type='durn_us'))\n", "config": _code_config(marker)}
    torch.save({"meta": meta, "state_dict": _tiny_state("net.")}, path)
    assert main(["export-weights", str(path), "--name", "durn_us.evil", "--out-dir", str(tmp_path / "w")]) == 1
    assert "meta.config" in _one_error_line(capsys, "export-weights")
    assert not marker.exists()


# --- training: --resume, load_from, model.init_checkpoint ---------------------------------------------------------


def _train(tmp_path: Path, work: Path, *extra: str, options: tuple[str, ...] = ()) -> list[str]:
    unique = f"experiment_name=rel_pickles_{tmp_path.name}"
    return ["train", "durn_us_tiny", "--work-dir", str(work), *extra, "--cfg-options", "train_cfg.max_iters=1", unique,
            *options]  # fmt: skip


def test_resume_refuses_a_planted_checkpoint_in_the_work_dir(
    hostile: tuple[str, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file in the work dir is not trusted for being there (the old trust-by-folder ran it)."""
    kind, _, marker = hostile
    work = tmp_path / "work"
    work.mkdir()
    planted = _write_hostile(kind, work / "iter_1.pth", marker, prefix="net.")
    (work / "last_checkpoint").write_text(str(planted))
    assert main(_train(tmp_path, work, "--resume")) == 1
    line = _one_error_line(capsys, "train")
    assert REASON[kind] in line and "iter_1.pth" in line, line
    assert not marker.exists()


@pytest.mark.parametrize("where", ["inside_work_dir", "work_dir_is_cwd"])  # outside: test_rel_untrusted.py
def test_load_from_refuses(
    where: str,
    hostile: tuple[str, Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    kind, path, marker = hostile
    work = tmp_path / "work"
    if where == "inside_work_dir":  # loaded weights-only although it lies in the run's own folder
        work.mkdir()
        path = path.rename(work / "downloaded.pth")
    elif where == "work_dir_is_cwd":  # zoo train --work-dir . with a downloaded checkpoint in the current folder
        monkeypatch.chdir(tmp_path)
        work, path = Path("."), Path(path.name)
    assert main(_train(tmp_path, work, options=(f"load_from={path}",))) == 1
    line = _one_error_line(capsys, "train")
    assert REASON[kind] in line, line
    assert not marker.exists()


def test_init_checkpoint_refuses(hostile: tuple[str, Path, Path], tmp_path: Path, capsys) -> None:
    kind, path, marker = hostile
    assert main(_train(tmp_path, tmp_path / "work", options=(f"model.init_checkpoint={path}",))) == 1
    line = _one_error_line(capsys, "train")
    assert REASON[kind] in line and str(path) in line, line
    assert not marker.exists()


# --- what the project writes loads weights-only -------------------------------------------------------------------


def test_message_hub_round_trip_is_exact() -> None:
    import numpy as np
    from mmengine.logging import HistoryBuffer

    from zoo.training.safe_checkpoint import from_plain, to_plain

    buffer = HistoryBuffer(max_length=7)
    for value in (0.1, 1 / 3, 2.5e-8):
        buffer.update(value)
    state = {"log_scalars": {"loss": buffer}, "runtime_info": {"eta": np.float64(1 / 7), "ids": np.arange(3)}}
    path_state = to_plain(state)
    assert not any(isinstance(v, (HistoryBuffer, np.ndarray, np.generic)) for v in _leaves(path_state))
    back = from_plain(path_state)
    restored = back["log_scalars"]["loss"]
    assert isinstance(restored, HistoryBuffer) and restored.max_length == 7
    assert np.array_equal(restored._log_history, buffer._log_history)
    assert np.array_equal(restored._count_history, buffer._count_history)
    assert type(back["runtime_info"]["eta"]) is np.float64 and back["runtime_info"]["eta"] == np.float64(1 / 7)
    assert np.array_equal(back["runtime_info"]["ids"], np.arange(3))


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def test_training_checkpoints_need_no_unsafe_globals(tmp_path: Path) -> None:
    from torch.serialization import get_unsafe_globals_in_checkpoint

    work = tmp_path / "work"
    assert main(_train(tmp_path, work, options=("default_hooks.checkpoint.interval=1",))) == 0
    checkpoint = work / "iter_1.pth"
    assert get_unsafe_globals_in_checkpoint(str(checkpoint)) == []
    loaded = torch.load(checkpoint, map_location="cpu", weights_only=True)
    assert loaded["meta"]["zoo_config"]["model"]["net"]["type"] == "durn_us"
    assert {"state_dict", "optimizer", "message_hub", "meta"} <= set(loaded)


def test_config_text_is_read_as_data_not_run(tmp_path: Path) -> None:
    from zoo.registry.config_data import ConfigCodeError, parse_config_text

    text = "a = dict(b=[1, 2.5, -3], c=(True, None), d={'e': 'f'})\nmodel = dict(type='mbn', width=0.25)\n"
    assert parse_config_text(text) == {
        "a": {"b": [1, 2.5, -3], "c": (True, None), "d": {"e": "f"}},
        "model": {"type": "mbn", "width": 0.25},
    }
    marker = tmp_path / "code_ran"
    for code in (
        f"x = __import__('pathlib').Path({str(marker)!r}).touch()",
        "import os",
        "x = dict(**{'a': 1})",
        "x = [i for i in range(3)]",
        "x = lambda: 0",
        "def f():\n    pass",
    ):
        with pytest.raises(ConfigCodeError, match="code"):
            parse_config_text(code, "ckpt.pth")
    assert not marker.exists()


def test_no_source_file_unpickles_fully() -> None:
    """No code or test of the project calls ``torch.load`` with full unpickling."""
    root = Path(__file__).resolve().parents[2]
    needle = "weights_only=" + "False"  # split so that this file does not match itself
    folders = ("zoo", "registry", "baselines", "benchmarks", "demo", "tests")
    offenders = [
        str(path.relative_to(root))
        for folder in folders
        for path in sorted((root / folder).rglob("*.py"))
        if needle in path.read_text(errors="replace")
    ]
    assert not offenders, f"{needle} in {offenders}"
