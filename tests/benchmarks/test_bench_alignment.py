"""`zoo bench alignment` at the smoke budget and the candidate lists of Tables 5 and 6."""

from pathlib import Path

import pytest
from _bench_helpers import bench, counts, outputs

from zoo.benchmarks.alignment import candidates_step1, candidates_step2, label, paper_value


def test_candidates_match_the_papers_tables() -> None:
    step1 = [label(a) for a in candidates_step1()]
    assert len(step1) == 13 == len(set(step1))
    assert all(paper_value(a) != "—" for a in candidates_step1())  # every Table 5 row is found
    step2 = candidates_step2((("rain",), ("blur",), ("haze",)))
    assert [label(a) for a in step2] == ["J→R→B→H", "R→J→B→H", "R→B→J→H", "R→B→H→J", "RJ→B→H", "R→BJ→H", "R→B→HJ"]
    assert all(paper_value(a) != "—" for a in step2)  # every Table 6 row is found
    assert paper_value((("rain",), ("blur",), ("jpeg",), ("haze",))).startswith("30.22 / 0.8995")


@pytest.mark.slow  # ~60 s of training; `pytest -m slow` (CI's second step)
def test_alignment_search_runs_and_skips_done_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stdout = bench(capsys, "alignment", tmp_path, "--max-minutes", "0")  # time limit reached before any cell
    assert counts(stdout, "alignment") == (0, 0)
    assert "not run (time limit)" in stdout and "INCOMPLETE: 13 candidate(s)" in stdout and "Table 6:" not in stdout
    stdout = bench(capsys, "alignment", tmp_path)
    computed, skipped = counts(stdout, "alignment")
    summary = outputs(tmp_path, "alignment")
    step1 = [c for c in summary["cells"] if c["config"]["step"] == 1]
    step2 = [c for c in summary["cells"] if c["config"]["step"] == 2]
    assert len(step1) == 13 and skipped == 0 and computed == len(summary["cells"])
    best = max(step1, key=lambda c: c["result"]["psnr"])["config"]["alignment"]
    assert len(step2) == 2 * len(best) + 1
    for cell in summary["cells"]:
        net = cell["config"]["net"]
        assert net["type"] == "mbn_minimal" and net["input_widths"] == "text"
        factors = {f for level in cell["config"]["alignment"] for f in level}
        assert set(cell["result"]["scores"]) == factors
    assert "Table 5" in stdout and "Table 6" in stdout
    stdout = bench(capsys, "alignment", tmp_path)
    assert counts(stdout, "alignment") == (0, computed)
