"""Files holding more than one picture: animated GIFs are restored frame by frame, nothing is dropped silently.

- An animated GIF is restored frame by frame and written as an animated GIF with the same frame durations and loop
  count (each restored frame gets its own 256-colour palette, as GIF requires). Writing it to a format that holds
  one picture (``-o out.png``) is refused, since the other frames would be lost.
- Other multi-frame files (animated PNG or WebP, multi-page TIFF) are refused with a message that says how many
  frames they hold.
- An MPO file (a JPEG from a phone or a stereo camera, with extra pictures such as previews or a depth map after the
  photo) restores its first picture, the photo, and warns that the others are not carried over.
"""

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

__all__ = ["Animation", "check_frames", "frame_count", "is_animated_gif", "read_animation", "write_animation"]


@dataclass
class Animation:
    """The frames of an animated GIF and how to play them.

    Attributes:
        frames: (H, W, 3) uint8 RGB, or (H, W, 4) RGBA when the GIF has transparency; every frame full size.
        durations: Display time of each frame in milliseconds.
        loop: GIF loop count (0: forever), or None when the file sets none.
    """

    frames: list[np.ndarray]
    durations: list[int] = field(default_factory=list)
    loop: int | None = None


def frame_count(path: str | Path) -> tuple[str | None, int]:
    """``(format, frames)`` from the file's header (``(None, 1)`` for files Pillow cannot open)."""
    try:
        with Image.open(path) as image:
            return image.format, int(getattr(image, "n_frames", 1))
    except (UnidentifiedImageError, OSError, ValueError):
        return None, 1


def is_animated_gif(path: str | Path) -> bool:
    """Whether the file is a GIF with more than one frame."""
    fmt, frames = frame_count(path)
    return fmt == "GIF" and frames > 1


def check_frames(image: Image.Image, path: Path) -> None:
    """Refuse a multi-frame file that is read as a single image (warn for MPO; see the module docstring).

    Raises:
        ValueError: The file holds several frames and only the first would be restored.
    """
    frames = int(getattr(image, "n_frames", 1))
    if frames < 2:
        return
    if image.format == "MPO":
        warnings.warn(
            f"{path}: an MPO file with {frames} pictures; the first (the photo) is restored, the other "
            f"{frames - 1} (previews or depth maps) are not carried over to the output",
            stacklevel=3,
        )
        return
    hint = (
        "restore it with `zoo restore` (every frame, written as an animated GIF) or split it into frames"
        if image.format == "GIF"
        else "only animated GIFs are restored frame by frame; split it into single images first"
    )
    raise ValueError(f"{path}: a {image.format} file with {frames} frames; {hint}")


def read_animation(path: str | Path) -> Animation:
    """Every frame of an animated GIF, composited to full size, with durations and loop count."""
    with Image.open(path) as image:
        loop = image.info.get("loop")
        transparent = "transparency" in image.info or image.mode in ("RGBA", "PA")
        frames, durations = [], []
        for frame in ImageSequence.Iterator(image):
            converted = frame.convert("RGBA" if transparent else "RGB")
            frames.append(np.asarray(converted).copy())
            durations.append(int(frame.info.get("duration", image.info.get("duration", 100))))
    if transparent and all(bool((f[..., 3] == 255).all()) for f in frames):
        frames = [np.ascontiguousarray(f[..., :3]) for f in frames]
    return Animation(frames=frames, durations=durations, loop=loop)


def write_animation(path: str | Path, frames: list[np.ndarray], durations: list[int], loop: int | None) -> Path:
    """Write frames ((H, W, 3|4) uint8) as an animated GIF."""
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ValueError(f"{path}: an animation is written as a .gif file; choose a .gif name or an output folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    images = [Image.fromarray(frame) for frame in frames]
    options = {"loop": loop} if loop is not None else {}
    images[0].save(
        path, format="GIF", save_all=True, append_images=images[1:], duration=durations, disposal=2, **options
    )
    return path
