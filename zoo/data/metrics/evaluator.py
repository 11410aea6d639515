"""mmengine metric that reports PSNR / SSIM overall and per degradation factor under a named protocol."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from zoo.registry import register_metric

from .functional import psnr, ssim
from .protocols import metric_settings

__all__ = ["RestorationMetric", "factor_key"]


def factor_key(factor: Any) -> str:
    """A stable key for a sample's factor: ``"rain"``, ``"haze+rain"`` for mixtures, ``"unknown"`` if absent."""
    if factor is None:
        return "unknown"
    if isinstance(factor, str):
        return factor
    return "+".join(str(f) for f in factor)


def _item(collated: Any, index: int) -> Any:
    """The ``index``-th element of a collated field (stacked tensor or list), or None."""
    if collated is None:
        return None
    return collated[index]


@register_metric("RestorationMetric")
class RestorationMetric(BaseMetric):
    """PSNR and SSIM per factor, logged as ``restore/psnr``, ``restore/ssim``, ``restore/psnr_<factor>``, ...

    ``process`` reads, for every sample ``i`` of a batch, the prediction ``data_samples[i]["pred"]`` (a (3, H, W)
    tensor in [0, 1]) and the reference ``data_samples[i]["gt"]``, or, when the model does not copy it, the collated
    ``data_batch["data_samples"]["gt"][i]``; the factor likewise from ``"factor"``. Overall scores are means over
    samples; the settings of each factor follow ``protocol`` (see ``zoo.data.metrics.protocols``).

    Args:
        protocol: ``"standard"``, ``"paper"`` or ``"rgb"``.
        collect_device: mmengine collection device.
        prefix: Metric name prefix; default ``"restore"``.
    """

    default_prefix = "restore"

    def __init__(self, protocol: str = "standard", collect_device: str = "cpu", prefix: str | None = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        metric_settings(protocol)  # validate the name now, not at the end of a validation epoch
        self.protocol = protocol

    def process(self, data_batch: Any, data_samples: Sequence[dict[str, Any]]) -> None:
        """Score each sample of a batch and store ``(factor, psnr, ssim)``."""
        batch_samples = data_batch.get("data_samples", {}) if isinstance(data_batch, dict) else {}
        for i, sample in enumerate(data_samples):
            if "pred" not in sample:
                raise KeyError(f"model output sample has keys {sorted(sample)}; expected a 'pred' image")
            pred = sample["pred"]
            gt = sample.get("gt", _item(batch_samples.get("gt") if isinstance(batch_samples, dict) else None, i))
            if gt is None:
                raise KeyError("no reference image: neither the output sample nor data_batch['data_samples'] has 'gt'")
            factor = sample.get("factor", _item(batch_samples.get("factor"), i) if batch_samples else None)
            key = factor_key(factor)
            settings = metric_settings(self.protocol, key)
            pred_t = torch.as_tensor(pred).detach().cpu()
            gt_t = torch.as_tensor(gt).detach().cpu().to(pred_t.dtype)
            self.results.append(
                (
                    key,
                    float(psnr(pred_t, gt_t, **settings.psnr_kwargs())),
                    float(ssim(pred_t, gt_t, **settings.ssim_kwargs())),
                )
            )

    def compute_metrics(self, results: list) -> dict[str, float]:
        """Means overall (``psnr``, ``ssim``) and per factor (``psnr_<factor>``, ``ssim_<factor>``)."""
        groups: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for key, p, s in results:
            groups[key].append((p, s))
        metrics = {
            "psnr": float(np.mean([r[1] for r in results])),
            "ssim": float(np.mean([r[2] for r in results])),
        }
        for key in sorted(groups):
            values = np.asarray(groups[key])
            metrics[f"psnr_{key}"] = float(values[:, 0].mean())
            metrics[f"ssim_{key}"] = float(values[:, 1].mean())
        return metrics
