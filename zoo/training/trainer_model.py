"""The mmengine model that trains any zoo network: single-task, MBN branch cycles, R-MBN recurrent fine-tuning."""

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel

from zoo.factors import FACTORS
from zoo.registry import LOSSES, MODELS, create_model

__all__ = ["RestorationTrainer", "settings_of_start"]

MODES = ("single", "branch", "recurrent", "chain", "adaptive")
# A start checkpoint's architecture settings (from its release metadata) carry over to a network of the same family,
# so that stage 2 runs the network stage 1 trained: the activation and rain iterations leave no trace in the state
# dict, and the width would otherwise have to be repeated. Initialisation switches do not matter once weights load.
FAMILIES = {"mbn": "mbn", "rmbn": "mbn"}
INIT_ONLY = ("branch_init", "residual_init")


def _plain(value: Any) -> Any:
    """Tuples as lists, so that a config's ``(16, 24)`` equals the ``[16, 24]`` a release file's JSON holds."""
    return [_plain(item) for item in value] if isinstance(value, (list, tuple)) else value


def settings_of_start(net: dict[str, Any], init_checkpoint: str) -> dict[str, Any]:
    """``net`` completed with the architecture recorded in ``init_checkpoint``; a contradiction raises."""
    from zoo.registry.checkpoint import read_release_metadata

    trained = dict(read_release_metadata(init_checkpoint).get("architecture", {}))
    kind = trained.pop("type", None)
    if kind is None or FAMILIES.get(kind, kind) != FAMILIES.get(net.get("type"), net.get("type")):
        return net
    for key, value in trained.items():
        if key in INIT_ONLY:
            continue
        if key in net and _plain(net[key]) != _plain(value):
            raise ValueError(
                f"model.init_checkpoint {init_checkpoint} was trained with {key}={value!r}, but the config "
                f"sets model.net.{key}={net[key]!r}; drop the override or set it to {value!r}"
            )
        net[key] = value
    return net


def _false_step_rates(false_steps: float | Mapping[str, float]) -> dict[str, float]:
    """Per-factor false-step probabilities from one probability or a mapping; each must be in [0, 1)."""
    if isinstance(false_steps, Mapping):
        unknown = [f for f in false_steps if f not in FACTORS]
        if unknown:
            raise ValueError(f"false_steps: unknown factor(s) {unknown}; expected some of {', '.join(FACTORS)}")
        rates = {f: false_steps.get(f, 0.0) for f in FACTORS}
    else:
        rates = dict.fromkeys(FACTORS, false_steps)
    for factor, rate in rates.items():
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0.0 <= rate < 1.0:
            raise ValueError(f"false_steps={false_steps!r}: expected probabilities in [0, 1), {factor}: {rate!r}")
    return {f: float(r) for f, r in rates.items()}


@MODELS.register_module()
class RestorationTrainer(BaseModel):
    """Wrap a zoo network with its loss for mmengine's Runner.

    Modes:
        * ``single``: ``net(x)`` vs the clean image (dedicated baselines, the mixed-degradation baseline).
        * ``branch``: MBN stage 1; every batch holds one factor and trains that factor's branch pair,
          ``net(x, factor=f, all_scales=True)``, supervising every scale when ``all_scales`` (coarse-to-fine).
        * ``recurrent``: R-MBN stage 2 (Sec. 4.2); ``step_weights[0]`` x loss of the step output at the input's own
          factor + ``step_weights[1]`` x loss of the final output, back-propagated through the chain.
        * ``chain``: R-MBN* (combined factors); loss of the final output of the recurrent chain.
        * ``adaptive``: the adaptive R-MBN with a perfect detector; each sample runs only the steps of the factors it
          received (``data_samples["steps"]``, recorded by the preprocessor), in the chain's order, and the loss is
          that of the final output. With ``false_steps`` > 0, each step of a factor a sample lacks also runs with
          that probability (a detector's false alarm), so that steps learn to leave images without their factor
          alone. Samples that run no step have nothing to learn and are left out of the loss.

    Args:
        net: Config of the zoo network (``dict(type="mbn", ...)``), built with :func:`zoo.create_model`.
        loss: Config of a registered loss (``dict(type="ssim_l1")``).
        mode: One of the modes above.
        all_scales: Supervise every scale of coarse-to-fine outputs (``branch`` mode).
        frozen: Parameter-name prefixes to freeze (e.g. the input branches in stage 2).
        step_weights: Weights of the intermediate and the final loss in ``recurrent`` mode.
        init_checkpoint: Weights to start from (e.g. the stage-1 checkpoint), loaded into ``net``.
        data_preprocessor: Preprocessor config; defaults to on-device degradation synthesis.
        false_steps: ``adaptive`` mode: the probability with which each absent factor's step also runs, in [0, 1);
            or a mapping of factors to such probabilities (``{"haze": 0.5}``; factors not named: 0), to teach one
            step more often than the others to leave images without its factor alone.
    """

    def __init__(
        self,
        net: dict[str, Any],
        loss: dict[str, Any] | None = None,
        mode: str = "single",
        all_scales: bool = True,
        frozen: tuple[str, ...] = (),
        step_weights: tuple[float, float] = (0.8, 0.2),
        init_checkpoint: str | None = None,
        data_preprocessor: dict[str, Any] | None = None,
        false_steps: float | Mapping[str, float] = 0.0,
    ) -> None:
        # Built from the zoo registry directly, so the model also builds outside a Runner (no default scope).
        super().__init__(data_preprocessor=MODELS.build(data_preprocessor or dict(type="DegradeOnTheFly")))
        if mode not in MODES:
            raise ValueError(f"unknown training mode {mode!r}; expected one of {', '.join(MODES)}")
        rates = _false_step_rates(false_steps)
        if any(rates.values()) and mode != "adaptive":
            raise ValueError(f"false_steps={false_steps!r}: expected a probability in [0, 1), in adaptive mode only")
        net = dict(net) if init_checkpoint is None else settings_of_start(dict(net), init_checkpoint)
        self.net = create_model(net, checkpoint=init_checkpoint)
        self.net.train()
        self.criterion = LOSSES.build(loss or dict(type="ssim_l1"))
        self.mode, self.all_scales, self.step_weights = mode, all_scales, tuple(step_weights)
        self.frozen, self.false_steps = tuple(frozen), rates if any(rates.values()) else {}
        names = [name for name, _ in self.net.named_parameters()]
        for prefix in self.frozen:
            if not any(name.startswith(prefix) for name in names):
                raise ValueError(f"frozen prefix {prefix!r} matches no parameter of {net.get('type')!r}")
        for name, param in self.net.named_parameters():
            if name.startswith(self.frozen):
                param.requires_grad_(False)

    def forward(self, inputs: torch.Tensor, data_samples: dict | None = None, mode: str = "tensor"):
        """Mmengine entry point: ``loss`` -> dict of losses, ``predict`` -> list of per-sample dicts, else tensor."""
        factors = list(data_samples["factor"]) if data_samples is not None else []
        if self.mode == "adaptive" and data_samples is not None:
            factors = list(data_samples["steps"])
        if mode == "loss":
            return self._losses(inputs, data_samples["gt"], factors)
        prediction = self.restore(inputs, factors)
        if mode == "predict":
            return [
                {"pred": prediction[i], "gt": data_samples["gt"][i], "factor": factors[i]}
                for i in range(prediction.shape[0])
            ]
        return prediction

    def restore(self, inputs: torch.Tensor, factors: list[str]) -> torch.Tensor:
        """Restored images in [0, 1] as the trained network would be used."""
        if self.mode == "branch":
            return torch.cat([self.net(inputs[i : i + 1], factor=f) for i, f in enumerate(factors)]).clamp(0, 1)
        if self.mode == "adaptive":
            return torch.cat([self.net(inputs[i : i + 1], steps=_steps(k)) for i, k in enumerate(factors)])
        return self.net(inputs).clamp(0, 1)

    def _loss(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The criterion in fp32, outside any autocast region: SSIM's local variances need more than bf16's 8 bits."""
        with torch.autocast(pred.device.type, enabled=False):
            return self.criterion(pred.float(), target.float())

    def _loss_all_scales(self, outputs: list[torch.Tensor], target: torch.Tensor) -> torch.Tensor:
        total = outputs[-1].new_zeros(())
        for output in outputs:
            scaled = target
            if output.shape[-2:] != target.shape[-2:]:
                scaled = F.interpolate(target, size=output.shape[-2:], mode="bicubic", align_corners=False).clamp(0, 1)
            total = total + self._loss(output, scaled)
        return total

    def _adaptive_loss(self, inputs: torch.Tensor, target: torch.Tensor, keys: list[str]) -> torch.Tensor:
        """Mean loss of the final outputs, each group of samples with the same factors run through its own steps."""
        total, count = inputs.new_zeros(()), 0
        for key in sorted(set(keys)):
            if not key:
                continue
            index = [i for i, k in enumerate(keys) if k == key]
            output = self.net(inputs[index], steps=_steps(key))
            total = total + self._loss(output, target[index]) * len(index)
            count += len(index)
        if count == 0:  # only clean samples: a zero loss that still reaches every trained parameter
            return self._zero_loss()
        if not total.requires_grad:  # the steps that ran are all frozen (a fine-tune of some branches only)
            return total / count + self._zero_loss()
        return total / count

    def _zero_loss(self) -> torch.Tensor:
        """A zero that depends on every trained parameter, so that backward and the optimizer step still run."""
        return sum(p.sum() for p in self.net.parameters() if p.requires_grad) * 0.0

    def _with_false_steps(self, keys: list[str]) -> list[str]:
        """Each sample's steps plus, with probability ``false_steps`` each, the steps of the factors it lacks."""
        if not self.false_steps:
            return keys
        order = self.net.order
        draws = torch.rand(len(keys), len(order)) < torch.tensor([self.false_steps[f] for f in order])
        return [
            "+".join(f for j, f in enumerate(order) if f in _steps(key) or bool(draws[i, j]))
            for i, key in enumerate(keys)
        ]

    def _losses(self, inputs: torch.Tensor, target: torch.Tensor, factors: list[str]) -> dict[str, torch.Tensor]:
        if self.mode == "single":
            return {"loss": self._loss(self.net(inputs), target)}
        if self.mode == "chain":
            return {"loss_mixed": self._loss(self.net(inputs), target)}
        if self.mode == "adaptive":
            return {"loss_adaptive": self._adaptive_loss(inputs, target, self._with_false_steps(factors))}
        factor = factors[0]
        if any(f != factor for f in factors):
            raise ValueError(f"{self.mode} mode needs single-factor batches; got {sorted(set(factors))}")
        if self.mode == "branch":
            outputs = self.net(inputs, factor=factor, all_scales=True)
            loss = self._loss_all_scales(outputs if self.all_scales else outputs[-1:], target)
            return {f"loss_{factor}": loss}
        steps = self.net.forward_steps(inputs)
        own = dict(steps)[factor]
        intermediate, final = self.step_weights
        loss = intermediate * self._loss(own, target) + final * self._loss(steps[-1][1], target)
        return {f"loss_{factor}": loss}


def _steps(key: str) -> list[str]:
    """``"haze+rain"`` -> ``["haze", "rain"]``; ``""`` -> ``[]``."""
    return [name for name in key.split("+") if name]
