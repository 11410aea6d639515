"""Dedicated DuRN models (Liu, Suganuma, Sun, Okatani, CVPR 2019): DuRN-P, DuRN-S, DuRN-U, DuRN-US, DuRN-S-P."""

from . import durn_p, durn_s_p, durn_u
from .common import DuRN
from .durn_p import DuRNP
from .durn_s_p import DuRNSP
from .durn_u import DuRNU

__all__ = ["DuRN", "DuRNP", "DuRNSP", "DuRNU", "durn_p", "durn_s_p", "durn_u"]
