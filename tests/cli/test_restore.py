"""``zoo restore``: files, folders, globs, formats and bit depths, EXIF, steps, samples, one-line errors."""

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from zoo.cli.main import main
from zoo.factors import CHAIN_ORDER
from zoo.inference.samples import sample_names
from zoo.registry import MODEL_INFO, MODELS, ModelInfo, list_pretrained, register_model

FAKE = "test_fake_recurrent"


class FakeRecurrent(nn.Module):
    """R-MBN's interface in miniature: steps J, H, B, R, each brightening by 0.1."""

    def forward(self, x: torch.Tensor, factor: str | None = None, return_steps: bool = False):
        steps = {name: (x + 0.1 * (i + 1)).clamp(0, 1) for i, name in enumerate(CHAIN_ORDER)}
        return (steps["rain"], steps) if return_steps else steps["rain"]


@pytest.fixture
def fake_recurrent() -> Iterator[str]:
    info = ModelInfo(task="test double", factors=("rain", "blur", "jpeg", "haze"), returns_steps=True, learned=False)
    register_model(FAKE, info, force=True)(FakeRecurrent)
    yield FAKE
    MODEL_INFO.pop(FAKE, None)
    MODELS._module_dict.pop(FAKE, None)


def _noise(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    return Image.effect_noise(size, 60).convert("RGB").convert(mode)


def test_files_folders_and_globs_keep_names_and_formats(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    _noise((20, 12)).save(src / "a.png")
    _noise((20, 12)).save(src / "sub" / "b.jpg")
    _noise((9, 7), "L").save(tmp_path / "gray.png")
    out = tmp_path / "out"
    assert main(["restore", str(src), str(tmp_path / "*.png"), "-o", str(out), "-m", "identity"]) == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "a.png",
        "gray.png",
        "sub/b.png",  # JPEG inputs are written as PNG: no second round of compression
    ]
    assert np.array_equal(np.asarray(Image.open(out / "a.png")), np.asarray(Image.open(src / "a.png")))
    assert np.array_equal(np.asarray(Image.open(out / "sub" / "b.png")), np.asarray(Image.open(src / "sub" / "b.jpg")))
    assert Image.open(out / "gray.png").mode == "L"


def test_keep_jpeg_writes_jpeg_inputs_as_jpeg(tmp_path: Path) -> None:
    _noise((20, 12)).save(tmp_path / "b.jpg")
    assert main(["restore", str(tmp_path / "b.jpg"), "-o", str(tmp_path / "out"), "-m", "identity", "--keep-jpeg"]) == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["b.jpg"]
    assert Image.open(tmp_path / "out" / "b.jpg").format == "JPEG"
    assert main(["restore", str(tmp_path / "b.jpg"), "-o", str(tmp_path / "named.jpg"), "-m", "identity"]) == 0
    assert Image.open(tmp_path / "named.jpg").format == "JPEG"  # a file name the user chose is kept


def test_single_file_to_a_file_name_and_16_bit_depth(tmp_path: Path) -> None:
    import cv2

    deep = np.random.default_rng(0).integers(0, 65535, size=(10, 14, 3), endpoint=True).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "deep.png"), deep)
    assert main(["restore", str(tmp_path / "deep.png"), "-o", str(tmp_path / "x.png"), "-m", "identity"]) == 0
    back = cv2.imread(str(tmp_path / "x.png"), cv2.IMREAD_UNCHANGED)
    assert back.dtype == np.uint16 and np.abs(back.astype(int) - deep.astype(int)).max() <= 1


def test_exif_orientation_is_respected(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90 degrees clockwise to view
    _noise((30, 20)).save(tmp_path / "side.jpg", exif=exif.tobytes())
    assert main(["restore", str(tmp_path / "side.jpg"), "-o", str(tmp_path / "out"), "-m", "identity"]) == 0
    result = Image.open(tmp_path / "out" / "side.png")
    assert result.size == (20, 30)
    assert result.getexif().get(0x0112, 1) == 1


def test_save_steps_writes_one_image_per_step(tmp_path: Path, fake_recurrent: str) -> None:
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "dark.png")
    args = ["restore", str(tmp_path / "dark.png"), "-o", str(tmp_path / "out"), "-m", fake_recurrent, "--save-steps"]
    assert main(args) == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        "dark.png",
        "dark_step1_jpeg.png",
        "dark_step2_haze.png",
        "dark_step3_blur.png",
        "dark_step4_rain.png",
    ]
    assert np.asarray(Image.open(tmp_path / "out" / "dark_step2_haze.png")).max() == round(0.2 * 255)


def test_sample_prints_the_paths_and_psnr_before_and_after(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = sample_names()[0]
    assert main(["restore", "--sample", name, "-o", str(tmp_path), "-m", "identity"]) == 0
    out = capsys.readouterr().out
    before = float(re.search(r"PSNR degraded vs clean: +([\d.]+) dB \(RGB\)", out).group(1))
    after = float(re.search(r"PSNR restored vs clean: +([\d.]+) dB \(\+0\.00 dB\)", out).group(1))
    assert before == after and 5 < before < 60  # identity changes nothing
    assert re.search(r"^model: +identity \(fp32, ", out, re.M)
    paths = {key: Path(re.search(rf"^{key}: +(\S+)", out, re.M).group(1)) for key in ("input", "reference", "output")}
    assert paths["output"] == tmp_path / f"{name}.png"
    assert paths["input"].name == f"{name}.png" and paths["reference"].name == f"{name}_clean.png"
    for path in paths.values():
        assert path.is_file()
    assert np.array_equal(np.asarray(Image.open(paths["output"])), np.asarray(Image.open(paths["input"])))


def test_help_names_the_bundled_samples(capsys: pytest.CaptureFixture[str]) -> None:
    from zoo.cli.restore import bundled_samples

    assert bundled_samples() == sample_names()
    with pytest.raises(SystemExit):
        main(["restore", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"(one of: {', '.join(sample_names())})" in help_text
    assert "JPEG inputs are written as PNG" in help_text and "default auto" in help_text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["missing.png", "-m", "identity"], "no such file or folder"),
        (["notes.png", "-m", "identity"], "not an image"),
        (["ok.png", "-m", "identiy"], "unknown model 'identiy'"),
        (["ok.png", "-m", "identity", "--factor", "rain"], "no factor branches"),
        (["ok.png", "-m", "identity", "--device", "cuda"], "CUDA"),
        (["--sample", "no_such_sample", "-m", "identity"], "unknown sample"),
        (["-m", "identity"], "give INPUT"),
    ],
)
def test_bad_inputs_are_one_line_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    if "cuda" in extra and torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.png").write_text("plain text")
    _noise((6, 6)).save(tmp_path / "ok.png")
    assert main(["restore", *extra, "-o", "out"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("zoo restore: error:") and message in err[0]


def test_default_model_needs_shipped_weights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from zoo.registry import pretrained as pretrained_module

    monkeypatch.setattr(pretrained_module, "weights_dir", lambda: tmp_path / "no_weights")
    pretrained_module.pretrained_table.cache_clear()
    _noise((6, 6)).save(tmp_path / "ok.png")
    try:
        assert main(["restore", str(tmp_path / "ok.png"), "-o", str(tmp_path / "out")]) == 1
        assert "no R-MBN weights ship" in capsys.readouterr().err
    finally:
        pretrained_module.pretrained_table.cache_clear()  # the real table is read again after the patch is undone


def test_default_model_is_the_shipped_rmbn(tmp_path: Path) -> None:
    assert list_pretrained("rmbn.*"), "no R-MBN weights ship"
    _noise((20, 20)).save(tmp_path / "ok.png")
    assert main(["restore", str(tmp_path / "ok.png"), "-o", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "ok.png").is_file()
