"""The demo's input side: bundled samples, the size limit, and optional synthetic degradation of a clean image.

Images are HxWx3 uint8 RGB arrays throughout. Uploads arrive as file paths and are checked against the size limit
from their header, before their pixels are decoded (:func:`read_upload`).
"""

import json
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from zoo.data.degradations import FACTORS, degrade
from zoo.data.images import load_sample, sample_names
from zoo.inference.image_io import read_image, to_rgb
from zoo.inference.samples import assets_dir, sample_paths
from zoo.inference.samples import sample_names as degraded_sample_names

__all__ = [
    "DEGRADE_MODES",
    "DemoInputError",
    "PreparedInput",
    "check_size",
    "load_demo_sample",
    "prepare_input",
    "read_upload",
    "sample_choices",
]

# mode value -> label of the degradation radio.
DEGRADE_MODES: dict[str, str] = {
    "none": "none: the input is already degraded",
    "factors": "degrade with the chosen factors",
    "random": "degrade with a random mixture (seeded)",
}


class DemoInputError(ValueError):
    """A request the demo cannot serve; the message is shown to the user as is."""


@dataclass(frozen=True)
class PreparedInput:
    """What the models restore and what they are measured against.

    Attributes:
        degraded: The image the models see.
        clean: The clean reference, or None (then no PSNR/SSIM).
        factor_key: The degradation factors joined by ``+`` (``"rain"``, ``"haze+rain"``), or None when unknown.
        description: One line for the user: where the image came from and how it was degraded.
    """

    degraded: np.ndarray
    clean: np.ndarray | None
    factor_key: str | None
    description: str


def _to_uint8(image: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8)


def sample_choices() -> list[tuple[str, str]]:
    """``(label, value)`` pairs: the pre-degraded samples (with clean references), then the clean photos."""
    degraded = [(f"{name} (degraded, with clean reference)", f"degraded:{name}") for name in degraded_sample_names()]
    clean = [(f"{name} (clean photo: degrade it below)", f"clean:{name}") for name in sample_names()]
    return degraded + clean


def load_demo_sample(value: str) -> tuple[np.ndarray, np.ndarray | None, str, list[str]]:
    """Load a sample chosen in the demo.

    Args:
        value: A value of :func:`sample_choices` (``"degraded:coffee_blur"`` or ``"clean:coffee"``).

    Returns:
        ``(image, clean reference or None, degradation mode, factors)``: a degraded sample comes with its clean
        original and mode ``"none"``; a clean photo comes alone with mode ``"random"``.
    """
    kind, _, name = value.partition(":")
    if kind == "degraded":
        degraded_path, clean_path = sample_paths(name)
        params = json.loads((assets_dir() / "degraded" / "params.json").read_text())[degraded_path.name]
        factors = list(params["factors"])
        return read_image(degraded_path).pixels, read_image(clean_path).pixels, "none", factors
    if kind == "clean":
        return _to_uint8(load_sample(name)), None, "random", []
    raise DemoInputError(f"unknown sample {value!r}; choose one from the list")


def check_size(image: np.ndarray | tuple[int, int], max_megapixels: float, what: str = "input image") -> None:
    """Refuse images above the size limit, with a message that says by how much.

    Args:
        image: The image, or its ``(height, width)``.
        max_megapixels: The limit in millions of pixels.
        what: How the message names the image.

    Raises:
        DemoInputError: The image has more than ``max_megapixels`` million pixels.
    """
    height, width = image.shape[:2] if isinstance(image, np.ndarray) else image
    megapixels = height * width / 1e6
    if megapixels > max_megapixels:
        raise DemoInputError(
            f"The {what} is {width}x{height} = {megapixels:.2f} megapixels; this demo accepts at most "
            f"{max_megapixels:g} megapixels. Downscale or crop it and try again."
        )


def read_upload(path: str, max_megapixels: float, what: str = "input image") -> np.ndarray:
    """Read an uploaded file as HxWx3 uint8 RGB, refusing it from its header when it is over the size limit.

    EXIF orientation is applied; grey images become RGB, alpha is dropped and 16-bit images are rounded to 8 bits.

    Raises:
        DemoInputError: Not an image, or over the limit.
    """
    try:
        with Image.open(path) as opened:  # reads the header only
            width, height = opened.size
    except (UnidentifiedImageError, OSError):
        raise DemoInputError(f"The {what} is not an image file this demo can read (PNG, JPEG, WebP, ...).") from None
    check_size((height, width), max_megapixels, what)
    try:
        pixels = read_image(path).pixels
    except ValueError as err:
        raise DemoInputError(f"The {what} cannot be read: {err.args[0].split(': ', 1)[-1]}") from None
    return _to_uint8(to_rgb(pixels)[0])


def _check_image(image: np.ndarray, what: str) -> np.ndarray:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise DemoInputError(f"the {what} must be an 8-bit RGB image; got shape {image.shape}, dtype {image.dtype}")
    return image


def prepare_input(
    image: np.ndarray | None,
    reference: np.ndarray | None,
    mode: str,
    factors: list[str] | None,
    seed: int,
    max_megapixels: float,
) -> PreparedInput:
    """Check the input and degrade it when asked.

    Args:
        image: The uploaded or sample image (HxWx3 uint8).
        reference: Optional clean reference for an already degraded ``image`` (mode ``"none"``).
        mode: A key of ``DEGRADE_MODES``.
        factors: Factors for mode ``"factors"``, among ``FACTORS``.
        seed: Seed of the degradation parameters.
        max_megapixels: Size limit of ``image`` (and ``reference``).

    Raises:
        DemoInputError: Missing image, image too large, mismatched reference, bad mode or factors.
    """
    if image is None:
        raise DemoInputError("Upload an image or pick a bundled sample first.")
    image = _check_image(np.asarray(image), "input image")
    check_size(image, max_megapixels)
    if mode not in DEGRADE_MODES:
        raise DemoInputError(f"unknown degradation mode {mode!r}; expected one of {', '.join(DEGRADE_MODES)}")
    if mode == "none":
        if reference is None:
            return PreparedInput(image, None, None, "Input used as is; no clean reference, so no PSNR/SSIM.")
        reference = _check_image(np.asarray(reference), "clean reference")
        if reference.shape != image.shape:
            raise DemoInputError(
                f"The clean reference is {reference.shape[1]}x{reference.shape[0]} but the input is "
                f"{image.shape[1]}x{image.shape[0]}; they must have the same size."
            )
        return PreparedInput(image, reference, None, "Input used as is, measured against the clean reference.")
    if mode == "factors":
        chosen = [f for f in FACTORS if f in (factors or [])]
        unknown = sorted(set(factors or []) - set(FACTORS))
        if unknown or not chosen:
            raise DemoInputError(f"Choose one or more degradation factors among {', '.join(FACTORS)}.")
        spec: list[str] | str = chosen
    else:
        spec = "random"
    if seed is None or int(seed) != seed or seed < 0:
        raise DemoInputError(f"The seed must be a whole number >= 0; got {seed!r}.")
    degraded, params = degrade(image.astype(np.float32) / 255.0, spec, seed=int(seed))
    used = params["factors"]
    description = f"Clean input degraded with {' + '.join(used)} (seed {int(seed)}); metrics against the clean input."
    return PreparedInput(_to_uint8(degraded), image, "+".join(used), description)
