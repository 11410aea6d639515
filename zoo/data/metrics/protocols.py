"""Named evaluation protocols: which PSNR/SSIM conventions a table of results uses, per degradation factor.

- ``"paper"``: the authors' test scripts (6272code ``test_MBN.py`` / ``test_RMBN.py``): output clipped, x255 and
  truncated to uint8; scikit-image's default SSIM (7x7 uniform window, sample covariance, data range 255); rain,
  blur and JPEG on the OpenCV full-range Y channel of the uint8 image, haze on RGB.
- ``"standard"``: MATLAB ``ssim_index.m`` / BasicSR: rounded to uint8, Gaussian 11x11 SSIM, MATLAB Y channel
  (``rgb2ycbcr`` luma) for every factor.
- ``"rgb"``: the standard window and rounding on RGB for every factor.

Protocols name a setting per factor; ``"default"`` applies to factors (or mixtures) not listed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["PROTOCOLS", "MetricSettings", "metric_settings"]


@dataclass(frozen=True)
class MetricSettings:
    """Keyword arguments of ``psnr`` / ``ssim`` for one factor under one protocol."""

    color_space: str = "rgb"
    crop_border: int = 0
    quantize: str = "round"
    window: str = "gaussian"

    def psnr_kwargs(self) -> dict[str, object]:
        """Keyword arguments for ``psnr``."""
        kwargs = asdict(self)
        kwargs.pop("window")
        return kwargs

    def ssim_kwargs(self) -> dict[str, object]:
        """Keyword arguments for ``ssim``."""
        return asdict(self)


_PAPER_Y = MetricSettings(color_space="y_opencv", quantize="truncate", window="uniform")

PROTOCOLS: dict[str, dict[str, MetricSettings]] = {
    "paper": {
        "default": _PAPER_Y,
        "rain": _PAPER_Y,
        "blur": _PAPER_Y,
        "jpeg": _PAPER_Y,
        "haze": MetricSettings(color_space="rgb", quantize="truncate", window="uniform"),
    },
    "standard": {"default": MetricSettings(color_space="y_matlab", quantize="round", window="gaussian")},
    "rgb": {"default": MetricSettings(color_space="rgb", quantize="round", window="gaussian")},
}


def metric_settings(protocol: str, factor: str | None = None) -> MetricSettings:
    """Settings of ``protocol`` for ``factor`` (a factor name, a mixture key like ``"haze+rain"``, or None).

    Args:
        protocol: A key of ``PROTOCOLS``.
        factor: The degradation factor of the test set; mixtures and unknown names use the protocol's default.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown metric protocol {protocol!r}; expected one of {', '.join(PROTOCOLS)}")
    table = PROTOCOLS[protocol]
    return table.get(factor or "default", table["default"])
