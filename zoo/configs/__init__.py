"""Training configs (mmengine Python configs): ``zoo train NAME`` finds them here, ``_base_ = "zoo::NAME.py"`` too.

Shared parts: ``_restoration.py`` (trainer, data, evaluator, the dedicated-model recipe), ``_runtime.py`` (hooks,
logging, seed; under every config) and ``_small_run.py`` (what ``NAME_tiny`` adds to ``NAME``).
"""
