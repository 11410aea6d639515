"""`zoo bench ablation` at the smoke budget: five trained DuRB-M configs, outputs, resume after an interruption."""

from pathlib import Path

import pytest
from _bench_helpers import bench, counts, outputs

import zoo.benchmarks.ablation as ablation


def test_ablation_runs_resumes_after_interruption_and_skips_done_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real = ablation.train_network

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(ablation, "train_network", interrupted)
    from zoo.cli.main import main

    assert main(["bench", "ablation", "--budget", "smoke", "--out", str(tmp_path)]) == 130
    done = sorted(p.name for p in (tmp_path / "ablation" / "cells").glob("*.json"))
    assert done == ["train_TV.json", "train_none.json"]
    mtimes = {p: p.stat().st_mtime_ns for p in (tmp_path / "ablation" / "cells").glob("*.json")}
    capsys.readouterr()

    monkeypatch.setattr(ablation, "train_network", real)
    stdout = bench(capsys, "ablation", tmp_path)
    assert counts(stdout, "ablation") == (3, 2)
    assert all(p.stat().st_mtime_ns == t for p, t in mtimes.items())
    summary = outputs(tmp_path, "ablation")
    assert len(summary["cells"]) == 5
    rows = {c["config"]["row"]: c for c in summary["cells"]}
    assert set(rows) == set(ablation.ROWS)
    assert rows["TV"]["config"]["net"]["block"] == {"attention": {"type": "tv"}, "fusion": False}
    for cell in summary["cells"]:
        assert cell["config"]["train"]["train_cfg.max_iters"] == 4
        scores = cell["result"]["scores"]
        assert set(scores) == {"blur", "haze", "rain", "jpeg"}
        assert all(0 < s["psnr"] < 100 and 0 < s["ssim"] <= 1 for s in scores.values())
    # Fusion adds the plain T2 path and the merge conv: more parameters than the single-path rows.
    assert rows["Fusion"]["result"]["parameters"] > rows["none"]["result"]["parameters"]
    assert "Table 1" in stdout and "| all (MBN) | ✓ | ✓ | ✓ |" in stdout

    stdout = bench(capsys, "ablation", tmp_path)
    assert counts(stdout, "ablation") == (0, 5)


def test_another_budget_in_the_same_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cells = tmp_path / "ablation" / "cells"
    cells.mkdir(parents=True)
    (cells / "train_none.json").write_text('{"budget": {"name": "cpu"}, "seed": 0}')
    from zoo.cli.main import main

    assert main(["bench", "ablation", "--budget", "smoke", "--out", str(tmp_path)]) == 1
    assert "made with budget 'cpu'" in capsys.readouterr().err
