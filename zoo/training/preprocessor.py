"""Data preprocessor that degrades clean training crops on the training device."""

import torch
from mmengine.model import BaseDataPreprocessor

from zoo.registry import MODELS

__all__ = ["DegradeOnTheFly"]


@MODELS.register_module()
class DegradeOnTheFly(BaseDataPreprocessor):
    """Move a batch to the model's device and synthesise its degradation there (batched torch recipes).

    Batches whose samples say ``degraded=True`` (validation pairs) pass through unchanged. Every batch's random
    parameters come from a generator seeded with the samples' indices, so a resumed run and a straight run see
    identical inputs. ``data_samples["steps"]`` records the factors each sample received (sorted, joined by "+").
    Synthesis runs in fp32, also inside the optimizer's bf16 autocast context.

    Args:
        preset: Synthesis preset of ``zoo.data.degradations`` (``"paper"`` or ``"broad"``).
        **kwargs: Passed to ``BaseDataPreprocessor``.
    """

    def __init__(self, preset: str = "paper", **kwargs) -> None:
        from zoo.data.degradations.presets import check_preset

        super().__init__(**kwargs)
        self.preset = check_preset(preset)

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
        with torch.autocast(inputs.device.type, enabled=False):
            if len(set(factors)) == 1:
                degraded, params = degrade_batch(inputs, spec(factors[0]), generator=generator, preset=self.preset)
            else:
                parts = [
                    degrade_batch(inputs[i : i + 1], spec(f), generator=generator, preset=self.preset)
                    for i, f in enumerate(factors)
                ]
                degraded = torch.cat([part[0] for part in parts])
                params = [part[1][0] for part in parts]
        data["inputs"] = degraded.clamp(0, 1)
        # the factors each sample received, sorted ("haze+rain"; "" for none): the steps an oracle would run
        samples["steps"] = ["+".join(sorted(p["factors"])) for p in params]
        return data
