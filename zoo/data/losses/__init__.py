"""Training losses registered in ``zoo.registry.LOSSES``: ``"ssim_l1"``, ``"ssim"``, ``"l1"``, ``"mse"``."""

from .pixel import L1Loss, MSELoss
from .ssim_l1 import SSIML1Loss, SSIMLoss

__all__ = ["L1Loss", "MSELoss", "SSIML1Loss", "SSIMLoss"]
