"""Metrics: PSNR / SSIM with explicit conventions, named protocols, mmengine metrics, detector ROC AUC."""

from .detection import DetectionMetric, detection_scores, roc_auc
from .evaluator import RestorationMetric, factor_key
from .functional import COLOR_SPACES, QUANTIZE_MODES, SSIM_WINDOWS, prepare, psnr, ssim, ssim_map
from .protocols import PROTOCOLS, MetricSettings, metric_settings

__all__ = [
    "COLOR_SPACES",
    "DetectionMetric",
    "PROTOCOLS",
    "QUANTIZE_MODES",
    "SSIM_WINDOWS",
    "MetricSettings",
    "RestorationMetric",
    "factor_key",
    "metric_settings",
    "detection_scores",
    "prepare",
    "psnr",
    "roc_auc",
    "ssim",
    "ssim_map",
]
