"""Image files and arrays: layouts round-trip, 16-bit depth survives, EXIF orientation is applied."""

import numpy as np
import pytest
from PIL import Image, ImageOps

from zoo.inference.image_io import _orient, from_rgb, read_image, to_rgb, write_image


@pytest.mark.parametrize(
    ("shape", "dtype"),
    [
        ((9, 7), np.uint8),
        ((9, 7, 1), np.uint16),
        ((9, 7, 2), np.uint8),
        ((9, 7, 3), np.float32),
        ((9, 7, 4), np.uint16),
    ],
)
def test_to_rgb_and_back_round_trips(shape: tuple[int, ...], dtype: type) -> None:
    rng = np.random.default_rng(0)
    if np.issubdtype(dtype, np.integer):
        array = rng.integers(0, np.iinfo(dtype).max, size=shape, endpoint=True).astype(dtype)
    else:
        array = rng.random(shape).astype(dtype)
    rgb, alpha, layout = to_rgb(array)
    assert rgb.shape == (9, 7, 3) and rgb.dtype == np.float32
    assert (alpha is not None) == (len(shape) == 3 and shape[2] in (2, 4))
    back = from_rgb(rgb, alpha, layout)
    assert back.shape == array.shape and back.dtype == array.dtype
    assert np.abs(back.astype(np.float64) - array.astype(np.float64)).max() <= (1e-6 if dtype == np.float32 else 1)


def test_gray_is_converted_back_with_luma() -> None:
    rgb = np.zeros((2, 2, 3), np.float32)
    rgb[..., 1] = 1.0  # pure green
    _, _, layout = to_rgb(np.zeros((2, 2), np.uint8))
    assert np.all(from_rgb(rgb, None, layout) == round(0.587 * 255))


def test_bad_arrays_are_rejected_with_a_reason() -> None:
    with pytest.raises(ValueError, match="expected"):
        to_rgb(np.zeros((4, 4, 5), np.uint8))
    with pytest.raises(ValueError, match="dtype int32"):
        to_rgb(np.zeros((4, 4, 3), np.int32))


@pytest.mark.parametrize("suffix", [".png", ".tif"])
@pytest.mark.parametrize("channels", [3, 4])
def test_16bit_color_keeps_16_bits(tmp_path, suffix: str, channels: int) -> None:
    array = np.random.default_rng(1).integers(0, 65535, size=(6, 5, channels), endpoint=True).astype(np.uint16)
    path = write_image(tmp_path / f"deep{suffix}", array)
    back = read_image(path).pixels
    assert back.dtype == np.uint16 and np.array_equal(back, array)


@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA"])
def test_8bit_png_round_trips(tmp_path, mode: str) -> None:
    image = Image.effect_noise((8, 6), 60).convert(mode)
    image.save(tmp_path / "in.png")
    read = read_image(tmp_path / "in.png")
    assert read.format == "PNG"
    path = write_image(tmp_path / "out.png", read.pixels)
    assert Image.open(path).mode == mode
    assert np.array_equal(np.asarray(Image.open(path)), np.asarray(image))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_on_read(tmp_path, orientation: int) -> None:
    image = Image.fromarray(np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3) * 2)
    exif = Image.Exif()
    exif[0x0112] = orientation
    image.save(tmp_path / "o.png", exif=exif.tobytes())
    expected = np.asarray(ImageOps.exif_transpose(Image.open(tmp_path / "o.png")))
    assert np.array_equal(read_image(tmp_path / "o.png").pixels, expected)
    assert np.array_equal(_orient(np.asarray(image), orientation), expected)


def test_missing_and_non_image_files_are_clear_errors(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_image(tmp_path / "missing.png")
    (tmp_path / "notes.png").write_text("not an image")
    with pytest.raises(ValueError, match="not an image"):
        read_image(tmp_path / "notes.png")


def test_jpeg_cannot_take_alpha(tmp_path) -> None:
    with pytest.raises(ValueError, match="alpha"):
        write_image(tmp_path / "x.jpg", np.zeros((4, 4, 4), np.uint8))
