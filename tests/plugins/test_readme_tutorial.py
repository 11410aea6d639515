"""The README's "Swap parts from a config, or plug in your own" tutorial, run as written.

Its files (code blocks whose first line is ``# NAME.py``) are written to a folder, its ``zoo`` commands run there, and
the exported weights load again; the swap examples build models whose parts are the ones named.
"""

import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

import zoo
from zoo.cli.main import main
from zoo.registry import ATTENTION, BLOCKS, BRANCHES

ROOT = Path(__file__).resolve().parents[2]
SECTION = "### Swap parts from a config, or plug in your own"


def _section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(SECTION)
    return text[start : text.index("\n## ", start)]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", _section(), flags=re.S)


def test_the_swap_examples_build_the_parts_they_name() -> None:
    (examples,) = [block for block in _blocks("python") if block.startswith("zoo.create_model")]
    models = [eval(line.split("  #")[0], {"zoo": zoo}) for line in examples.strip().splitlines()]  # noqa: S307
    se_no_fusion, durb_us, c2f_haze = models
    assert type(se_no_fusion.blocks[0].container.attention).__name__ == "SEAttention"
    assert not se_no_fusion.blocks[0].fusion
    assert {type(block).__name__ for block in durb_us.blocks} == {"DuRBUS"}
    assert type(c2f_haze.heads["haze"]).__name__ == "CoarseToFineHead"


@pytest.fixture
def tutorial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for block in _blocks("python"):
        first = block.splitlines()[0]
        if re.fullmatch(r"# \w+\.py", first):
            (tmp_path / first[2:]).write_text(block)
    assert (tmp_path / "my_parts.py").is_file() and (tmp_path / "my_config.py").is_file()
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    for registry, name in ((ATTENTION, "my_attention"), (BLOCKS, "my_block"), (BRANCHES, "my_haze_head")):
        registry.module_dict.pop(name, None)
    sys.modules.pop("my_parts", None)
    while str(tmp_path) in sys.path:
        sys.path.remove(str(tmp_path))


def test_the_tutorial_trains_and_exports_with_its_own_parts(tutorial: Path) -> None:
    (commands,) = _blocks("bash")
    for line in commands.strip().splitlines():
        args = shlex.split(line.split("  #")[0])
        assert args[0] == "zoo" and main(args[1:]) == 0, line
    weights = tutorial / "weights" / "mbn.mine.safetensors"
    model = zoo.create_model("mbn", checkpoint=weights)
    assert {type(block).__name__ for block in model.blocks} == {"MyBlock"}
    assert type(model.blocks[0].attention).__name__ == "MyAttention"
    assert type(model.heads["haze"]).__name__ == "MyHazeHead"
    with torch.no_grad():
        assert model(torch.rand(1, 3, 48, 40), factor="haze").shape == (1, 3, 48, 40)

    # a process that has not imported my_parts is told which module to import
    load = f"import zoo; zoo.create_model('mbn', checkpoint={str(weights)!r})"
    result = subprocess.run([sys.executable, "-c", load], capture_output=True, text=True, cwd="/")
    assert result.returncode != 0 and "import my_parts" in result.stderr
