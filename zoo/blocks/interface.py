"""The block interface: what a network that stacks dual residual blocks hands each block and expects back.

A block is an ``nn.Module`` with ``forward(x, res) -> (x, res)``, both outputs the shapes of the inputs. A network
puts blocks in one of two slots, which differ in where ``res`` lives:

========== =========================================================== =========================================
slot       shapes                                                      used by
========== =========================================================== =========================================
``updown`` ``x`` (B, channels, H, W), ``res`` (B, res_channels, 2H, 2W) MBN's stem and output stack, DuRN-U, DuRN-US
``flat``   ``x`` and ``res`` (B, channels, H, W)                       DuRN-P, DuRN-S, DuRN-S-P
========== =========================================================== =========================================

The network always passes the slot's keywords: ``channels``, ``k1`` (kernel of the T1 conv), ``dilation`` (its
dilation), ``k2`` (kernel of the T2 conv), and in the ``updown`` slot ``res_channels``. It may offer more, derived
from its width (MBN: ``attention_hidden``, ``se_hidden``; the DuRNs: ``norm``, ``reference_compat``); a block gets
each offered keyword only when its constructor names it (or takes ``**kwargs``). The user's ``block`` config is
applied last and wins.

A block class says which slots it fits in its ``slots`` class attribute (a tuple of slot names); building it into
another slot is a ``ValueError`` that names the blocks that fit. A class without ``slots`` is assumed to fit wherever
it is used. A block may define ``min_size() -> int``, the smallest H and W of ``x`` at which its reflection pads fit;
without it, a network assumes what size-keeping convs with the kernels it passed need (:func:`block_min_size`).

A new block, registered from any package::

    @register_block("my_block")
    class MyBlock(nn.Module):
        slots = ("updown",)

        def __init__(self, channels: int, res_channels: int, k1: int = 3, dilation: int = 1, k2: int = 3) -> None: ...

        def forward(self, x: torch.Tensor, res: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]: ...

    zoo.create_model({"type": "mbn", "block": {"type": "my_block"}})
"""

from collections.abc import Mapping
from typing import Any

from torch import nn

from zoo.registry import BLOCKS
from zoo.registry.arguments import accepted_keywords

from .durn_layers import updown_min_size

__all__ = ["SLOTS", "block_class", "block_min_size", "blocks_for_slot", "build_block", "slots_of"]

SLOTS: dict[str, str] = {
    "updown": "x (B, channels, H, W) and res (B, res_channels, 2H, 2W)",
    "flat": "x and res both (B, channels, H, W)",
}
# Keywords a network always passes in each slot.
_REQUIRED = {
    "updown": ("channels", "res_channels", "k1", "dilation", "k2"),
    "flat": ("channels", "k1", "dilation", "k2"),
}


def block_min_size(block: nn.Module, k1: int, dilation: int, k2: int) -> int:
    """Smallest H and W of ``x`` for an ``updown`` block: its own ``min_size()``, else what its kernels need."""
    method = getattr(block, "min_size", None)
    return int(method()) if callable(method) else updown_min_size(k1, dilation, k2)


def block_class(kind: Any, owner: str) -> type:
    """The registered block class called ``kind``.

    Raises:
        KeyError: No block of that name; the message lists the registered ones.
    """
    cls = BLOCKS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        known = ", ".join(sorted(BLOCKS.module_dict))
        raise KeyError(f"{owner}: no block {kind!r} is registered; registered blocks: {known}")
    return cls


def slots_of(cls: type) -> tuple[str, ...]:
    """The slots a block class declares (all of them when it declares none)."""
    return tuple(getattr(cls, "slots", tuple(SLOTS)))


def blocks_for_slot(slot: str) -> list[str]:
    """Names of the registered blocks that fit ``slot``."""
    BLOCKS.import_from_location()
    return sorted(name for name, cls in BLOCKS.module_dict.items() if slot in slots_of(cls))


def build_block(
    config: Mapping[str, Any], slot: str, owner: str, given: Mapping[str, Any], offered: Mapping[str, Any] | None = None
) -> nn.Module:
    """Build one block for a slot of a network.

    Args:
        config: The block config (``type`` and the user's settings, which win over everything else).
        slot: ``"updown"`` or ``"flat"``.
        owner: The network, for messages (e.g. ``"MBN"``).
        given: The slot's keywords (see the module docstring), always passed.
        offered: Width-derived defaults, passed when the block's constructor takes them.

    Raises:
        KeyError: The block is not registered.
        ValueError: The block does not fit the slot; the message names the blocks that do.
    """
    if slot not in SLOTS:
        raise ValueError(f"unknown block slot {slot!r}; slots: {', '.join(SLOTS)}")
    BLOCKS.import_from_location()
    kind = config.get("type")
    cls = block_class(kind, owner)
    if slot not in slots_of(cls):
        fits = " and ".join(slots_of(cls)) or "no"
        raise ValueError(
            f"{owner}: block {kind!r} does not fit the {slot} slot of this network ({SLOTS[slot]}), only the {fits} "
            f"slot; supported blocks here: {', '.join(blocks_for_slot(slot))}"
        )
    missing = [key for key in _REQUIRED[slot] if key not in given]
    if missing:
        raise TypeError(f"{owner} must pass {', '.join(missing)} to the blocks of its {slot} slot")
    settings = {key: value for key, value in config.items() if key != "type"}
    arguments = {**given, **accepted_keywords(cls, offered or {}), **settings}
    try:
        return cls(**arguments)
    except TypeError as err:
        raise TypeError(
            f"{owner}: block {kind!r} cannot be built with {', '.join(sorted(arguments))} ({err}); a block of the "
            f"{slot} slot takes {', '.join(_REQUIRED[slot])} (see zoo.blocks.interface)"
        ) from err
