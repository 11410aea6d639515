"""benchmarks/speed/summarize_cpu.py condenses pytest-benchmark JSON into the CPU record with the targets."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _summarize():
    spec = importlib.util.spec_from_file_location("summarize_cpu_script", ROOT / "benchmarks/speed/summarize_cpu.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _bench_json(path: Path, medians: dict[str, float], threads: int = 2) -> Path:
    benchmarks = [
        {
            "stats": {"median": median, "min": median - 0.1, "data": [median - 0.1, median, median + 0.2]},
            "extra_info": {"mode": mode, "size": 256, "threads": threads, "loadavg_before": [0.3, 0.5, 1.0]},
        }
        for mode, median in medians.items()
    ]
    data = {
        "datetime": "2026-11-26T11:55:00",
        "commit_info": {"id": "abc"},
        "machine_info": {"cpu": {"brand_raw": "Xeon", "count": 2, "flags": ["avx512f", "amx_bf16"]}},
        "benchmarks": benchmarks,
    }
    path.write_text(json.dumps(data))
    return path


def test_record_has_runs_and_targets(tmp_path: Path) -> None:
    after = _bench_json(tmp_path / "after.json", {"fp32": 5.5, "bf16": 2.0})
    before = _bench_json(tmp_path / "before.json", {"fp32": 6.4})
    out = tmp_path / "record.json"
    _summarize().main(["--run", f"after={after}", "--run", f"before={before}", "--headline", "after", "-o", str(out)])
    record = json.loads(out.read_text())
    assert record["headline"]["fp32_median_s"] == 5.5
    assert record["headline"]["met"] == {"issue_3": True, "issue_10": True}
    assert record["headline"]["speedup_vs_reference_same_run"] is None  # no reference measured in this run
    assert record["runs"]["before"]["modes"]["fp32"]["median_s"] == 6.4
    assert record["runs"]["after"]["modes"]["bf16"]["rounds_s"] == [1.9, 2.0, 2.2]
    assert record["runs"]["after"]["machine"]["amx_bf16"] is True


def test_headline_must_be_256_on_two_threads(tmp_path: Path) -> None:
    one_thread = _bench_json(tmp_path / "one.json", {"fp32": 9.0}, threads=1)
    with pytest.raises(SystemExit, match="not 256² on 2"):
        _summarize().main(["--run", f"x={one_thread}", "--headline", "x", "-o", str(tmp_path / "r.json")])


def test_speedups_come_from_the_reference_of_the_same_run(tmp_path: Path) -> None:
    run = _bench_json(tmp_path / "run.json", {"reference": 6.0, "fp32": 5.0, "bf16": 2.0})
    out = tmp_path / "record.json"
    _summarize().main(["--run", f"run={run}", "--headline", "run", "-o", str(out)])
    speedups = json.loads(out.read_text())["headline"]["speedup_vs_reference_same_run"]
    assert speedups == {"fp32": pytest.approx(1.2), "bf16": pytest.approx(3.0)}
