import json

import pytest

from zoo.benchmarks.budgets import get_budget
from zoo.benchmarks.presets import parse_entry, run_presets


def test_entries_parse_into_model_factor_and_mode() -> None:
    assert parse_entry("rmbn.synth4@all") == ("rmbn.synth4", None, "all")
    assert parse_entry("rmbn") == ("rmbn", None, "auto")
    assert parse_entry("mbn.synth4v3:haze@haze") == ("mbn.synth4v3", "haze", "haze")
    assert parse_entry("identity") == ("identity", None, "all")
    with pytest.raises(ValueError, match="names no model"):
        parse_entry("@all")


def test_smoke_study_scores_identity_at_zero_and_resumes(tmp_path) -> None:
    budget = get_budget("smoke")
    entries = ["identity", "rmbn.synth4@oracle", "dcp_dehaze@haze"]
    report = run_presets(budget, 0, tmp_path, "rgb", "test", entries, presets=("broad",))
    cells = {(c["config"]["entry"], c["config"]["case"]): c["result"] for c in report.cells}
    assert all(cells[("identity", case)]["gain"] == 0 for case in ("clean", "camera_jpeg", "blur", "haze+rain"))
    assert cells[("rmbn.synth4@oracle", "clean")]["unchanged_share"] == 1.0  # no factor: no step runs
    assert cells[("rmbn.synth4@oracle", "clean")]["steps_ran"] == {}
    assert set(cells[("rmbn.synth4@oracle", "haze+rain")]["steps_ran"]) == {"haze", "rain"}
    assert ("dcp_dehaze@haze", "haze") in cells and ("dcp_dehaze@haze", "blur") not in cells  # its case only
    again = run_presets(budget, 0, tmp_path, "rgb", "test", entries, presets=("broad",))
    assert again.computed == 0 and again.skipped == report.computed
    assert "identity" in report.markdown() and json.dumps(report.cells)


def test_the_audit_photos_get_their_own_cells_and_title(tmp_path) -> None:
    budget = get_budget("smoke")
    report = run_presets(budget, 0, tmp_path, "rgb", "test", ["identity"], presets=("broad",), images="audit")
    assert "audit photos" in report.markdown() and report.computed == len(report.cells) > 0
    assert all(cell["result"]["n"] == 11 for cell in report.cells)  # one smoke crop of each audit photo
    with pytest.raises(ValueError, match="use another --out folder"):  # a test-photo run may not mix into it
        run_presets(budget, 0, tmp_path, "rgb", "test", ["identity"], presets=("broad",))
    with pytest.raises(ValueError, match="images must be one of"):
        run_presets(budget, 0, tmp_path / "other", "rgb", "test", ["identity"], images="train")


def test_cases_and_crops_per_photo_can_be_chosen(tmp_path) -> None:
    budget = get_budget("smoke")
    report = run_presets(budget, 0, tmp_path, "rgb", "test", ["identity"], cases=["clean", "haze"], per_photo=2)
    chosen = {(c["config"]["preset"], c["config"]["case"]) for c in report.cells}
    assert chosen == {(p, c) for p in ("paper", "broad") for c in ("clean", "haze")}
    assert all(cell["result"]["n"] == 22 for cell in report.cells)  # two crops of each of the 11 test photos
    assert "2 crops of 48x48 per photo (the smoke budget's: 1)" in report.markdown()
    with pytest.raises(ValueError, match="use another --out folder"):  # one crop per photo: other crops, other cells
        run_presets(budget, 0, tmp_path, "rgb", "test", ["identity"], cases=["clean"])
    with pytest.raises(ValueError, match="unknown case"):
        run_presets(budget, 0, tmp_path / "x", "rgb", "test", ["identity"], cases=["jpeg_mild", "fog"])
    with pytest.raises(ValueError, match="per_photo must be at least 1"):
        run_presets(budget, 0, tmp_path / "y", "rgb", "test", ["identity"], per_photo=0)
