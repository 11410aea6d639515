"""zoo bench train-speed / train-split: settings, stage cycles, and a tiny run of each writing JSON and Markdown."""

import json
from pathlib import Path

import pytest

from zoo.training import throughput
from zoo.training.throughput import CYCLE, Setting, settings_for, workloads

pytest.importorskip("mmengine.runner")


def test_workloads_follow_the_shipped_runs() -> None:
    works = workloads()
    stage1 = [w for w in works if w.stage == "mbn_stage1"]
    assert {w.factor for w in stage1} == set(CYCLE) and {w.batch for w in stage1} == {8}
    assert {w.factor: w.crop for w in stage1} == {"haze": 96, "rain": 64, "jpeg": 96, "blur": 96}
    assert [(w.factor, w.batch, w.crop) for w in works if w.stage == "rmbn_star"] == [("mixed", 4, 96)]
    with pytest.raises(ValueError, match="unknown stage"):
        workloads(["stage3"])


def test_settings_by_name() -> None:
    from zoo.hardware import cpu_supports_fast_bf16

    shipped, auto, every, bigger = settings_for(["shipped", "auto", "bf16-all", "bf16-all-x4"], cores=6)
    assert (shipped.bf16, shipped.threads, shipped.channels_last, shipped.batch_scale) == (False, 1, False, 1)
    assert (auto.bf16, auto.threads, auto.channels_last) == (cpu_supports_fast_bf16(), 0, True)  # as zoo train
    assert auto.name.startswith("bf16" if cpu_supports_fast_bf16() else "fp32")
    assert every.threads == 6 and every.batch_scale == 1
    assert (bigger.bf16, bigger.threads, bigger.channels_last, bigger.batch_scale) == (True, 6, True, 4)
    (plain,) = settings_for(["fp32-all-x4"], cores=2)
    assert (plain.bf16, plain.threads, plain.channels_last, plain.batch_scale) == (False, 2, True, 4)
    with pytest.raises(ValueError, match="unknown setting"):
        settings_for(["fast"], cores=2)


def test_stage_rate_is_that_of_the_task_cycle() -> None:
    base, fast = Setting("a", False, 1, False), Setting("b", True, 1, True)
    seconds = {"haze": 1.0, "rain": 0.5, "jpeg": 1.0, "blur": 2.0}
    cells = [
        {
            "stage": "mbn_stage1",
            "factor": f,
            "batch": 8,
            "setting": s.name,
            "median_s": t / (2 if s is fast else 1),
            "cpu_s": [t / 4, t / 2, t],  # median t / 2: the process had half a core
        }
        for f, t in seconds.items()
        for s in (base, fast)
    ]
    (stage,) = throughput._stage_rates(cells, [base, fast])
    assert stage["images_per_s"]["a"] == pytest.approx(6 * 8 / (1.0 + 0.5 + 1.0 + 3 * 2.0))
    assert stage["speedup"] == pytest.approx({"a": 1.0, "b": 2.0})
    assert stage["images_per_cpu_s"]["a"] == pytest.approx(2 * stage["images_per_s"]["a"])


def test_train_speed_command_writes_json_and_markdown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from zoo.cli.main import main
    from zoo.hardware import cpu_supports_fast_bf16

    # Kept short: 32² crops (the shipped sizes are checked above) and one thread for the "all cores" setting (its
    # threads would only compete with the other test workers').
    shipped = throughput.workloads
    monkeypatch.setattr(throughput, "workloads", lambda stages: [replace(w, crop=32) for w in shipped(stages)])
    monkeypatch.setattr("zoo.hardware.physical_cores", lambda: 1)
    args = ["bench", "train-speed", "--widths", "0.125", "--rounds", "1", "--stages", "rmbn_star"]
    bigger_setting = "bf16-all-x4" if cpu_supports_fast_bf16() else "fp32-all-x4"  # emulated bf16 takes minutes
    assert main([*args, "--settings", "shipped", bigger_setting, "--out", str(tmp_path), "--quiet"]) == 0
    record = json.loads((tmp_path / "train_speed.json").read_text())
    (run,) = record["runs"]
    shipped, bigger = (s["name"] for s in run["settings"])
    assert {c["setting"] for c in run["cells"]} == {shipped, bigger} and "batch x4" in bigger
    assert {c["setting"]: c["batch"] for c in run["cells"]} == {shipped: 4, bigger: 16}
    assert all(c["images_per_s"] == pytest.approx(c["batch"] / c["median_s"]) for c in run["cells"])
    assert all(c["images_per_s"] > 0 and len(c["wall_s"]) == 1 for c in run["cells"])
    assert run["stages"][0]["speedup"]["fp32, 1 thread (shipped runs)"] == pytest.approx(1.0)
    assert record["machine"]["physical_cores"] >= 1
    text = (tmp_path / "train_speed.md").read_text()
    assert "| rmbn_star | mixed | 4, 32² |" in text and "| stage | factor | shipped batch, crop |" in text
    bigger_first = throughput.markdown(
        [{**run, "settings": run["settings"][::-1]}], "zoo bench train-speed", record["machine"]
    )
    assert "| rmbn_star | mixed | 4, 32² |" in bigger_first  # the shipped batch, whichever setting comes first
    assert "zoo bench train-speed" in text and "--widths 0.125" in text


def test_train_split_measures_every_cell() -> None:
    from zoo.hardware import cpu_supports_fast_bf16
    from zoo.training.loader_split import CELLS, markdown, measure_split

    run = measure_split(width=0.125, factors=["haze"], rounds=1, steps=1, log=lambda _: None)
    assert run["bf16"] == cpu_supports_fast_bf16()  # as zoo train: no emulated bf16
    assert {(c["num_workers"], c["synthesis"]) for c in run["cells"]} == set(CELLS)
    assert all(c["images_per_s"] > 0 and c["main_ms"] > 0 and c["loader_ms"] > 0 for c in run["cells"])
    assert "| haze |" in markdown([run], "zoo bench train-split")


RESULTS = Path(__file__).resolve().parents[2] / "results" / "cpu"


@pytest.mark.parametrize("record", sorted(p.name for p in RESULTS.glob("train_throughput.*.json")))
def test_committed_tables_are_what_the_code_writes_from_their_records(record: str) -> None:
    from zoo.training import loader_split

    data = json.loads((RESULTS / record).read_text())
    if data["study"] == "train-speed":
        text = throughput.markdown(data["runs"], data["command"], data["machine"])
    else:
        text = loader_split.markdown(data["runs"], data["command"])
    assert (RESULTS / record.replace(".json", ".md")).read_text() == text
