"""Baselines (``zoo.baselines``): dedicated DuRN models, cascade, mixed-degradation baseline, classical methods.

Importing this package registers every baseline in ``zoo.registry.MODELS``.
"""

from . import cascade, classical, durn, identity, owan

__all__ = ["cascade", "classical", "durn", "identity", "owan"]
