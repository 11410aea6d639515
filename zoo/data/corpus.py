"""The offline training corpus of the shipped weights: photos from installed wheels plus dead-leaves images.

These images are the ``train`` split of :mod:`zoo.data.splits`: none of them is a validation or test photo.

Needs scikit-image and scikit-learn (``pip install scikit-image scikit-learn``; both are in the ``test`` extra
or installable offline from PyPI mirrors). Build it with ``python -m zoo.training.corpus OUT_DIR``; add
``--debian UNPACKED`` for the 38 natural photos of ``zoo.data.debian_photos`` as well, and ``--gcompris UNPACKED``
for the 88 training photos of ``zoo.data.gcompris_photos`` (``--calibration-out DIR`` writes its 29 calibration
photos, on which the detector's thresholds are chosen, to a folder of their own).
"""

from pathlib import Path

import numpy as np

__all__ = ["CORPUS_PHOTOS", "build_wheel_corpus", "corpus_images"]

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


def corpus_images(dead_leaves: int = 16, size: int = 256, seed: int = 100) -> list[np.ndarray]:
    """The wheel photos and dead-leaves images of the corpus as HxWx3 float32 arrays in [0, 1], in file order.

    Args:
        dead_leaves: Number of procedural dead-leaves images added (``zoo.data.images.dead_leaves``).
        size: Size of the dead-leaves images.
        seed: Seed of the first dead-leaves image (image ``i`` uses ``seed + i``).
    """
    from zoo.data.images import dead_leaves as make_dead_leaves

    try:
        photos = [np.asarray(_load(spec), dtype=np.uint8).astype(np.float32) / 255.0 for spec in CORPUS_PHOTOS]
    except ImportError as err:
        raise ImportError(
            f"the wheel photos of the training corpus need scikit-image and scikit-learn ({err}); pip install "
            "scikit-image scikit-learn, or train from a folder: train_dataloader.dataset.source=FOLDER"
        ) from err
    leaves = [_quantised(np.clip(make_dead_leaves(size, seed=seed + i), 0, 1)) for i in range(dead_leaves)]
    return photos + leaves


def _quantised(image: np.ndarray) -> np.ndarray:
    """The 8-bit values a PNG of the image holds, so in-memory and written corpora are the same pixels."""
    return (image * 255).round().astype(np.uint8).astype(np.float32) / 255.0


def build_wheel_corpus(out_dir: str | Path, dead_leaves: int = 16, size: int = 256, seed: int = 100) -> list[Path]:
    """Write the corpus as PNG files and return their paths (arguments as for :func:`corpus_images`)."""
    from PIL import Image

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = [spec.split(":")[1] for spec in CORPUS_PHOTOS] + [f"dead_leaves_{i:02d}" for i in range(dead_leaves)]
    written = []
    for name, image in zip(names, corpus_images(dead_leaves, size, seed), strict=True):
        path = out / f"{name}.png"
        Image.fromarray((image * 255).round().astype(np.uint8)).save(path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m zoo.training.corpus OUT_DIR [--debian UNPACKED] [--gcompris UNPACKED [--calibration-out DIR]]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m zoo.training.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", help="folder to write the PNG files to")
    parser.add_argument(
        "--debian",
        metavar="UNPACKED",
        help="also add the 38 pinned Debian wallpaper photos from this folder (see zoo.data.debian_photos)",
    )
    parser.add_argument(
        "--gcompris",
        metavar="UNPACKED",
        help="also add the 88 training photos of GCompris' activity data from this folder (zoo.data.gcompris_photos)",
    )
    parser.add_argument(
        "--calibration-out",
        metavar="DIR",
        help="with --gcompris: write its 29 calibration photos (the detector's threshold choice, never trained on) "
        "to this folder",
    )
    args = parser.parse_args(argv)
    if args.calibration_out and not args.gcompris:
        parser.error("--calibration-out needs --gcompris UNPACKED")
    written = build_wheel_corpus(args.out_dir)
    if args.debian:
        from zoo.data.debian_photos import add_debian_photos

        written += add_debian_photos(args.debian, args.out_dir)
    if args.gcompris:
        from zoo.data.gcompris_photos import add_gcompris_photos

        written += add_gcompris_photos(args.gcompris, args.out_dir, "train")
        if args.calibration_out:
            calibration = add_gcompris_photos(args.gcompris, args.calibration_out, "calibration")
            print(f"wrote {len(calibration)} calibration images to {args.calibration_out}")
    print(f"wrote {len(written)} images to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
