"""Bad training configs: unknown keys and types, wrong value types, syntax errors -> one line, exit 1, no training."""

from pathlib import Path

import pytest

from zoo.cli.main import main

pytest.importorskip("mmengine.runner")


def _train_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, *options: str) -> str:
    work = tmp_path / "work"
    unique = f"experiment_name=rel_{tmp_path.name}"  # mmengine keeps global instances by experiment name
    args = ["train", config, "--work-dir", str(work), "--cfg-options", "train_cfg.max_iters=1", unique, *options]
    assert main(args) == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("zoo train: error: ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert not list(work.glob("*.pth")), "nothing may be trained"
    return lines[0]


@pytest.mark.parametrize(
    ("option", "words"),
    [
        ("model.net.widht=0.5", ["unexpected keyword argument 'widht'", "DuRNU"]),
        ("model.net.type=durn_uss", ["unknown model 'durn_uss'", "durn_us"]),
        ("model.loss.type=no_such_loss", ["no_such_loss is not in the zoo::loss registry"]),
        ("model.net.width=abc", ["width='abc' is not a usable width multiplier", "(durn_us_tiny)"]),
        ("train_dataloader.dataset.cropp=16", ["unexpected keyword argument 'cropp'", "TaskDatasets"]),
        ("train_dataloader.dataset.type=NoSuchDataset", ["NoSuchDataset is not in the zoo::dataset registry"]),
        ("optim_wrapper.optimizer.type=Adamm", ["unknown optimizer type 'Adamm'"]),
        ("trian_cfg.max_iters=2", ["unknown top-level config key 'trian_cfg'", "did you mean train_cfg"]),
    ],
)
def test_bad_config_option(tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, words: list[str]) -> None:
    line = _train_error(tmp_path, capsys, "durn_us_tiny", option)
    for word in words:
        assert word in line, line


def test_unknown_config_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _train_error(tmp_path, capsys, "durn_us_tinyy")
    assert "unknown config 'durn_us_tinyy'" in line and "durn_us_tiny" in line


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("syntax.py", "model = dict(\n", ["Python syntax error", "never closed"]),
        ("syntax.yaml", "model: [1, 2\n", ["not a safe YAML config"]),
        (
            "typo.yaml",
            "_base_: {base}\ndefualt_hooks:\n  logger: {{interval: 1}}\n",
            ["'defualt_hooks'", "default_hooks"],
        ),
        ("typo.py", "_base_ = '{base}'\ntrain_cfg = dict(max_iters=1, foo=3)\n", ["unexpected keyword argument 'foo'"]),
        ("missing.yaml", None, ["config file not found"]),
    ],
)
def test_bad_config_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str | None, words: list[str]
) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text.format(base="zoo::durn_us_tiny.py"))
    line = _train_error(tmp_path, capsys, str(path))
    for word in words:
        assert word in line, line


def test_shipped_configs_pass_the_checks() -> None:
    from zoo.training import list_configs, load_config
    from zoo.training.configs import with_runtime_defaults
    from zoo.training.runner import check_config

    for name in list_configs():
        check_config(with_runtime_defaults(load_config(name).to_dict()))
