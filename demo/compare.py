"""Run the chosen models on one image, time them and score them against the clean reference (no gradio here)."""

import threading
import time
import warnings
from dataclasses import dataclass, replace

import numpy as np

from zoo.data.metrics import metric_settings, psnr, ssim
from zoo.inference.restore import Restorer, resolve_device
from zoo.registry import get_model_info

from .catalog import ModelEntry

__all__ = ["ModelResult", "RestorerCache", "detect_image", "detection_line", "run_model", "score"]


@dataclass(frozen=True)
class ModelResult:
    """One model's output on the demo's input.

    Attributes:
        entry: The model choice.
        restored: HxWx3 uint8 restoration.
        steps: Per-step images of a recurrent model, by factor in run order (empty for other models).
        seconds: Wall-clock time of the restoration (model already loaded).
        note: What ran and why, for adaptive R-MBN and detected-branch entries (empty otherwise).
    """

    entry: ModelEntry
    restored: np.ndarray
    steps: dict[str, np.ndarray]
    seconds: float
    note: str = ""


class RestorerCache:
    """Loaded models by entry key, built on first use (untrained networks keep their random weights).

    Args:
        device: ``"cpu"`` or ``"cuda[:N]"``, checked now.
    """

    def __init__(self, device: str = "cpu") -> None:
        self.device = resolve_device(device)
        self._restorers: dict[str, Restorer] = {}
        self._lock = threading.Lock()

    def get(self, entry: ModelEntry) -> Restorer:
        """The restorer of ``entry``, loading the model the first time."""
        with self._lock:
            if entry.key not in self._restorers:
                with warnings.catch_warnings():
                    # untrained configs warn that their output is not a restoration; the card says so instead
                    warnings.simplefilter("ignore", UserWarning)
                    factor = entry.factor
                    if factor == "detected":  # no factor was found (run_model names the branch when one is): the
                        factor = get_model_info(entry.arch).factors[0]  # card still shows these weights' metadata
                    self._restorers[entry.key] = Restorer(
                        entry.model, factor=factor, save_steps=entry.steps, device=self.device, steps=entry.chain
                    )
            return self._restorers[entry.key]


def detect_image(image: np.ndarray) -> dict:
    """The shipped detector's report on an HxWx3 uint8 image (``zoo.detect``)."""
    from zoo.inference.detect import detect

    return detect(image)


def detection_line(report: dict) -> str:
    """``"Detector: rain 0.02, blur 0.91 (found), ..."``."""
    parts = [f"{f} {p:.2f}" + (" (found)" if f in report["detected"] else "") for f, p in report["factors"].items()]
    return "Detector: " + ", ".join(parts) + "."


def run_model(cache: RestorerCache, entry: ModelEntry, image: np.ndarray, report: dict | None = None) -> ModelResult:
    """Restore ``image`` (HxWx3 uint8) with ``entry``'s model and time it.

    A ``@detected`` entry runs the branch of the factor with the highest probability in ``report`` (the detector's,
    computed here when not given); when the detector finds no factor, the image comes back unchanged.
    """
    note = ""
    if entry.factor == "detected":
        report = report or detect_image(image)
        if not report["detected"]:
            return ModelResult(entry, image.copy(), {}, 0.0, "no factor detected: unchanged")
        factor = max(report["detected"], key=lambda f: report["factors"][f])
        entry = replace(entry, key=f"{entry.key}:{factor}", factor=factor)
        note = f"ran its {factor} branch (the most likely detected factor)"
    restorer = cache.get(entry)
    start = time.perf_counter()
    outputs = restorer.restore_array(image)
    seconds = time.perf_counter() - start
    restored = outputs.pop("restored")
    if entry.chain == "auto" and restorer.plans:  # short: the detector's probabilities are in the summary line
        plan = restorer.plans[0]
        ran = [f"{f} at {100 * plan.strengths[f]:.0f} %" if f in plan.strengths else f for f in plan.steps]
        note = f"ran {', '.join(ran)}" if ran else "nothing found: unchanged"
    return ModelResult(entry, restored, outputs, seconds, note)


def score(image: np.ndarray, clean: np.ndarray, protocol: str, factor_key: str | None) -> tuple[float, float]:
    """PSNR (dB) and SSIM of ``image`` against ``clean`` (both HxWx3 uint8) under a named protocol.

    Args:
        image: The degraded or restored image.
        clean: The clean reference.
        protocol: A key of ``zoo.data.metrics.PROTOCOLS`` (``"rgb"``, ``"standard"``, ``"paper"``).
        factor_key: The degradation factor (per-factor protocols), a mixture key, or None for the default.
    """
    settings = metric_settings(protocol, factor_key)
    a = image.astype(np.float64) / 255.0
    b = clean.astype(np.float64) / 255.0
    return float(psnr(a, b, **settings.psnr_kwargs())), float(ssim(a, b, **settings.ssim_kwargs()))
