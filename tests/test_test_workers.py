"""How many xdist workers ``pytest`` starts (the checkout's conftest.py): none for benchmarks, the CPUs up to 8."""

import importlib.util
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"


def _workers(benchmark_only: bool = False) -> int:
    spec = importlib.util.spec_from_file_location("checkout_conftest_under_test", CONFTEST)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    options = {"benchmark_only": benchmark_only}
    config = SimpleNamespace(getoption=lambda name, default=None: options.get(name, default))
    return module.pytest_xdist_auto_num_workers(config)


def test_one_worker_per_usable_cpu_at_most_eight(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS", raising=False)
    assert _workers() == min(8, len(os.sched_getaffinity(0)))
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: set(range(64)))
    assert _workers() == 8


def test_benchmark_runs_stay_in_one_process_and_the_variable_sets_the_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "3")
    assert _workers() == 3
    assert _workers(benchmark_only=True) == 0
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "many")
    with pytest.raises(pytest.UsageError, match="whole number"):
        _workers()
