"""Inference on real images (``zoo.inference``): ``restore`` for PIL/numpy/tensors, tiling, image file I/O.

``zoo.restore`` is :func:`zoo.inference.restore.restore`.
"""

from .loading import LoadedModel, NoShippedWeightsError, default_model_name, load_model
from .restore import Restorer, restore
from .tiling import tiled_forward

__all__ = [
    "LoadedModel",
    "NoShippedWeightsError",
    "Restorer",
    "default_model_name",
    "load_model",
    "restore",
    "tiled_forward",
]
