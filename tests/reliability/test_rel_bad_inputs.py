"""Bad and unusual inputs through the Python API and the CLI: correct handling, or one clear line naming the problem."""

import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageFile
from rel_files import ACCEPTED, REFUSED

import zoo
from zoo.cli.main import main
from zoo.inference.image_io import read_image
from zoo.registry import UnknownModelError, create_model

RNG = np.random.default_rng(1)
RGB8 = (RNG.random((20, 28, 3)) * 255).astype(np.uint8)


def _one_line_error(err: str, command: str, *words: str) -> None:
    lines = [line for line in err.replace("\r", "\n").splitlines() if line.strip() and "image/s" not in line]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"zoo {command}: error: "), err
    assert "Traceback" not in err
    for word in words:
        assert word.lower() in lines[0].lower(), (word, lines[0])


# --- files: API ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_bad_file_is_refused_by_the_api(bad_files: Path, name: str) -> None:
    with pytest.raises(ValueError, match=REFUSED[name]) as info:
        read_image(bad_files / name)
    assert name in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", ["bomb.png", "bomb.jpg", "bomb_100mp.png"])
def test_bomb_is_refused_before_decoding(bad_files: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused from the header: no pixel of the 100-400 megapixels is decoded (no time or memory spent on them).

    How long the refusal takes is measured in benchmarks/speed/bench_bad_inputs.py, not asserted here.
    """
    decoded: list[str] = []
    real_load = ImageFile.ImageFile.load

    def load(image: ImageFile.ImageFile):
        decoded.append(image.format)
        return real_load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    with pytest.raises(ValueError, match="decompression bomb|megapixels"):
        read_image(bad_files / name)
    assert decoded == []
    assert read_image(bad_files / "good.png").pixels.shape == (24, 32, 3) and decoded, "the spy sees decoding"


def test_size_limit_follows_pillow_setting(bad_files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 24 * 32 - 1)
    with pytest.raises(ValueError, match="24 = 0 megapixels|megapixels"):
        read_image(bad_files / "good.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 24 * 32)
    assert read_image(bad_files / "good.png").pixels.shape == (24, 32, 3)


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_unusual_file_is_restored_by_the_api(bad_files: Path, name: str) -> None:
    image = read_image(bad_files / name)
    restored = zoo.restore(image.pixels, model="identity")
    assert restored.shape == image.pixels.shape and restored.dtype == image.pixels.dtype
    diff = np.abs(restored.astype(np.int64) - image.pixels.astype(np.int64))
    assert diff.max() <= 1  # identity: only the gray -> RGB -> luma round trip may move a level


@pytest.mark.parametrize("name", ["one_pixel.png", "rgba.png", "rgb16.png"])
@pytest.mark.parametrize("model", ["median_derain", "durn_us", "mbn"])
def test_unusual_file_through_real_networks(bad_files: Path, name: str, model: str) -> None:
    """Untrained networks (and a classical filter): right shape, dtype and finite values, including a 1x1 image."""
    net = create_model(model, width=0.25) if model != "median_derain" else create_model(model)
    pixels = read_image(bad_files / name).pixels
    restored = zoo.restore(pixels, model=net, factor="rain" if model == "mbn" else None)
    assert restored.shape == pixels.shape and restored.dtype == pixels.dtype


# --- files: CLI ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_bad_file_is_one_line_error_in_the_cli(
    bad_files: Path, name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["restore", str(bad_files / name), "-m", "identity", "-o", str(tmp_path / "out")]) == 1
    _one_line_error(capsys.readouterr().err, "restore", name, REFUSED[name])
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_unusual_file_is_restored_in_kind_by_the_cli(
    bad_files: Path, name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / name
    assert main(["restore", str(bad_files / name), "-m", "identity", "-o", str(out)]) == 0
    assert "restored 1 image" in capsys.readouterr().out
    before, after = read_image(bad_files / name).pixels, read_image(out).pixels
    assert after.shape == before.shape and after.dtype == before.dtype
    if ACCEPTED[name] is not None:
        with Image.open(out) as written:
            assert written.mode == ACCEPTED[name]
    tolerance = 8 if name.endswith(".jpg") else 1  # JPEG is re-encoded (quality 95)
    assert np.abs(after.astype(np.int64) - before.astype(np.int64)).mean() <= tolerance


def test_a_folder_with_one_bad_file_skips_it_and_restores_the_rest(
    bad_files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, source in (("a.png", "good.png"), ("b.png", "truncated.png"), ("c.png", "good.png")):
        (folder / name).write_bytes((bad_files / source).read_bytes())
    assert main(["restore", str(folder), "-m", "identity", "-o", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("zoo restore: error: ")]
    assert len(errors) == 1 and "b.png" in errors[0] and "truncated" in errors[0].lower(), captured.err
    assert "1 of 3 inputs failed" in captured.err and "Traceback" not in captured.err
    assert "restored 2 images" in captured.out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.png", "c.png"]


# --- in-memory images: modes, dtypes, ranges ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "back"),
    [("L", "L"), ("LA", "LA"), ("RGBA", "RGBA"), ("P", "RGB"), ("CMYK", "RGB"), ("1", "L"), ("I;16", "I;16")],
)
def test_pil_modes(mode: str, back: str) -> None:
    image = Image.fromarray(RGB8).convert(mode) if mode != "I;16" else Image.fromarray(RGB8[..., 0].astype(np.uint16))
    restored = zoo.restore(image, model="identity")
    assert restored.mode == back and restored.size == image.size


@pytest.mark.parametrize(
    "image",
    [
        RGB8[:1, :1],
        RGB8[..., 0],
        RGB8[..., :1],
        RGB8.astype(np.uint16) * 257,
        RGB8.astype(np.float16) / 255,
        RGB8.astype(np.float64) / 255,
        torch.from_numpy(RGB8).permute(2, 0, 1).contiguous(),
        torch.from_numpy(RGB8[..., :1]).permute(2, 0, 1).float() / 255,
    ],
    ids=["1x1", "gray2d", "gray1", "uint16", "float16", "float64", "tensor_uint8", "tensor_gray"],
)
def test_accepted_arrays_come_back_in_kind(image: np.ndarray | torch.Tensor) -> None:
    restored = zoo.restore(image, model="identity")
    assert type(restored) is type(image) and restored.shape == image.shape and restored.dtype == image.dtype


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
@pytest.mark.parametrize("kind", ["numpy", "tensor", "pil_f"])
def test_nan_and_inf_are_refused(value: float, kind: str) -> None:
    array = RGB8.astype(np.float32) / 255
    array[3, 4, 1] = value
    image: object = array
    if kind == "tensor":
        image = torch.from_numpy(array).permute(2, 0, 1)
    elif kind == "pil_f":
        image = Image.fromarray(array[..., 1], mode="F")
    with pytest.raises(ValueError, match=r"1 pixel\(s\) with NaN/Inf"):
        zoo.restore(image, model="identity")


@pytest.mark.parametrize(
    ("image", "words"),
    [
        (RGB8.astype(np.float32), "0..255: divide by 255"),
        (RGB8.astype(np.float32) / 127.5 - 1, "-1..1"),
        (torch.from_numpy(RGB8).permute(2, 0, 1).float(), "0..255"),
    ],
    ids=["float_0_255", "float_minus1_1", "tensor_0_255"],
)
def test_wrong_range_is_refused(image: np.ndarray | torch.Tensor, words: str) -> None:
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]") as info:
        zoo.restore(image, model="identity")
    assert words in str(info.value)


def test_small_overshoot_is_accepted() -> None:
    image = np.clip(RGB8.astype(np.float32) / 255 * 1.1 - 0.05, -0.05, 1.05)
    restored = zoo.restore(image, model="identity")
    assert restored.min() >= 0 and restored.max() <= 1  # clamped on the way out, as documented


@pytest.mark.parametrize(
    ("image", "words"),
    [
        (RGB8.astype(np.int32), "dtype int32"),
        (RGB8.astype(bool), "dtype bool"),
        (RGB8.astype(np.complex64), "dtype complex64"),
        (np.zeros((20, 28, 5), np.uint8), "shape (20, 28, 5)"),
        (np.zeros((3, 20, 28), np.uint8), "shape (3, 20, 28)"),
        (np.zeros((2, 2, 20, 28, 3), np.uint8), "shape"),
        (torch.zeros(3, 20, 28, dtype=torch.int64), "dtype torch.int64"),
        (torch.zeros(2, 20, 28), "shape (2, 20, 28)"),
        ([[0.5]], "PIL image, numpy array or torch tensor"),
    ],
    ids=["int32", "bool", "complex", "5_channels", "channels_first_numpy", "5d", "int64_tensor", "2ch_tensor", "list"],
)
def test_wrong_dtype_or_shape_is_refused(image: object, words: str) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        zoo.restore(image, model="identity")
    assert words in str(info.value)


def test_model_producing_nan_is_an_error_not_a_black_image() -> None:
    class Broken(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * float("nan")

    with pytest.raises(RuntimeError, match="produced NaN/Inf"):
        zoo.restore(RGB8, model=Broken())


# --- names: model, factor -----------------------------------------------------------------------------------------


def test_unknown_model_name(capsys: pytest.CaptureFixture[str], bad_files: Path, tmp_path: Path) -> None:
    with pytest.raises(UnknownModelError, match="unknown model 'rmbm'; closest: rmbn"):
        zoo.restore(RGB8, model="rmbm")
    assert main(["restore", str(bad_files / "good.png"), "-m", "rmbm", "-o", str(tmp_path)]) == 1
    _one_line_error(capsys.readouterr().err, "restore", "unknown model 'rmbm'", "rmbn")


def test_unknown_pretrained_tag(capsys: pytest.CaptureFixture[str], bad_files: Path, tmp_path: Path) -> None:
    assert main(["restore", str(bad_files / "good.png"), "-m", "rmbn.no_such_tag", "-o", str(tmp_path)]) == 1
    _one_line_error(capsys.readouterr().err, "restore", "unknown pretrained tag 'rmbn.no_such_tag'")


def test_unknown_factor_api() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="unknown factor 'snow' for 'mbn'; choose one of rain, blur, jpeg, haze"):
            zoo.restore(RGB8, model=create_model("mbn", width=0.25), factor="snow")
        with pytest.raises(ValueError, match="needs a factor"):
            zoo.restore(RGB8, model=create_model("mbn", width=0.25))
    with pytest.raises(ValueError, match="no factor branches"):
        zoo.restore(RGB8, model="identity", factor="rain")


def test_unknown_factor_cli(
    capsys: pytest.CaptureFixture[str], bad_files: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zoo.registry import save_release_weights

    weights = tmp_path / "mbn.safetensors"
    save_release_weights(create_model("mbn").state_dict(), weights, {})
    good = str(bad_files / "good.png")
    args = ["restore", good, "-m", "mbn", "--checkpoint", str(weights), "-o", str(tmp_path / "out")]
    assert main([*args, "--factor", "snow"]) == 1
    _one_line_error(capsys.readouterr().err, "restore", "unknown factor 'snow'", "rain, blur, jpeg, haze")
    assert main(args) == 1
    _one_line_error(capsys.readouterr().err, "restore", "needs a factor")
    assert main(["restore", good, "-m", "identity", "--factor", "rain", "-o", str(tmp_path / "o")]) == 1
    _one_line_error(capsys.readouterr().err, "restore", "no factor branches")


def test_cmyk_profile_is_not_attached_to_the_rgb_result(tmp_path: Path) -> None:
    from PIL import ImageCms

    cmyk_profile = bytearray(132)
    cmyk_profile[:4] = (132).to_bytes(4, "big")
    cmyk_profile[12:20], cmyk_profile[36:40] = b"prtrCMYK", b"acsp"
    Image.fromarray(RGB8).convert("CMYK").save(tmp_path / "cmyk.jpg", icc_profile=bytes(cmyk_profile))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.fromarray(RGB8).save(tmp_path / "rgb.jpg", icc_profile=srgb)
    assert main(["restore", str(tmp_path / "cmyk.jpg"), "-m", "identity", "-o", str(tmp_path / "out_cmyk.jpg")]) == 0
    assert main(["restore", str(tmp_path / "rgb.jpg"), "-m", "identity", "-o", str(tmp_path / "out_rgb.jpg")]) == 0
    with Image.open(tmp_path / "out_cmyk.jpg") as out:
        assert out.mode == "RGB" and "icc_profile" not in out.info
    with Image.open(tmp_path / "out_rgb.jpg") as out:
        assert out.info.get("icc_profile") == srgb
