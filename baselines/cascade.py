"""Cascade of dedicated models, the baseline of the paper's Table 3 (Liu et al. 2019, arXiv 1907.04508, Sec. 4.2).

Each step restores one factor and hands its output, clamped to [0, 1], to the next. The default chains the zoo's
four dedicated DuRN models in the order the paper uses for R-MBN and for its cascade: J -> H -> B -> R.
"""

import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from zoo.factors import FACTORS
from zoo.registry import ModelInfo, create_model, register_model
from zoo.registry.info import instance_min_size, instance_size_multiple

__all__ = ["DEFAULT_STEPS", "Cascade"]

# (factor, model) per step; a model is a registered name, a config dict with a "type" key, or a built nn.Module.
DEFAULT_STEPS: tuple[tuple[str, str], ...] = (
    ("jpeg", "durn_p_rgb"),
    ("haze", "durn_us"),
    ("blur", "durn_u"),
    ("rain", "durn_s"),
)


@register_model(
    "cascade",
    ModelInfo(
        task="unknown (rain, blur, jpeg, haze)",
        paper="Liu, Suganuma, Sun, Okatani 2019, arXiv 1907.04508 (cascade baseline, Table 3)",
        factors=FACTORS,
        returns_steps=True,
        tiling="discouraged",
        description="Cascade of dedicated models J->H->B->R (durn_p_rgb, durn_us, durn_u, durn_s; 26.473 M parameters)",
        notes="The paper cascades the authors' codes of Zhang et al. (RNAN, JPEG), Liu et al. (DuRN-US, haze), Gao et "
        "al. (blur) and Liu et al. (DuRN-S, rain); the zoo's default uses its own dedicated models for every step "
        "(DuRN-P without normalisation for JPEG, DuRN-U for blur). Steps are configurable.",
    ),
)
class Cascade(nn.Module):
    """Chain of restoration models, clamping to [0, 1] between steps.

    Args:
        steps: ``(factor, model)`` pairs in order, or a mapping factor -> model (insertion order). A model is a
            registered name (``"durn_u"``), a config dict (``dict(type="durn_u", width=0.25)``) or an ``nn.Module``.
            Factors must be unique.
        clamp: Clamp every step's output to [0, 1] (the paper's protocol); False passes raw outputs on.
    """

    def __init__(
        self,
        steps: Sequence[Sequence[Any]] | Mapping[str, Any] = DEFAULT_STEPS,
        clamp: bool = True,
    ) -> None:
        super().__init__()
        pairs = list(steps.items()) if isinstance(steps, Mapping) else [tuple(step) for step in steps]
        if not pairs:
            raise ValueError("a cascade needs at least one (factor, model) step")
        for pair in pairs:
            if len(pair) != 2 or not isinstance(pair[0], str):
                raise ValueError(f"cascade step {pair!r} is not a (factor, model) pair")
        factors = [factor for factor, _ in pairs]
        if len(set(factors)) != len(factors):
            raise ValueError(f"cascade factors must be unique (outputs are returned by factor), got {factors}")
        self.factors = factors
        self.clamp = clamp
        self.models = nn.ModuleList(
            model if isinstance(model, nn.Module) else create_model(model) for _, model in pairs
        )

    def size_multiple(self, factor: str | None = None) -> int:
        """Multiple of H and W that no step has to pad to: the least common multiple of the steps' multiples."""
        return math.lcm(1, *(instance_size_multiple(model) for model in self.models))

    def min_size(self, factor: str | None = None) -> int:
        """The largest minimum size of the steps (each step pads smaller images itself)."""
        return max(instance_min_size(model) for model in self.models)

    def forward(
        self, x: torch.Tensor, return_steps: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Run every step in order.

        Args:
            x: Degraded image, float in [0, 1], shape (B, 3, H, W).
            return_steps: Also return each step's (clamped) output by factor.

        Returns:
            The final image, or ``(final, {factor: output})``.
        """
        outputs: dict[str, torch.Tensor] = {}
        current = x
        for factor, model in zip(self.factors, self.models):
            current = model(current)
            if self.clamp:
                current = current.clamp(0.0, 1.0)
            outputs[factor] = current
        return (current, outputs) if return_steps else current
