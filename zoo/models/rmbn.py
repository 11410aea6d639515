"""R-MBN: recurrent use of MBN for images with unknown degradation factors (Liu et al. 2019, Sec. 4.2, 5.2).

The same network (and parameter set) as :class:`~zoo.models.mbn.MBN`; without a factor, the image goes through
every branch pair in turn, by default J->H->B->R (the paper's chosen order), clamped to [0, 1] between steps. Only
the image passes between steps; the coarse-to-fine steps rebuild their pyramid from the clamped image. Each step
pads the image to its own size multiple and crops back, so the chain is exactly a sequence of ``MBN`` calls.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from zoo.factors import CHAIN_ORDER, FACTORS
from zoo.registry import ModelInfo, register_model

from .mbn import FAMILY_INFO, MBN
from .reference import checkpoint_filter

__all__ = ["DEFAULT_ORDER", "RecurrentMBN"]

DEFAULT_ORDER = CHAIN_ORDER


@register_model(
    "rmbn",
    ModelInfo(
        task="unknown (rain, blur, jpeg, haze)",
        takes_factor=True,
        returns_steps=True,
        takes_steps=True,
        description="R-MBN: MBN's branch pairs applied in turn (J->H->B->R), clamped between steps",
        notes="Same parameters and state_dict keys as mbn: a stage-1 MBN checkpoint loads directly. "
        "model(x) runs the chain; model(x, factor=...) behaves as mbn.",
        checkpoint_filter=checkpoint_filter,
        **FAMILY_INFO,
    ),
)
class RecurrentMBN(MBN):
    """MBN used recurrently: every factor's branch pair in ``order``, each on the previous step's clamped output.

    Args:
        width: Multiplier of every channel width.
        rain_iters: Iterations of the rain path.
        block: Config dict merged into every DuRB-M config.
        alignment: Factors by position in the output stack.
        reference_compat: Reproduce the released network's forward exactly.
        act: Activation of the coarse-to-fine branches (``"relu"`` or ``"leaky_relu"``).
        residual_init: ``"default"`` or ``"zero"``.
        order: Factors in the order the chain removes them (default J->H->B->R).
        **kwargs: Further :class:`MBN` arguments (``channels``, ``input_branches``, ...).
    """

    def __init__(
        self,
        width: float = 1.0,
        rain_iters: int = 4,
        block: dict[str, Any] | None = None,
        alignment: Sequence[str] = FACTORS,
        reference_compat: bool = False,
        act: str = "relu",
        residual_init: str = "default",
        order: Sequence[str] = DEFAULT_ORDER,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            width=width,
            rain_iters=rain_iters,
            block=block,
            alignment=alignment,
            reference_compat=reference_compat,
            act=act,
            residual_init=residual_init,
            **kwargs,
        )
        if isinstance(order, str) or not order:
            raise ValueError(f"order must be a non-empty sequence of factor names, got {order!r}")
        for factor in order:
            self._check_factor(factor)
        if len(set(order)) != len(order):
            raise ValueError(f"order {tuple(order)} repeats a factor")
        self.order = tuple(order)

    def check_steps(self, steps: Sequence[str] | None) -> tuple[str, ...]:
        """The steps to run, in chain order: all of ``self.order`` for None, else the named ones (any order given).

        Raises:
            ValueError: An unknown or repeated factor name.
        """
        if steps is None:
            return self.order
        if isinstance(steps, str):
            raise ValueError(f"steps must be a sequence of factor names, got the string {steps!r}")
        for factor in steps:
            if factor not in self.order:
                raise ValueError(f"unknown step {factor!r}; the chain's steps are {', '.join(self.order)}")
        if len(set(steps)) != len(steps):
            raise ValueError(f"steps {tuple(steps)} name a factor twice")
        return tuple(f for f in self.order if f in steps)

    def _chain(
        self, x: torch.Tensor, steps: Sequence[str] | None = None, strengths: Mapping[str, float] | None = None
    ) -> list[tuple[str, torch.Tensor]]:
        """Every step's unclamped output; each step sees the previous one clamped and pads/crops on its own.

        A step with a strength ``w`` below 1 in ``strengths`` outputs ``input + w * (clamped branch output - input)``.
        """
        outputs = []
        current = x
        for factor in self.check_steps(steps):
            output = MBN.forward(self, current, factor)
            strength = 1.0 if strengths is None else float(strengths.get(factor, 1.0))
            if strength < 1.0:
                output = current + strength * (torch.clamp(output, 0.0, 1.0) - current)
            outputs.append((factor, output))
            current = torch.clamp(output, 0.0, 1.0)
        return outputs

    def forward_steps(self, x: torch.Tensor) -> list[tuple[str, torch.Tensor]]:
        """Every step's ``(factor, output)``, unclamped and with gradients (for the stage-2 fine-tuning loss).

        Args:
            x: (B, 3, H, W) in [0, 1].

        Returns:
            One ``(factor, (B, 3, H, W))`` pair per step, in ``self.order``. Between steps the chain clamps with
            ``torch.clamp``, which passes gradients inside [0, 1].
        """
        return self._chain(x)

    def forward(
        self,
        x: torch.Tensor,
        factor: str | None = None,
        return_steps: bool = False,
        all_scales: bool = False,
        steps: Sequence[str] | None = None,
        strengths: Mapping[str, float] | None = None,
    ) -> torch.Tensor | list[torch.Tensor] | tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Restore an image with unknown degradations, or with a known one as MBN does.

        Args:
            x: (B, 3, H, W) in [0, 1], any H and W.
            factor: None for the recurrent chain; a factor name to run only its branch pair (as :class:`MBN`).
            return_steps: With the chain, also return every step's output.
            all_scales: With a factor, as in :meth:`MBN.forward`.
            steps: With the chain, the steps to run (run in chain order); None runs all of them, an empty list
                none (the image comes back clamped and otherwise unchanged).
            strengths: With the chain, a weight in [0, 1] per step (default 1): a step's output is blended with its
                input by it (:mod:`zoo.inference.adaptive` weakens steps the detector is unsure of).

        Returns:
            The chain's final image clamped to [0, 1] (B, 3, H, W), or ``(final, {factor: step output})`` with
            ``return_steps`` (step outputs clamped to [0, 1], i.e. what the next step received).
        """
        if factor is not None:
            if return_steps or steps is not None or strengths is not None:
                raise ValueError(
                    "return_steps, steps and strengths apply to the recurrent chain; call without a factor"
                )
            return super().forward(x, factor, all_scales=all_scales)
        if strengths is not None:
            bad = {f: w for f, w in strengths.items() if f not in self.order or not 0.0 <= float(w) <= 1.0}
            if bad:
                raise ValueError(
                    f"strengths {bad}: expected chain steps ({', '.join(self.order)}) with weights in [0, 1]"
                )
        outputs = {f: torch.clamp(out, 0.0, 1.0) for f, out in self._chain(x, steps, strengths)}
        final = list(outputs.values())[-1] if outputs else torch.clamp(x, 0.0, 1.0)
        return (final, outputs) if return_steps else final
