"""The speed paths of MBN / R-MBN (in-place TV statistics, custom TV backward, addcmul shortcut, activation
checkpointing) give the outputs and gradients of the straightforward implementation, kept as an option."""

import pytest
import torch

from zoo.attention.channel import TVGapAttention, total_variation, total_variation_reference
from zoo.layers import PaddedConv2d, SEResBlock
from zoo.registry import create_model


def _set_fast_paths(model: torch.nn.Module, enabled: bool) -> int:
    """Switch every ``fused`` knob of the model; returns how many modules have one."""
    switched = 0
    for module in model.modules():
        if isinstance(module, (SEResBlock, TVGapAttention)) or hasattr(module, "fused"):
            module.fused = enabled
            switched += 1
    return switched


def _tiny_pair(**knobs: object) -> tuple[torch.nn.Module, torch.nn.Module]:
    torch.manual_seed(0)
    fast = create_model("rmbn", width=0.25, rain_iters=2, **knobs)
    plain = create_model("rmbn", width=0.25, rain_iters=2, **knobs)
    plain.load_state_dict(fast.state_dict())
    assert _set_fast_paths(plain, False) > 0
    return fast, plain


@pytest.mark.parametrize("channels_last", [False, True], ids=["nchw", "channels_last"])
def test_rmbn_chain_output_equals_straightforward_path(channels_last: bool) -> None:
    fast, plain = _tiny_pair()
    x = torch.rand(1, 3, 40, 36)
    if channels_last:
        fast, plain = (m.to(memory_format=torch.channels_last) for m in (fast, plain))
        x = x.contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        out_fast, steps_fast = fast.eval()(x, return_steps=True)
        out_plain, steps_plain = plain.eval()(x, return_steps=True)
    assert out_fast.shape == x.shape
    torch.testing.assert_close(out_fast, out_plain, rtol=0, atol=1e-5)
    for factor in fast.order:
        torch.testing.assert_close(steps_fast[factor], steps_plain[factor], rtol=0, atol=1e-5)


def test_rmbn_gradients_equal_straightforward_path_and_checkpointing() -> None:
    fast, plain = _tiny_pair()
    checkpointed = create_model("rmbn", width=0.25, rain_iters=2, checkpointing=True)
    checkpointed.load_state_dict(fast.state_dict())
    x = torch.rand(2, 3, 32, 32)
    target = torch.rand(2, 3, 32, 32)
    grads = []
    for model in (fast, plain, checkpointed):
        model.train()
        loss = sum((out - target).abs().mean() for _, out in model.forward_steps(x))
        loss.backward()
        grads.append({n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None})
    assert grads[0].keys() == grads[1].keys() == grads[2].keys()
    assert len(grads[0]) == len(list(fast.parameters()))
    for name in grads[0]:
        scale = grads[1][name].abs().max().item() + 1e-12
        for other in (grads[1], grads[2]):
            assert (grads[0][name] - other[name]).abs().max().item() <= 1e-4 * scale + 1e-7, name


@pytest.mark.parametrize("beta", [3.0, 2.0, 1.5])
def test_total_variation_values_and_gradient(beta: float) -> None:
    x = torch.randn(2, 5, 7, 6, dtype=torch.float64)
    assert torch.equal(total_variation(x, beta), total_variation_reference(x, beta))
    xr = x.clone().requires_grad_(True)
    xf = x.clone().requires_grad_(True)
    weights = torch.randn(2, 5, dtype=torch.float64)
    (total_variation_reference(xr, beta) * weights).sum().backward()
    (total_variation(xf, beta) * weights).sum().backward()
    torch.testing.assert_close(xf.grad, xr.grad, rtol=1e-10, atol=1e-12)
    assert torch.autograd.gradcheck(lambda t: total_variation(t, beta), (x.clone().requires_grad_(True),))


def test_total_variation_is_bit_identical_in_float32_channels_last() -> None:
    x = torch.randn(1, 16, 33, 20).contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        assert torch.equal(total_variation(x), total_variation_reference(x))


def test_fused_shortcut_skips_attention_with_its_own_forward() -> None:
    """A ChannelAttention subclass overriding forward keeps its forward (no addcmul shortcut)."""

    class Doubled(TVGapAttention):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return 2 * super().forward(x)

    block = SEResBlock(8, dict(type="tv_gap"), hidden=4)
    block.attention = Doubled(8, 4)
    x = torch.rand(1, 8, 6, 6)
    with torch.no_grad():
        y = block.conv2(torch.relu(block.conv1(x)))
        expected = torch.relu(block.attention(y) + x)
        torch.testing.assert_close(block(x), expected)


def test_reflect_conv_under_autocast_equals_plain_conv2d() -> None:
    """PaddedConv2d pads bf16 maps in bf16 under autocast: same outputs and gradients as nn.Conv2d's fp32 padding."""
    import copy

    torch.manual_seed(0)
    fast = create_model("rmbn", width=0.25, rain_iters=1)
    plain = copy.deepcopy(fast)
    converted = 0
    for module in plain.modules():
        if type(module) is PaddedConv2d:
            module.__class__ = torch.nn.Conv2d
            converted += 1
    assert converted > 50
    x = torch.rand(1, 3, 32, 32)
    outputs, grads = [], []
    for model in (fast, plain):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = model(x)
        out.float().mean().backward()
        outputs.append(out)
        grads.append([p.grad for p in model.parameters()])
    assert torch.equal(outputs[0], outputs[1])
    for g_fast, g_plain in zip(*grads):
        torch.testing.assert_close(g_fast, g_plain, rtol=1e-2, atol=1e-4)
