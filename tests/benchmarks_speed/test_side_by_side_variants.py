"""The side-by-side benchmark's variants (without the authors' code: only ours)."""

import importlib.util
import sys
from pathlib import Path

import torch

from zoo.registry import create_model

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "speed" / "side_by_side.py"


def _module():
    spec = importlib.util.spec_from_file_location("side_by_side_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_found_variants_run_only_their_step_and_time_every_round() -> None:
    module = _module()
    tiny = create_model("rmbn", width=0.25, rain_iters=1)  # the full width's forwards take seconds in emulated bf16
    calls = module.build_variants(["bf16", "found-blur", "found-haze"], None, tiny)
    x = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        outputs = {name: call(x) for name, call in calls.items()}
    assert not torch.equal(outputs["found-blur"], outputs["found-haze"])
    assert not torch.equal(outputs["found-blur"], outputs["bf16"])  # the whole chain is not what ran
    times = module.run(calls, 32, rounds=2, warmup=0)
    assert {name: len(values) for name, values in times.items()} == {"bf16": 2, "found-blur": 2, "found-haze": 2}
