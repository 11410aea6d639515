import math

import pytest
import torch

import zoo
from zoo.benchmarks.false_steps import markdown, run_false_steps
from zoo.data.datasets import PresetTestSet, case_steps
from zoo.data.metrics import metric_settings, psnr


@pytest.fixture(scope="module")
def rmbn() -> torch.nn.Module:
    torch.manual_seed(0)
    return zoo.create_model({"type": "rmbn", "width": 0.125, "rain_iters": 1}).eval()


def test_case_steps_of_the_cases() -> None:
    assert case_steps("clean") == [] and case_steps("camera_jpeg") == []
    assert case_steps("jpeg_mild") == ["jpeg"] and case_steps("haze+rain") == ["haze", "rain"]


def test_false_steps_are_scored_against_the_oracle_and_clean_inputs(rmbn: torch.nn.Module) -> None:
    cases = (("broad", "clean"), ("broad", "rain"))
    report = run_false_steps({"tiny": rmbn}, per_photo=1, crop=48, cases=cases)
    rows = report["models"]["tiny"]["cases"]
    assert set(rows["broad:clean"]["false_steps"]) == {"rain", "blur", "jpeg", "haze"}
    assert set(rows["broad:rain"]["false_steps"]) == {"blur", "jpeg", "haze"}  # rain is the case's own step
    kwargs = metric_settings("rgb").psnr_kwargs()
    # recompute the first image of each case by hand; the worst of a case can be no better than that image
    item = PresetTestSet("broad", "rain", images="validation", crop=48, per_photo=1)[0]
    x, gt = item["inputs"][None], item["data_samples"]["gt"]
    with torch.inference_mode():
        oracle, wrong = rmbn(x, steps=["rain"])[0], rmbn(x, steps=["rain", "haze"])[0]
    change = float(psnr(wrong, gt, **kwargs)) - float(psnr(oracle, gt, **kwargs))
    assert rows["broad:rain"]["false_steps"]["haze"]["worst_db"] <= change + 1e-6
    clean = PresetTestSet("broad", "clean", images="validation", crop=48, per_photo=1)[0]["inputs"][None]
    with torch.inference_mode():
        blurred = rmbn(clean, steps=["blur"])[0]
    assert rows["broad:clean"]["false_steps"]["blur"]["worst_db"] <= float(psnr(blurred, clean[0], **kwargs)) + 1e-6
    summary = report["models"]["tiny"]["summary"]
    assert math.isclose(summary["oracle_gain_db"], rows["broad:rain"]["oracle_gain_db"])
    text = markdown(report, "python -m zoo.benchmarks.false_steps tiny")
    assert "| broad:rain |" in text and "| broad:clean | - |" in text and "(own)" in text
