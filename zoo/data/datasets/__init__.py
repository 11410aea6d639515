"""Datasets (registered in ``zoo.registry.DATASETS``): synthetic pairs, fixed and preset test sets, real data.

Every dataset returns ``dict(inputs=degraded, data_samples=dict(gt=clean, factor=..., params=...))`` with (3, H, W)
float32 tensors in [0, 1], a factor key string and the parameters as a JSON string (use
``collate_fn=dict(type="default_collate")``).
"""

from .common import PairDataset, make_sample, to_tensor
from .preset_sets import CLEAN_CASES, PRESET_CASES, PresetTestSet, case_steps, preset_cases
from .real import DIDMDNPairs, GoProPairs, JPEGFolder, RESIDEPairs, parse_reside_name
from .synthetic import TABLE4_SUBSETS, FixedTestSet, SyntheticPairs, load_images, table4_test_sets
from .transforms import TASK_CROPS, augment, centre_crop, pyramid, random_crop, task_crop

__all__ = [
    "CLEAN_CASES",
    "PRESET_CASES",
    "TABLE4_SUBSETS",
    "TASK_CROPS",
    "DIDMDNPairs",
    "FixedTestSet",
    "GoProPairs",
    "JPEGFolder",
    "PairDataset",
    "PresetTestSet",
    "RESIDEPairs",
    "SyntheticPairs",
    "augment",
    "case_steps",
    "centre_crop",
    "load_images",
    "make_sample",
    "parse_reside_name",
    "preset_cases",
    "pyramid",
    "random_crop",
    "table4_test_sets",
    "task_crop",
    "to_tensor",
]
