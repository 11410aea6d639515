"""The offline training corpus of the shipped weights: photos from installed wheels plus dead-leaves images.

None of these images is among the bundled test photos (zoo/assets/clean: astronaut, chelsea, coffee, rocket,
grace_hopper), so scores measured on the bundled set are not measured on training images.

Needs scikit-image and scikit-learn (``pip install scikit-image scikit-learn``; both are in the ``test`` extra
or installable offline from PyPI mirrors). Build it with ``python -m zoo.training.corpus OUT_DIR``; add
``--debian UNPACKED`` for the 38 natural photos of ``zoo.training.debian_photos`` as well.
"""

from pathlib import Path

import numpy as np

__all__ = ["CORPUS_PHOTOS", "build_wheel_corpus"]

# name -> how to get it; grey images are repeated over three channels.
CORPUS_PHOTOS = (
    "sklearn:china",
    "sklearn:flower",
    "skimage:stereo_motorcycle_left",
    "skimage:stereo_motorcycle_right",
    "skimage:hubble_deep_field",
    "skimage:immunohistochemistry",
    "skimage:camera",
    "skimage:brick",
    "skimage:grass",
    "skimage:gravel",
    "skimage:moon",
)


def _load(spec: str) -> np.ndarray:
    source, name = spec.split(":")
    if source == "sklearn":
        from sklearn.datasets import load_sample_image

        return load_sample_image(f"{name}.jpg")
    from skimage import data

    if name.startswith("stereo_motorcycle"):
        left, right, _ = data.stereo_motorcycle()
        return left if name.endswith("left") else right
    image = getattr(data, name)()
    if name == "hubble_deep_field":
        image = image[:600, :600]
    return np.stack([image] * 3, axis=-1) if image.ndim == 2 else image[..., :3]


def build_wheel_corpus(out_dir: str | Path, dead_leaves: int = 16, size: int = 256, seed: int = 100) -> list[Path]:
    """Write the corpus as PNG files and return their paths.

    Args:
        out_dir: Destination folder.
        dead_leaves: Number of procedural dead-leaves images added (``zoo.data.images.dead_leaves``).
        size: Size of the dead-leaves images.
        seed: Seed of the first dead-leaves image (image ``i`` uses ``seed + i``).
    """
    from PIL import Image

    from zoo.data.images import dead_leaves as make_dead_leaves

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in CORPUS_PHOTOS:
        path = out / f"{spec.split(':')[1]}.png"
        Image.fromarray(np.asarray(_load(spec), dtype=np.uint8)).save(path)
        written.append(path)
    for i in range(dead_leaves):
        image = np.clip(make_dead_leaves(size, seed=seed + i), 0, 1)
        path = out / f"dead_leaves_{i:02d}.png"
        Image.fromarray((image * 255).round().astype(np.uint8)).save(path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m zoo.training.corpus OUT_DIR [--debian UNPACKED]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m zoo.training.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", help="folder to write the PNG files to")
    parser.add_argument(
        "--debian",
        metavar="UNPACKED",
        help="also add the 38 pinned Debian wallpaper photos from this folder (see zoo.training.debian_photos)",
    )
    args = parser.parse_args(argv)
    written = build_wheel_corpus(args.out_dir)
    if args.debian:
        from zoo.training.debian_photos import add_debian_photos

        written += add_debian_photos(args.debian, args.out_dir)
    print(f"wrote {len(written)} images to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
