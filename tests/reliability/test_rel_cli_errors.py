"""Every subcommand turns every failure into one line: ``zoo <cmd>: error: <what> (<file or option>): <how to fix>``.

A table of bad inputs per subcommand runs in-process through ``zoo.cli.main.main`` (cheap); two cases also run as
real subprocesses. Each must exit non-zero and print exactly one line on stderr, in the format above, without a
traceback and with the words that say what went wrong. ``--debug`` adds the traceback. Subcommands added later get
the generic cases (an unknown option, a missing argument) until they get their own rows.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from zoo.cli.main import COMMANDS, main

LINE = re.compile(r"^zoo (?P<command>[\w-]+): error: (?P<what>\S.*) \((?P<where>[^\n]+?)\): (?P<fix>\S.*)$")
MAX_LINE = 1000  # characters; the issue saw multi-thousand-character messages

# (command, case id, arguments with {bad}/{tmp}/{good}/{anim}/{ckpt}/{text_ckpt}/{short_st}/{base_pkg}/{yaml_list}/
# {imports} placeholders, words the line must contain)
CASES: list[tuple[str, str, list[str], list[str]]] = [
    ("list", "unknown option", ["list", "--bogus"], ["unrecognized arguments", "(--bogus)"]),
    ("list", "corrupt user manifest", ["list", "--pretrained"], ["not valid JSON", "manifest.json"]),
    ("info", "unknown model", ["info", "rmbm"], ["unknown model 'rmbm'", "(rmbm)", "rmbn"]),
    ("info", "unknown tag", ["info", "rmbn.nope"], ["unknown pretrained tag 'rmbn.nope'"]),
    ("info", "not an int", ["info", "rmbn", "--size", "abc"], ["invalid int value", "(--size)"]),
    ("info", "missing name", ["info"], ["required", "(name)"]),
    ("degrade", "missing input", ["degrade", "{tmp}/nope.png", "-o", "{tmp}/d.png"], ["does not exist", "nope.png"]),
    ("degrade", "not an image", ["degrade", "{bad}/text.png", "-o", "{tmp}/d.png"], ["text.png"]),
    ("degrade", "unknown factor", ["degrade", "{good}", "-o", "{tmp}/d.png", "--factors", "snow"], ["snow"]),
    ("degrade", "bad output suffix", ["degrade", "{good}", "-o", "{tmp}/d.xyz"], ["(-o {tmp}/d.xyz)", ".png"]),
    ("restore", "missing input", ["restore", "{tmp}/nope.png", "-o", "{tmp}/o", "-m", "identity"], ["no such file"]),
    ("restore", "empty file", ["restore", "{bad}/empty.png", "-o", "{tmp}/o", "-m", "identity"], ["not an image"]),
    ("restore", "text file", ["restore", "{bad}/text.png", "-o", "{tmp}/o", "-m", "identity"], ["not an image"]),
    ("restore", "truncated png", ["restore", "{bad}/truncated.png", "-o", "{tmp}/o", "-m", "identity"], ["truncated"]),
    ("restore", "bomb", ["restore", "{bad}/bomb.png", "-o", "{tmp}/o", "-m", "identity"], ["decompression bomb"]),
    ("restore", "unknown model", ["restore", "{good}", "-o", "{tmp}/o", "-m", "rmbm"], ["unknown model 'rmbm'"]),
    ("restore", "unknown tag", ["restore", "{good}", "-o", "{tmp}/o", "-m", "rmbn.x"], ["unknown pretrained tag"]),
    ("restore", "unknown factor", ["restore", "{good}", "-o", "{tmp}/o", "-m", "mbn", "--factor", "snow"], ["snow"]),
    ("restore", "factor missing", ["restore", "{good}", "-o", "{tmp}/o", "-m", "mbn"], ["needs a factor"]),
    ("restore", "tile 0", ["restore", "{good}", "-o", "{tmp}/o", "-m", "identity", "--tile", "0"], ["(--tile 0)"]),
    ("restore", "tile abc", ["restore", "{good}", "-o", "{tmp}/o", "--tile", "abc"], ["invalid int", "(--tile)"]),
    (
        "restore",
        "negative memory budget",
        ["restore", "{good}", "-o", "{tmp}/o", "-m", "identity", "--max-memory", "-1"],
        ["positive", "(--max-memory -1.0)"],
    ),
    (
        "restore",
        "truncated safetensors checkpoint",
        ["restore", "{good}", "-o", "{tmp}/o", "-m", "durn_us", "--checkpoint", "{short_st}"],
        ["not a readable safetensors file", "truncated or corrupt", "(--checkpoint"],
    ),
    (
        "restore",
        "checkpoint is text",
        ["restore", "{good}", "-o", "{tmp}/o", "-m", "durn_us", "--checkpoint", "{text_ckpt}"],
        ["weights-only", "(--checkpoint"],
    ),
    ("restore", "output is the input", ["restore", "{good}", "-o", "{good}", "-m", "identity"], ["input file itself"]),
    (
        "restore",
        "output hard-linked to the input",
        ["restore", "{good}", "-o", "{tmp}/link.png", "-m", "identity"],
        ["input file itself", "a link to it"],
    ),
    ("restore", "animation to png", ["restore", "{anim}", "-o", "{tmp}/a.png", "-m", "identity"], ["animated GIF"]),
    ("restore", "no cuda", ["restore", "{good}", "-o", "{tmp}/o", "-m", "identity", "--device", "cuda:7"], ["cuda"]),
    ("restore", "no input", ["restore", "-o", "{tmp}/o"], ["INPUT", "--sample"]),
    ("restore", "unknown sample", ["restore", "--sample", "nope", "-o", "{tmp}/o", "-m", "identity"], ["nope"]),
    ("restore", "missing -o", ["restore", "{good}"], ["required", "(-o/--output)"]),
    ("export", "unknown model", ["export", "rmbm", "--format", "onnx", "-o", "{tmp}/m.onnx"], ["unknown model"]),
    ("export", "bad format", ["export", "rmbn", "--format", "pdf", "-o", "{tmp}/m"], ["invalid choice", "(--format)"]),
    (
        "export",
        "bad --set",
        ["export", "durn_us", "--untrained", "--format", "onnx", "-o", "m", "--set", "w"],
        ["is not KEY=VALUE"],
    ),
    (
        "export",
        "missing checkpoint",
        ["export", "durn_us", "--checkpoint", "{tmp}/nope.pth", "--format", "onnx", "-o", "{tmp}/m"],
        ["not found", "nope.pth"],
    ),
    (
        "export",
        "untrained and checkpoint",
        ["export", "durn_us", "--untrained", "--checkpoint", "{ckpt}", "--format", "onnx", "-o", "{tmp}/m"],
        ["exclude each other"],
    ),
    ("convert-reference", "missing source", ["convert-reference", "{tmp}/MBN.pt", "-o", "m.safetensors"], ["MBN"]),
    ("convert-reference", "bad output", ["convert-reference", "{ckpt}", "-o", "{tmp}/m.pt"], [".safetensors"]),
    (
        "convert-reference",
        "source is text",
        ["convert-reference", "{text_ckpt}", "-o", "{tmp}/m.safetensors"],
        ["weights-only", "ckpt.txt"],
    ),
    ("train", "unknown config", ["train", "durn_us_tinyy", "--work-dir", "{tmp}/w"], ["unknown config"]),
    ("train", "missing file", ["train", "{tmp}/nope.py", "--work-dir", "{tmp}/w"], ["not found"]),
    ("train", "yaml top level is a list", ["train", "{yaml_list}", "--work-dir", "{tmp}/w"], ["mapping", "a list"]),
    ("train", "zoo:: base not shipped", ["train", "{base_pkg}", "--work-dir", "{tmp}/w"], ["unknown config 'nope'"]),
    ("train", "other package's base", ["train", "{base_mm}", "--work-dir", "{tmp}/w"], ["package::file", "_base_"]),
    ("train", "custom_imports", ["train", "{imports}", "--work-dir", "{tmp}/w"], ["custom_imports", "install"]),
    ("train", "bad launcher", ["train", "durn_us_tiny", "--launcher", "slurm"], ["invalid choice", "(--launcher)"]),
    (
        "export-weights",
        "missing checkpoint",
        ["export-weights", "{tmp}/nope.pth", "--name", "durn_us.x", "--out-dir", "{tmp}/w"],
        ["does not exist", "nope.pth"],
    ),
    (
        "export-weights",
        "checkpoint is a tensor",
        ["export-weights", "{tensor_ckpt}", "--name", "durn_us.x", "--out-dir", "{tmp}/w"],
        ["not a training checkpoint", "Tensor"],
    ),
    (
        "export-weights",
        "state dict without meta",
        ["export-weights", "{ckpt}", "--name", "durn_us.x", "--out-dir", "{tmp}/w"],
        ["no 'meta'"],
    ),
    (
        "export-weights",
        "truncated checkpoint",
        ["export-weights", "{short_pth}", "--name", "durn_us.x", "--out-dir", "{tmp}/w"],
        ["cannot be read"],
    ),
    ("export-weights", "missing --name", ["export-weights", "{ckpt}"], ["required", "(--name)"]),
    ("bench", "unknown study", ["bench", "nope"], ["invalid choice", "(study)"]),
    ("bench", "option of another study", ["bench", "speed", "--max-minutes", "1"], ["alignment study only"]),
    ("bench", "presets option for another study", ["bench", "order", "--per-photo", "8"], ["presets study only"]),
    ("bench", "unknown preset case", ["bench", "presets", "--cases", "fog"], ["unknown case(s) fog"]),
    ("demo", "share not boolean", ["demo", "--share", "maybe"], ["expected true or false", "(--share)"]),
    ("demo", "port not int", ["demo", "--port", "http"], ["invalid int value", "(--port)"]),
    ("detect", "missing input", ["detect", "{tmp}/nope.png"], ["nope.png"]),
]
for _command in COMMANDS:  # generic rows for every subcommand, including ones added later; the format is checked
    CASES.append((_command, "unknown option", [_command, "--no-such-option"], []))


@pytest.fixture
def inputs(bad_files: Path, tmp_path: Path) -> dict[str, str]:
    """Paths that the table's placeholders stand for."""
    rng = np.random.default_rng(0)
    good = tmp_path / "good.png"
    Image.fromarray((rng.random((24, 32, 3)) * 255).astype(np.uint8)).save(good)
    os.link(good, tmp_path / "link.png")
    frames = [Image.fromarray((rng.random((8, 8, 3)) * 255).astype(np.uint8)) for _ in range(3)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:], duration=50)
    state = {"w": torch.zeros(2)}
    torch.save(state, tmp_path / "state.pth")
    torch.save(torch.zeros(3), tmp_path / "tensor.pth")
    (tmp_path / "ckpt.txt").write_text("not a checkpoint\n")
    from zoo.registry import create_model, save_release_weights

    save_release_weights(create_model("durn_us", width=0.25).state_dict(), tmp_path / "w.safetensors", {})
    data = (tmp_path / "w.safetensors").read_bytes()
    (tmp_path / "short.safetensors").write_bytes(data[: len(data) // 3])
    (tmp_path / "short.pth").write_bytes((tmp_path / "state.pth").read_bytes()[:100])
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    (tmp_path / "base_pkg.py").write_text("_base_ = 'zoo::configs/nope.py'\n")
    (tmp_path / "base_mm.py").write_text("_base_ = 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'\n")
    (tmp_path / "imports.py").write_text(
        "_base_ = 'zoo::durn_us_tiny.py'\ncustom_imports = dict(imports=['no_such_module_zoo'])\n"
    )
    home = tmp_path / "broken_home"  # ZOO_HOME of the "corrupt user manifest" row
    (home / "weights").mkdir(parents=True)
    (home / "weights" / "manifest.json").write_text("{broken")
    return {
        "bad": str(bad_files),
        "tmp": str(tmp_path),
        "good": str(good),
        "anim": str(tmp_path / "anim.gif"),
        "ckpt": str(tmp_path / "state.pth"),
        "tensor_ckpt": str(tmp_path / "tensor.pth"),
        "text_ckpt": str(tmp_path / "ckpt.txt"),
        "short_st": str(tmp_path / "short.safetensors"),
        "short_pth": str(tmp_path / "short.pth"),
        "yaml_list": str(tmp_path / "list.yaml"),
        "base_pkg": str(tmp_path / "base_pkg.py"),
        "base_mm": str(tmp_path / "base_mm.py"),
        "imports": str(tmp_path / "imports.py"),
    }


def check_line(err: str, command: str) -> re.Match[str]:
    """Exactly one line on stderr besides warnings, in the required format, without a traceback."""
    lines = [line for line in err.splitlines() if line and not line.startswith(f"zoo {command}: warning: ")]
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{err}"
    assert "Traceback" not in err and len(lines[0]) <= MAX_LINE, err
    match = LINE.match(lines[0])
    assert match is not None and match["command"] == command, f"not 'zoo {command}: error: what (where): fix': {err}"
    return match


@pytest.mark.parametrize(("command", "case", "args", "words"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_bad_input_gives_one_line(
    command: str,
    case: str,
    args: list[str],
    words: list[str],
    inputs: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if command == "demo":
        pytest.importorskip("gradio")
    monkeypatch.chdir(inputs["tmp"])
    if case == "corrupt user manifest":
        monkeypatch.setenv("ZOO_HOME", str(Path(inputs["tmp"]) / "broken_home"))
    status = main([arg.format(**inputs) for arg in args])
    out, err = capsys.readouterr()
    assert status != 0, out + err
    line = check_line(err, command).group(0)
    for word in words:
        assert word.format(**inputs) in line, line


def test_every_subcommand_has_its_own_rows() -> None:
    own = {command for command, case, _, _ in CASES if case != "unknown option"}
    assert own == set(COMMANDS), f"subcommands without their own bad-input rows: {set(COMMANDS) - own}"


@pytest.mark.parametrize(
    "bad",
    [None, 42, {"type": 3}, {"width": 0.5}, ""],
    ids=["None", "int", "type not a string", "no type", "empty name"],
)
def test_create_model_refuses_what_is_not_a_name_or_config(bad: object) -> None:
    from zoo.registry import create_model

    with pytest.raises((TypeError, ValueError), match="name|type"):
        create_model(bad)  # type: ignore[arg-type]


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--debug", "info", "rmbm"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback") and "UnknownModelError" in err
    assert LINE.match(err.strip().splitlines()[-1])
    assert main(["info", "rmbm", "--debug"]) == 1  # after the subcommand too
    assert capsys.readouterr().err.startswith("Traceback")


def test_an_unexpected_exception_is_one_line_naming_its_type(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import zoo.cli.info as info

    def broken(args: object) -> int:
        raise AttributeError("x" * 5000)  # a library bug with a huge message

    monkeypatch.setattr(info, "run", broken)
    assert main(["info", "rmbn"]) == 1
    match = check_line(capsys.readouterr().err, "info")
    assert match["what"].startswith("unexpected AttributeError: xxx") and "--debug" in match["fix"]


@pytest.mark.parametrize(
    ("args", "words"),
    [(["info", "rmbm"], ["unknown model 'rmbm'"]), (["restore", "nope.png", "-o", "out"], ["no such file"])],
)
def test_subprocess_smoke(args: list[str], words: list[str], tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "zoo.cli.main", *args], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 1
    line = check_line(done.stderr, args[0]).group(0)
    assert all(word in line for word in words), line
