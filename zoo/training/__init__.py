"""Training glue for mmengine (``zoo train``). Importing this package registers every training component.

Not imported by ``import zoo``: it pulls in mmengine's runner.
"""

from . import (
    data,
    detector_data,
    detector_trainer,
    hooks,
    loops,
    optim,
    preprocessor,
    samplers,
    trainer_model,
    worker_synthesis,
)
from .runner import build_runner, list_configs, load_config

__all__ = [
    "build_runner",
    "data",
    "detector_data",
    "detector_trainer",
    "hooks",
    "list_configs",
    "load_config",
    "loops",
    "optim",
    "preprocessor",
    "samplers",
    "trainer_model",
    "worker_synthesis",
]
