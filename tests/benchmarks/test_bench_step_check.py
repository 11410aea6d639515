"""The step-check study: would re-running the detector after a step tell helpful steps from harmful ones?"""

import json

import pytest

from zoo.benchmarks.step_check import DROPS, markdown, run_step_check, summarise


def _step(factor: str, contribution: float, drop: float, source: str = "broad") -> dict:
    return {
        "source": source,
        "case": factor,
        "factor": factor,
        "strength": 1.0,
        "contribution_db": contribution,
        "drop": drop,
    }


def test_summary_counts_what_undoing_low_drop_steps_would_change() -> None:
    report = {
        "images": "validation",
        "per_photo": 1,
        "crop": 48,
        "inputs": 4,
        "steps": [
            _step("blur", -0.5, -0.2, "unseen"),
            _step("blur", 0.3, 0.05),
            _step("blur", 1.0, 2.0),
            _step("rain", 4.0, 9.0),
        ],
    }
    table = summarise(report, drops=(0.0, 0.1, 3.0))
    blur = table["blur"]
    assert (blur["steps"], blur["helped"], blur["hurt"]) == (3, 2, 1)
    assert blur["total_db"] == pytest.approx(0.8)
    assert blur["undo_below"]["0"] == {"undone": 1, "undone_that_hurt": 1, "change_db": 0.5, "change_unseen_db": 0.5}
    assert blur["undo_below"]["0.1"]["undone"] == 2 and blur["undo_below"]["0.1"]["change_db"] == pytest.approx(0.2)
    assert blur["undo_below"]["3"]["change_db"] == pytest.approx(-0.8)
    assert table["rain"]["undo_below"]["3"]["undone"] == 0
    text = markdown(report, "python -m zoo.benchmarks.step_check")
    assert "| blur | 3 | 2 / 1 | +0.80 | 0.1 | 2 | 1 | +0.20 | +0.50 |" in text
    assert len([line for line in text.splitlines() if line.startswith("| blur |")]) == len(DROPS)


@pytest.mark.slow  # ~15 s: every preset case and damage kind on small validation crops
def test_every_step_that_ran_is_recorded() -> None:
    report = run_step_check("validation", per_photo=1, crop=48)
    assert report["inputs"] > 0 and report["steps"]
    assert all(s["factor"] in ("rain", "blur", "jpeg", "haze") and 0 < s["strength"] <= 1 for s in report["steps"])
    assert {s["source"] for s in report["steps"]} <= {"broad", "paper", "unseen"}


def test_other_splits_are_refused() -> None:
    with pytest.raises(ValueError, match="validation' or 'test'"):
        run_step_check("train")


def test_study_files_hold_the_record_and_its_command(tmp_path, capsys) -> None:
    from zoo.benchmarks.report import write_record

    write_record(tmp_path / "out", "study_x", {"rows": [1, 2]}, "python -m zoo.benchmarks.x --a 1", "| table |\n")
    assert json.loads((tmp_path / "out" / "study_x.json").read_text()) == {
        "rows": [1, 2],
        "command": "python -m zoo.benchmarks.x --a 1",
    }
    assert (tmp_path / "out" / "study_x.md").read_text() == "| table |\n"
    assert "| table |" in capsys.readouterr().out
