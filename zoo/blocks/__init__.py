"""Dual residual blocks (``zoo.blocks``); importing this package registers them in ``zoo.registry.BLOCKS``."""
