"""Dual residual blocks (``zoo.blocks``); importing this package registers them in ``zoo.registry.BLOCKS``."""

from . import durb_m, durb_p, durb_s, durb_u, durb_us  # noqa: F401
