"""Bundled samples for ``zoo restore --sample``: degraded images with their clean originals.

``zoo/assets/degraded/params.json`` lists every sample (``<image>_<factor>.png``), the degradation parameters used,
and under ``"clean"`` the file of the clean crop it was made from (``<image>_<factor>_clean.png``, same folder).
"""

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from .image_io import read_image, to_rgb
from .restore import RESTORED, Restorer

__all__ = ["SAMPLE_PROTOCOL", "SampleResult", "assets_dir", "restore_sample", "sample_names", "sample_paths"]

# The metric protocol of the samples' PSNR (zoo.data.metrics.protocols): RGB channels, rounded to 8 bits.
SAMPLE_PROTOCOL = "rgb"


def assets_dir() -> Path:
    """The package's asset folder (holds ``clean/`` and ``degraded/``)."""
    return Path(str(resources.files("zoo"))) / "assets"


def _sample_table() -> dict[str, dict]:
    table = assets_dir() / "degraded" / "params.json"
    if not table.is_file():
        raise FileNotFoundError(f"no bundled samples: {table} is missing")
    return {Path(name).stem: entry for name, entry in json.loads(table.read_text()).items()}


def sample_names() -> list[str]:
    """Names of the bundled degraded samples (``rocket_haze``, ...), sorted."""
    return sorted(_sample_table())


def sample_paths(name: str) -> tuple[Path, Path]:
    """The degraded sample ``name`` and its clean original.

    Raises:
        FileNotFoundError: No such sample (the message lists the bundled ones) or one of its files is missing.
    """
    table = _sample_table()
    stem = Path(name).stem
    if stem not in table:
        raise FileNotFoundError(f"unknown sample {name!r}; bundled samples: {', '.join(sorted(table))}")
    folder = assets_dir() / "degraded"
    degraded, clean = folder / f"{stem}.png", folder / table[stem]["clean"]
    for path in (degraded, clean):
        if not path.is_file():
            raise FileNotFoundError(f"sample {stem!r}: {path} is missing from the installation")
    return degraded, clean


@dataclass(frozen=True)
class SampleResult:
    """PSNR of a restored sample against its clean original.

    Attributes:
        name: Sample name (``coffee_haze``).
        clean: Path of the clean original.
        psnr_degraded: PSNR of the degraded input vs clean, dB.
        psnr_restored: PSNR of the restoration vs clean, dB.
        outputs: ``{"restored": pixels, factor: pixels, ...}`` as uint8 arrays.
    """

    name: str
    clean: Path
    psnr_degraded: float
    psnr_restored: float
    outputs: dict[str, np.ndarray]


def restore_sample(restorer: Restorer, name: str) -> SampleResult:
    """Restore a bundled sample and measure PSNR under ``SAMPLE_PROTOCOL`` (RGB, rounded to 8 bits) before and after."""
    from zoo.data.metrics import psnr
    from zoo.data.metrics.protocols import metric_settings

    settings = metric_settings(SAMPLE_PROTOCOL).psnr_kwargs()

    degraded_path, clean_path = sample_paths(name)
    degraded, clean = read_image(degraded_path).pixels, read_image(clean_path).pixels
    if degraded.shape[:2] != clean.shape[:2]:
        raise ValueError(f"sample {name!r} is {degraded.shape[:2]} but its clean original is {clean.shape[:2]}")
    outputs = restorer.restore_array(degraded)
    rgb = {key: to_rgb(value)[0] for key, value in {"degraded": degraded, "clean": clean, **outputs}.items()}
    return SampleResult(
        name=degraded_path.stem,
        clean=clean_path,
        psnr_degraded=float(psnr(rgb["degraded"], rgb["clean"], **settings)),
        psnr_restored=float(psnr(rgb[RESTORED], rgb["clean"], **settings)),
        outputs=outputs,
    )
