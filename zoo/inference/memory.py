"""How much memory a forward pass needs, and the tile size that keeps it under a budget.

A model's activation memory grows linearly with the number of pixels, so it is described by a per-pixel cost and a
fixed part. Both are measured once per model (and call, e.g. MBN's factor) by running it on two small random inputs
while counting the bytes of the tensors alive at each moment (a ``TorchDispatchMode`` that tracks every tensor the
model creates until it is freed); weights are not counted. The allocator's overhead and convolution workspaces are
not tensors, so the measured cost is multiplied by :data:`MEASURE_MARGIN` (on CPU the peak resident memory grew
1.42x the tracked peak for ``rmbn.synth4`` and ``durn_us.synth`` at 1024x1024).

Before a forward pass over an image larger than :data:`CHECK_ABOVE_PIXELS` (or whenever a budget is given), the
estimate is compared with the budget (:data:`DEFAULT_MAX_MEMORY_GIB` unless ``max_memory`` / ``--max-memory`` says
otherwise). Above it, the image is restored in the largest tiles that fit, with a warning that says so; a model that
cannot be tiled is refused up front with the figures and what to do.
"""

import math
import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

__all__ = [
    "CHECK_ABOVE_PIXELS",
    "DEFAULT_MAX_MEMORY_GIB",
    "MEASURE_MARGIN",
    "ForwardCost",
    "auto_tile",
    "measure_forward_cost",
    "plan_tile",
]

GIB = 2**30
# Default budget for one forward pass: a third of a 24 GiB machine, which leaves room for the OS, the image itself
# and other programs.
DEFAULT_MAX_MEMORY_GIB = 8.0
# Untracked memory (allocator, convolution workspaces) on top of the tracked tensors; see the module docstring.
MEASURE_MARGIN = 1.5
# Images up to this many pixels are not checked against the default budget: measured with this module, the
# hungriest zoo model at width 1 (R-MBN, all four steps) needs 3.2 GiB per megapixel, so 2 MP fit 8 GiB with room
# to spare, and measuring costs forward passes on two small inputs (about 1 s on 2 cores: more than restoring a
# 1 MP photo with the default model).
CHECK_ABOVE_PIXELS = 2_000_000
_PROBE_SIZES = (64, 128)  # sides of the two square probe inputs (rounded up to the model's size multiple)


@dataclass(frozen=True)
class ForwardCost:
    """Bytes a forward pass needs beyond the weights: ``fixed + per_pixel * pixels`` (per image of the batch).

    Attributes:
        fixed: Bytes that do not grow with the image.
        per_pixel: Bytes per pixel of one image (already multiplied by :data:`MEASURE_MARGIN`).
    """

    fixed: float
    per_pixel: float

    def bytes_for(self, height: int, width: int, batch: int = 1) -> float:
        """Estimated bytes of one forward pass over a (batch, 3, height, width) input."""
        return batch * (self.fixed + self.per_pixel * height * width)


class _LiveTensorBytes(TorchDispatchMode):
    """Counts the bytes of tensor storage created inside the mode and still alive; remembers the peak."""

    def __init__(self) -> None:
        super().__init__()
        self.live: dict[int, list[int]] = {}  # storage address -> [bytes, tensors using it]
        self.current = 0
        self.peak = 0

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        out = func(*args, **(kwargs or {}))
        for value in tree_leaves(out):
            if isinstance(value, torch.Tensor):
                self._track(value)
        return out

    def _track(self, tensor: torch.Tensor) -> None:
        storage = tensor.untyped_storage()
        key = storage.data_ptr()
        if key == 0:
            return
        entry = self.live.get(key)
        if entry is None:
            entry = self.live[key] = [storage.nbytes(), 0]
            self.current += entry[0]
            self.peak = max(self.peak, self.current)
        entry[1] += 1
        weakref.finalize(tensor, self._release, key)

    def _release(self, key: int) -> None:
        entry = self.live.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] == 0:
            self.current -= entry[0]
            del self.live[key]


_COSTS: "weakref.WeakKeyDictionary[torch.nn.Module, dict[str, ForwardCost]]" = weakref.WeakKeyDictionary()


def measure_forward_cost(
    module: torch.nn.Module, call_kwargs: dict[str, Any], multiple: int = 1, device: torch.device | str = "cpu"
) -> ForwardCost:
    """Measure (once per module and call arguments) the memory of a forward pass per pixel.

    Args:
        module: The model, in eval mode, on ``device``.
        call_kwargs: Keyword arguments of the call (e.g. ``{"factor": "rain"}``).
        multiple: The model's size multiple; probe sides are rounded up to it.
        device: Where the probes run.
    """
    key = repr(sorted(call_kwargs.items()))
    cached = _COSTS.setdefault(module, {})
    if key in cached:
        return cached[key]
    peaks = []
    sides = [math.ceil(side / multiple) * multiple for side in _PROBE_SIZES]
    generator = torch.Generator().manual_seed(0)
    for side in sides:
        probe = torch.rand(1, 3, side, side, generator=generator).to(device)
        with torch.no_grad(), _LiveTensorBytes() as tracker:
            module(probe, **call_kwargs)
        peaks.append(tracker.peak)
    (a1, a2), (p1, p2) = (side * side for side in sides), peaks
    per_pixel = max(p2 - p1, 0) / (a2 - a1) if a2 > a1 else p2 / a2
    fixed = max(p1 - per_pixel * a1, 0.0)
    cost = ForwardCost(fixed=fixed * MEASURE_MARGIN, per_pixel=per_pixel * MEASURE_MARGIN)
    cached[key] = cost
    return cost


def plan_tile(
    cost: ForwardCost, batch: int, height: int, width: int, budget: float, multiple: int, overlap: int
) -> int | None:
    """The largest square tile whose forward pass fits ``budget`` bytes, or None when the whole image fits.

    Raises:
        MemoryError: Not even the smallest useful tile (twice the overlap) fits.
    """
    if cost.bytes_for(height, width, batch) <= budget:
        return None
    side = math.isqrt(max(int((budget / batch - cost.fixed) / max(cost.per_pixel, 1e-9)), 0))
    tile = side // multiple * multiple
    rounded_overlap = math.ceil(overlap / multiple) * multiple  # as tiled_forward rounds it
    smallest = max(2 * rounded_overlap, rounded_overlap + multiple)
    if tile < smallest:
        raise MemoryError(
            f"even {smallest}x{smallest} tiles need about {cost.bytes_for(smallest, smallest, batch) / GIB:.2f} GiB"
        )
    return tile


def auto_tile(
    module: torch.nn.Module,
    call_kwargs: dict[str, Any],
    x: torch.Tensor,
    *,
    name: str,
    multiple: int,
    overlap: int,
    device: torch.device,
    max_memory: float | None,
    tiling: str = "supported",
    measure: Callable[..., ForwardCost] = measure_forward_cost,
) -> int | None:
    """The tile size to restore ``x`` with so that a forward pass stays within the memory budget, or None.

    Args:
        module: The model (eval mode, on ``device``).
        call_kwargs: Its call's keyword arguments.
        x: The (B, 3, H, W) batch about to be restored.
        name: The model's name, for messages.
        multiple: The model's size multiple.
        overlap: Overlap between tiles, in pixels.
        device: Where the model runs.
        max_memory: Budget in GiB, or None for :data:`DEFAULT_MAX_MEMORY_GIB` (then images up to
            :data:`CHECK_ABOVE_PIXELS` are not checked).
        tiling: The model's tiling policy (``ModelInfo.tiling``): ``"unsupported"`` refuses instead of tiling.
        measure: The function that measures the cost (tests replace it).

    Returns:
        A tile size (a warning says that the image is tiled and why), or None for one pass.

    Raises:
        ValueError: The budget is not positive, or the model cannot be tiled and the image does not fit.
    """
    batch, _, height, width = x.shape
    if max_memory is not None and not (isinstance(max_memory, (int, float)) and 0 < max_memory < math.inf):
        raise ValueError(f"max_memory must be a positive number of GiB, got {max_memory!r}")
    if max_memory is None and height * width <= CHECK_ABOVE_PIXELS:
        return None
    budget_gib = DEFAULT_MAX_MEMORY_GIB if max_memory is None else float(max_memory)
    cost = measure(module, call_kwargs, multiple, device)
    need = cost.bytes_for(height, width, batch) / GIB
    figures = f"a {width}x{height} image needs about {need:.1f} GiB for {name}'s forward pass"
    if need <= budget_gib:
        return None
    if tiling == "unsupported":
        raise ValueError(
            f"{figures}, over the memory budget of {budget_gib:g} GiB, and {name} cannot be tiled; restore a smaller "
            "image, or raise the budget with --max-memory / max_memory= if the machine has the memory"
        )
    try:
        tile = plan_tile(cost, batch, height, width, budget_gib * GIB, multiple, overlap)
    except MemoryError as err:
        raise ValueError(
            f"{figures}, and {err}, over the memory budget of {budget_gib:g} GiB; raise it with --max-memory"
        ) from None
    seams = " (this model uses whole-image statistics, so tiles can show seams)" if tiling == "discouraged" else ""
    warnings.warn(
        f"{figures}, over the memory budget of {budget_gib:g} GiB (--max-memory / max_memory=); restoring it in "
        f"{tile}x{tile} tiles with a {overlap}-pixel overlap{seams}",
        stacklevel=3,
    )
    return tile
