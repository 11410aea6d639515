"""Clean images that need no network: bundled photos, procedural dead leaves, and any folder of the user's images.

All loaders return HxWx3 float32 RGB arrays in [0, 1].

- ``sample_names()`` / ``load_sample(name)``: five public-domain / CC0 photos bundled in ``zoo/assets/clean``
  (sources and licences in ``zoo/assets/LICENSES.md``).
- ``dead_leaves(size, seed)``: occluding disks with radii distributed as r^-3 and colours drawn from a real photo,
  a procedural image with natural-image-like statistics (a training supplement, not test data).
- ``load_folder(path)``: every PNG / JPEG / BMP / TIFF / WebP image in a folder.
- ``make_bundled_samples()``: regenerates ``zoo/assets/degraded`` (one image per factor and one mixture).

The larger photo corpus for training is built by ``zoo.data.debian_photos`` / ``python -m zoo.training.corpus``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = [
    "ASSETS_DIR",
    "IMAGE_EXTENSIONS",
    "dead_leaves",
    "list_images",
    "load_folder",
    "load_image",
    "load_sample",
    "make_bundled_samples",
    "sample_names",
    "save_image",
]

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
IMAGE_EXTENSIONS: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")

# Bundled sample -> factors of its pre-made degraded version (make_bundled_samples); "mixed" uses all four.
BUNDLED_DEGRADATIONS: dict[str, tuple[str, list[str]]] = {
    "rain": ("astronaut", ["rain"]),
    "blur": ("coffee", ["blur"]),
    "jpeg": ("chelsea", ["jpeg"]),
    "haze": ("rocket", ["haze"]),
    "mixed": ("grace_hopper", ["haze", "rain", "blur", "jpeg"]),
}
BUNDLED_SEED = 2019
BUNDLED_SIZE = 256


def load_image(path: str | Path) -> np.ndarray:
    """Read an image file as HxWx3 float32 RGB in [0, 1] (grey and RGBA images are converted to RGB)."""
    from PIL import Image

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no image file at {path}")
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"), dtype=np.float32) / 255.0


def save_image(image: np.ndarray, path: str | Path) -> Path:
    """Write an HxWx3 float image in [0, 1] as an 8-bit file (format from the suffix; PNG is lossless)."""
    from PIL import Image

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8), "RGB").save(path)
    return path


def list_images(folder: str | Path, recursive: bool = False) -> list[Path]:
    """Sorted image files (``IMAGE_EXTENSIONS``, any case) in ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"image folder {folder} does not exist")
    pattern = "**/*" if recursive else "*"
    return sorted(p for p in folder.glob(pattern) if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)


def load_folder(folder: str | Path, recursive: bool = False) -> list[np.ndarray]:
    """Load every image of a folder, in file-name order (``list_images`` gives the matching paths).

    Returns:
        A list of HxWx3 float32 arrays in [0, 1].
    """
    paths = list_images(folder, recursive)
    if not paths:
        raise FileNotFoundError(f"no images ({', '.join(IMAGE_EXTENSIONS)}) in {folder}")
    return [load_image(p) for p in paths]


def sample_names() -> list[str]:
    """Names of the bundled clean photos (``zoo/assets/clean/*.png``)."""
    return [p.stem for p in list_images(ASSETS_DIR / "clean")]


def load_sample(name: str) -> np.ndarray:
    """A bundled clean photo as HxWx3 float32 in [0, 1]; ``name`` from ``sample_names()``."""
    path = ASSETS_DIR / "clean" / f"{name}.png"
    if not path.is_file():
        raise ValueError(f"unknown sample image {name!r}; expected one of {', '.join(sample_names())}")
    return load_image(path)


def dead_leaves(
    size: int | tuple[int, int] = 256,
    seed: int = 0,
    palette: np.ndarray | None = None,
    radius_range: tuple[float, float] | None = None,
    num_disks: int | None = None,
) -> np.ndarray:
    """Procedural dead-leaves image: opaque disks drawn back to front, radii distributed as r^-3.

    Args:
        size: Output size, an int for a square or (height, width).
        seed: Seed of every random draw.
        palette: (N, 3) RGB colours in [0, 1] to draw disk colours from; default the pixels of a bundled photo
            chosen by ``seed``.
        radius_range: (r_min, r_max) in pixels; default (1.5, max side / 4).
        num_disks: Number of disks; default enough to cover the canvas about six times over.

    Returns:
        HxWx3 float32 image in [0, 1].
    """
    import cv2

    height, width = (size, size) if isinstance(size, int) else size
    rng = np.random.default_rng(seed)
    if palette is None:
        names = sample_names()
        palette = load_sample(names[int(rng.integers(len(names)))]).reshape(-1, 3)
    palette = np.asarray(palette, dtype=np.float32).reshape(-1, 3)
    r_min, r_max = radius_range or (1.5, max(height, width) / 4)
    if not 0 < r_min < r_max:
        raise ValueError(f"radius_range {radius_range} must satisfy 0 < r_min < r_max")
    inv_min, inv_max = r_min**-2, r_max**-2
    if num_disks is None:
        mean_area = 2 * np.pi * np.log(r_max / r_min) / (inv_min - inv_max)  # E[pi r^2] under p(r) ~ r^-3
        num_disks = int(6 * height * width / mean_area) + 1
    radii = (inv_min - rng.random(num_disks) * (inv_min - inv_max)) ** -0.5  # inverse CDF of p(r) ~ r^-3
    centres_y = rng.uniform(-r_max, height + r_max, num_disks)
    centres_x = rng.uniform(-r_max, width + r_max, num_disks)
    colours = np.rint(palette[rng.integers(len(palette), size=num_disks)] * 255).astype(int)
    canvas = np.empty((height, width, 3), np.uint8)
    canvas[:] = colours[0]
    # Rounded in numpy, once (half to even, as Python's round): rounding each numpy scalar took most of the time.
    xs, ys, rs = (np.rint(v).astype(int).tolist() for v in (centres_x, centres_y, radii))
    for x, y, r, colour in zip(xs, ys, rs, colours.tolist(), strict=True):
        cv2.circle(canvas, (x, y), r, colour, -1, cv2.LINE_AA)
    return canvas.astype(np.float32) / 255.0


def _centre_crop(image: np.ndarray, size: int) -> np.ndarray:
    height, width = image.shape[:2]
    top, left = max(0, (height - size) // 2), max(0, (width - size) // 2)
    return image[top : top + size, left : left + size]


def make_bundled_samples(out_dir: str | Path | None = None, seed: int = BUNDLED_SEED) -> dict[str, dict]:
    """Write the pre-made degraded samples ``<name>_<factor>.png`` and ``params.json`` (CPU path, fixed seed).

    One 256x256 centre crop per bundled photo is degraded by one factor (rain, blur, jpeg, haze), and one by the
    full mixture; the clean crop is saved next to it as ``<name>_<factor>_clean.png`` for comparisons.

    Args:
        out_dir: Target folder; default ``zoo/assets/degraded``.
        seed: Seed passed to ``degrade`` for every sample.

    Returns:
        ``{file name: parameters used}``, also written to ``params.json``.
    """
    from zoo.data.degradations import degrade

    out_dir = Path(out_dir) if out_dir is not None else ASSETS_DIR / "degraded"
    out_dir.mkdir(parents=True, exist_ok=True)
    record: dict[str, dict] = {}
    for factor, (name, factors) in BUNDLED_DEGRADATIONS.items():
        clean = _centre_crop(load_sample(name), BUNDLED_SIZE)
        degraded, params = degrade(clean, factors, seed=seed)
        save_image(degraded, out_dir / f"{name}_{factor}.png")
        save_image(clean, out_dir / f"{name}_{factor}_clean.png")
        record[f"{name}_{factor}.png"] = {"clean": f"{name}_{factor}_clean.png", **params}
    (out_dir / "params.json").write_text(json.dumps(record, indent=2) + "\n")
    return record
