"""How a classical (non-learned) method registers as a zoo model: one factor, no weights, its paper."""

from collections.abc import Callable
from typing import Any

from zoo.registry import ModelInfo, register_model

__all__ = ["register_classical"]


def register_classical(
    name: str, factor: str, paper: str, description: str, notes: str = "", **info: Any
) -> Callable[[type], type]:
    """``register_model`` with the metadata every classical method shares (``learned=False``, one factor).

    Args:
        name: Registered name.
        factor: The degradation it removes (``"rain"``, ``"blur"``, ``"jpeg"`` or ``"haze"``).
        paper: Citation of the method.
        description: One line for tables.
        notes: What a user must know.
        **info: Further :class:`~zoo.registry.ModelInfo` fields (``oracle``, ``knows``, ``tiling``).
    """
    return register_model(
        name,
        ModelInfo(
            task=factor, paper=paper, factors=(factor,), learned=False, description=description, notes=notes, **info
        ),
    )
