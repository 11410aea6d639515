"""Gradio's image cache is written atomically: a file being downloaded is never truncated by an identical output."""

import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("gradio", reason="the demo needs the 'demo' extra (gradio)")
from gradio import processing_utils  # noqa: E402

from zoo.demo.cache_writes import install, save_pil_to_cache_atomically  # noqa: E402

IMAGE = Image.fromarray((np.random.default_rng(0).random((48, 64, 3)) * 255).astype(np.uint8))


def test_same_name_and_bytes_as_gradio_and_an_existing_file_is_left_alone(tmp_path: Path) -> None:
    data = processing_utils.encode_pil_to_bytes(IMAGE, "png")
    path = Path(save_pil_to_cache_atomically(IMAGE, str(tmp_path), format="png"))
    assert path == (tmp_path / processing_utils.hash_bytes(data) / "image.png").resolve()
    assert path.read_bytes() == data
    before = path.stat()
    assert Path(save_pil_to_cache_atomically(IMAGE, str(tmp_path), format="png")) == path
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # not rewritten
    assert [p.name for p in path.parent.iterdir()] == ["image.png"]  # no staging file left


def test_concurrent_identical_outputs_never_expose_a_partial_file(tmp_path: Path) -> None:
    """Gradio's own writer fails this: readers see 0-byte files (the truncated download of the load test)."""
    size = len(processing_utils.encode_pil_to_bytes(IMAGE, "png"))
    seen: list[int] = []
    stop = threading.Event()
    paths: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            for file in tmp_path.glob("*/image.png"):
                try:
                    seen.append(len(file.read_bytes()))
                except FileNotFoundError:  # unlinked by the loop below between glob and read
                    pass

    def writer() -> None:
        paths.append(save_pil_to_cache_atomically(IMAGE, str(tmp_path), format="png"))

    watcher = threading.Thread(target=reader)
    watcher.start()
    for _ in range(20):  # fresh cache folders, 8 identical writes racing each time
        for old in tmp_path.glob("*/image.png"):
            old.unlink()
        writers = [threading.Thread(target=writer) for _ in range(8)]
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join()
    stop.set()
    watcher.join()
    assert len(set(paths)) == 1 and Path(paths[0]).stat().st_size == size
    assert seen and set(seen) == {size}, f"a reader saw sizes {sorted(set(seen))}, expected only {size}"


def test_install_routes_gradio_image_outputs_through_the_atomic_writer(tmp_path: Path) -> None:
    install()
    assert processing_utils.save_pil_to_cache is save_pil_to_cache_atomically
    path = processing_utils.save_img_array_to_cache(np.asarray(IMAGE), str(tmp_path), format="png")
    assert Image.open(path).size == IMAGE.size
