"""Atomic writes into Gradio's image cache, so that two requests producing the same image cannot corrupt a download.

Gradio stores every output image under a name derived from its content (``<cache>/<sha>/image.png``) and writes it
with ``Path.write_bytes``, which first truncates the file. When two requests return the same image (the same photo
through the same model), the second request truncates and rewrites the file while the first request's client may be
downloading it; the download then ends with "peer closed connection without sending complete message body
(received 0 bytes)". Seen in 1 of 50 concurrent requests in ``tests/reliability/test_rel_demo_load.py``.

:func:`install` replaces ``gradio.processing_utils.save_pil_to_cache`` with a version that leaves an existing file
alone (same name = same bytes) and writes a new one under a temporary name, then renames it into place, as Gradio
already does for uploaded files (``save_file_to_cache``).
"""

import os
import tempfile
from pathlib import Path

from gradio import processing_utils

__all__ = ["install", "save_pil_to_cache_atomically"]


def save_pil_to_cache_atomically(img, cache_dir: str, name: str = "image", format: str = "webp") -> str:  # noqa: A002
    """Drop-in for Gradio's ``save_pil_to_cache``: same path, same bytes, never a partly written file."""
    data = processing_utils.encode_pil_to_bytes(img, format)
    folder = Path(cache_dir) / processing_utils.hash_bytes(data)
    folder.mkdir(exist_ok=True, parents=True)
    target = (folder / f"{name}.{format}").resolve()
    if target.is_file() and target.stat().st_size == len(data):
        return str(target)
    fd, staging = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(staging, target)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return str(target)


def install() -> None:
    """Route Gradio's image-cache writes through :func:`save_pil_to_cache_atomically` (idempotent)."""
    processing_utils.save_pil_to_cache = save_pil_to_cache_atomically
