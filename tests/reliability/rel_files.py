"""Bad and unusual image files for the reliability tests (all tiny); the ``bad_files`` fixture is in conftest."""

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

# Files that must be refused with a one-line error, and a word the message must contain.
REFUSED = {
    "empty.png": "not an image",
    "truncated.jpg": "truncated",
    "truncated.png": "truncated",
    "text.png": "not an image",
    "bomb.png": "decompression bomb",
    "bomb.jpg": "decompression bomb",
    "bomb_100mp.png": "megapixels",
    "float_nan.tif": "32-bit float",
}

# Files that must be restored, and the Pillow mode of the written result (None: 16-bit, checked with OpenCV).
ACCEPTED = {
    "one_pixel.png": "RGB",
    "gray.png": "L",
    "rgba.png": "RGBA",
    "palette.png": "RGB",
    "palette_alpha.png": "RGBA",
    "rgb16.png": None,
    "gray16.png": "I;16",
    "cmyk.jpg": "RGB",
}


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(width: int, height: int) -> bytes:
    """A valid-looking PNG a few kB long whose header claims width x height 8-bit RGB pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\x00" * (3 * width + 1) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


def jpeg_claiming(jpeg: bytes, width: int, height: int) -> bytes:
    """A real JPEG with its SOF0 frame header patched to claim width x height."""
    sof = jpeg.index(b"\xff\xc0")
    return jpeg[: sof + 5] + struct.pack(">HH", height, width) + jpeg[sof + 9 :]


def make_bad_files(folder: Path) -> Path:
    """Write every file of :data:`REFUSED` and :data:`ACCEPTED` into ``folder``."""
    rng = np.random.default_rng(0)
    rgb = (rng.random((24, 32, 3)) * 255).astype(np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.png").write_bytes(b"")
    Image.fromarray(rgb).save(folder / "good.jpg", quality=90)
    jpeg = (folder / "good.jpg").read_bytes()
    (folder / "truncated.jpg").write_bytes(jpeg[: len(jpeg) // 2])
    Image.fromarray(rgb).save(folder / "good.png")
    png = (folder / "good.png").read_bytes()
    (folder / "truncated.png").write_bytes(png[: len(png) // 2])
    (folder / "text.png").write_text("this is a text file, not a PNG\n")
    (folder / "bomb.png").write_bytes(png_claiming(20000, 20000))
    (folder / "bomb.jpg").write_bytes(jpeg_claiming(jpeg, 20000, 20000))
    (folder / "bomb_100mp.png").write_bytes(png_claiming(10000, 10000))  # under Pillow's own error threshold
    floats = rgb[..., 0].astype(np.float32) / 255
    floats[2, 3] = np.nan
    Image.fromarray(floats, mode="F").save(folder / "float_nan.tif")
    Image.fromarray(rgb[:1, :1]).save(folder / "one_pixel.png")
    Image.fromarray(rgb).convert("L").save(folder / "gray.png")
    Image.fromarray(np.dstack([rgb, rgb[..., 0]])).save(folder / "rgba.png")
    Image.fromarray(rgb).convert("P").save(folder / "palette.png")
    Image.fromarray(rgb).convert("P").save(folder / "palette_alpha.png", transparency=0)
    deep = (rng.random((24, 32, 3)) * 65535).astype(np.uint16)
    cv2.imwrite(str(folder / "rgb16.png"), deep[..., ::-1])
    Image.fromarray((rng.random((24, 32)) * 65535).astype(np.uint16)).save(folder / "gray16.png")
    Image.fromarray(rgb).convert("CMYK").save(folder / "cmyk.jpg", quality=95)
    return folder
