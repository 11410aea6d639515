"""Metrics: PSNR / SSIM with explicit conventions, named protocols, and the mmengine ``RestorationMetric``."""

from .evaluator import RestorationMetric, factor_key
from .functional import COLOR_SPACES, QUANTIZE_MODES, SSIM_WINDOWS, prepare, psnr, ssim, ssim_map
from .protocols import PROTOCOLS, MetricSettings, metric_settings

__all__ = [
    "COLOR_SPACES",
    "PROTOCOLS",
    "QUANTIZE_MODES",
    "SSIM_WINDOWS",
    "MetricSettings",
    "RestorationMetric",
    "factor_key",
    "metric_settings",
    "prepare",
    "psnr",
    "ssim",
    "ssim_map",
]
