"""Operation-wise attention network (OWAN) of Suganuma, Liu, Okatani, CVPR 2019 (arXiv 1812.00733).

"Attention-based Adaptive Selection of Operations for Image Restoration in the Presence of Unknown Combined
Distortions": the mixed-degradation baseline of Liu et al. 2019, Table 4. Facts taken from the paper and the
authors' public code (``sg-nm/Operation-wise-attention-network``); this is an independent re-implementation.

Layout (C = 16 channels, 10 groups of 4 operation layers = 40 operation-wise attention layers)::

    feature extraction: conv3x3 3 -> C, 4 x [depthwise 3x3 -> ReLU -> depthwise 3x3 -> + x -> ReLU]
    per group: attention weights a (B, 4, n) = softmax_ops(fc(relu(fc(GAP(s)))))   [C -> 2*4*n -> 4*n]
               s = relu(conv1x1(s)); then per layer i: s = relu(relu(conv1x1(concat_j a[i, j] * op_j(s))) + s)
    output: conv3x3 C -> 3 (no global residual in the authors' code)

The n = 8 parallel operations: separable convs 1x1, 3x3, 5x5, 7x7 (depthwise k x k -> pointwise -> ReLU ->
depthwise k x k -> pointwise), dilated separable convs 3x3, 5x5, 7x7 (dilation 2; depthwise -> pointwise) and 3x3
average pooling. Every convolution is zero-padded and has no bias. 391,456 parameters (derived from this
configuration; no source we found states the count).
"""

import re
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from zoo.factors import FACTORS
from zoo.registry import ModelInfo, register_model

__all__ = ["OPERATIONS", "OWAN", "OperationGroup", "OperationLayer", "OperationWiseAttention", "build_operation"]

OPERATIONS: tuple[str, ...] = (
    "sep_conv_1x1",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "sep_conv_7x7",
    "dil_conv_3x3",
    "dil_conv_5x5",
    "dil_conv_7x7",
    "avg_pool_3x3",
)

_OPERATION_NAME = re.compile(r"(sep_conv|dil_conv|avg_pool|max_pool)_(\d+)x(\d+)")


def _depthwise(channels: int, kernel: int, dilation: int = 1) -> nn.Conv2d:
    return nn.Conv2d(channels, channels, kernel, padding=dilation * (kernel - 1) // 2, dilation=dilation,
                     groups=channels, bias=False)  # fmt: skip


def _pointwise(channels: int, out_channels: int | None = None) -> nn.Conv2d:
    return nn.Conv2d(channels, out_channels or channels, 1, bias=False)


def build_operation(name: str, channels: int) -> nn.Module:
    """One operation by name: ``sep_conv_KxK``, ``dil_conv_KxK`` (dilation 2), ``avg_pool_KxK``, ``max_pool_KxK``.

    Every operation maps (B, C, H, W) to the same shape.
    """
    match = _OPERATION_NAME.fullmatch(name)
    if match is None or match.group(2) != match.group(3) or int(match.group(2)) % 2 == 0:
        raise ValueError(
            f"unknown operation {name!r}; expected e.g. 'sep_conv_3x3', 'dil_conv_5x5', 'avg_pool_3x3' (odd k)"
        )
    kind, kernel = match.group(1), int(match.group(2))
    if kind == "sep_conv":
        return nn.Sequential(
            _depthwise(channels, kernel),
            _pointwise(channels),
            nn.ReLU(),
            _depthwise(channels, kernel),
            _pointwise(channels),
        )
    if kind == "dil_conv":
        return nn.Sequential(_depthwise(channels, kernel, dilation=2), _pointwise(channels))
    if kind == "avg_pool":
        return nn.AvgPool2d(kernel, stride=1, padding=kernel // 2, count_include_pad=False)
    return nn.MaxPool2d(kernel, stride=1, padding=kernel // 2)


class OperationLayer(nn.Module):
    """Run every operation in parallel, weight each output by its attention value, fuse with a 1x1 conv and ReLU.

    Args:
        channels: Channels C.
        operations: Operation names (see :func:`build_operation`).
    """

    def __init__(self, channels: int, operations: Sequence[str]) -> None:
        super().__init__()
        self.ops = nn.ModuleList(build_operation(name, channels) for name in operations)
        self.fuse = nn.Sequential(_pointwise(channels * len(operations), channels), nn.ReLU())

    def forward(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """Apply the layer to ``x`` (B, C, H, W) with attention ``weights`` (B, n_operations)."""
        outs = [op(x) * weights[:, j, None, None, None] for j, op in enumerate(self.ops)]
        return self.fuse(torch.cat(outs, dim=1))


class OperationWiseAttention(nn.Module):
    """Attention over operations for every layer of a group, from the group input's global average.

    ``softmax_over_operations(fc2(relu(fc1(GAP(x)))))`` with fc1: C -> 2 * layers * n, fc2: -> layers * n.

    Args:
        channels: Channels C.
        layers: Operation layers the weights are for (4 in OWAN).
        num_operations: Operations per layer (8 in OWAN).
    """

    def __init__(self, channels: int, layers: int, num_operations: int) -> None:
        super().__init__()
        self.layers = layers
        self.num_operations = num_operations
        out = layers * num_operations
        self.fc = nn.Sequential(nn.Linear(channels, 2 * out), nn.ReLU(), nn.Linear(2 * out, out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Weights (B, layers, num_operations) for ``x`` (B, C, H, W); each row sums to 1."""
        logits = self.fc(x.mean(dim=(2, 3)))
        return F.softmax(logits.view(-1, self.layers, self.num_operations), dim=-1)


class OperationGroup(nn.Module):
    """A 1x1 conv + ReLU, then ``layers`` operation layers with residual connections, sharing one attention module.

    Args:
        channels: Channels C.
        layers: Operation layers in the group.
        operations: Operation names.
    """

    def __init__(self, channels: int, layers: int, operations: Sequence[str]) -> None:
        super().__init__()
        self.attention = OperationWiseAttention(channels, layers, len(operations))
        self.preprocess = nn.Sequential(_pointwise(channels), nn.ReLU())
        self.layers = nn.ModuleList(OperationLayer(channels, operations) for _ in range(layers))
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the group to ``x`` (B, C, H, W)."""
        weights = self.attention(x)
        out = self.preprocess(x)
        for i, layer in enumerate(self.layers):
            out = self.relu(layer(out, weights[:, i]) + out)
        return out


class _DepthwiseResBlock(nn.Module):
    """``relu(dw3x3(relu(dw3x3(x))) + x)`` (feature extraction block)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(_depthwise(channels, 3), nn.ReLU(), _depthwise(channels, 3))
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.body(x) + x)


@register_model(
    "owan",
    ModelInfo(
        task="unknown, combined (rain, blur, jpeg, haze)",
        paper="Suganuma, Liu, Okatani, CVPR 2019 (operation-wise attention network; arXiv 1812.00733)",
        factors=FACTORS,
        tiling="discouraged",
        description="OWAN: 40 operation-wise attention layers (10 groups x 4, 8 operations), 16 channels (0.391 M)",
        notes="Mixed-degradation baseline of Liu et al. 2019, Table 4, trained there on the same combined-factor "
        "images as R-MBN*. Re-implemented from the paper and the authors' code; 391,456 parameters is this "
        "implementation's count for the authors' configuration. The output is the last conv's raw value (no "
        "global residual, unbounded): clamp to [0, 1] for display. The attention uses global averages.",
    ),
)
class OWAN(nn.Module):
    """Operation-wise attention network.

    Args:
        channels: Feature channels C (16).
        groups: Groups of operation layers, each with its own attention module (10).
        layers_per_group: Operation layers per group (4).
        operations: Parallel operations of every layer (:data:`OPERATIONS`).
        feature_blocks: Depthwise residual blocks in the feature extraction (4).
        global_residual: Add the input to the output (not in the authors' code; off by default).
    """

    def __init__(
        self,
        channels: int = 16,
        groups: int = 10,
        layers_per_group: int = 4,
        operations: Sequence[str] = OPERATIONS,
        feature_blocks: int = 4,
        global_residual: bool = False,
    ) -> None:
        super().__init__()
        if not operations:
            raise ValueError("OWAN needs at least one operation")
        self.global_residual = global_residual
        self.features = nn.Sequential(
            nn.Conv2d(3, channels, 3, padding=1, bias=False),
            *(_DepthwiseResBlock(channels) for _ in range(feature_blocks)),
        )
        self.groups = nn.ModuleList(OperationGroup(channels, layers_per_group, operations) for _ in range(groups))
        self.output = nn.Conv2d(channels, 3, 3, padding=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Restore ``x``, float in [0, 1], shape (B, 3, H, W) with any H, W; returns (B, 3, H, W), unclamped."""
        if x.dim() != 4 or x.shape[1] != 3:
            raise ValueError(f"OWAN expects an RGB batch (B, 3, H, W), got shape {tuple(x.shape)}")
        feat = self.features(x)
        for group in self.groups:
            feat = group(feat)
        out = self.output(feat)
        return out + x if self.global_residual else out
