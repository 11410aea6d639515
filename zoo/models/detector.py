"""Factor detector: which of rain, blur, JPEG and haze an image has at a level that matters, and how strongly.

A small CNN over five 96x96 views of the image plus a few classical statistics:

- one global view, the whole image resized (area) to 96x96: haze and overall contrast;
- four full-resolution crops chosen from a grid of candidate positions (the most textured, or the two most textured
  and the two smoothest: ``crop_policy``), each on the 8-pixel grid of the
  image so JPEG blocks line up with the crop: blocking, fine blur and rain streaks, which downscaling removes;
- statistics computed on those views: JPEG blockiness (luma differences across 8-pixel block borders against those
  inside blocks, both directions), the dark channel of the global view (mean and 10th percentile: He et al. 2009),
  its mean saturation, brightness and contrast, and the crops' gradient energy and Laplacian-to-gradient ratio.

Two batch-normalised convolutional trunks (one for the crops, whose features are averaged and max-pooled over the
crops, one for the global view) and an MLP give four presence logits and four severities (sigmoid, in [0, 1]).
``model(x)`` returns probabilities and severities; ``zoo.detect`` wraps it for images of any kind. Labels:
``zoo.data.labels``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from zoo.factors import FACTORS
from zoo.registry import ModelInfo, register_model

__all__ = ["CROP_POLICIES", "DETECTOR_FACTORS", "FactorDetector", "detector_inputs"]

DETECTOR_FACTORS = FACTORS  # output order
VIEW = 96
CROPS = 4
NUM_STATS = 10
_GRID = 8  # candidate crop positions per side
CROP_POLICIES = ("textured", "mixed")
_LUMA = (0.299, 0.587, 0.114)


def _luma(x: torch.Tensor) -> torch.Tensor:
    weights = x.new_tensor(_LUMA).view(1, 3, 1, 1)
    return (x * weights).sum(dim=1, keepdim=True)


def _pad_to(x: torch.Tensor, size: int) -> torch.Tensor:
    """Replicate-pad the bottom and right so both sides are at least ``size`` (keeps the 8-pixel grid)."""
    pad_h, pad_w = max(0, size - x.shape[-2]), max(0, size - x.shape[-1])
    if pad_h or pad_w:
        mode = "replicate" if min(x.shape[-2:]) > 1 else "constant"
        x = F.pad(x, (0, pad_w, 0, pad_h), mode=mode)
    return x


def _crop_positions(image: torch.Tensor, count: int, policy: str = "textured") -> list[tuple[int, int]]:
    """Top-left corners (multiples of 8) of ``count`` VIEW x VIEW crops of a (3, H, W) image.

    ``policy``: ``"textured"``, the most textured candidates; ``"mixed"``, half of them the most textured (blur shows
    there) and half the smoothest (rain streaks, haze and JPEG blocking show there), most textured first.
    """
    height, width = image.shape[-2:]
    tops = torch.linspace(0, height - VIEW, min(_GRID, height // VIEW + 1)).long() // 8 * 8
    lefts = torch.linspace(0, width - VIEW, min(_GRID, width // VIEW + 1)).long() // 8 * 8
    small = F.interpolate(_luma(image[None]), scale_factor=0.25, mode="area") if min(height, width) >= 8 else None
    scored = []
    for top in tops.unique().tolist():
        for left in lefts.unique().tolist():
            if small is None:
                score = 0.0
            else:
                patch = small[..., top // 4 : (top + VIEW) // 4, left // 4 : (left + VIEW) // 4]
                score = float(patch.diff(dim=-1).abs().mean() + patch.diff(dim=-2).abs().mean())
            scored.append((score, top, left))
    scored.sort(key=lambda item: -item[0])
    if policy == "mixed":
        textured = scored[: (count + 1) // 2]
        smooth = [item for item in reversed(scored) if item not in textured][: count - len(textured)]
        scored = textured + smooth
    chosen = [(top, left) for _, top, left in scored[:count]]
    while len(chosen) < count:  # small images: repeat the best crops
        chosen.append(chosen[len(chosen) % max(1, len(scored))])
    return chosen


def _blockiness(luma: torch.Tensor) -> torch.Tensor:
    """log(mean |difference| across 8-pixel block borders / mean inside blocks), per direction: (N, 2)."""
    result = []
    for dim in (-1, -2):
        diff = luma.diff(dim=dim).abs() * 255
        border = (torch.arange(diff.shape[dim], device=luma.device) % 8) == 7  # crops start on the 8-pixel grid
        at = diff.index_select(dim, border.nonzero().flatten()).mean(dim=(1, 2, 3))
        inside = diff.index_select(dim, (~border).nonzero().flatten()).mean(dim=(1, 2, 3))
        result.append(torch.log((at + 0.5) / (inside + 0.5)))
    return torch.stack(result, dim=1)


def _statistics(global_view: torch.Tensor, crops: torch.Tensor) -> torch.Tensor:
    """The classical statistics of one image: (NUM_STATS,), from its global view (3, V, V) and crops (K, 3, V, V)."""
    crops_luma = _luma(crops)
    block = _blockiness(crops_luma).mean(dim=0)
    dark = -F.max_pool2d(-global_view.min(dim=0, keepdim=True).values[None], 7, stride=1, padding=3)
    dark = dark.flatten()
    value, low = global_view.max(dim=0).values, global_view.min(dim=0).values
    saturation = ((value - low) / value.clamp_min(1e-3)).mean()
    luma = _luma(global_view[None])
    gx, gy = crops_luma.diff(dim=-1), crops_luma.diff(dim=-2)
    gradient = (gx.abs().mean() + gy.abs().mean()) * 255
    laplace = F.conv2d(crops_luma, crops_luma.new_tensor([[0, 1, 0], [1, -4, 1], [0, 1, 0]]).view(1, 1, 3, 3))
    lap_ratio = (laplace.abs().mean() * 255 + 0.1) / (gradient + 0.1)
    return torch.stack(
        [
            block[0],
            block[1],
            dark.mean() * 4,
            torch.quantile(dark, 0.1) * 4,
            saturation * 4,
            luma.mean() * 4,
            luma.std() * 8,
            torch.log(gradient + 0.1),
            torch.log(lap_ratio) * 2,
            torch.log(crops_luma.std(dim=(-1, -2)).mean() * 255 + 0.1),
        ]
    )


@torch.no_grad()
def detector_inputs(x: torch.Tensor, crop_policy: str = "textured") -> tuple[torch.Tensor, torch.Tensor]:
    """The detector's views and statistics of a batch of images of one size.

    Args:
        x: (B, 3, H, W) in [0, 1], any size (1x1 upwards).
        crop_policy: Which crops: ``"textured"`` or ``"mixed"`` (see :func:`_crop_positions`).

    Returns:
        ``views`` (B, 1 + CROPS, 3, VIEW, VIEW), the global view first, and ``stats`` (B, NUM_STATS).
    """
    x = x.float().clamp(0, 1)
    global_views = F.interpolate(x, size=(VIEW, VIEW), mode="area" if min(x.shape[-2:]) >= VIEW else "bilinear")
    padded = _pad_to(x, VIEW)
    views, stats = [], []
    for image, global_view in zip(padded, global_views, strict=True):
        positions = _crop_positions(image, CROPS, crop_policy)
        crops = torch.stack([image[:, t : t + VIEW, s : s + VIEW] for t, s in positions])
        views.append(torch.cat([global_view[None], crops]))
        stats.append(_statistics(global_view, crops))
    return torch.stack(views), torch.stack(stats)


def _trunk(channels: tuple[int, ...]) -> nn.Sequential:
    """Convolutions, the first at full resolution and the others at stride 2, each batch-normalised.

    Without normalisation the signal of a freshly initialised stack shrinks about tenfold per layer and the head
    learns from the statistics alone (measured: feature spread 4e-4 after five layers).
    """
    layers: list[nn.Module] = []
    previous = 3
    for index, out in enumerate(channels):
        conv = nn.Conv2d(previous, out, 3, stride=1 if index == 0 else 2, padding=1, bias=False)
        layers += [conv, nn.BatchNorm2d(out), nn.LeakyReLU(0.1)]
        previous = out
    return nn.Sequential(*layers)


@register_model(
    "detector",
    ModelInfo(
        task="detection of rain, blur, jpeg and haze (probabilities and severities)",
        kind="detector",
        paper="this zoo (a factor detector for the adaptive R-MBN)",
        factors=DETECTOR_FACTORS,
        description="small CNN on a global view and four full-resolution crops, plus classical statistics",
        notes="model(x) returns (probabilities, severities), each (B, 4) in the order rain, blur, jpeg, haze; "
        "zoo.detect(image) wraps it",
        tiling="unsupported",
    ),
)
class FactorDetector(nn.Module):
    """Presence probability and severity of each factor.

    Args:
        channels: Output channels of the trunk's convolutions (the first keeps full resolution).
        hidden: Width of the MLP.
        crop_policy: Which full-resolution crops it looks at: ``"textured"`` or ``"mixed"`` (see
            :func:`detector_inputs`); the views it was trained on.
        decide_by_severity: Factors whose detection score is the severity estimate instead of the presence
            probability (the first output of ``forward`` then holds it, and the threshold applies to it). For haze
            the severity head of ``detector.broad`` ranks the validation samples better (ROC AUC 0.932 against 0.860
            for its presence head), but with a threshold chosen on the five validation photos it gave haze steps to
            14 % of the clean test crops. Retrained with more scenes and its threshold chosen on 29 more photos
            (session 13, ``results/campaign/README.md``), it again gave haze steps to 3 of the 22 clean test crops,
            so the shipped detector decides every factor by its presence probability.
    """

    def __init__(
        self,
        channels: tuple[int, ...] = (24, 32, 48, 64, 96),
        hidden: int = 128,
        crop_policy: str = "textured",
        decide_by_severity: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        if crop_policy not in CROP_POLICIES:
            raise ValueError(f"crop_policy {crop_policy!r}; expected one of {', '.join(CROP_POLICIES)}")
        unknown = [f for f in decide_by_severity if f not in DETECTOR_FACTORS]
        if unknown or isinstance(decide_by_severity, str):
            raise ValueError(
                f"decide_by_severity must list factors of {', '.join(DETECTOR_FACTORS)}, got {decide_by_severity!r}"
            )
        self.crop_policy = crop_policy
        self.decide_by_severity = tuple(decide_by_severity)
        self._by_severity = [f in self.decide_by_severity for f in DETECTOR_FACTORS]
        channels = tuple(int(c) for c in channels)
        if not channels or min(channels) < 1:
            raise ValueError(f"channels must be positive numbers, got {channels}")
        if hidden < 1:
            raise ValueError(f"hidden must be a positive number, got {hidden}")
        self.channels, self.hidden = channels, int(hidden)
        self.crop_trunk = _trunk(channels)
        self.global_trunk = _trunk(channels)
        self.stats_norm = nn.BatchNorm1d(NUM_STATS, affine=False)  # running statistics learned in training
        # Probability from which each factor counts as found; chosen on validation images, stored with the weights.
        self.register_buffer("thresholds", torch.full((len(DETECTOR_FACTORS),), 0.5))
        features = channels[-1] * 2 + channels[-1] * 2 + NUM_STATS
        self.head = nn.Sequential(
            nn.Linear(features, hidden), nn.LeakyReLU(0.1), nn.Linear(hidden, 2 * len(DETECTOR_FACTORS))
        )

    def forward_views(self, views: torch.Tensor, stats: torch.Tensor) -> torch.Tensor:
        """Raw outputs (B, 8): four presence logits, then four severity logits (see :func:`detector_inputs`)."""
        batch = views.shape[0]
        global_features = self.global_trunk(views[:, 0])
        global_features = torch.cat([global_features.mean(dim=(-1, -2)), global_features.amax(dim=(-1, -2))], 1)
        crops = self.crop_trunk(views[:, 1:].flatten(0, 1)).unflatten(0, (batch, -1))
        crop_features = torch.cat([crops.mean(dim=(1, -1, -2)), crops.amax(dim=(1, -1, -2))], 1)
        return self.head(torch.cat([global_features, crop_features, self.stats_norm(stats.float())], 1))

    def scores(self, raw: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Detection scores and severities from the raw outputs of :meth:`forward_views`.

        A factor's score is its presence probability, or its severity for the factors in ``decide_by_severity``.
        """
        count = len(DETECTOR_FACTORS)
        probabilities, severities = torch.sigmoid(raw[:, :count].float()), torch.sigmoid(raw[:, count:].float())
        if any(self._by_severity):
            mask = torch.tensor(self._by_severity, device=raw.device)
            probabilities = torch.where(mask, severities, probabilities)
        return probabilities, severities

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Detection scores (presence probabilities, see ``decide_by_severity``) and severities of a batch.

        Args:
            x: (B, 3, H, W) in [0, 1].

        Returns:
            ``(probabilities, severities)``, each (B, 4) in [0, 1], factors in the order of ``DETECTOR_FACTORS``.
        """
        views, stats = detector_inputs(x, self.crop_policy)
        return self.scores(self.forward_views(views.to(x.dtype) if x.is_floating_point() else views, stats))
