"""The mmengine model that trains the factor detector: presence (binary cross-entropy) and severity per factor."""

from typing import Any

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel

from zoo.registry import MODELS, create_model

__all__ = ["DetectorTrainer"]


@MODELS.register_module()
class DetectorTrainer(BaseModel):
    """Wrap ``zoo.models.detector.FactorDetector`` with its loss for mmengine's Runner.

    Batches hold the detector's views as uint8 (``inputs``, (B, 5, 3, 96, 96)) and ``data_samples`` with ``stats``,
    ``present`` and ``severity`` (see ``zoo.training.detector_data``). The loss is the mean binary cross-entropy of
    the four presence logits plus ``severity_weight`` times the cross-entropy of the severities, counted only where
    the factor is present (an absent factor has no severity to learn). A NaN label (unknown: an enlarged photo's blur,
    ``zoo.training.detector_data``) counts in neither.

    Args:
        net: Config of the detector (``dict(type="detector", ...)``).
        severity_weight: Weight of the severity loss.
        init_checkpoint: Weights to start from.
    """

    def __init__(
        self, net: dict[str, Any] | None = None, severity_weight: float = 0.5, init_checkpoint: str | None = None
    ) -> None:
        super().__init__(data_preprocessor=MODELS.build(dict(type="BaseDataPreprocessor")))
        self.net = create_model(dict(net or {"type": "detector"}), checkpoint=init_checkpoint)
        self.severity_weight = float(severity_weight)

    def forward(self, inputs: torch.Tensor, data_samples: dict | None = None, mode: str = "tensor"):
        """Mmengine entry point: ``loss`` -> dict of losses, ``predict`` -> per-sample dicts, else raw outputs."""
        outputs = self.net.forward_views(inputs.float() / 255, data_samples["stats"].float())
        count = outputs.shape[1] // 2
        if mode == "tensor":
            return outputs
        present = data_samples["present"].float()
        if mode == "loss":
            known = (~torch.isnan(present)).float()
            present = torch.nan_to_num(present)
            presence = F.binary_cross_entropy_with_logits(
                outputs[:, :count], present, weight=known, reduction="sum"
            ) / known.sum().clamp_min(1.0)
            counted = present * known
            severity = F.binary_cross_entropy_with_logits(
                outputs[:, count:], torch.nan_to_num(data_samples["severity"].float()), weight=counted, reduction="sum"
            ) / counted.sum().clamp_min(1.0)
            return {"loss_presence": presence, "loss_severity": self.severity_weight * severity}
        probabilities = torch.sigmoid(outputs[:, :count])
        return [{"probabilities": probabilities[i], "present": present[i]} for i in range(outputs.shape[0])]
