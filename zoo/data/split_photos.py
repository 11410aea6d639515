"""Where the bundled validation, test and audit photos come from, and how they were made (for maintainers).

The photos live in ``zoo/assets/validation``, ``zoo/assets/test`` (the five older test photos in
``zoo/assets/clean``) and ``zoo/assets/audit``. They were written by :func:`write_split_photos` from two Debian
packages (bookworm), fetched with ``apt-get download opencv-doc lomiri-wallpapers-20.04`` and unpacked with
``dpkg -x``. Every source file is pinned by sha256. A source saved as JPEG below quality 85 is box-downscaled by 2 or
more, which removes its own compression artifacts; every photo is then centre-cropped to at most 512 pixels a side
and saved as PNG. Licences: ``zoo/assets/LICENSES.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

__all__ = ["SPLIT_PHOTO_SOURCES", "SplitPhoto", "write_split_photos"]

_OPENCV = "usr/share/doc/opencv-doc/examples/data"
_LOMIRI = "usr/share/backgrounds"
MAX_SIDE = 512


class SplitPhoto(NamedTuple):
    """One bundled photo: its split, the file inside the unpacked packages, its sha256 and the downscaling.

    OpenCV's samples hold some scenes twice (``aloeL``/``aloeR``, ``leuvenA``/``leuvenB``, ``rubberwhale1``/``2``, the
    stereo pairs): only one file of each scene is used, and in one split only.
    """

    split: str
    source: str
    sha256: str
    reduce: int


SPLIT_PHOTO_SOURCES: dict[str, SplitPhoto] = {
    "apple": SplitPhoto(
        "test", f"{_OPENCV}/apple.jpg", "e86879de3d9a807dedc742a8f464f39e6b74bbb531a1fba3583155d94997d1cd", 2
    ),
    "stuff": SplitPhoto(
        "test", f"{_OPENCV}/stuff.jpg", "21cd00afbdd0727f445dd91c0a09633e6345ed5b05a3d2355453a1f3c314c6c5", 1
    ),
    "chicky": SplitPhoto(
        "test", f"{_OPENCV}/chicky_512.png", "4d2cf040de084fd3f34d5e3f96f1251faaa4787c1ac3b548fec5809a0d01854e", 1
    ),
    "rubberwhale": SplitPhoto(
        "test", f"{_OPENCV}/rubberwhale1.png", "eb312435369dac9efcc92f7e098edbd9ed8d7e6dfede8b3b4d8e3702cd80b796", 1
    ),
    "aloe": SplitPhoto(
        "test", f"{_OPENCV}/aloeL.jpg", "cce5736808efe80d9f04b118dbb978c344d4345672b332718c3e039a3eeb8eee", 2
    ),
    "kleiber": SplitPhoto(
        "test",
        f"{_LOMIRI}/Kleiber_by_Lukas_Baubkus.jpg",
        "6572410c09f4492c74ccadde133565a14c0161617d5917d4c820c66d65a44ba7",
        8,
    ),
    "building": SplitPhoto(
        "validation", f"{_OPENCV}/building.jpg", "742a1baad62ac82e91e718e77eedf7e85c2eddc4badfb8c87c6cbc86c45a8b07", 2
    ),
    "fruits": SplitPhoto(
        "validation", f"{_OPENCV}/fruits.jpg", "9c031d80a1c52da5eca790db896baffec6a7e52bf786cdb7bbfca5c7f880e6a1", 1
    ),
    "squirrel": SplitPhoto(
        "validation",
        f"{_OPENCV}/squirrel_cls.jpg",
        "20bb6e8ae96918a36c9886b6d48e54eedeb3948591e1485c206bc1dc60c8dc8b",
        1,
    ),
    "leuven": SplitPhoto(
        "validation", f"{_OPENCV}/leuvenA.jpg", "b2977cdbd9fb3f94dadd6f76cf586d145676deb8a22b5f0f42149d21c058c09f", 1
    ),
    "orange": SplitPhoto(
        "validation", f"{_OPENCV}/orange.jpg", "152c20d2f380ac985de25e474e1a5f06ed34b932191342099b8272a63a15a079", 2
    ),
    "aero": SplitPhoto(
        "audit", f"{_OPENCV}/aero1.jpg", "d9a69191f6e3642ea361bc3c62e677b2f40fe6534b78da540f4155e0734b59ef", 2
    ),
    "baboon": SplitPhoto(
        "audit", f"{_OPENCV}/baboon.jpg", "1a1dd18d78eec44420af3b0b7f08ee3d41c982916cae3ce203d7ff35d754cc0f", 1
    ),
    "board": SplitPhoto(
        "audit", f"{_OPENCV}/board.jpg", "4c9a24ba67138ad5486d550f586cc5dd1161be112f1c1bea336d6c550cdf255f", 2
    ),
    "butterfly": SplitPhoto(
        "audit", f"{_OPENCV}/butterfly.jpg", "34a99716b78ded10eae87b4880de739d3e68cc7dd1a96812bb28f469d5eeaea8", 2
    ),
    "notebook": SplitPhoto(
        "audit", f"{_OPENCV}/ela_original.jpg", "b55798b35e2dcb24675f0865a2442d0e4887eeb6aff322ecb1968d936cc23e7f", 1
    ),
    "graffiti": SplitPhoto(
        "audit", f"{_OPENCV}/graf1.png", "1504b769303c7bde00fa578eeaad3c68e02aceabeb1242e556f1f8d19e4bdea5", 1
    ),
    "home": SplitPhoto(
        "audit", f"{_OPENCV}/home.jpg", "23b8cf46a1965d0ec33459b875aed43187802834db49e0daa9fa2cc842e9d8d2", 2
    ),
    "football": SplitPhoto(
        "audit", f"{_OPENCV}/messi5.jpg", "1d570e49654e84c7a943918537bd9e5e1ef82920152e147c834006e235be97c9", 1
    ),
    "smarties": SplitPhoto(
        "audit", f"{_OPENCV}/smarties.png", "ad3f751c053fdcf432687c1bc0e56a61a9119d2bb2ae29365f8aa6534fc77417", 1
    ),
    "books": SplitPhoto(
        "audit", f"{_OPENCV}/left.jpg", "fb314330c3eb0a81651c682803e73b348898157267fbc37c4c2c07d1b3a8e321", 2
    ),
    "lightbox": SplitPhoto(
        "audit", f"{_OPENCV}/pca_test1.jpg", "9aae52b2bf730216f7e46c662f612a417ebd43642e742e7f867f33aa734293cd", 2
    ),
}


def write_split_photos(unpacked: str | Path, assets_dir: str | Path) -> list[Path]:
    """Check, downscale, crop and write every photo of :data:`SPLIT_PHOTO_SOURCES` as ``<assets>/<split>/<name>.png``.

    Args:
        unpacked: Folder the two packages were unpacked into.
        assets_dir: The package's ``zoo/assets`` folder.

    Raises:
        FileNotFoundError: A source file is missing.
        ValueError: A source's sha256 is not the pinned one (another package version).
    """
    from PIL import Image

    from zoo.registry import sha256_file

    written = []
    for name, photo in SPLIT_PHOTO_SOURCES.items():
        source = Path(unpacked) / photo.source
        if not source.is_file():
            raise FileNotFoundError(
                f"{source} is missing; apt-get download opencv-doc lomiri-wallpapers-20.04 and dpkg -x both into "
                f"{unpacked}"
            )
        if (found := sha256_file(source)) != photo.sha256:
            raise ValueError(f"{source}: sha256 {found} is not the pinned {photo.sha256} (another package version?)")
        with Image.open(source) as image:
            rgb = image.convert("RGB")
        if photo.reduce > 1:
            rgb = rgb.reduce(photo.reduce)
        width, height = rgb.size
        crop_w, crop_h = min(width, MAX_SIDE), min(height, MAX_SIDE)
        left, top = (width - crop_w) // 2, (height - crop_h) // 2
        rgb = rgb.crop((left, top, left + crop_w, top + crop_h))
        path = Path(assets_dir) / photo.split / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        rgb.save(path, optimize=True)
        written.append(path)
    return written


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m zoo.data.split_photos UNPACKED ASSETS_DIR")
    for path in write_split_photos(sys.argv[1], sys.argv[2]):
        print(path)
