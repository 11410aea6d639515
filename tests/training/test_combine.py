from pathlib import Path

import pytest
import torch

from zoo.training.combine import combine_steps, main
from zoo.training.safe_checkpoint import load_training_checkpoint


def _state(seed: int = 0) -> dict[str, torch.Tensor]:
    from zoo.registry import create_model

    torch.manual_seed(seed)
    net = create_model(dict(type="rmbn", width=0.125, rain_iters=1))
    return {f"net.{k}": v.detach().clone() for k, v in net.state_dict().items()}


def _nudged(state: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    return {k: v + 0.5 if k.startswith(prefix) and v.is_floating_point() else v.clone() for k, v in state.items()}


def test_each_step_comes_from_its_own_run() -> None:
    base = _state()
    blur_run = _nudged(base, "net.heads.blur")  # the base run itself is a blur fine-tune
    blur_run = _nudged(blur_run, "net.tails.blur")
    haze_run = _nudged(_nudged(base, "net.heads.haze"), "net.tails.haze")
    combined = combine_steps(blur_run, {"haze": haze_run})
    for key, value in combined.items():
        expected = haze_run[key] if key.startswith(("net.heads.haze", "net.tails.haze")) else blur_run[key]
        assert torch.equal(value, expected), key
    haze_key = next(k for k in base if k.startswith("net.tails.haze") and base[k].is_floating_point())
    assert not torch.equal(combined[haze_key], base[haze_key])  # the haze run's branch, not the base's


def test_runs_that_trained_more_than_their_step_are_refused() -> None:
    base = _state()
    stem_changed = _nudged(_nudged(base, "net.tails.haze"), "net.blocks.0")
    with pytest.raises(ValueError, match="outside its own step"):
        combine_steps(base, {"haze": stem_changed})
    two_more = _nudged(_nudged(_nudged(base, "net.tails.haze"), "net.tails.rain"), "net.tails.jpeg")
    with pytest.raises(ValueError, match="outside its own step"):
        combine_steps(base, {"haze": two_more})
    with pytest.raises(ValueError, match="outside its own step"):
        combine_steps(base, {"haze": _state(seed=1)})  # another initialisation altogether
    with pytest.raises(ValueError, match="unknown factor"):
        combine_steps(base, {"fog": base})


def test_command_writes_a_loadable_checkpoint(tmp_path: Path, capsys) -> None:
    base = _state()
    haze_run = _nudged(base, "net.tails.haze")
    torch.save({"state_dict": base, "meta": {"iter": 10}, "optimizer": {"state": {}}}, tmp_path / "base.pth")
    torch.save({"state_dict": haze_run, "meta": {"iter": 10}}, tmp_path / "haze.pth")
    out = tmp_path / "both.pth"
    assert main([str(out), str(tmp_path / "base.pth"), "--take", f"haze={tmp_path / 'haze.pth'}"]) == 0
    combined = load_training_checkpoint(out)
    assert "optimizer" not in combined and combined["meta"]["combined_steps"]["haze"].endswith("haze.pth")
    assert all(torch.equal(combined["state_dict"][k], haze_run[k]) for k in haze_run)
    with pytest.raises(SystemExit):
        main([str(out), str(tmp_path / "base.pth"), "--take", "haze"])
    assert "expected FACTOR=CHECKPOINT" in capsys.readouterr().err
    torch.save({"meta": {}}, tmp_path / "empty.pth")
    with pytest.raises(SystemExit):
        main([str(out), str(tmp_path / "base.pth"), "--take", f"haze={tmp_path / 'empty.pth'}"])
    assert "no 'state_dict'" in capsys.readouterr().err
