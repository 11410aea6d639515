"""The branch interface: what MBN hands its input branches (heads) and output branches (tails) and expects back.

A head turns an image into the stem's inputs ``(x, res)``; a tail turns the stem's output back into an image
``image + tanh(...)``. Every branch class has a ``mode`` class attribute that says how MBN calls it:

============== ============================================================ =====================================
``mode``       head                                                         tail (same mode, except as noted)
============== ============================================================ =====================================
``single``     ``head(image) -> (x, res)``                                  ``tail(x, image) -> image``
``recurrent``  ``head(estimate, image, state) -> (x, res, state)``, called  a ``single`` tail, called once per
               ``rain_iters`` times; ``state`` is None at the first call     iteration
``multiscale`` ``head(image, scale, coarser) -> (x, res[, skip])``, once    ``tail(x, image, scale[, skip])``
               per scale, coarse (0) to fine; ``coarser`` is the previous
               scale's output up-sampled (None at scale 0)
============== ============================================================ =====================================

A head also says how far it down-samples: ``downsample`` (``x`` is ``image / downsample`` per side and ``res``
twice that) and ``scales`` (pyramid levels; 1 unless multiscale). MBN pads images to
``downsample * 2 ** (scales - 1)``. A head and the tail of its factor must agree on ``scales`` and on ``skip`` (a
full-resolution skip around the stem, off unless both set it).

MBN always passes a head ``channels`` (of ``x``) and ``res_channels`` (of ``res``), and a tail ``channels`` (of the
stem's output), all scaled by its width. It offers more, also scaled by its width: ``hidden``, ``mid_channels``,
``act``, ``init``, ``residual_init``, ``reference_compat`` and the factor's default settings; a branch gets each
offered keyword only when its constructor names it (or takes ``**kwargs``). So a branch config that changes only
the ``type`` builds at the model's width; the user's settings win over everything.

A new branch, registered from any package::

    @register_branch("my_haze_head")
    class MyHazeHead(nn.Module):
        mode = "single"
        downsample = 4
        scales = 1

        def __init__(self, channels: int, res_channels: int, hidden: int = 32) -> None: ...

        def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]: ...

    zoo.create_model({"type": "mbn", "input_branches": {"haze": {"type": "my_haze_head"}}})
"""

from collections.abc import Mapping
from typing import Any

from torch import nn

from zoo.registry import BRANCHES
from zoo.registry.arguments import accepted_keywords

__all__ = ["BRANCH_MODES", "branch_config", "check_branch_pair"]

BRANCH_MODES = ("single", "recurrent", "multiscale")


def _branch_class(kind: Any, factor: str, side: str) -> type:
    BRANCHES.import_from_location()
    cls = BRANCHES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        known = ", ".join(sorted(BRANCHES.module_dict))
        raise KeyError(f"{factor}: no {side} branch {kind!r} is registered; registered branches: {known}")
    return cls


def branch_config(
    default: Mapping[str, Any],
    override: Mapping[str, Any] | None,
    given: Mapping[str, Any],
    offered: Mapping[str, Any],
    factor: str,
    side: str,
) -> dict[str, Any]:
    """The config of one branch: the factor's default, or another type filled in from the model's width.

    Args:
        default: The factor's default config (``type`` and its width-scaled settings).
        override: The user's config for this branch, or None. With the default's ``type`` (or none) it is merged
            into the default; with another ``type`` that type gets ``given``, then whatever of ``offered`` and of
            the default's settings its constructor takes, then the user's settings.
        given: Keywords every branch of this side takes (``channels``, and a head's ``res_channels``).
        offered: Width-derived defaults for any branch type.
        factor: The factor, for messages.
        side: ``"input"`` or ``"output"``, for messages.

    Raises:
        KeyError: The type is not registered (the message lists the registered branches).
    """
    if override is None:
        return dict(default)
    if not isinstance(override, Mapping):
        raise TypeError(f"{factor}: the {side} branch config must be a dict, not {type(override).__name__}")
    if override.get("type", default["type"]) == default["type"]:
        return {**default, **override}
    cls = _branch_class(override["type"], factor, side)
    defaults = {key: value for key, value in default.items() if key != "type"}
    filled = accepted_keywords(cls, {**offered, **defaults})
    return {**filled, **given, **override}


def _check_attributes(branch: nn.Module, factor: str, side: str) -> str:
    name = type(branch).__name__
    mode = getattr(branch, "mode", None)
    if mode not in BRANCH_MODES:
        raise ValueError(
            f"{factor}: the {side} branch {name} has no valid 'mode' class attribute (got {mode!r}); give the class "
            f"mode = one of {BRANCH_MODES} (see zoo.branches.interface)"
        )
    if side == "input":
        for attribute in ("downsample", "scales"):
            value = getattr(branch, attribute, None)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"{factor}: the input branch {name} needs a whole-number '{attribute}' attribute of at least 1 "
                    f"(got {value!r}); see zoo.branches.interface"
                )
    return mode


def check_branch_pair(head: nn.Module, tail: nn.Module, factor: str) -> None:
    """Refuse a head and tail that cannot work together, naming the factor, the branch and the attribute.

    Raises:
        ValueError: A missing or invalid ``mode`` / ``downsample`` / ``scales``, a tail of the wrong mode, or
            ``scales`` / ``skip`` that differ between the two.
    """
    head_mode = _check_attributes(head, factor, "input")
    tail_mode = _check_attributes(tail, factor, "output")
    expected = "multiscale" if head_mode == "multiscale" else "single"
    if tail_mode != expected:
        raise ValueError(
            f"{factor}: a {head_mode} input branch needs a {expected} output branch; {type(tail).__name__} is "
            f"{tail_mode}"
        )
    if head_mode == "multiscale" and head.scales != getattr(tail, "scales", None):
        raise ValueError(
            f"{factor}: input branch has {head.scales} scales, output branch {getattr(tail, 'scales', None)}"
        )
    if getattr(head, "skip", False) != getattr(tail, "skip", False):
        raise ValueError(f"{factor}: skip must be set on both branches or neither (input and output)")
