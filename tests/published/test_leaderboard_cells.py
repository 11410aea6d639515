"""One published cell of each leaderboard table, computed again by the study's own code.

``zoo.benchmarks.rerender.recompute`` runs ``zoo bench leaderboard`` with every other cell taken from
results/cpu/leaderboard.json, so the test sets, the models and the scoring are exactly those of the study command.
The new result must agree with the JSON's record within 0.005 dB of PSNR and 0.0005 of SSIM (the tolerance of the
model-card check; on this project's machine they agree exactly), and the Markdown table must print the JSON's value.
"""

import json
from pathlib import Path

import pytest

from zoo.benchmarks.report import fmt_pair
from zoo.benchmarks.rerender import recompute

RESULTS = Path(__file__).resolve().parents[2] / "results" / "cpu"
TOLERANCE = {"psnr": 0.005, "ssim": 0.0005, "psnr_input": 0.005, "ssim_input": 0.0005}

# (cell key, Markdown row, column): Table 3 (single factors; also the JPEG figure the README quotes for
# mbn.synth4v3), the classical blur row the README's reading of "classical beats learned on blur" rests on, and
# Table 4 (R-MBN* on a combined subset).
CELLS = {
    "t3_jpeg_mbn@mbn.synth4v3-5511ee86": ("MBN (factor given): mbn.synth4v3", "JPEG (q 15-50)"),
    "t3_blur_wiener_deblur_blind@classical-00000000": (
        "classical: wiener_deblur_blind (knows the kernel family)",
        "motion blur",
    ),
    "t4_haze+rain_rmbn@rmbn.synthmix-91e4a160": ("haze+rain", "R-MBN*"),
}


def _markdown_cell(row: str, column: str) -> str:
    for block in (RESULTS / "leaderboard.md").read_text().split("\n\n"):
        lines = [line for line in block.splitlines() if line.startswith("|")]
        if not lines:
            continue
        headers = [cell.strip() for cell in lines[0].strip("|").split("|")]
        for line in lines[2:]:
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if cells[0] == row and column in headers:
                return cells[headers.index(column)]
    raise AssertionError(f"results/cpu/leaderboard.md has no cell ({row!r}, {column!r})")


@pytest.mark.slow
def test_one_cell_per_leaderboard_table_is_measured_again(tmp_path: Path) -> None:
    published = {c["key"]: c["result"] for c in json.loads((RESULTS / "leaderboard.json").read_text())["cells"]}
    measured = recompute(RESULTS / "leaderboard.json", list(CELLS), tmp_path)
    for key, (row, column) in CELLS.items():
        new, old = measured[key]["result"], published[key]
        for metric, tolerance in TOLERANCE.items():
            assert new[metric] == pytest.approx(old[metric], abs=tolerance), (
                f"{key} {metric}: published {old[metric]}, measured {new[metric]}; rerun `zoo bench leaderboard` "
                "(results/README.md) or find what changed"
            )
        assert _markdown_cell(row, column) == fmt_pair(old["psnr"], old["ssim"]), key
