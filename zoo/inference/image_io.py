"""Image files and in-memory images <-> float RGB arrays, keeping what is needed to convert back.

Every image the restorer sees is a float32 array of shape (H, W, 3) in [0, 1] plus an optional alpha plane. This
module converts PIL images, numpy arrays and files to that form and back to the caller's kind:

- grayscale (``L``, 16-bit ``I;16``, float ``F``) is restored as RGB and converted back with ITU-R 601 luma
  (the weights Pillow uses for ``convert("L")``);
- an alpha channel is passed through unchanged;
- palette (``P``) and bilevel (``1``) PIL images come back as ``RGB``/``RGBA`` and ``L`` (re-quantising a restored
  photo to 256 colours or to black and white would undo the restoration);
- 16-bit PNG/TIFF files keep 16 bits (read with OpenCV, because Pillow reads 16-bit RGB PNG as 8 bits);
- EXIF orientation is applied on reading (``PIL.ImageOps.exif_transpose``) and reset to "upright" on writing;
- CMYK files are converted to RGB and their (CMYK) ICC profile is not carried over to the RGB result;
- a file holding several frames is refused rather than restored as its first frame (an MPO photo's extra pictures
  only warn); ``zoo restore`` restores animated GIFs frame by frame (:mod:`zoo.inference.animation`).
"""

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .animation import check_frames

__all__ = [
    "IMAGE_SUFFIXES",
    "ImageLayout",
    "ImageFile",
    "from_rgb",
    "read_image",
    "to_rgb",
    "write_image",
]

# File suffixes ``zoo restore`` picks up when given a folder or a glob.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")

_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
_EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True)
class ImageLayout:
    """How an (H, W, C) array stores an image, so a restored RGB image can be put back the same way.

    Attributes:
        channels: 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).
        dtype: numpy dtype of the stored values: ``uint8``, ``uint16`` or a float dtype (values in [0, 1]).
        squeeze: The array had no channel axis (shape (H, W)).
    """

    channels: int
    dtype: np.dtype
    squeeze: bool = False

    @property
    def max_value(self) -> float:
        """Value that stands for 1.0 (255, 65535, or 1 for floats)."""
        return float(np.iinfo(self.dtype).max) if np.issubdtype(self.dtype, np.integer) else 1.0

    @property
    def has_alpha(self) -> bool:
        """Whether the last channel is alpha."""
        return self.channels in (2, 4)


def _layout_of(array: np.ndarray) -> ImageLayout:
    if array.ndim == 2:
        channels, squeeze = 1, True
    elif array.ndim == 3 and array.shape[2] in (1, 2, 3, 4):
        channels, squeeze = array.shape[2], False
    else:
        raise ValueError(
            f"image array has shape {array.shape}; expected (H, W) or (H, W, C) with C = 1 (gray), 2 (gray + alpha), "
            "3 (RGB) or 4 (RGBA)"
        )
    if array.dtype not in (np.uint8, np.uint16) and not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"image array has dtype {array.dtype}; expected uint8, uint16 or float (values in [0, 1])")
    return ImageLayout(channels=channels, dtype=array.dtype, squeeze=squeeze)


def to_rgb(array: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, ImageLayout]:
    """Split an image array into float RGB and alpha.

    Args:
        array: (H, W) or (H, W, C) with C in {1, 2, 3, 4}; uint8, uint16 or float in [0, 1].

    Returns:
        ``(rgb, alpha, layout)``: rgb float32 (H, W, 3) in [0, 1] (gray repeated three times), alpha float32 (H, W)
        or None, and the layout that :func:`from_rgb` needs to convert back.
    """
    layout = _layout_of(array)
    values = array.reshape(array.shape[0], array.shape[1], layout.channels).astype(np.float32) / layout.max_value
    alpha = values[..., -1].copy() if layout.has_alpha else None
    color = values[..., :-1] if layout.has_alpha else values
    rgb = np.repeat(color, 3, axis=2) if color.shape[2] == 1 else np.ascontiguousarray(color)
    return rgb, alpha, layout


def from_rgb(rgb: np.ndarray, alpha: np.ndarray | None, layout: ImageLayout) -> np.ndarray:
    """Inverse of :func:`to_rgb`: put a restored float RGB image back into the original layout.

    Args:
        rgb: float (H, W, 3); clipped to [0, 1].
        alpha: The alpha plane returned by :func:`to_rgb` (or None).
        layout: The layout returned by :func:`to_rgb`.

    Returns:
        An array of the original shape and dtype (integers rounded to the nearest level).
    """
    rgb = np.clip(rgb.astype(np.float32, copy=False), 0.0, 1.0)
    color = (rgb @ _LUMA)[..., None] if layout.channels in (1, 2) else rgb
    if layout.has_alpha:
        assert alpha is not None, "layout has alpha but no alpha plane was given"
        color = np.concatenate([color, alpha[..., None]], axis=2)
    out = color * layout.max_value
    if np.issubdtype(layout.dtype, np.integer):
        out = np.rint(out)
    out = np.clip(out, 0.0, layout.max_value).astype(layout.dtype)
    return out[..., 0] if layout.squeeze else out


# --- PIL images -------------------------------------------------------------------------------------------------

_PIL_TO_ARRAY_MODE = {"1": "L", "CMYK": "RGB", "YCbCr": "RGB", "LAB": "RGB", "HSV": "RGB", "La": "LA", "RGBa": "RGBA"}


def pil_to_array(image: Image.Image) -> tuple[np.ndarray, str]:
    """A PIL image as an array :func:`to_rgb` accepts, and the mode to give back.

    Palette images become RGB (RGBA when they have transparency); modes without a direct array form are converted
    to their nearest RGB/gray mode. 16-bit and 32-bit integer gray (``I;16``, ``I``) are read as 16-bit values.
    """
    mode = image.mode
    if mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    elif mode in _PIL_TO_ARRAY_MODE:
        image = image.convert(_PIL_TO_ARRAY_MODE[mode])
    if image.mode.startswith("I;16") or image.mode == "I":
        array = np.clip(np.asarray(image).astype(np.int64), 0, 65535).astype(np.uint16)
        return array, "I;16"
    if image.mode == "F":
        return np.asarray(image, dtype=np.float32), "F"
    if image.mode not in ("L", "LA", "RGB", "RGBA"):
        raise ValueError(f"PIL image mode {mode!r} is not supported; convert it to 'RGB' first")
    return np.asarray(image), image.mode


def array_to_pil(array: np.ndarray, mode: str) -> Image.Image:
    """Inverse of :func:`pil_to_array` (palette images come back as RGB/RGBA, bilevel as L)."""
    if mode == "I;16":
        return Image.fromarray(array.astype(np.uint16))
    if mode == "F":
        return Image.fromarray(array.astype(np.float32), mode="F")
    return Image.fromarray(array)


# --- files ------------------------------------------------------------------------------------------------------


@dataclass
class ImageFile:
    """An image read from disk: its pixels (upright) and what is needed to write it back in kind.

    Attributes:
        pixels: (H, W) or (H, W, C) uint8 or uint16 array, C in {2, 3, 4}; RGB channel order.
        format: Pillow's format name (``"PNG"``, ``"JPEG"``, ...), or None when unknown.
        path: Where it was read from.
        save_options: Extra Pillow ``save`` arguments that keep the file's ICC profile and EXIF.
    """

    pixels: np.ndarray
    format: str | None
    path: Path | None = None
    save_options: dict[str, Any] = field(default_factory=dict)


def _orient(array: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation (1-8) to an array the way ``ImageOps.exif_transpose`` does."""
    ops = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: np.swapaxes(a, 0, 1),
        6: lambda a: np.rot90(a, -1),
        7: lambda a: np.swapaxes(a, 0, 1)[::-1, ::-1],
        8: lambda a: np.rot90(a, 1),
    }
    return np.ascontiguousarray(ops[orientation](array)) if orientation in ops else array


def read_image(path: str | Path) -> ImageFile:
    """Read an image file, upright (EXIF orientation applied), keeping 16-bit depth where the file has it.

    Raises:
        FileNotFoundError: No such file.
        ValueError: The file is not an image Pillow can read.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        with warnings.catch_warnings():  # refused just below with a clearer message; the warning would repeat it
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(path)
        with opened:
            _check_pixel_count(path, opened.size)
            check_frames(opened, path)
            opened.load()
            fmt = opened.format
            exif = opened.getexif()
            orientation = int(exif.get(_EXIF_ORIENTATION, 1))
            icc = opened.info.get("icc_profile")
            if opened.mode == "CMYK":  # the profile describes CMYK ink; the pixels are converted to RGB and saved so
                icc = None
            deep_file = _sixteen_bit(path, opened)
            upright = ImageOps.exif_transpose(opened)
            pixels, mode = pil_to_array(upright)
    except UnidentifiedImageError:
        raise ValueError(f"{path}: not an image (Pillow cannot identify it)") from None
    except Image.DecompressionBombError as err:
        raise ValueError(f"{path}: refused as a possible decompression bomb ({err})") from None
    except OSError as err:
        raise ValueError(f"{path}: cannot decode the image ({err})") from None
    if deep_file and mode in ("RGB", "RGBA"):
        deep = _read_16bit_color(path)
        if deep is not None:
            pixels = _orient(deep, orientation)
    save_options: dict[str, Any] = {}
    if icc:
        save_options["icc_profile"] = icc
    if len(exif):
        exif[_EXIF_ORIENTATION] = 1
        save_options["exif"] = exif.tobytes()
    if mode == "F":
        raise ValueError(f"{path}: 32-bit float images are not supported as files; convert to 16-bit PNG or TIFF")
    return ImageFile(pixels=pixels, format=fmt, path=path, save_options=save_options)


def _check_pixel_count(path: Path, size: tuple[int, int]) -> None:
    """Refuse a file whose header claims more pixels than ``PIL.Image.MAX_IMAGE_PIXELS``, before decoding it.

    Pillow itself only warns between the limit and twice the limit; a header can claim any size in a few bytes, so
    the check is made here on the header's size. ``PIL.Image.MAX_IMAGE_PIXELS = None`` lifts the limit.
    """
    limit = Image.MAX_IMAGE_PIXELS
    width, height = size
    if limit is not None and width * height > limit:
        raise ValueError(
            f"{path}: the header claims {width}x{height} = {width * height / 1e6:.0f} megapixels, over the limit of "
            f"{limit / 1e6:.0f} megapixels (possible decompression bomb); refused. Downscale the image, or raise "
            "PIL.Image.MAX_IMAGE_PIXELS if you trust the file"
        )


def _sixteen_bit(path: Path, opened: Image.Image) -> bool:
    """Whether a PNG or TIFF file may hold more than 8 bits per sample (Pillow reads 16-bit colour as 8-bit).

    Decided from the header, so 8-bit files (nearly all photos) are not decoded a second time by OpenCV.
    """
    if opened.format == "PNG":
        with open(path, "rb") as file:
            header = file.read(25)
        return len(header) < 25 or header[24] > 8  # IHDR bit depth: signature 8 + length 4 + type 4 + size 8
    if opened.format == "TIFF":
        bits = getattr(opened, "tag_v2", {}).get(258, (8,))
        return max(bits if isinstance(bits, tuple) else (bits,)) > 8
    return False


def _read_16bit_color(path: Path) -> np.ndarray | None:
    """16-bit RGB(A) pixels of a PNG/TIFF via OpenCV, or None when the file is not 16-bit colour."""
    if path.suffix.lower() not in (".png", ".tif", ".tiff"):
        return None
    raw = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if raw is None or raw.dtype != np.uint16 or raw.ndim != 3:
        return None
    code = cv2.COLOR_BGRA2RGBA if raw.shape[2] == 4 else cv2.COLOR_BGR2RGB
    return cv2.cvtColor(raw, code)


PNG_COMPRESS_LEVEL = 3  # zlib level of written PNGs; see write_image

_SUFFIX_FORMAT = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".bmp": "BMP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".webp": "WEBP",
}


def write_image(path: str | Path, pixels: np.ndarray, save_options: dict[str, Any] | None = None) -> Path:
    """Write pixels to an image file whose format follows the suffix.

    Args:
        path: Destination; its suffix picks the format (png, jpg/jpeg, bmp, tif/tiff, webp). Parent folders are made.
        pixels: (H, W) or (H, W, C) uint8 or uint16 array in RGB(A) order. uint16 needs PNG or TIFF.
        save_options: Extra Pillow save arguments (ICC profile, EXIF) from :class:`ImageFile`.

    Returns:
        The path written.
    """
    path = Path(path)
    fmt = _SUFFIX_FORMAT.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: unknown image suffix; use one of {', '.join(sorted(_SUFFIX_FORMAT))}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if pixels.dtype == np.uint16:
        if fmt not in ("PNG", "TIFF"):
            raise ValueError(f"{path}: 16-bit images need a .png or .tif(f) file")
        array = pixels
        if array.ndim == 3 and array.shape[2] == 2:  # OpenCV has no gray+alpha; keep gray, drop nothing silently
            raise ValueError(f"{path}: 16-bit gray + alpha cannot be written; write 8-bit or RGBA")
        if array.ndim == 3:
            array = cv2.cvtColor(array, cv2.COLOR_RGBA2BGRA if array.shape[2] == 4 else cv2.COLOR_RGB2BGR)
        if not cv2.imwrite(str(path), array):
            raise OSError(f"{path}: OpenCV could not write the 16-bit image")
        return path
    image = Image.fromarray(pixels)
    options = dict(save_options or {})
    if fmt == "JPEG":
        if image.mode in ("LA", "RGBA"):
            raise ValueError(f"{path}: JPEG cannot store an alpha channel; write a .png instead")
        options.update(quality=95, subsampling=0)
    elif fmt == "PNG":
        # Lossless at any level; level 3 encoded a restored 1 MP photo 4x faster than Pillow's default 6 (0.11 s
        # against 0.41 s, as long as restoring it) for a file 5 % larger.
        options.setdefault("compress_level", PNG_COMPRESS_LEVEL)
    elif fmt == "WEBP":
        options.update(quality=95)
    elif fmt == "BMP":
        options.pop("exif", None)
    image.save(path, format=fmt, **options)
    return path
