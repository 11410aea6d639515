"""How long refusing a decompression bomb takes (pytest-benchmark).

Run ``pytest benchmarks/speed/bench_bad_inputs.py --benchmark-only``. Target: well under 0.5 s per file, because the
size is read from the header and no pixel is decoded. The tests in ``tests/reliability/test_rel_bad_inputs.py``
check that no decoding happens; the timing lives here, where a loaded machine cannot fail the test suite. The files
are a few kB long and claim 100 or 400 megapixels.
"""

import io
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from zoo.inference.image_io import read_image  # noqa: E402


def _jpeg_claiming(width: int, height: int) -> bytes:
    """A real 32x24 JPEG whose SOF0 frame header is patched to claim width x height."""
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((24, 32, 3), np.uint8)).save(buffer, format="JPEG", quality=90)
    jpeg = buffer.getvalue()
    sof = jpeg.index(b"\xff\xc0")
    return jpeg[: sof + 5] + height.to_bytes(2, "big") + width.to_bytes(2, "big") + jpeg[sof + 9 :]


def _png_claiming(width: int, height: int) -> bytes:
    """A 32x24 PNG whose IHDR is patched to claim width x height (its CRC recomputed)."""
    import zlib

    buffer = io.BytesIO()
    Image.fromarray(np.zeros((24, 32, 3), np.uint8)).save(buffer, format="PNG")
    png = bytearray(buffer.getvalue())
    # The IHDR data follows the 8-byte signature, the chunk length and the chunk type.
    png[16:24] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    png[29:33] = zlib.crc32(bytes(png[12:29])).to_bytes(4, "big")
    return bytes(png)


BOMBS = {
    "bomb_400mp.png": lambda: _png_claiming(20000, 20000),
    "bomb_400mp.jpg": lambda: _jpeg_claiming(20000, 20000),
    "bomb_100mp.png": lambda: _png_claiming(10000, 10000),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_bomb_refusal(benchmark, tmp_path: Path, name: str) -> None:
    """Seconds to open, measure and refuse one bomb file."""
    path = tmp_path / name
    path.write_bytes(BOMBS[name]())

    def refuse() -> None:
        with pytest.raises(ValueError, match="bomb|megapixels"):
            read_image(path)

    benchmark(refuse)
