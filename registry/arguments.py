"""Checks of model arguments at build time, so a nonsense config fails when the model is built, with its name.

Without them ``channels=-8`` or ``width=1e-9`` built a network of 1-channel layers, and ``rain_iters=2.5`` only
failed at the first forward pass.
"""

import inspect
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["MAX_WIDTH", "MIN_WIDTH", "accepted_keywords", "check_count", "check_positive", "check_width"]

# Width multipliers outside this range do not make a usable network: below 1/64 the narrowest layers (32 channels
# at width 1) are rounded up to 1 channel; above 16 a full-size MBN would hold billions of parameters.
MIN_WIDTH = 1 / 64
MAX_WIDTH = 16.0


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_width(width: Any, owner: str, minimum: float = MIN_WIDTH) -> None:
    """Refuse a width multiplier that is not a finite number in ``[minimum, MAX_WIDTH]``.

    Raises:
        ValueError: Naming the value, the range and the model.
    """
    if not _is_number(width) or not math.isfinite(width) or not minimum <= width <= MAX_WIDTH:
        raise ValueError(
            f"{owner}: width={width!r} is not a usable width multiplier; give a positive number from {minimum:g} "
            f"to {MAX_WIDTH:g} (1.0 is the paper's size, 0.25 the shipped weights')"
        )


def check_count(name: str, value: Any, owner: str, minimum: int = 1) -> None:
    """Refuse a count (channels, iterations, ...) that is not an integer of at least ``minimum``.

    Raises:
        ValueError: Naming the argument, its value and the model.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{owner}: {name}={value!r} must be a whole number of at least {minimum}; fix the config")


def check_positive(name: str, value: Any, owner: str) -> None:
    """Refuse a value that is not a finite number above zero.

    Raises:
        ValueError: Naming the argument, its value and the model.
    """
    if not _is_number(value) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{owner}: {name}={value!r} must be a positive finite number; fix the config")


def accepted_keywords(target: Any, offered: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``offered`` that ``target`` (a class or function) takes as keyword arguments.

    A network offers its parts defaults derived from its width (hidden widths, norms); a part gets only those its
    constructor names, or all of them when it takes ``**kwargs``.
    """
    try:
        params = inspect.signature(target).parameters
    except (TypeError, ValueError):  # no introspectable signature: offer nothing
        return {}
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return dict(offered)
    names = {name for name, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return {key: value for key, value in offered.items() if key in names}
