"""Channels-last weights for CPU training, with dilated convolutions kept in the default order."""

import os
import subprocess
import sys

import pytest
import torch
from torch import nn

from zoo.training.memory_format import to_channels_last


def test_dilated_convolutions_stay_contiguous() -> None:
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=2, dilation=2), nn.Conv2d(8, 8, 3, padding=1))
    params = list(model.parameters())
    assert to_channels_last(model) == ["0"]
    assert list(model.parameters()) == params
    assert model[0].weight.is_contiguous() and not model[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert model[1].weight.is_contiguous(memory_format=torch.channels_last)
    x = torch.rand(2, 3, 16, 16).contiguous(memory_format=torch.channels_last)
    inputs = []
    model[0].register_forward_hook(lambda m, args, out: inputs.append(args[0]))
    model(x)
    assert inputs[0].is_contiguous()


# In a child process: a regression could end it with a segmentation fault (see zoo.training.memory_format).
_BF16_BACKWARD = """
import torch
from torch import nn
from zoo.training.memory_format import to_channels_last

torch.set_num_threads(1)
torch.manual_seed(0)


def layers():
    # a dilated convolution, a depthwise one, and a dilated depthwise one (whose weight is ambiguous in layout)
    return nn.Sequential(
        nn.Conv2d(24, 16, 3, padding=2, dilation=2),
        nn.Conv2d(16, 16, 3, padding=1, groups=16),
        nn.Conv2d(16, 16, 3, padding=2, dilation=2, groups=16, bias=False),
        nn.Conv2d(16, 16, 1),
    )


def gradients(net, batch):
    net.zero_grad(set_to_none=True)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = net(batch)
    out.float().square().mean().backward()
    return [p.grad.clone() for p in net.parameters()]


reference = layers()
model = layers()
model.load_state_dict(reference.state_dict())
assert to_channels_last(model) == ["0", "2"]
x = torch.rand(8, 24, 96, 96)
expected = gradients(reference, x)
tries = [gradients(model, x.contiguous(memory_format=torch.channels_last)) for _ in range(4)]
for i, (name, _) in enumerate(model.named_parameters()):
    for got in tries:
        assert torch.isfinite(got[i]).all(), name
        assert torch.equal(got[i], tries[0][i]), (name, "differs between tries")
    error = float((expected[i] - tries[0][i]).abs().max() / expected[i].abs().max())
    assert error < 0.02, (name, error)
print("ok")
"""


@pytest.mark.slow  # ~12 s: bf16 backward, emulated on CPUs without native bf16; `pytest -m slow` (CI's second step)
def test_bf16_backward_of_a_dilated_convolution_is_right() -> None:
    """bf16 gradients are finite, the same in every try, within bf16 rounding (2 % of their scale) of the default
    order's, and the process does not crash."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-c", _BF16_BACKWARD], capture_output=True, text=True, env=env)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]

