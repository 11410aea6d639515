"""The untouched study: how much the default restore changes each photo of a folder."""

import json
import shutil
from pathlib import Path

import pytest

from zoo.benchmarks.untouched import main, markdown, run_untouched
from zoo.data.images import ASSETS_DIR


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("photos")
    shutil.copy(ASSETS_DIR / "clean" / "chelsea.png", root / "chelsea.png")
    (root / "more").mkdir()
    shutil.copy(ASSETS_DIR / "degraded" / "chelsea_jpeg.png", root / "more" / "chelsea_jpeg.png")
    return root


@pytest.fixture(scope="module")
def report(folder: Path) -> dict:
    return run_untouched([str(folder)])


def test_a_clean_photo_comes_back_identical_and_a_jpeg_one_changes(report: dict) -> None:
    by_name = {Path(p["path"]).name: p for p in report["photos"]}
    assert set(by_name) == {"chelsea.png", "chelsea_jpeg.png"}  # the sub-folder is searched too
    clean, jpeg_photo = by_name["chelsea.png"], by_name["chelsea_jpeg.png"]
    assert clean["steps"] == [] and clean["psnr_vs_input_db"] == 100.0 and clean["largest_change"] == 0
    assert jpeg_photo["steps"] == ["jpeg"] and jpeg_photo["psnr_vs_input_db"] < 45 and jpeg_photo["largest_change"] > 0
    assert set(jpeg_photo["scores"]) == {"rain", "blur", "jpeg", "haze"} and 0 < jpeg_photo["strengths"]["jpeg"] <= 1
    summary = report["summary"]
    assert summary["photos"] == 2 and summary["identical"] == summary["within_45_db"] == 0.5
    assert summary["steps"]["jpeg"] == 1 and summary["lowest_db"] == jpeg_photo["psnr_vs_input_db"]


def test_markdown_lists_only_the_changed_photos(report: dict) -> None:
    text = markdown(report, "python -m zoo.benchmarks.untouched photos")
    assert "2 photos: 50 % returned identical, 50 % within 45 dB" in text
    assert "| chelsea_jpeg.png | 256x256 | jpeg (100 %) |" in text and "chelsea.png" not in text


def test_command_writes_json_and_markdown_and_refuses_an_empty_folder(folder: Path, tmp_path: Path) -> None:
    assert main([str(folder / "chelsea.png"), "--out", str(tmp_path), "--name", "mine"]) == 0
    record = json.loads((tmp_path / "mine.json").read_text())
    assert record["summary"]["identical"] == 1.0 and record["command"].endswith("--name mine")
    assert "No photo was changed." in (tmp_path / "mine.md").read_text()
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit):
        main([str(tmp_path / "empty"), "--out", str(tmp_path)])
