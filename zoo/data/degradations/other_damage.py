"""Damage outside the four factors: sensor noise, WebP compression, resampling, tone changes, sharpening.

None of these is a factor the zoo restores, and a restoration step run on them does harm (rain steps fire on noise
and WebP texture, blur steps on resampled photos). Two uses:

- the factor detector is trained with :data:`DISTRACTORS` (noise and WebP) on top of its samples, labelled as they
  were (noise is not rain), so that it learns to leave such photos alone (``zoo.training.detector_data``); from the
  ``detector_bright`` campaign stage on also with :data:`BRIGHT_DISTRACTORS` (a brighter, paler tone: not haze), and
  from ``detector_resample`` on with :data:`RESAMPLE_DISTRACTORS` (an enlarged photo: softness is not haze);
- ``python -m zoo.benchmarks.unseen`` measures the default restore on fixed settings of :data:`KINDS`, including
  kinds the detector never saw in training (resampling, tone changes, sharpening, saturation).

Every function takes and returns an HxWx3 float32 image in [0, 1].
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np

__all__ = [
    "BRIGHT_DISTRACTORS",
    "DISTRACTORS",
    "DISTRACTOR_KINDS",
    "RESAMPLE_DISTRACTORS",
    "KINDS",
    "apply_damage",
    "bright_tone",
    "is_distractor",
    "random_distractor",
]


def gaussian_noise(image: np.ndarray, sigma: float, seed: int = 0, luma_only: bool = False) -> np.ndarray:
    """Add zero-mean Gaussian noise of ``sigma`` (in 0-255 grey levels), per channel or the same on all three."""
    rng = np.random.default_rng(seed)
    shape = image.shape[:2] + ((1,) if luma_only else (image.shape[2],))
    return np.clip(image + rng.normal(0.0, sigma / 255.0, shape).astype(np.float32), 0.0, 1.0)


def webp(image: np.ndarray, quality: int) -> np.ndarray:
    """Pillow WebP (lossy) round trip at ``quality`` (1-100)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray((np.clip(image, 0, 1) * 255).round().astype(np.uint8)).save(buffer, "WEBP", quality=int(quality))
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"), np.float32) / 255.0


def resample(image: np.ndarray, factor: float, linear: bool = False) -> np.ndarray:
    """Downscale by ``factor`` (area) and upscale back (bicubic, or bilinear): an enlarged small photo."""
    import cv2

    height, width = image.shape[:2]
    small = cv2.resize(
        image, (max(1, round(width / factor)), max(1, round(height / factor))), interpolation=cv2.INTER_AREA
    )
    method = cv2.INTER_LINEAR if linear else cv2.INTER_CUBIC
    return np.clip(cv2.resize(small, (width, height), interpolation=method), 0.0, 1.0)


def gamma(image: np.ndarray, exponent: float) -> np.ndarray:
    """Tone curve ``image ** exponent`` (> 1 darkens the mid-tones)."""
    return np.power(np.clip(image, 0, 1), exponent).astype(np.float32)


def brightness(image: np.ndarray, gain: float) -> np.ndarray:
    """Scale every value by ``gain`` (an under- or over-exposed photo), clipped."""
    return np.clip(image * gain, 0.0, 1.0).astype(np.float32)


def unsharp(image: np.ndarray, amount: float, sigma: float = 1.5) -> np.ndarray:
    """Unsharp masking, as cameras and editors sharpen: ``image + amount * (image - gaussian(image))``."""
    import cv2

    blurred = cv2.GaussianBlur(image, (0, 0), sigma)
    return np.clip(image + amount * (image - blurred), 0.0, 1.0).astype(np.float32)


def saturation(image: np.ndarray, gain: float) -> np.ndarray:
    """Scale each pixel's distance from its grey (luma) value by ``gain``."""
    luma = image @ np.array([0.299, 0.587, 0.114], np.float32)
    return np.clip(luma[..., None] + gain * (image - luma[..., None]), 0.0, 1.0).astype(np.float32)


def bright_tone(image: np.ndarray, gain: float, exponent: float, saturation_gain: float) -> np.ndarray:
    """A brighter, paler photo that keeps its blacks.

    Exposure ``gain``, tone curve ``** exponent`` (< 1 lifts the mid-tones), then :func:`saturation`
    ``saturation_gain`` (< 1: paler).

    Haze also brightens and pales a photo, but it lifts the blacks toward the airlight; this does not (0 stays 0),
    so a detector shown both learns that a bright, washed-out scene is not haze.
    """
    return saturation(gamma(brightness(image, gain), exponent), saturation_gain)


# The kinds of damage the shipped detector was trained to leave alone (see :func:`random_distractor`). Resampling is
# not one of them: an enlarged photo is softened as by a mild blur, and labelling it clean cost the detector most of
# its blur detections (validation: blur found 0.75 -> 0.28 at its thresholds); RESAMPLE_DISTRACTORS below leaves
# its blur label unknown instead.
DISTRACTORS = ("noise", "webp")
# The same and bright, pale tones (:func:`bright_tone`), for detector stages that also learn that brightness is not
# haze. The tone kinds of :data:`KINDS` go the other way (darker, more saturated) and stay unseen in training.
BRIGHT_DISTRACTORS = (*DISTRACTORS, "bright")
# The same and enlarged photos (:func:`resample`), for detector stages that learn that a soft photo is not hazy (the
# default's worst losses on enlarged photos were haze steps). Whether such a photo "has blur" is left open: the
# detector's samples enlarge the clean photo before the factors and leave the blur label out of the loss unless a
# blur factor was added on top (``zoo.training.detector_data``).
RESAMPLE_DISTRACTORS = (*DISTRACTORS, "resample")
# Every kind :func:`random_distractor` draws.
DISTRACTOR_KINDS = ("noise", "webp", "bright", "resample")

# Fixed settings scored by ``zoo.benchmarks.unseen``: ``<kind>_<setting>`` -> function of (image, seed).
KINDS: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "noise_5": lambda x, s: gaussian_noise(x, 5.0, s),
    "noise_15": lambda x, s: gaussian_noise(x, 15.0, s),
    "webp_40": lambda x, s: webp(x, 40),
    "resample_2": lambda x, s: resample(x, 2.0),
    "gamma_1.8": lambda x, s: gamma(x, 1.8),
    "dark_0.4": lambda x, s: brightness(x, 0.4),
    "sharpen_1": lambda x, s: unsharp(x, 1.0),
    "saturate_1.6": lambda x, s: saturation(x, 1.6),
}


def is_distractor(kind: str) -> bool:
    """Whether the detector's training shows this kind of :data:`KINDS` as a distractor."""
    return kind.partition("_")[0] in DISTRACTORS


def apply_damage(image: np.ndarray, kind: str, seed: int = 0) -> np.ndarray:
    """One of :data:`KINDS` applied to ``image``."""
    if kind not in KINDS:
        raise ValueError(f"unknown damage {kind!r}; expected one of {', '.join(KINDS)}")
    return KINDS[kind](np.asarray(image, np.float32), seed)


def random_distractor(
    image: np.ndarray, rng: np.random.Generator, kinds: tuple[str, ...] = DISTRACTORS
) -> tuple[np.ndarray, dict[str, float | str]]:
    """One distractor of ``kinds`` (drawn uniformly) with random settings over wide ranges, and what was drawn.

    - noise: sigma 1-20 grey levels (log-uniform), per channel or the same on all three (a third);
    - webp: quality 35-90 (below, the JPEG step may help: not a distractor);
    - bright: exposure gain 1-1.5 (log-uniform, highlights clip), tone exponent 0.5-1, saturation gain 0.35-1;
    - resample: shrunk by 1.25-3 (log-uniform, area) and enlarged back, bicubic or bilinear (half each).
    """
    unknown = set(kinds) - set(DISTRACTOR_KINDS)
    if not kinds or unknown:
        raise ValueError(f"distractor kinds must be some of {', '.join(DISTRACTOR_KINDS)}, got {kinds!r}")
    kind = kinds[int(rng.integers(len(kinds)))]
    if kind == "resample":
        factor, linear = float(np.exp(rng.uniform(np.log(1.25), np.log(3.0)))), bool(rng.random() < 0.5)
        return resample(image, factor, linear), {"kind": kind, "factor": factor, "linear": linear}
    if kind == "bright":
        gain = float(np.exp(rng.uniform(0.0, np.log(1.5))))
        exponent, pale = float(rng.uniform(0.5, 1.0)), float(rng.uniform(0.35, 1.0))
        drawn = {"kind": kind, "gain": gain, "exponent": exponent, "saturation": pale}
        return bright_tone(image, gain, exponent, pale), drawn
    if kind == "noise":
        sigma = float(np.exp(rng.uniform(np.log(1.0), np.log(20.0))))
        luma_only = bool(rng.random() < 1 / 3)
        return gaussian_noise(image, sigma, int(rng.integers(2**31)), luma_only), {"kind": kind, "sigma": sigma}
    quality = int(rng.integers(35, 91))
    return webp(image, quality), {"kind": kind, "quality": quality}
