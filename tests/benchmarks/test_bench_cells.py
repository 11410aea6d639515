"""The cell store: records with their context, atomic files, and refusal to mix budgets, seeds or settings."""

import dataclasses
import json
from pathlib import Path

import pytest

from zoo.benchmarks.budgets import get_budget
from zoo.benchmarks.cells import CellStore


def test_a_cell_is_computed_once_and_records_its_context(tmp_path: Path) -> None:
    smoke = get_budget("smoke")
    store = CellStore(tmp_path, "study", smoke, 3, {"protocol": "paper"}, log=lambda *_: None)
    calls = []
    record = store.run("a/b c", {"model": "x"}, lambda: calls.append(1) or {"psnr": 1.5})
    again = store.run("a/b c", {"model": "x"}, lambda: calls.append(1) or {"psnr": 2.0})
    assert calls == [1] and again == record and store.skipped == ["a/b c"] and store.computed == ["a/b c"]
    assert record["result"] == {"psnr": 1.5} and record["seed"] == 3 and record["settings"] == {"protocol": "paper"}
    assert record["budget"]["name"] == "smoke" and record["hardware"]["cpu_count"] >= 1 and record["seconds"] >= 0
    (path,) = (tmp_path / "cells").glob("*.json")
    assert json.loads(path.read_text())["key"] == "a/b c" and not list((tmp_path / "cells").glob("*.part"))


@pytest.mark.parametrize(
    ("budget", "seed", "settings", "message"),
    [
        (dataclasses.replace(get_budget("smoke"), train_iters=5), 0, {}, "train_iters differ"),
        (get_budget("cpu"), 0, {}, "budget 'smoke'"),
        (get_budget("smoke"), 1, {}, "seed 0"),
        (get_budget("smoke"), 0, {"protocol": "rgb"}, "settings"),
    ],
)
def test_cells_of_another_run_are_refused(tmp_path: Path, budget, seed: int, settings: dict, message: str) -> None:
    CellStore(tmp_path, "study", get_budget("smoke"), 0, log=lambda *_: None).run("k", {}, lambda: {})
    with pytest.raises(ValueError, match=message):
        CellStore(tmp_path, "study", budget, seed, settings, log=lambda *_: None).run("k", {}, lambda: {})


def test_unknown_budget() -> None:
    with pytest.raises(ValueError, match="smoke, cpu, gpu"):
        get_budget("tpu")
