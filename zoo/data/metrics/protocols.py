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

__all__ = [
    "DETECTION_PROTOCOL",
    "PROTOCOLS",
    "PROTOCOLS_ANCHOR",
    "MetricSettings",
    "metric_settings",
    "protocol_description",
    "protocol_label",
    "protocols_paragraph",
]


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

    def phrases(self) -> dict[str, str]:
        """Each setting in words, e.g. ``{"color_space": "RGB channels", "quantize": "rounded to 8 bits", ...}``."""
        words = {
            "color_space": _COLOR_WORDS[self.color_space],
            "quantize": _QUANTIZE_WORDS[self.quantize],
            "window": _WINDOW_WORDS[self.window],
        }
        if self.crop_border:
            words["crop_border"] = f"{self.crop_border}-pixel border cropped"
        return words


# Words for the settings, used by every label so that tables, cards and the demo describe the same computation.
_COLOR_WORDS = {
    "rgb": "RGB channels",
    "y_matlab": "Y channel (MATLAB luma)",
    "y_opencv": "Y channel (OpenCV full-range luma)",
}
_QUANTIZE_WORDS = {"round": "rounded to 8 bits", "truncate": "truncated to 8 bits", "none": "not quantised"}
_WINDOW_WORDS = {"gaussian": "11x11 Gaussian SSIM", "uniform": "7x7 uniform SSIM"}

_PAPER_Y = MetricSettings(color_space="y_opencv", quantize="truncate", window="uniform")

# The "protocol" a detector's release metadata records: its scores are ROC AUC and accuracy, not PSNR/SSIM.
DETECTION_PROTOCOL = "detection"

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

# Where each protocol's conventions come from (said once, in the README's paragraph on protocols).
_ORIGINS = {
    "paper": "the authors' test scripts",
    "standard": "MATLAB's ssim_index.m and BasicSR, the usual convention of restoration papers",
    "rgb": "the `standard` settings without the colour conversion",
}

# The README's anchor of the paragraph that explains the protocols; labels in cards and reports link to it.
PROTOCOLS_ANCHOR = "metric-protocols"


def metric_settings(protocol: str, factor: str | None = None) -> MetricSettings:
    """Settings of ``protocol`` for ``factor`` (a factor name, a mixture key like ``"haze+rain"``, or None).

    Args:
        protocol: A key of ``PROTOCOLS``.
        factor: The degradation factor of the test set; mixtures and unknown names use the protocol's default.
    """
    table = _table(protocol)
    return table.get(factor or "default", table["default"])


def _table(protocol: str) -> dict[str, MetricSettings]:
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown metric protocol {protocol!r}; expected one of {', '.join(PROTOCOLS)}")
    return PROTOCOLS[protocol]


def _exceptions(protocol: str, fields: tuple[str, ...]) -> list[str]:
    """``"haze: RGB"`` for every factor whose settings differ from the protocol's default in ``fields``."""
    table = _table(protocol)
    default = table["default"].phrases()
    parts = []
    for factor, settings in table.items():
        words = settings.phrases()
        differing = [words[f] for f in fields if f in words and words.get(f) != default.get(f)]
        if factor != "default" and differing:
            parts.append(f"{factor}: {', '.join(differing)}")
    return parts


def protocol_label(protocol: str) -> str:
    """Short label naming a protocol and its colour space(s), for captions.

    E.g. ``"`standard` protocol, Y channel (MATLAB luma)"`` or
    ``"`paper` protocol, Y channel (OpenCV full-range luma); haze: RGB channels"``.
    """
    colour = _table(protocol)["default"].phrases()["color_space"]
    return f"`{protocol}` protocol, {'; '.join([colour, *_exceptions(protocol, ('color_space',))])}"


def protocol_description(protocol: str) -> str:
    """Every setting of a protocol in words, factors that differ from the default in brackets.

    E.g. ``"`standard` protocol: Y channel (MATLAB luma), rounded to 8 bits, 11x11 Gaussian SSIM"``.
    """
    return f"`{protocol}` protocol: {_settings_words(protocol)}"


def _settings_words(protocol: str) -> str:
    default = ", ".join(_table(protocol)["default"].phrases().values())
    exceptions = _exceptions(protocol, ("color_space", "quantize", "window", "crop_border"))
    return default + (f" ({'; '.join(exceptions)})" if exceptions else "")


def protocols_paragraph() -> str:
    """The README's paragraph that explains every protocol once (generated, so it follows ``PROTOCOLS``)."""
    items = " ".join(
        f"`{protocol}` ({_ORIGINS.get(protocol, 'this zoo')}): {_settings_words(protocol)}." for protocol in PROTOCOLS
    )
    return (
        f'<a id="{PROTOCOLS_ANCHOR}"></a>**Metric protocols.** Every PSNR (dB) and SSIM in this project is computed '
        "by `zoo.data.metrics` under a named protocol, and every table of scores names the one it used. On the same "
        "images the protocols can differ by several dB of PSNR, so compare numbers only under the same protocol. "
        f"{items} All of them clip to [0, 1] and use data range 255; SSIM is the mean over the valid (unpadded) window "
        "positions and the channels."
    )
