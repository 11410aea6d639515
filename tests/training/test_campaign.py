from pathlib import Path

import pytest

from zoo.training import load_config
from zoo.training.campaign import STAGES, stage_options, status


def test_every_stage_builds_its_config_from_the_work_dir(tmp_path: Path) -> None:
    for stage in STAGES:
        cfg = load_config(stage.config, stage_options(stage, tmp_path, "/corpus", 10))
        assert cfg.train_cfg.max_iters == 10
        dataset = cfg.train_dataloader.dataset
        if stage.config == "detector":
            assert dataset.type == "DetectorShards" and dataset.folder.startswith(str(tmp_path))
            assert set(dataset) <= {"type", "folder", "repeat_few_factors"}  # the config's own keys are replaced
        else:
            preset = cfg.model.data_preprocessor.preset
            assert dataset.source == "/corpus" and (preset == "broad" or set(preset) == {"broad", "paper"})
    ft = next(s for s in STAGES if s.name == "detector_ft")
    assert stage_options(ft, tmp_path, "/c", 10)["load_from"] == str(tmp_path / "detector" / "iter_1500.pth")
    distract = stage_options(next(s for s in STAGES if s.name == "detector_distract"), tmp_path, "/c", 10)
    assert distract["load_from"] == str(tmp_path / "detector_ft" / "iter_1200.pth")
    assert distract["val_dataloader.dataset"]["folder"] == str(tmp_path / "detector_data" / "val_all")
    adaptive = next(s for s in STAGES if s.name == "adaptive")
    start = stage_options(adaptive, tmp_path, "/c", 10)["model.init_checkpoint"]
    assert start == str(tmp_path / "weights" / "mbn.broad.safetensors")
    wide = stage_options(next(s for s in STAGES if s.name == "stage1_wide"), tmp_path, "/c", 10)
    assert wide["model.net.width"] == 0.5 and wide["optim_wrapper.bf16"] == "auto"
    assert "model.init_checkpoint" not in wide  # from scratch
    both = next(s for s in STAGES if s.name == "adaptive_both")
    mixture = load_config(both.config, stage_options(both, tmp_path, "/c", 10)).model.data_preprocessor
    assert dict(mixture.preset) == {"broad": 2.0, "paper": 1.0}  # replaces the config's "broad", no _delete_ left
    scenes = stage_options(next(s for s in STAGES if s.name == "detector_scenes"), tmp_path, "/c", 10)
    assert scenes["train_dataloader.dataset"]["folder"] == str(tmp_path / "detector_data" / "train_scenes")
    assert scenes["val_dataloader.dataset"]["folder"] == str(tmp_path / "detector_data" / "val_scenes")
    assert scenes["model.init_checkpoint"].endswith("zoo/weights/detector.broad.safetensors")
    bright = stage_options(next(s for s in STAGES if s.name == "detector_bright"), tmp_path, "/c", 10)
    assert bright["train_dataloader.dataset"]["folder"] == str(tmp_path / "detector_data" / "train_bright")
    assert bright["val_dataloader.dataset"] == scenes["val_dataloader.dataset"]  # thresholds on the same samples
    resample = stage_options(next(s for s in STAGES if s.name == "detector_resample"), tmp_path, "/c", 10)
    assert resample["train_dataloader.dataset"]["folder"] == str(tmp_path / "detector_data" / "train_resample")
    assert resample["val_dataloader.dataset"] == scenes["val_dataloader.dataset"]


@pytest.mark.parametrize("stage", ["detector_scenes", "detector_bright", "detector_resample"])
def test_the_scenes_stages_need_the_calibration_photos(tmp_path: Path, stage: str) -> None:
    from zoo.training.campaign import _detector_data

    with pytest.raises(ValueError, match=f"stage {stage} .*--calibration DIR"):
        _detector_data(tmp_path, "/corpus", stage)
    assert not (tmp_path / "detector_data").exists()


def test_status_of_an_empty_campaign_lists_every_stage(tmp_path: Path) -> None:
    table = status(tmp_path)
    assert all(f"| {stage.name} | {stage.config} | 0 |" in table for stage in STAGES)


def test_status_keeps_the_recorded_rows_of_stages_the_work_dir_does_not_have(tmp_path: Path) -> None:
    from zoo.training.campaign import main

    record = tmp_path / "progress.md"
    old_row = "| stage1 | mbn_stage1_broad | 3000 | psnr 31.28 | mbn.broad |"
    stale_row = "| adaptive_blur | rmbn_adaptive | 7 | psnr 1 | - |"
    record.write_text(
        f"| stage | config | iterations | latest validation | exported |\n|---|---|---:|---|---|\n"
        f"{old_row}\n{stale_row}\n"
    )
    work = tmp_path / "work"
    (work / "adaptive_blur").mkdir(parents=True)  # this work dir has the stage: its row is measured again
    assert main([str(work), "--status", str(record)]) == 0
    table = record.read_text()
    assert old_row in table and stale_row not in table and "| adaptive_blur | rmbn_adaptive | 0 |" in table
    assert "| adaptive | rmbn_adaptive | 0 |" in table and table.count("\n") == len(STAGES) + 2
