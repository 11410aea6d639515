"""MBN family models (``zoo.models``); importing this package registers them in ``zoo.registry.MODELS``."""

from . import detector, mbn, rmbn  # noqa: F401
