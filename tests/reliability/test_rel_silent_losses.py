"""Silent losses and surprises: animated GIFs, release headers, nonsense model arguments, bare decorators, links."""

import os
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from zoo.cli.main import main
from zoo.inference.files import restore_file
from zoo.inference.restore import Restorer
from zoo.registry import create_model, save_release_weights

COLOURS = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (250, 250, 0)]


def _animation(path: Path) -> Path:
    frames = [Image.new("RGB", (16, 12), colour) for colour in COLOURS]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=[70, 80, 90, 100], loop=2)
    return path


class _Counting(nn.Module):
    """Identity that counts its calls."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        return x


def test_animated_gif_restores_every_frame(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _animation(tmp_path / "anim.gif")
    assert main(["restore", str(source), "-o", str(tmp_path / "out"), "-m", "identity"]) == 0
    with Image.open(tmp_path / "out" / "anim.gif") as out:
        assert out.n_frames == len(COLOURS) and out.info.get("loop") == 2
        durations, colours = [], []
        for index in range(out.n_frames):
            out.seek(index)
            durations.append(out.info["duration"])
            colours.append(tuple(np.asarray(out.convert("RGB"))[5, 5]))
    assert durations == [70, 80, 90, 100] and colours == COLOURS
    model = _Counting()
    restore_file(Restorer(model=model), source, tmp_path / "again.gif")
    assert model.calls == len(COLOURS)


def test_other_multi_frame_files_are_refused_or_warned(tmp_path: Path) -> None:
    from zoo.inference.image_io import read_image

    frames = [Image.new("RGB", (16, 12), colour) for colour in COLOURS]
    frames[0].save(tmp_path / "anim.png", save_all=True, append_images=frames[1:], duration=50)
    with pytest.raises(ValueError, match="a PNG file with 4 frames; only animated GIFs"):
        read_image(tmp_path / "anim.png")
    frames[0].save(tmp_path / "photo.mpo", format="MPO", save_all=True, append_images=frames[1:2])
    with pytest.warns(UserWarning, match="MPO file with 2 pictures; the first .* the other 1"):
        image = read_image(tmp_path / "photo.mpo")
    assert np.abs(image.pixels[0, 0].astype(int) - COLOURS[0]).max() <= 3  # the first picture (JPEG-coded)


def test_output_hard_linked_to_the_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.png"
    Image.new("RGB", (8, 8), (10, 20, 30)).save(source)
    before = source.read_bytes()
    os.link(source, tmp_path / "alias.png")
    assert main(["restore", str(source), "-o", str(tmp_path / "alias.png"), "-m", "median_derain"]) == 1
    assert "the output is the input file itself" in capsys.readouterr().err
    assert source.read_bytes() == before


MBN_SETTINGS = {"width": 0.125, "rain_iters": 2, "act": "leaky_relu"}


@pytest.fixture
def mbn_release(tmp_path: Path) -> Path:
    torch.manual_seed(0)
    net = create_model({"type": "mbn", **MBN_SETTINGS})
    path = tmp_path / "mbn.mine.safetensors"
    save_release_weights(net.state_dict(), path, {"architecture": {"type": "mbn", **MBN_SETTINGS}})
    return path


def test_create_model_builds_the_architecture_of_the_release_header(mbn_release: Path) -> None:
    model = create_model("mbn", checkpoint=mbn_release)  # was a shape mismatch (64 vs 16)
    assert model.width == 0.125 and model.rain_iters == 2 and isinstance(model.heads["jpeg"].act, nn.LeakyReLU)
    assert create_model("rmbn", checkpoint=mbn_release).rain_iters == 2  # the same family shares the weights
    with pytest.raises(ValueError, match="trained with width=0.125, but width=0.5 was asked for"):
        create_model("mbn", checkpoint=mbn_release, width=0.5)
    with pytest.raises(ValueError, match=r"holds 'mbn' weights .* create_model\('mbn', checkpoint="):
        create_model("durn_us", checkpoint=mbn_release)


def test_restore_cli_uses_the_release_header(mbn_release: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.png"
    Image.new("RGB", (20, 20), (90, 120, 150)).save(source)
    args = ["restore", str(source), "-o", str(tmp_path / "o.png"), "-m", "mbn", "--factor", "haze"]
    assert main([*args, "--checkpoint", str(mbn_release)]) == 0


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"type": "mbn", "channels": -8}, "channels=-8 must be a whole number"),
        ({"type": "mbn", "width": 1e-9}, "width=1e-09 is not a usable width multiplier"),
        ({"type": "mbn", "rain_iters": 2.5}, "rain_iters=2.5 must be a whole number"),
        ({"type": "mbn", "block": {"attention": {"type": "tv", "beta": -3}}}, "beta=-3 must be a positive"),
        ({"type": "durn_us", "width": float("nan")}, "width=nan"),
        ({"type": "mbn_minimal", "width": 0}, "width=0 is not a usable"),
    ],
)
def test_nonsense_model_arguments_are_refused_at_build_time(config: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        create_model(config)


def test_branch_class_without_mode_is_named() -> None:
    from zoo.registry import BRANCHES, register_branch

    @register_branch("rel_modeless_head", force=True)
    class Modeless(nn.Module):
        def __init__(self, **kwargs: object) -> None:
            super().__init__()

    try:
        with pytest.raises(ValueError, match="input branch Modeless has no valid 'mode'"):
            create_model({"type": "mbn", "width": 0.125, "input_branches": {"jpeg": {"type": "rel_modeless_head"}}})
    finally:
        BRANCHES._module_dict.pop("rel_modeless_head", None)


def test_bare_register_attention_registers_under_the_class_name() -> None:
    from zoo.registry import ATTENTION, register_attention

    @register_attention
    class RelBareAttention(nn.Module):
        def __init__(self, channels: int, hidden: int) -> None:
            super().__init__()

    try:
        assert isinstance(RelBareAttention, type)  # still the class, not a function
        assert ATTENTION.get("RelBareAttention") is RelBareAttention
        with pytest.raises(TypeError, match="takes the name to register as a string"):
            register_attention(3)
    finally:
        ATTENTION._module_dict.pop("RelBareAttention", None)


def test_release_files_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        save_release_weights({"a": torch.zeros(2)}, tmp_path / "w.safetensors", {})
    finally:
        os.umask(old)
    assert (tmp_path / "w.safetensors").stat().st_mode & 0o777 == 0o644
