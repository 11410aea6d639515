"""Run the chosen models on one image, time them and score them against the clean reference (no gradio here)."""

import threading
import time
import warnings
from dataclasses import dataclass

import numpy as np

from zoo.data.metrics import metric_settings, psnr, ssim
from zoo.inference.restore import Restorer, resolve_device

from .catalog import ModelEntry

__all__ = ["STEP_LETTERS", "ModelResult", "RestorerCache", "run_model", "score"]

STEP_LETTERS = {"jpeg": "J", "haze": "H", "blur": "B", "rain": "R"}


@dataclass(frozen=True)
class ModelResult:
    """One model's output on the demo's input.

    Attributes:
        entry: The model choice.
        restored: HxWx3 uint8 restoration.
        steps: Per-step images of a recurrent model, by factor in run order (empty for other models).
        seconds: Wall-clock time of the restoration (model already loaded).
    """

    entry: ModelEntry
    restored: np.ndarray
    steps: dict[str, np.ndarray]
    seconds: float


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
                    self._restorers[entry.key] = Restorer(
                        entry.model, factor=entry.factor, save_steps=entry.steps, device=self.device
                    )
            return self._restorers[entry.key]


def run_model(cache: RestorerCache, entry: ModelEntry, image: np.ndarray) -> ModelResult:
    """Restore ``image`` (HxWx3 uint8) with ``entry``'s model and time it."""
    restorer = cache.get(entry)
    start = time.perf_counter()
    outputs = restorer.restore_array(image)
    seconds = time.perf_counter() - start
    restored = outputs.pop("restored")
    return ModelResult(entry, restored, outputs, seconds)


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
