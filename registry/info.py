"""Metadata every zoo model carries, so callers can act on it (spandrel-style descriptors)."""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["ModelInfo"]


@dataclass(frozen=True)
class ModelInfo:
    """What a registered architecture is and how to call it.

    Attributes:
        task: What the model restores, e.g. ``"unknown (rain, blur, jpeg, haze)"`` or ``"haze"``.
        paper: Citation of the method, e.g. ``"Liu et al. 2019, arXiv 1907.04508"``.
        factors: Degradation factors the model handles (subset of ``rain``, ``blur``, ``jpeg``, ``haze``).
        size_multiple: Input height and width must be multiples of this; ``zoo`` models pad and crop back.
        learned: False for classical, non-learned methods.
        oracle: True when the method needs ground-truth side information (e.g. the true blur kernel).
        supports_bf16: Whether bf16 autocast is expected to give usable outputs.
        tiling: ``"supported"`` (tiles blend seamlessly), ``"discouraged"`` (global statistics, e.g. haze) or
            ``"unsupported"``.
        description: One line for tables.
        notes: Anything a user must know (e.g. which network stands in for a paper's model).
        knows: What the method assumes about the test degradation beyond the image, shown beside its name
            wherever it is scored (e.g. ``"kernel family"``: it searches only the synthesis's own motion-kernel
            family and angle range). Empty when it assumes nothing of the kind.
        checkpoint_filter: ``fn(state_dict, model) -> state_dict`` mapping foreign checkpoints onto this
            implementation; used by ``create_model(..., checkpoint=PATH)``.
    """

    task: str
    paper: str = ""
    factors: tuple[str, ...] = ()
    size_multiple: int = 1
    learned: bool = True
    oracle: bool = False
    supports_bf16: bool = True
    tiling: str = "supported"
    description: str = ""
    notes: str = ""
    knows: str = ""
    checkpoint_filter: Callable[[dict[str, Any], Any], dict[str, Any]] | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view (JSON-serialisable) without the checkpoint filter."""
        data = asdict(self)
        data.pop("checkpoint_filter")
        data["factors"] = list(self.factors)
        return data
