"""Baselines (``zoo.baselines``): dedicated DuRN models, cascade, mixed-degradation baseline, classical methods.

Importing this package registers every baseline in ``zoo.registry.MODELS``.
"""

from . import classical, identity

__all__ = ["classical", "identity"]
