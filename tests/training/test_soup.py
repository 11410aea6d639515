from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from zoo.training.safe_checkpoint import load_training_checkpoint
from zoo.training.soup import average_with_start, main


def _detector_state(seed: int) -> dict[str, torch.Tensor]:
    from zoo.registry import create_model

    torch.manual_seed(seed)
    net = create_model(dict(type="detector", channels=(4, 4, 4, 4, 4)))
    for module in net.modules():  # batch-norm statistics and counters that differ between the two
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-1, 1)
            module.num_batches_tracked.fill_(seed + 3)
    return {k: v.detach().clone() for k, v in net.state_dict().items()}


def test_the_average_is_taken_per_float_tensor_and_counters_stay_the_runs() -> None:
    start, tuned = _detector_state(0), _detector_state(1)
    run = {"state_dict": {f"net.{k}": v for k, v in tuned.items()}, "meta": {"iter": 5}, "optimizer": {"state": {}}}
    soup = average_with_start(run, start, 0.25)
    assert "optimizer" not in soup and soup["meta"] == {"iter": 5, "soup": {"weight": 0.25}}
    for key, value in tuned.items():
        out = soup["state_dict"][f"net.{key}"]
        if value.is_floating_point():
            torch.testing.assert_close(out, 0.25 * value + 0.75 * start[key])
        else:
            assert torch.equal(out, value)  # e.g. num_batches_tracked: the run's
    moved = next(k for k, v in tuned.items() if v.is_floating_point() and not torch.equal(v, start[k]))
    assert not torch.equal(soup["state_dict"][f"net.{moved}"], tuned[moved])
    assert all(torch.equal(average_with_start(run, start, 1.0)["state_dict"][f"net.{k}"], v) for k, v in tuned.items())


def test_a_release_the_run_did_not_start_from_is_refused() -> None:
    start = _detector_state(0)
    run = {"state_dict": {f"net.{k}": v for k, v in _detector_state(1).items()}}
    with pytest.raises(ValueError, match="weight must be in"):
        average_with_start(run, start, 1.5)
    key = next(k for k, v in start.items() if v.ndim == 4)
    with pytest.raises(ValueError, match="did not start from it"):
        average_with_start(run, {**start, key: start[key][:1]}, 0.5)
    with pytest.raises(ValueError, match="did not start from it"):
        average_with_start(run, {k: v for k, v in start.items() if k != key}, 0.5)


def test_command_writes_a_loadable_checkpoint(tmp_path: Path, capsys) -> None:
    start, tuned = _detector_state(0), _detector_state(1)
    save_file(start, str(tmp_path / "start.safetensors"))
    torch.save({"state_dict": {f"net.{k}": v for k, v in tuned.items()}, "meta": {"iter": 7}}, tmp_path / "run.pth")
    out = tmp_path / "soup" / "soup.pth"
    assert main([str(out), str(tmp_path / "run.pth"), "--start", str(tmp_path / "start.safetensors")]) == 0
    soup = load_training_checkpoint(out)
    key = next(k for k, v in tuned.items() if v.is_floating_point())
    torch.testing.assert_close(soup["state_dict"][f"net.{key}"], (tuned[key] + start[key]) / 2)
    assert soup["meta"]["iter"] == 7 and soup["meta"]["soup"]["weight"] == 0.5
    save_file({k: v[:1] if v.ndim == 4 else v for k, v in start.items()}, str(tmp_path / "other.safetensors"))
    with pytest.raises(SystemExit):
        main([str(out), str(tmp_path / "run.pth"), "--start", str(tmp_path / "other.safetensors")])
    assert "did not start from it" in capsys.readouterr().err
