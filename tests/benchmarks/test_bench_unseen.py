"""The unseen-damage study: the default restore (detector + R-MBN) on damage outside the four factors."""

import pytest

from zoo.benchmarks.unseen import markdown, run_unseen
from zoo.data.degradations.other_damage import KINDS, is_distractor


@pytest.fixture(scope="module")
def report() -> dict:
    return run_unseen("validation", crop=48, per_photo=1)


def test_every_kind_is_scored_on_every_crop(report: dict) -> None:
    assert report["images"] == "validation" and report["crops"] == report["photos"] > 0
    assert list(report["kinds"]) == list(KINDS)
    for kind, row in report["kinds"].items():
        assert row["trained"] is is_distractor(kind)
        assert 0.0 <= row["share_with_steps"] <= 1.0
        assert row["worst_gain_db"] <= row["mean_gain_db"]
        assert sum(row["steps"].values()) >= round(row["share_with_steps"] * report["crops"])
        if row["share_with_steps"] == 0:  # nothing ran: every image came back as it was
            assert row["mean_gain_db"] == row["worst_gain_db"] == 0.0


def test_markdown_has_a_row_per_kind(report: dict) -> None:
    text = markdown(report, "python -m zoo.benchmarks.unseen")
    assert all(f"| {kind} |" in text for kind in KINDS)
    assert "| gamma_1.8 | no |" in text and "| noise_5 | yes (as a distractor) |" in text
    assert "Detector: the shipped one." in text


def test_test_photos_are_only_reported_and_other_splits_refused() -> None:
    with pytest.raises(ValueError, match="one of validation, test, audit"):
        run_unseen("train")
