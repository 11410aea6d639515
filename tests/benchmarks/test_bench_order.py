"""`zoo bench order` at the smoke budget: stage 1, six 3-factor orders, JPEG in four places, resume of one cell."""

from pathlib import Path

import pytest
from _bench_helpers import bench, counts, outputs

from zoo.benchmarks.order import label


@pytest.mark.slow  # ~50 s of training; `pytest -m slow` (CI's second step)
def test_order_search_two_steps_and_resume(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stdout = bench(capsys, "order", tmp_path)
    assert counts(stdout, "order") == (11, 0)
    summary = outputs(tmp_path, "order")
    cells = {c["key"]: c for c in summary["cells"]}
    step1 = [c for c in cells.values() if c["config"].get("step") == 1]
    step2 = [c for c in cells.values() if c["config"].get("step") == 2]
    assert sorted("".join(x[0].upper() for x in c["config"]["order"]) for c in step1) == [
        "BHR",
        "BRH",
        "HBR",
        "HRB",
        "RBH",
        "RHB",
    ]
    best = max(step1, key=lambda c: c["result"]["psnr"])["config"]["order"]
    assert len(step2) == 4
    for cell in step2:
        order = cell["config"]["order"]
        assert [f for f in order if f != "jpeg"] == best and len(order) == 4
        assert cell["config"]["train"]["model.init_checkpoint"].endswith("stage1/net.pth")
        assert set(cell["result"]["scores"]) == {"haze", "rain", "jpeg", "blur"}
    assert f"J inserted into {label(tuple(best))}" in stdout
    assert "MBN (factor given)" in stdout

    (tmp_path / "order" / "cells" / f"{step2[0]['key']}.json").unlink()
    stdout = bench(capsys, "order", tmp_path)
    assert counts(stdout, "order") == (1, 10)


def test_label() -> None:
    assert label(("jpeg", "haze", "blur", "rain")) == "J→H→B→R"
