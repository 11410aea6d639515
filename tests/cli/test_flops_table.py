"""``zoo/weights/flops.json``: the FLOP counts ``zoo info`` prints for shipped weights without counting them."""

import json

import pytest

from zoo.cli import flops_table
from zoo.cli.info import count_flops
from zoo.cli.main import main

ROWS = json.loads(flops_table.TABLE.read_text())
CANNOT_RUN_ON_META = {"detector"}  # reads pixel values to place its crops


def test_every_shipped_architecture_is_listed() -> None:
    listed = {flops_table._key(row["architecture"]) for row in ROWS}
    for key, (architecture, tag) in flops_table._shipped_architectures().items():
        if architecture["type"] not in CANNOT_RUN_ON_META:
            assert key in listed, f"{tag}: run python -m zoo.cli.flops_table"
    assert all(row["size"] == flops_table.TABLE_SIZE and row["flops"] > 0 for row in ROWS)


def test_a_listed_count_equals_a_fresh_count() -> None:
    assert flops_table.listed_flops("durn_us.synth", 256) == count_flops("durn_us.synth", 256)


@pytest.mark.slow  # ~20 s: counts every row again; `pytest -m slow` (CI's second step)
def test_every_listed_count_equals_a_fresh_count() -> None:
    shipped = flops_table._shipped_architectures()
    for row in ROWS:
        _, tag = shipped[flops_table._key(row["architecture"])]
        assert row["flops"] == count_flops(tag, row["size"], row["factor"]), (tag, row["factor"])


def test_lookup_misses_give_none() -> None:
    assert flops_table.listed_flops("rmbn", 256) is None  # an architecture, not weights
    assert flops_table.listed_flops("rmbn.broad2", 128) is None  # another size
    assert flops_table.listed_flops("mbn.broad", 256, "no_such_factor") is None
    assert flops_table.listed_flops("no_such.tag", 256) is None


def test_info_prints_the_listed_count_and_counts_the_rest(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    counted = []

    def fake_count(name: str, size: int, factor: str | None = None) -> int:
        counted.append((name, size))
        return 7_000_000_000

    monkeypatch.setattr("zoo.cli.info.count_flops", fake_count)
    assert main(["info", "rmbn"]) == 0
    listed = flops_table.listed_flops("rmbn.broad2", 256)
    assert f"GFLOPs at 1x3x256x256: {listed / 1e9:,.1f}" in capsys.readouterr().out and not counted
    assert main(["info", "rmbn", "--size", "64"]) == 0
    assert "GFLOPs at 1x3x64x64: 7.0" in capsys.readouterr().out and counted == [("rmbn.broad2", 64)]
