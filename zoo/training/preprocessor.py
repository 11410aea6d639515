"""Data preprocessor that degrades clean training crops on the training device."""

from collections.abc import Mapping

import torch
from mmengine.model import BaseDataPreprocessor

from zoo.registry import MODELS

__all__ = ["DegradeOnTheFly"]


@MODELS.register_module()
class DegradeOnTheFly(BaseDataPreprocessor):
    """Move a batch to the model's device and synthesise its degradation there (batched torch recipes).

    Batches whose samples say ``degraded=True`` (validation pairs) pass through unchanged. Every batch's random
    parameters come from a generator seeded with the samples' indices, so a resumed run and a straight run see
    identical inputs. ``data_samples["steps"]`` records the factors each sample received (sorted, joined by "+"),
    ``data_samples["preset"]`` the preset they came from.
    Synthesis runs in fp32, also inside the optimizer's bf16 autocast context.

    Args:
        preset: Synthesis preset of ``zoo.data.degradations`` (``"paper"`` or ``"broad"``), or a mapping of presets
            to weights (``{"broad": 0.7, "paper": 0.3}``): each batch then draws its preset with those odds, from the
            same seeded generator as its degradations.
        **kwargs: Passed to ``BaseDataPreprocessor``.
    """

    def __init__(self, preset: str | Mapping[str, float] = "paper", **kwargs) -> None:
        from zoo.data.degradations.presets import check_preset

        super().__init__(**kwargs)
        if isinstance(preset, str):
            self.preset, self.presets, self.weights = check_preset(preset), (check_preset(preset),), None
            return
        if not preset or any(not float(w) > 0 for w in preset.values()):
            raise ValueError(f"preset weights must be a non-empty mapping of presets to positive numbers, got {preset}")
        self.presets = tuple(check_preset(name) for name in preset)
        self.weights = torch.tensor([float(w) for w in preset.values()], dtype=torch.float64)
        self.preset = "+".join(self.presets)

    def _draw_preset(self, generator: torch.Generator) -> str:
        """The preset of one batch: the only one, or one drawn with the configured weights."""
        if self.weights is None:
            return self.presets[0]
        return self.presets[int(torch.multinomial(self.weights, 1, generator=generator))]

    def forward(self, data: dict, training: bool = False) -> dict:
        """Return ``dict(inputs=degraded, data_samples=...)`` on the model's device."""
        data = self.cast_data(data)
        inputs, samples = data["inputs"], data["data_samples"]
        if bool(torch.as_tensor(samples["degraded"]).all()):
            return data
        from zoo.data.degradations import degrade_batch

        seeds = torch.as_tensor(samples["seed"]).tolist()
        generator = torch.Generator().manual_seed(hash(tuple(seeds)) % (2**62))
        factors = list(samples["factor"])
        spec = lambda f: "random" if f == "mixed" else [f]  # noqa: E731 - "mixed": 1..4 random factors per sample
        preset = self._draw_preset(generator)
        with torch.autocast(inputs.device.type, enabled=False):
            if len(set(factors)) == 1:
                degraded, params = degrade_batch(inputs, spec(factors[0]), generator=generator, preset=preset)
            else:
                parts = [
                    degrade_batch(inputs[i : i + 1], spec(f), generator=generator, preset=preset)
                    for i, f in enumerate(factors)
                ]
                degraded = torch.cat([part[0] for part in parts])
                params = [part[1][0] for part in parts]
        data["inputs"] = degraded.clamp(0, 1)
        # the factors each sample received, sorted ("haze+rain"; "" for none): the steps an oracle would run
        samples["steps"] = ["+".join(sorted(p["factors"])) for p in params]
        samples["preset"] = [preset] * len(params)
        return data
