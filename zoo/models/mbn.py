"""MBN, the multi-branch network (Liu et al. 2019; arXiv 1907.04508, Sec. 3 and App. A).

Paper: "Restoring Images with Unknown Degradation Factors by Recurrent Use of a Multi-Branch Network".

One stem of DuRB-M blocks (M1..M5) is shared by four factor-specific pairs of input and output branches. Output
branches hang on a hierarchical stack: with the paper's alignment R->B->J->H, rain's tail sits on the stem, blur's
after M6, JPEG's after M6+M7 and haze's after M6+M7+M8. ``model(x, factor="haze")`` runs one branch pair.

Improved design (``mbn``, the released network, 11,254,072 parameters at full width):

| factor | input branch                               | extra blocks | output branch                |
|--------|--------------------------------------------|--------------|------------------------------|
| rain   | I1 ConvLSTM head, ``rain_iters`` = 4 loops | -            | g1 PixelShuffle tail         |
| blur   | I2 coarse-to-fine head, 3 scales           | M6           | g2 coarse-to-fine tail       |
| jpeg   | I3 coarse-to-fine head, 3 scales           | M6 M7        | g3 coarse-to-fine tail       |
| haze   | I4 plain head                              | M6 M7 M8     | g4 PixelShuffle tail         |

The rain path (I1 -> stem -> g1) is iterated ``rain_iters`` times, each iteration adding its tanh residual to the
original rainy image; blur/JPEG run the stem once per scale, coarse (1/4) to fine.

``reference_compat=True`` reproduces the released network's forward, quirks included (the coarse-scale output conv
of g2/g3 used at all three scales, the fine scale skipping the last shared conv of the tail). The dead output convs
are kept, so that mode has the reference's 11,254,072 parameters. The default (corrected) mode uses every scale's
own output conv and every shared conv at every scale; nothing is dead, and it has the same 11,254,072 parameters
and the same state_dict keys, so converted weights load into either mode.

The minimal design (``mbn_minimal``, Sec. 3.2 / App. A.1) shares one plain input branch between all factors and
puts four identical PixelShuffle tails on the stem.
"""

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

from zoo.blocks.interface import block_min_size, build_block
from zoo.branches.interface import branch_config, check_branch_pair
from zoo.factors import FACTORS
from zoo.layers import crop, pad_to_multiple, scaled_width
from zoo.registry import BRANCHES, ModelInfo, register_model
from zoo.registry.arguments import check_count, check_width

from .pyramid import build_pyramid, upscale2
from .reference import checkpoint_filter

__all__ = ["MBN", "MinimalMBN", "PAPER"]

PAPER = "Liu et al. 2019, arXiv 1907.04508"
# (k1, dilation, k2) of the stem blocks M1..M5 and of the extra blocks M6..M8 of the output stack.
STEM_BLOCKS = ((3, 2, 3), (5, 1, 3), (3, 2, 5), (5, 1, 5), (7, 1, 5))
EXTRA_BLOCKS = ((7, 2, 5), (11, 1, 5), (11, 1, 5))
# What the MBN family's ModelInfo shares: the paper, the four factors, whole-image attention statistics.
FAMILY_INFO = dict(paper=PAPER, factors=FACTORS, tiling="discouraged")


def _parse_alignment(alignment: Sequence[str]) -> dict[str, int]:
    """Map each factor to its position in the output stack; ``"blur+haze"`` puts two factors at one position."""
    if isinstance(alignment, str):
        raise TypeError(f"alignment must be a sequence of factor names, got the string {alignment!r}")
    if not 1 <= len(alignment) <= len(EXTRA_BLOCKS) + 1:
        raise ValueError(f"alignment needs 1 to {len(EXTRA_BLOCKS) + 1} positions, got {len(alignment)}")
    positions: dict[str, int] = {}
    for level, entry in enumerate(alignment):
        for factor in entry.split("+"):
            if factor not in FACTORS:
                raise ValueError(f"unknown factor {factor!r} in alignment; valid factors: {', '.join(FACTORS)}")
            if factor in positions:
                raise ValueError(f"factor {factor!r} appears twice in alignment {tuple(alignment)}")
            positions[factor] = level
    return positions


@register_model(
    "mbn",
    ModelInfo(
        task="rain, blur, jpeg or haze (factor given)",
        needs_factor=True,
        description="MBN: shared DuRB-M stem, factor-specific branches; model(x, factor=...)",
        notes="Improved design of the paper (App. A). Pads to multiples of 16 (blur/jpeg; 4 for haze, 2 for rain) "
        "and to the minimum size of the reflection pads, then crops back.",
        checkpoint_filter=checkpoint_filter,
        **FAMILY_INFO,
    ),
)
class MBN(nn.Module):
    """Multi-branch network: one DuRB-M stem, a hierarchical output stack, factor-specific branch pairs.

    Args:
        width: Multiplier of every channel width (96, 64, 48, 32 and the attention hidden widths), rounded to ints.
        rain_iters: Iterations of the rain path (4 in the released network).
        block: Config of every stem block, merged into the default DuRB-M config, e.g.
            ``dict(attention=dict(type="se"))``; ``dict(type="durb_us")`` swaps the block for any block of the
            ``updown`` slot (:mod:`zoo.blocks.interface`).
        alignment: Factors by position in the output stack (position i sits after i extra DuRB-M blocks); a
            position may hold several factors joined by ``+``. The paper's is R->B->J->H.
        reference_compat: Reproduce the released network's forward exactly (see the module docstring).
        act: Activation of the coarse-to-fine branches: ``"relu"`` (paper) or ``"leaky_relu"`` (slope 0.2).
        residual_init: ``"default"`` (PyTorch init) or ``"zero"`` (zero-initialise the last conv before each tanh,
            so every output branch starts as the identity).
        branch_init: Initialisation of every input and output branch: ``"default"`` (PyTorch's, as in the paper's
            code) or ``"kaiming"`` (He's, biases zero). With ``residual_init="zero"`` and LeakyReLU this is the
            recipe of ``mbn_stage1``, under which the blur and rain branches learn where they otherwise stay at
            the identity (``zoo bench recipe``); the output convs before the tanh keep their own ``residual_init``.
        channels: Stem width before ``width`` scaling (96).
        res_channels: Width of the residual stream before scaling (64).
        input_branches: Per-factor configs merged into the default input branch configs. A different ``type`` gets
            the model's widths for whatever of them its constructor takes (the branch interface,
            :mod:`zoo.branches.interface`). ``dict(jpeg=dict(skip=True))``, with the same in ``output_branches``,
            adds the full-resolution skip to the JPEG pair (needed for that branch to learn; results/cpu/jpeg_skip.md).
        output_branches: The same for the output branches.
        share_input_branch: Use one input branch for every factor (the minimal design); the factors' input branch
            configs must then be equal.
        checkpointing: Activation checkpointing for training: with autograd on, every DuRB-M block and every
            branch call keeps only its inputs and is recomputed in the backward pass (less memory, about one more
            forward of compute). No effect without autograd; the attribute may also be set after construction.
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
        branch_init: str = "default",
        channels: int = 96,
        res_channels: int = 64,
        input_branches: dict[str, dict[str, Any]] | None = None,
        output_branches: dict[str, dict[str, Any]] | None = None,
        share_input_branch: bool = False,
        checkpointing: bool = False,
    ) -> None:
        super().__init__()
        self.checkpointing = checkpointing
        owner = type(self).__name__
        check_width(width, owner)
        check_count("rain_iters", rain_iters, owner)
        check_count("channels", channels, owner)
        check_count("res_channels", res_channels, owner)
        self.positions = _parse_alignment(alignment)
        self.factors = tuple(f for f in FACTORS if f in self.positions)
        self.alignment = tuple(alignment)
        self.rain_iters = rain_iters
        self.reference_compat = reference_compat
        self.width = width
        self.num_stem = len(STEM_BLOCKS)

        c = scaled_width(channels, width)
        r = scaled_width(res_channels, width)
        block_config = {"type": "durb_m", **(block or {})}
        hidden = dict(attention_hidden=scaled_width(64, width), se_hidden=scaled_width(96, width))
        self.kernels = kernels = STEM_BLOCKS + EXTRA_BLOCKS[: len(self.alignment) - 1]
        slot = dict(channels=c, res_channels=r)
        self.blocks = nn.ModuleList(
            build_block(block_config, "updown", owner, dict(slot, k1=k1, dilation=d, k2=k2), hidden)
            for k1, d, k2 in kernels
        )

        heads, tails = self._default_branches(c, r, width, act, residual_init, branch_init)
        input_branches, output_branches = input_branches or {}, output_branches or {}
        for name in set(input_branches) | set(output_branches):
            if name not in self.factors:
                raise ValueError(f"branch config for {name!r}, which is not a factor of this model {self.factors}")
        # what any branch type may take, scaled by the width (see zoo.branches.interface)
        c64, c32 = scaled_width(64, width), scaled_width(32, width)
        offered = dict(hidden=c32, mid_channels=c64, act=act, init=branch_init, residual_init=residual_init)
        offered_tail = dict(offered, res_channels=c64, reference_compat=reference_compat)
        given = dict(channels=c, res_channels=r)
        head_cfgs = {
            f: branch_config(heads[f], input_branches.get(f), given, offered, f, "input") for f in self.factors
        }
        tail_cfgs = {
            f: branch_config(tails[f], output_branches.get(f), dict(channels=c), offered_tail, f, "output")
            for f in self.factors
        }
        self.share_input_branch = share_input_branch
        if share_input_branch:
            first = head_cfgs[self.factors[0]]
            if any(cfg != first for cfg in head_cfgs.values()):
                raise ValueError("share_input_branch needs the same input branch config for every factor")
            self.heads = nn.ModuleDict({"shared": BRANCHES.build(first)})
        else:
            self.heads = nn.ModuleDict({f: BRANCHES.build(cfg) for f, cfg in head_cfgs.items()})
        self.tails = nn.ModuleDict({f: BRANCHES.build(cfg) for f, cfg in tail_cfgs.items()})
        for factor in self.factors:
            check_branch_pair(self.head(factor), self.tails[factor], factor)

    def _default_branches(
        self, c: int, r: int, width: float, act: str, residual_init: str, branch_init: str
    ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        """Input and output branch configs of the improved design (App. A.2), by factor."""
        c64, c48, c32 = (scaled_width(n, width) for n in (64, 48, 32))
        head = dict(channels=c, res_channels=r, hidden=c32, init=branch_init)
        tail = dict(channels=c, residual_init=residual_init, init=branch_init)
        c2f_head = dict(head, type="c2f_head", act=act)
        c2f_tail = dict(tail, type="c2f_tail", res_channels=c64, hidden=c32, act=act)
        c2f_tail["reference_compat"] = self.reference_compat
        heads = dict(rain=dict(head, type="rain_lstm_head"), blur=c2f_head, jpeg=dict(c2f_head))
        tails = dict(rain=dict(tail, type="rain_tail", hidden=c48), blur=c2f_tail, jpeg=dict(c2f_tail))
        heads["haze"] = dict(head, type="plain_head")
        tails["haze"] = dict(tail, type="ps_tail", mid_channels=c64, hidden=c32)
        return heads, tails

    # ------------------------------------------------------------------ sizes
    def head(self, factor: str) -> nn.Module:
        """The input branch of a factor."""
        return self.heads["shared"] if self.share_input_branch else self.heads[factor]

    def _path(self, factor: str) -> nn.ModuleList:
        return self.blocks[: self.num_stem + self.positions[factor]]

    def size_multiple(self, factor: str | None = None) -> int:
        """Multiple of H and W the factor's path needs (of every factor when None)."""
        if factor is None:
            return math.lcm(*(self.size_multiple(f) for f in self.factors))
        head = self.head(self._check_factor(factor))
        return head.downsample * 2 ** (head.scales - 1)

    def min_size(self, factor: str | None = None) -> int:
        """Smallest H and W for which every reflection pad on the factor's path fits (every factor when None)."""
        if factor is None:
            return max(self.min_size(f) for f in self.factors)
        path = self._path(self._check_factor(factor))
        min_feature = max(block_min_size(block, *kernel) for block, kernel in zip(path, self.kernels))
        return self.size_multiple(factor) * min_feature

    def _check_factor(self, factor: str) -> str:
        if factor not in self.positions:
            raise ValueError(f"unknown factor {factor!r}; this model handles {', '.join(self.factors)}")
        return factor

    @staticmethod
    def _check_image(x: torch.Tensor) -> None:
        if x.dim() != 4 or x.shape[1] != 3:
            raise ValueError(f"expected an image batch of shape (B, 3, H, W), got {tuple(x.shape)}")

    # ---------------------------------------------------------------- forward
    def _call(self, module: nn.Module, *args: Any) -> Any:
        """``module(*args)``, through activation checkpointing when it is on and autograd records."""
        if self.checkpointing and torch.is_grad_enabled():
            return checkpoint(module, *args, use_reentrant=False)
        return module(*args)

    def _stem(self, factor: str, x: torch.Tensor, res: torch.Tensor) -> torch.Tensor:
        for blk in self._path(factor):
            x, res = self._call(blk, x, res)
        return x

    def restore_padded(self, image: torch.Tensor, factor: str) -> list[torch.Tensor]:
        """Run a factor's branch pair on an image whose size already fits (see ``size_multiple``, ``min_size``).

        Args:
            image: (B, 3, H, W) in [0, 1].
            factor: One of ``self.factors``.

        Returns:
            The outputs, coarsest first: three for coarse-to-fine branches, else one. Not clamped.
        """
        head, tail = self.head(factor), self.tails[factor]
        call = self._call
        if head.mode == "single":
            x, res = call(head, image)
            return [call(tail, self._stem(factor, x, res), image)]
        if head.mode == "recurrent":
            estimate, state = image, None
            for _ in range(self.rain_iters):
                x, res, state = call(head, estimate, image, state)
                estimate = call(tail, self._stem(factor, x, res), image)
            return [estimate]
        outputs: list[torch.Tensor] = []
        for scale, level in enumerate(build_pyramid(image, head.scales)):
            x, res, *skip = call(head, level, scale, upscale2(outputs[-1]) if outputs else None)
            outputs.append(call(tail, self._stem(factor, x, res), level, scale, *skip))
        return outputs

    def forward(self, x: torch.Tensor, factor: str, all_scales: bool = False) -> torch.Tensor | list[torch.Tensor]:
        """Restore images degraded by one known factor.

        Args:
            x: (B, 3, H, W) in [0, 1], any H and W (padded by reflection and cropped back).
            factor: ``"rain"``, ``"blur"``, ``"jpeg"`` or ``"haze"``.
            all_scales: Return ``[coarse, mid, fine]`` for the coarse-to-fine branches (a 1-element list for
                the others); coarse and mid are cropped to ``ceil(H / 4)`` and ``ceil(H / 2)`` rows (same for W).

        Returns:
            The fine output (B, 3, H, W): degraded input + tanh residual, not clamped (range (-1, 2)).
        """
        self._check_factor(factor)
        self._check_image(x)
        height, width = x.shape[-2:]
        padded = pad_to_multiple(x, self.size_multiple(factor), self.min_size(factor))
        outputs = self.restore_padded(padded, factor)
        last = len(outputs) - 1
        outputs = [
            crop(out, math.ceil(height / 2 ** (last - i)), math.ceil(width / 2 ** (last - i)))
            for i, out in enumerate(outputs)
        ]
        return outputs if all_scales else outputs[-1]


MINIMAL_INPUT_WIDTHS = {"table8": (32, 64, 96), "text": (48, 96, 96)}


@register_model(
    "mbn_minimal",
    ModelInfo(
        task="rain, blur, jpeg or haze (factor given)",
        needs_factor=True,
        description="MBN, minimal design: one shared plain input branch, four identical PixelShuffle tails",
        notes="Sec. 3.2 / App. A.1. input_widths='table8' (32/64/96, 0.07 M as in Table 8) or 'text' (48/96/96 as "
        "written in App. A.1; the residual stream then has 96 channels).",
        **FAMILY_INFO,
    ),
)
class MinimalMBN(MBN):
    """The paper's minimal design: one shared input branch, DuRB-M stem, one PixelShuffle tail per factor.

    With the default flat alignment all four tails sit on the stem (Tables 1, 7, 8: 4,526,540 parameters at full
    width). A hierarchical alignment such as ``("rain", "blur", "jpeg", "haze")`` adds DuRB-M blocks M6..M8
    between the tails, as in the alignment search of App. A.1 (Tables 5, 6).

    Args:
        width: Multiplier of every channel width.
        block: Config dict merged into every DuRB-M config.
        alignment: Factors by position in the output stack (see :class:`MBN`).
        input_widths: ``"table8"`` (32/64/96, the default) or ``"text"`` (48/96/96).
        residual_init: ``"default"`` or ``"zero"``.
        branch_init: ``"default"`` or ``"kaiming"`` (see :class:`MBN`).
    """

    def __init__(
        self,
        width: float = 1.0,
        block: dict[str, Any] | None = None,
        alignment: Sequence[str] = ("rain+blur+jpeg+haze",),
        input_widths: str = "table8",
        residual_init: str = "default",
        branch_init: str = "default",
    ) -> None:
        check_width(width, type(self).__name__)
        if input_widths not in MINIMAL_INPUT_WIDTHS:
            raise ValueError(f"input_widths must be one of {', '.join(MINIMAL_INPUT_WIDTHS)}, got {input_widths!r}")
        first, res, feat = (scaled_width(n, width) for n in MINIMAL_INPUT_WIDTHS[input_widths])
        factors = _parse_alignment(alignment)
        head = dict(type="plain_head", channels=feat, res_channels=res, hidden=first, init=branch_init)
        tail = dict(
            type="ps_tail",
            channels=feat,
            mid_channels=scaled_width(64, width),
            hidden=scaled_width(32, width),
            residual_init=residual_init,
            init=branch_init,
        )
        super().__init__(
            width=width,
            block=block,
            alignment=alignment,
            residual_init=residual_init,
            res_channels=MINIMAL_INPUT_WIDTHS[input_widths][1],
            input_branches={f: head for f in factors},
            output_branches={f: tail for f in factors},
            share_input_branch=True,
        )
        self.input_widths = input_widths
