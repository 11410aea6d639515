"""Committed study reports match what the code writes from their own cells, and rebuilding never recomputes."""

import json
import shutil
from pathlib import Path

import pytest

from zoo.benchmarks.rerender import MissingCellError, rerender
from zoo.data.metrics.protocols import protocol_description, protocol_label

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results" / "cpu"
SCORED = ["leaderboard", "ablation", "order", "alignment", "recipe"]


def _copy(study: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The study's JSON under tmp_path at the path its command wrote it to; the working folder moves there."""
    command = json.loads((RESULTS / f"{study}.json").read_text())["command"]
    out = tmp_path / command.split("--out ")[1].split()[0]
    out.mkdir(parents=True)
    shutil.copy(RESULTS / f"{study}.json", out)
    monkeypatch.chdir(tmp_path)
    return out / f"{study}.json"


@pytest.mark.slow
@pytest.mark.parametrize("study", SCORED)
def test_committed_report_is_what_the_code_writes_from_its_cells(
    study: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _copy(study, tmp_path, monkeypatch)
    paths = rerender(path)
    committed = (RESULTS / f"{study}.md").read_text()
    assert paths["md"].read_text() == committed, (
        f"results/cpu/{study}.md is out of step with the code that writes it. If only the report's wording changed, "
        f"run `python -m zoo.benchmarks.rerender results/cpu/{study}.json`; if what it measures changed, rerun the "
        "study's command"
    )
    rebuilt, kept = (json.loads(p.read_text()) for p in (paths["json"], RESULTS / f"{study}.json"))
    assert rebuilt == kept, f"results/cpu/{study}.json is out of step with its report (same remedy)"


def test_every_report_of_scores_names_its_protocol_in_words() -> None:
    for study in SCORED:
        protocol = json.loads((RESULTS / f"{study}.json").read_text())["protocol"]
        text = (RESULTS / f"{study}.md").read_text()
        assert f"Scores: PSNR (dB) and SSIM under the {protocol_description(protocol)}." in text, study
        captions = [line for line in text.splitlines() if line.startswith("**")]
        assert any(protocol_label(protocol) in line for line in captions), study


def test_a_cell_missing_from_the_json_is_refused_not_computed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _copy("ablation", tmp_path, monkeypatch)
    summary = json.loads(path.read_text())
    summary["cells"] = [c for c in summary["cells"] if c["key"] != "train_TV"]
    path.write_text(json.dumps(summary))
    with pytest.raises(MissingCellError, match="train_TV"):
        rerender(path)
    assert not (path.parent / "ablation").exists(), "the temporary cell folder is removed"
    assert not (path.parent / "ablation.md").exists(), "nothing is written"


def test_an_existing_cell_folder_is_not_mixed_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _copy("ablation", tmp_path, monkeypatch)
    (path.parent / "ablation" / "cells").mkdir(parents=True)
    with pytest.raises(FileExistsError, match="move it away"):
        rerender(path)
