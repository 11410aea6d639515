"""``zoo restore --sample`` scores what it wrote: PSNRs checked against scikit-image on the files, with real models.

With a model that changes the image, a scorer that measured the degraded input twice (or anything but the written
output) would print the same PSNR before and after, or a PSNR that the written file does not have.
"""

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio

from zoo.cli.main import main
from zoo.inference.samples import sample_paths

PRINTED = 0.005 + 1e-9  # the command prints 2 decimals

MODELS = {
    "classical": ["astronaut_rain", "-m", "median_derain"],
    "learned": ["astronaut_rain", "-m", "mbn.synth4v2", "--factor", "rain"],
}


def _pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


@pytest.mark.parametrize("kind", list(MODELS))
def test_sample_psnrs_are_those_of_the_written_files(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = MODELS[kind]
    assert main(["restore", "--sample", *args, "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    before = float(re.search(r"PSNR degraded vs clean:\s+([\d.]+) dB", out).group(1))
    after = float(re.search(r"PSNR restored vs clean:\s+([\d.]+) dB", out).group(1))

    degraded_path, clean_path = sample_paths(args[0])
    clean = _pixels(clean_path)
    expected_before = peak_signal_noise_ratio(clean, _pixels(degraded_path), data_range=255)
    expected_after = peak_signal_noise_ratio(clean, _pixels(tmp_path / f"{args[0]}.png"), data_range=255)
    assert before == pytest.approx(expected_before, abs=PRINTED)
    assert after == pytest.approx(expected_after, abs=PRINTED)
    assert abs(after - before) > 0.1, "the model changed the image, so the two PSNRs must differ"
