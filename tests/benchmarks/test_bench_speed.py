"""`zoo bench speed` at the smoke budget on a few models, and the timing method itself."""

from pathlib import Path

import pytest
from _bench_helpers import bench, counts, outputs

from zoo.benchmarks.latency import cases, time_calls


def test_speed_table_for_selected_models(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stdout = bench(capsys, "speed", tmp_path, "--models", "identity", "durn_p*", "mbn_minimal", "wiener_deblur_oracle")
    summary = outputs(tmp_path, "speed")
    rows = [c["config"] for c in summary["cells"]]
    assert {(r["model"], r["factor"]) for r in rows} == {
        ("identity", None),
        ("durn_p", None),
        ("durn_p_rgb", None),
        ("wiener_deblur_oracle", None),
        *(("mbn_minimal", f) for f in ("rain", "blur", "jpeg", "haze")),
    }
    assert all(r["size"] == 64 and r["device"] == "cpu" and r["dtype"] == "fp32" for r in rows)
    for cell in summary["cells"]:
        result = cell["result"]
        assert result["median_s"] > 0 and result["rounds"] == 1
        assert result["mp_per_s"] == pytest.approx(64 * 64 / 1e6 / result["median_s"], rel=1e-3)
    assert "| mbn_minimal [haze] | 4.527 |" in stdout
    assert counts(stdout, "speed") == (8, 0)
    stdout = bench(capsys, "speed", tmp_path, "--models", "identity", "--sizes", "64", "32")
    assert counts(stdout, "speed") == (1, 1)


def test_unknown_model_pattern_is_an_error() -> None:
    with pytest.raises(ValueError, match="no zoo model matches"):
        cases(["no_such_model*"])


class FakeClock:
    """``time.perf_counter`` that only moves when the timed call says so: the timing logic without real time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_time_calls_warms_up_and_bounds_the_rounds() -> None:
    clock = FakeClock()
    calls = []

    def call(seconds: float) -> None:
        calls.append(seconds)
        clock.now += seconds

    timing = time_calls(lambda: call(0.01), warmup=2, rounds=5, max_seconds=10.0, sync=lambda: None, clock=clock)
    assert len(calls) == 2 + 5 and timing["rounds"] == 5 and not timing["cold"]
    assert timing["median_s"] == pytest.approx(0.01) and timing["first_call_s"] == pytest.approx(0.01)
    calls.clear()
    # A first call over half the budget is the measurement itself (cold); rounds stop once the budget is spent.
    timing = time_calls(lambda: call(0.03), warmup=1, rounds=10, max_seconds=0.05, sync=lambda: None, clock=clock)
    assert timing["cold"] and timing["rounds"] == 2 and len(calls) == 2
    assert timing["median_s"] == pytest.approx(0.03)
