"""Metadata every zoo model carries, so callers can act on it (spandrel-style descriptors).

A :class:`ModelInfo` is the written contract of an architecture: what its ``forward`` accepts and returns, and the
sizes it needs. Callers (``zoo.restore``, the CLI, the demo, the benchmarks) read it instead of guessing from
``forward``'s signature. The size rules are functions of the built instance, because the size a network needs
depends on how it was built (a cascade's steps, an MBN's branches).
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["KINDS", "TILING", "ModelInfo", "SizeRule", "instance_min_size", "instance_size_multiple"]

# What a model is: a restorer maps images to images; a detector maps images to (probabilities, severities).
KINDS = ("restorer", "detector")
TILING = ("supported", "discouraged", "unsupported")

# fn(model, factor=None) -> int: a size the built model needs (factor None: every factor's path at once).
SizeRule = Callable[..., int]


def instance_size_multiple(model: Any, factor: str | None = None) -> int:
    """The size multiple the model reports itself: ``model.size_multiple(factor)``, or 1 when it has no such method.

    Every zoo network that pads its input (MBN, R-MBN, DuRN, the cascade) has the methods ``size_multiple(factor=None)``
    and ``min_size(factor=None)``; their forward pads any H and W to fit and crops back, and tiling uses the
    multiple so that tiles need no padding of their own.
    """
    method = getattr(model, "size_multiple", None)
    return int(method(factor)) if callable(method) else 1


def instance_min_size(model: Any, factor: str | None = None) -> int:
    """The minimum height and width the model reports itself (``model.min_size(factor)``), or 1 without the method."""
    method = getattr(model, "min_size", None)
    return int(method(factor)) if callable(method) else 1


def _constant(value: int) -> SizeRule:
    def rule(model: Any, factor: str | None = None) -> int:
        return value

    return rule


@dataclass(frozen=True)
class ModelInfo:
    """What a registered architecture is and how to call it.

    Attributes:
        task: What the model restores, e.g. ``"unknown (rain, blur, jpeg, haze)"`` or ``"haze"``.
        kind: ``"restorer"`` (``model(x)`` returns images like ``x``) or ``"detector"`` (``model(x)`` returns
            ``(probabilities, severities)``; ``zoo.restore`` refuses it, ``zoo.detect`` wraps it).
        paper: Citation of the method, e.g. ``"Liu et al. 2019, arXiv 1907.04508"``.
        factors: Degradation factors the model handles (subset of ``rain``, ``blur``, ``jpeg``, ``haze``).
        takes_factor: ``model(x, factor=F)`` runs the branch of factor F (F in ``factors``).
        needs_factor: ``model(x)`` without a factor is an error (MBN); implies ``takes_factor``.
        returns_steps: ``model(x, return_steps=True)`` returns ``(final, {factor: step output})`` in run order.
        takes_steps: ``model(x, steps=[...])`` runs only the named steps of its chain (R-MBN).
        size_multiple: ``fn(model, factor=None) -> int``: the built model's padded H and W are multiples of this.
            The model pads and crops back itself; tiling cuts tiles at this multiple. Default: the instance's own
            ``size_multiple(factor)`` method, else 1. An int is accepted and means that constant.
        min_size: ``fn(model, factor=None) -> int``: the smallest padded H and W the built model works at (the same
            kind of rule; default: the instance's ``min_size(factor)`` method, else 1).
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
    kind: str = "restorer"
    paper: str = ""
    factors: tuple[str, ...] = ()
    takes_factor: bool = False
    needs_factor: bool = False
    returns_steps: bool = False
    takes_steps: bool = False
    size_multiple: SizeRule = field(default=instance_size_multiple, repr=False)
    min_size: SizeRule = field(default=instance_min_size, repr=False)
    learned: bool = True
    oracle: bool = False
    supports_bf16: bool = True
    tiling: str = "supported"
    description: str = ""
    notes: str = ""
    knows: str = ""
    checkpoint_filter: Callable[[dict[str, Any], Any], dict[str, Any]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"ModelInfo.kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.tiling not in TILING:
            raise ValueError(f"ModelInfo.tiling must be one of {', '.join(TILING)}, got {self.tiling!r}")
        if self.needs_factor and not self.takes_factor:
            object.__setattr__(self, "takes_factor", True)
        if self.takes_factor and not self.factors:
            raise ValueError("ModelInfo.takes_factor needs the factors the model has branches for (factors=...)")
        for name in ("size_multiple", "min_size"):
            rule = getattr(self, name)
            if isinstance(rule, int) and not isinstance(rule, bool):
                if rule < 1:
                    raise ValueError(f"ModelInfo.{name} must be at least 1, got {rule}")
                object.__setattr__(self, name, _constant(rule))
            elif not callable(rule):
                raise TypeError(f"ModelInfo.{name} must be an int or a function fn(model, factor=None) -> int")

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view (JSON-serialisable): everything but the size rules and the checkpoint filter."""
        data = asdict(self)
        for name in ("checkpoint_filter", "size_multiple", "min_size"):
            data.pop(name)
        data["factors"] = list(self.factors)
        return data
