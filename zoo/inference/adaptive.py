"""Adaptive R-MBN: run only the recurrent steps whose factor the detector finds, and say why.

``steps="auto"`` (the default of ``zoo restore``) asks the factor detector (``zoo.models.detector``) for the score
of each factor on the whole image (its presence probability, or its severity for the factors the detector decides by
severity: none for the shipped one; with tiles for rain, JPEG and blur above 1,024 pixels,
``zoo.inference.detector_tiles``) and runs the steps above their thresholds, in the chain's order (J->H->B->R).
``"all"`` is the paper's always-on chain; a list of factor names runs exactly those steps. When no factor is found
the image comes back unchanged.

A step the detector is unsure of runs at part strength: its output is blended with its input by
``min(1, (logit(p) - logit(threshold)) / STRENGTH_MARGIN)``, so it runs fully once the detector's logit is
``STRENGTH_MARGIN`` above its threshold's. The margin was chosen on the validation photos only
(``python -m zoo.benchmarks.strength``, results/cpu/strength.md): among margins 0 (every found step fully), 1, 2
and 4 logits, the one with the smallest loss on its worst image among those whose mean gain over the cases is within
0.1 dB of the best. Margin 2: worst image -1.3 dB (margin 0: -9.1, margin 1: -3.7), mean gain +1.02 dB (+1.07 at
margin 0). The losses it avoids come from a rain or haze step run on an image without rain or haze; the cost is part
of the gain where a factor is found just above its threshold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import torch

__all__ = [
    "DETECTOR_MODEL",
    "STRENGTH_MARGIN",
    "Plan",
    "step_strength",
    "detect_tensor",
    "detector_from",
    "load_detector",
    "logit",
    "parse_steps",
    "plan_steps",
    "split_strengths",
]

DETECTOR_MODEL = "detector"  # the shipped detector weights (default tag of the architecture)
STRENGTH_MARGIN = 2.0  # logits above its threshold at which a found step runs at full strength


def logit(p: float) -> float:
    """log(p / (1 - p)), with p kept inside [1e-6, 1 - 1e-6]."""
    p = min(max(p, 1e-6), 1.0 - 1e-6)
    return math.log(p / (1.0 - p))


def step_strength(probability: float, threshold: float, margin: float = STRENGTH_MARGIN) -> float:
    """How strongly a step runs: 0 below its threshold, rising linearly in logits to 1 at ``margin`` above it."""
    if probability < threshold:
        return 0.0
    if margin <= 0:
        return 1.0
    return min(1.0, (logit(probability) - logit(threshold)) / margin)


def split_strengths(strengths: Mapping[str, float], order: Sequence[str]) -> tuple[tuple[str, ...], dict[str, float]]:
    """The steps to run (positive strength, in chain ``order``) and the strengths of those that run below 1."""
    steps = tuple(f for f in order if strengths.get(f, 0.0) > 0.0)
    return steps, {f: strengths[f] for f in steps if strengths[f] < 1.0}


@dataclass(frozen=True)
class Plan:
    """Which recurrent steps run on one image, and why.

    Attributes:
        steps: Steps to run, in chain order.
        mode: ``"auto"`` (chosen by the detector), ``"all"`` or ``"given"`` (named by the user).
        probabilities: The detector's score per factor (``"auto"`` only): presence probability, or severity for the
            factors in its ``decide_by_severity``.
        thresholds: The thresholds the scores were compared with (``"auto"`` only).
        strengths: The strength of each step that runs at part strength (``"auto"`` only; see
            :func:`step_strength`); steps not listed run fully.
    """

    steps: tuple[str, ...]
    mode: str
    probabilities: dict[str, float] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)
    strengths: dict[str, float] = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        """What the model is called with: images with equal keys can share one forward pass."""
        return self.steps, tuple(sorted(self.strengths.items()))

    def describe(self) -> str:
        """One line: the steps that ran and the reason (probabilities against thresholds in ``"auto"`` mode)."""
        if self.mode != "auto":
            which = ", ".join(self.steps) if self.steps else "none"
            return f"steps {which} ({'the whole chain' if self.mode == 'all' else 'as given'})"
        found = [
            f"{f} {self.probabilities[f]:.2f}"
            + (f" (at {100 * self.strengths[f]:.0f} % strength)" if f in self.strengths else "")
            for f in self.steps
        ]
        skipped = [f"{f} {p:.2f}" for f, p in self.probabilities.items() if f not in self.steps]
        if not found:
            return f"no degradation found (detector scores {', '.join(skipped)}): the image is unchanged"
        return f"ran {', '.join(found)}; skipped {', '.join(skipped) or 'none'} (detector scores)"


def parse_steps(steps: str | Sequence[str] | None) -> str | tuple[str, ...]:
    """``"auto"``, ``"all"``, or a tuple of factor names from ``"jpeg,blur"`` / a sequence (validated later)."""
    if steps is None:
        return "auto"
    if isinstance(steps, str):
        if steps in ("auto", "all"):
            return steps
        names = tuple(name.strip() for name in steps.split(",") if name.strip())
        if not names and steps.strip() not in ("", "none"):
            raise ValueError(f"steps {steps!r}: expected auto, all, none or factor names such as jpeg,blur")
        return names
    return tuple(steps)


@lru_cache(maxsize=2)
def load_detector(name: str = DETECTOR_MODEL) -> torch.nn.Module:
    """The shipped factor detector in eval mode (cached).

    Raises:
        RuntimeError: No detector weights ship with this installation.
    """
    from zoo.registry import create_model, list_pretrained

    if not list_pretrained(f"{name.partition('.')[0]}*"):
        raise RuntimeError(
            "the adaptive default needs the factor detector's weights, which this installation lacks; restore with "
            "--steps all (every step) or name the steps, e.g. --steps jpeg,blur"
        )
    return create_model(name, pretrained=True).eval()


def detector_from(checkpoint: str | None = None) -> torch.nn.Module:
    """The shipped detector, or the detector of a release file (eval mode): for comparing another detector."""
    if checkpoint is None:
        return load_detector()
    from zoo.registry import create_model

    return create_model(DETECTOR_MODEL, checkpoint=checkpoint).eval()


def detect_tensor(x: torch.Tensor, detector: torch.nn.Module | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Probabilities and severities, each (B, 4) in the order of ``zoo.models.detector.DETECTOR_FACTORS``.

    On images whose longer side is above 1,024 pixels, rain and JPEG are scored on tiles of the size the detector
    was trained on, and blur by the lower of the tiles' and the whole image's score
    (:mod:`zoo.inference.detector_tiles`).

    Args:
        x: (B, 3, H, W) float in [0, 1], any size.
        detector: A detector module; default the shipped one.
    """
    from .detector_tiles import with_tiled_factors

    detector = detector or load_detector()
    device = next(detector.parameters()).device
    x = x.to(device).float()
    with torch.no_grad():
        probabilities, severities = detector(x)
    probabilities, severities = with_tiled_factors(x, detector, probabilities, severities)
    return probabilities.cpu(), severities.cpu()


def plan_steps(
    x: torch.Tensor, order: Sequence[str], steps: str | Sequence[str] | None, detector: torch.nn.Module | None = None
) -> Plan:
    """The plan for one image (1, 3, H, W): which of the chain's steps (``order``) run.

    Args:
        x: The whole image (the detector must see all of it, also when the restoration is tiled).
        order: The chain's steps in order.
        steps: ``"auto"``, ``"all"``, or factor names.
        detector: For ``"auto"``; default the shipped detector.
    """
    from zoo.models.detector import DETECTOR_FACTORS

    spec = parse_steps(steps)
    if spec == "all":
        return Plan(tuple(order), "all")
    if spec != "auto":
        unknown = [name for name in spec if name not in order]
        if unknown:
            raise ValueError(f"unknown step(s) {', '.join(unknown)}; the chain's steps are {', '.join(order)}")
        return Plan(tuple(f for f in order if f in spec), "given")
    detector = detector or load_detector()
    probabilities, _ = detect_tensor(x[:1], detector)
    thresholds = [float(t) for t in detector.thresholds]
    found = {f: float(p) for f, p in zip(DETECTOR_FACTORS, probabilities[0].tolist(), strict=True)}
    limits = dict(zip(DETECTOR_FACTORS, thresholds, strict=True))
    chosen, partial = split_strengths({f: step_strength(found[f], limits[f]) for f in found}, order)
    return Plan(chosen, "auto", found, limits, {f: round(w, 4) for f, w in partial.items()})
