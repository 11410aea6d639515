import json
from pathlib import Path

import numpy as np
import pytest

from zoo.cli.main import main
from zoo.data.degradations import degrade
from zoo.data.images import load_image, save_image


@pytest.fixture()
def photo(tmp_path: Path) -> Path:
    image = load_image(Path(__file__).parents[2] / "zoo" / "assets" / "clean" / "chelsea.png")[:64, :64]
    return save_image(image, tmp_path / "cat.png")


def test_degrade_command_writes_the_image_and_prints_parameters(photo: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out.png"
    assert main(["degrade", str(photo), "-o", str(out), "--factors", "rain,haze", "--seed", "4"]) == 0
    params = json.loads(capsys.readouterr().out)
    assert params["factors"] == ["haze", "rain"] and params["seed"] == 4
    expected, _ = degrade(load_image(photo), ["haze", "rain"], seed=4)
    assert np.abs(load_image(out) - expected).max() <= 0.5 / 255 + 1e-6


def test_degrade_command_random_on_a_folder(photo: Path, tmp_path: Path, capsys) -> None:
    save_image(np.full((32, 32, 3), 0.5, np.float32), photo.parent / "grey.png")
    assert main(["degrade", str(photo.parent), "-o", str(tmp_path / "outs"), "--factors", "random"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert len(record) == 2 and all(1 <= len(p["factors"]) <= 4 for p in record.values())
    assert sorted(p.name for p in (tmp_path / "outs").iterdir()) == ["cat.png", "grey.png"]


def test_degrade_command_rejects_unknown_factors(photo: Path, tmp_path: Path, capsys) -> None:
    assert main(["degrade", str(photo), "-o", str(tmp_path / "x.png"), "--factors", "fog"]) == 1
    assert "unknown factor 'fog'" in capsys.readouterr().err
