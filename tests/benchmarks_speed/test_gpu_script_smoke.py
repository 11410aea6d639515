"""The GPU benchmark script runs end to end on the CPU at tiny sizes (``--smoke``) and writes the expected JSON."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "gpu" / "bench_all.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("bench_all_gpu_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("gpu_smoke") / "smoke.json"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--smoke", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "| measurement |" in proc.stdout
    return json.loads(out.read_text())


def _errors(node: object, path: str = "") -> list[str]:
    if isinstance(node, dict):
        found = [f"{path}: {node}"] if "error" in node else []
        return found + [e for key, value in node.items() for e in _errors(value, f"{path}/{key}")]
    return []


@pytest.mark.slow  # the smoke run takes ~20 s; `pytest -m slow` (CI's second step)
def test_smoke_run_has_every_section(smoke: dict) -> None:
    assert _errors(smoke) == []
    assert smoke["smoke"] is True
    assert smoke["skipped"] == {"compile_256_bf16": "not requested (--compile)"}
    assert smoke["env"]["device"] == "cpu" and smoke["env"]["device_name"].startswith("CPU")
    for section in ("inference_1024", "forward_256", "forward_256_steps", "train_step", "degradation"):
        assert section in smoke, section
    for section in ("inference_1024", "forward_256"):
        for precision in ("fp32", "bf16"):
            entry = smoke[section][f"eager_{precision}"]
            assert entry["median_ms"] > 0 and entry["mp_s"] > 0 and len(entry["times_ms"]) == 2
            assert entry["vs_strict_fp32"]["within_bf16_tolerance"], entry["vs_strict_fp32"]
        assert smoke[section]["eager_fp32"]["vs_strict_fp32"]["max_abs"] < 1e-5  # same as the reference on CPU
        assert smoke[section]["cuda_graph_bf16"] == {"skipped": "CUDA graphs need a CUDA device"}


@pytest.mark.slow  # same smoke run; `pytest -m slow` (CI's second step)
def test_smoke_steps_training_and_degradation(smoke: dict) -> None:
    steps = smoke["forward_256_steps"]
    assert [k for k in steps if k != "chain_tflop"] == ["jpeg", "haze", "blur", "rain"]
    assert steps["chain_tflop"] == pytest.approx(sum(steps[f]["tflop"] for f in ("jpeg", "haze", "blur", "rain")))
    assert steps["chain_tflop"] > 0
    for variant, checkpointing in (("bf16", False), ("bf16_checkpointing", True)):
        entry = smoke["train_step"][variant]
        assert entry["checkpointing"] is checkpointing and entry["precision"] == "bf16"
        assert entry["batch"] == 2 and entry["median_ms"] > 0 and entry["peak_gib"] is None
        assert len(entry["losses"]) == 2 and all(0 < v < 3 for v in entry["losses"])
    assert 0 < smoke["degradation"]["share_of_train_step"] < 1
    assert set(smoke["targets"]) == {
        "inference_1024_bf16_mp_s",
        "forward_256_ms",
        "train_step_bf16",
        "degradation_share",
    }
    assert smoke["table_markdown"].count("\n") == 8  # header, rule, seven rows


def test_targets_and_table_from_synthetic_results() -> None:
    script = _load_script()

    def timed(ms: float, **extra: object) -> dict:
        return {"median_ms": ms, "min_ms": ms, "times_ms": [ms], **extra}

    good = {"within_bf16_tolerance": True}
    results = {
        "env": {"device_name": "NVIDIA H100 80GB HBM3"},
        "sizes": script.FULL.__dict__,
        "inference_1024": {
            "size": 1024,
            "eager_bf16": timed(150.0, mp_s=7.0, peak_gib=9.0, vs_strict_fp32=good),
            "cuda_graph_bf16": timed(100.0, mp_s=10.5, peak_gib=9.0, vs_strict_fp32=good),
            "cuda_graph_fp32": {"error": "out of memory", "message": "x"},
        },
        "forward_256": {
            "size": 256,
            "eager_fp32": timed(60.0, vs_strict_fp32=good),
            "cuda_graph_bf16": timed(25.0, vs_strict_fp32={"within_bf16_tolerance": False}),
            "cuda_graph_fp32": timed(28.0, vs_strict_fp32=good),
        },
        "train_step": {
            "bf16": timed(400.0, precision="bf16", peak_gib=50.0),
            "bf16_checkpointing": timed(520.0, precision="bf16", peak_gib=20.0),
            "fp32": {"error": "out of memory", "message": "x"},
        },
        "degradation": timed(30.0),
    }
    targets = script.evaluate_targets(results)
    assert targets["inference_1024_bf16_mp_s"] == {
        "variant": "cuda_graph_bf16",
        "value": 10.5,
        "target_min": 9.0,
        "met": True,
    }
    # the bf16 graph is out of tolerance, so the fp32 graph is the best forward
    assert targets["forward_256_ms"]["variant"] == "cuda_graph_fp32" and targets["forward_256_ms"]["met"]
    # the only variant within 33 GiB is the checkpointed one, which misses 450 ms
    assert targets["train_step_bf16"]["variant"] == "bf16_checkpointing"
    assert targets["train_step_bf16"]["met"] is False
    assert targets["degradation_share"]["value"] == pytest.approx(30.0 / 520.0)
    results["compile_256_bf16"] = timed(20.0, mode="reduce-overhead", compile_s=200.0, vs_strict_fp32=good)
    assert script.best_forward(results)[0] == "torch_compile_bf16"
    results["targets"] = script.evaluate_targets(results)
    table = script.table_markdown(results)
    assert "| forward 1x3x256², best (torch_compile_bf16) | - | 20.0 ms | <= 30 ms | yes |" in table
    assert "NVIDIA H100 80GB HBM3" in table and "out of memory" in table
    assert "| training step 16x256² bf16 (bf16_checkpointing) |" in table
