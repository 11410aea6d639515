import subprocess
import sys
from pathlib import Path

import pytest

from zoo.cli.main import main


def test_list_prints_registered_models(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "identity" in out


def test_list_pattern_without_match_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "no_such_*"]) == 1
    assert "no model matches" in capsys.readouterr().out


def test_info_shows_parameters_and_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "identity"]) == 0
    out = capsys.readouterr().out
    assert "parameters: 0" in out
    assert '"learned": false' in out


def test_unknown_model_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "identiy"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "unknown model 'identiy'" in err[0] and "identity" in err[0]


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).with_name("zoo")
    assert exe.is_file(), "the `zoo` console script is not installed next to the interpreter"
    out = subprocess.run([str(exe), "list", "identity"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("identity")


def test_info_counts_flops_per_branch_for_models_told_the_factor(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "mbn", "--size", "64"]) == 0
    out = capsys.readouterr().out
    for factor in ("rain", "blur", "jpeg", "haze"):
        assert f"({factor} branch)" in out


def test_shipped_model_index_matches_the_registry() -> None:
    """`zoo list` reads zoo/assets/models_index.json; regenerate it with `python -m zoo.cli.model_index`."""
    from zoo.cli.model_index import build_index, read_index

    assert read_index() == build_index(), "stale model index: run `python -m zoo.cli.model_index`"


@pytest.mark.parametrize("argv", [["--help"], ["list"], ["list", "durn_*"], ["restore", "--help"]])
def test_help_and_list_do_not_import_torch(argv: list[str]) -> None:
    """Importing torch takes seconds on a small CPU; these commands must not need it (they start in well under 1 s)."""
    code = (
        "import sys\n"
        "from zoo.cli.main import main\n"
        "try:\n"
        f"    status = main({argv!r})\n"
        "except SystemExit as exit:\n"
        "    status = exit.code\n"
        "heavy = sorted({'torch', 'mmengine', 'numpy', 'gradio'} & set(sys.modules))\n"
        "print('HEAVY', heavy, 'STATUS', status)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY [] STATUS 0" in out


def test_info_describes_the_weights_restore_would_use(capsys: pytest.CaptureFixture[str]) -> None:
    from zoo.inference import default_model_name
    from zoo.registry import pretrained_table

    default = default_model_name()
    assert main(["info", "rmbn", "--no-flops"]) == 0
    out = capsys.readouterr().out
    entry = pretrained_table()[default]
    assert out.startswith(f"{default}: ")
    assert f"`zoo restore -m rmbn` uses the shipped default weights {default}" in out
    assert f"parameters: {entry.metadata['parameters']:,}" in out
    assert "(rmbn at its default size, untrained: 11,254,072 parameters)" in out
    assert f'"sha256": "{entry.sha256}"' in out
    assert "tiling: discouraged: the model pools whole-image statistics" in out
    assert "precision on this machine's CPU with --dtype auto: " in out


def test_info_of_a_method_without_weights(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "owan", "--no-flops"]) == 0
    out = capsys.readouterr().out
    assert "no weights ship for owan: `zoo restore -m owan` refuses" in out
    assert main(["info", "median_derain"]) == 0
    assert "runs this method (not learned, no weights)" in capsys.readouterr().out
