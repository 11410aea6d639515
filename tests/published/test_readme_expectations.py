"""The README's "What to expect" table agrees with the committed preset results (results/cpu/presets.json).

Each cell is recomputed from the JSON cells: the mean gain of the case (mixtures: the mean over the cases with two,
three and four factors) and, for clean and camera-JPEG inputs, the share returned unchanged.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
COLUMNS = ("rmbn.broad2@auto", "rmbn.synth4@all", "rmbn.broad2@oracle")  # default, old default, right steps
CASES = {
    "clean photo": "clean",
    "camera JPEG": "camera_jpeg",
    "rain": "rain",
    "blur": "blur",
    "haze": "haze",
    "JPEG (quality 15-35)": "jpeg",
    "JPEG (the paper's recipe)": "jpeg",
    "mild JPEG (quality 36-69)": "jpeg_mild",
}
PRINTED = 0.005 + 1e-9


def _results() -> dict[tuple[str, str], dict[str, dict]]:
    """Cells by (preset, entry) from presets.json; presets_default.json's ``rmbn@auto`` (the default weights,
    ``rmbn.broad2``) must hold the same results as presets.json's ``rmbn.broad2@auto``."""
    out: dict[tuple[str, str], dict[str, dict]] = {}
    for cell in json.loads((ROOT / "results" / "cpu" / "presets.json").read_text())["cells"]:
        config = cell["config"]
        out.setdefault((config["preset"], config["entry"]), {})[config["case"]] = cell["result"]
    for cell in json.loads((ROOT / "results" / "cpu" / "presets_default.json").read_text())["cells"]:
        config = cell["config"]
        if config["entry"] == "rmbn@auto":
            got = out[(config["preset"], "rmbn.broad2@auto")][config["case"]]
            assert got["psnr"] == cell["result"]["psnr"], (config["preset"], config["case"])
    return out


def _rows() -> list[list[str]]:
    section = README.split("## What to expect", 1)[1].split("What that means for your photo", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| test set")]
    return [[part.strip() for part in line.strip("|").split("|")] for line in lines]


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


def test_every_cell_of_the_what_to_expect_table_is_the_committed_result() -> None:
    results = _results()
    rows = _rows()
    assert len(rows) == 13, rows
    for test_set, case_name, *cells in rows:
        presets = ("broad", "paper") if test_set == "either" else (test_set,)
        for preset in presets:
            for entry, cell in zip(COLUMNS, cells, strict=True):
                cases = results[(preset, entry)]
                if case_name == "two / three / four factors":
                    printed = [_number(value) for value in cell.split(" / ")]
                    for count, value in zip((1, 2, 3), printed, strict=True):
                        gains = [r["gain"] for c, r in cases.items() if c.count("+") == count]
                        assert value == pytest.approx(sum(gains) / len(gains), abs=PRINTED), (preset, entry, count)
                    continue
                result = cases[CASES[case_name]]
                match = re.fullmatch(r"([+−-]\d+\.\d+)(?: \((\d+) %(?: unchanged)?\))?", cell)
                assert match, cell
                assert _number(match.group(1)) == pytest.approx(result["gain"], abs=PRINTED), (preset, entry, case_name)
                if match.group(2) is not None:
                    assert int(match.group(2)) == round(100 * result["unchanged_share"]), (preset, entry, case_name)


def test_the_known_factor_table_is_the_committed_result() -> None:
    results = _results()
    section = README.split("## If you know what is wrong", 1)[1].split("## Restore your photos", 1)[0]
    rows = re.findall(r"^\| ([\w ]+) \| (.+?) \| ([+−-]\d+\.\d+) \| ([+−-]\d+\.\d+) \|$", section, re.M)
    assert len(rows) == 5, section
    factors = {"rain streaks": "rain", "haze": "haze", "JPEG artifacts": "jpeg", "motion blur": "blur"}
    for what, command, broad, paper in rows:
        factor = factors[what]
        classical = re.search(r"-m (\w+)`", command)
        entry = f"{classical.group(1)}@{factor}" if classical else f"mbn.broad:{factor}@{factor}"
        for preset, printed in (("broad", broad), ("paper", paper)):
            gain = results[(preset, entry)][factor]["gain"]
            assert _number(printed) == pytest.approx(gain, abs=PRINTED), (what, entry, preset)
