import pytest
import torch

from zoo.branches.coarse_to_fine import CoarseToFineHead, CoarseToFineTail
from zoo.branches.plain import PixelShuffleTail, PlainHead
from zoo.branches.rain import RainHead, RainTail
from zoo.registry import BRANCHES


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize(
    ("cfg", "expected"),
    [
        (dict(type="rain_lstm_head"), 315_392),  # I1
        (dict(type="c2f_head"), 981_984),  # I2 = I3
        (dict(type="plain_head"), 74_784),  # I4, minimal head of Table 8
        (dict(type="plain_head", hidden=48, res_channels=96), 125_952),  # minimal head as written in App. A.1
        (dict(type="rain_tail"), 40_707),  # g1
        (dict(type="c2f_tail"), 478_089),  # g2 = g3
        (dict(type="c2f_tail", reference_compat=True), 478_089),
        (dict(type="ps_tail"), 128_579),  # g4 and the minimal tail
    ],
)
def test_parameter_counts_match_reference(cfg: dict, expected: int) -> None:
    assert n_params(BRANCHES.build(cfg)) == expected


def test_rain_head_carries_the_lstm_state() -> None:
    head = RainHead(channels=12, res_channels=8, hidden=4)
    image = torch.rand(2, 3, 10, 14)
    x, res, state = head(image, image, None)
    assert x.shape == (2, 12, 5, 7) and res.shape == (2, 8, 10, 14)
    assert state[0].shape == state[1].shape == (2, 4, 10, 14)
    x2, _, state2 = head(image, image, state)
    assert not torch.equal(x, x2)  # same input, different state
    assert not torch.equal(state[1], state2[1])


def test_lstm_gates_are_input_forget_cell_output() -> None:
    head = RainHead(channels=12, res_channels=8, hidden=4)
    with torch.no_grad():
        gates = head.lstm.gates
        gates.weight.zero_()
        # biases: input gate open, forget gate closed, cell candidate tanh(1), output gate open
        gates.bias.copy_(torch.tensor([50.0] * 4 + [-50.0] * 4 + [1.0] * 4 + [50.0] * 4))
    image = torch.rand(1, 3, 6, 6)
    state = (torch.zeros(1, 4, 6, 6), torch.full((1, 4, 6, 6), 7.0))
    h, c = head.lstm(torch.cat([image, image], 1), state)
    torch.testing.assert_close(c, torch.full_like(c, torch.tanh(torch.tensor(1.0)).item()))
    torch.testing.assert_close(h, torch.tanh(c))


def test_coarse_to_fine_head_scales() -> None:
    head = CoarseToFineHead(channels=12, res_channels=8, hidden=4)
    coarse = torch.rand(1, 3, 8, 12)
    x, res = head(coarse, 0)
    assert x.shape == (1, 12, 2, 3) and res.shape == (1, 8, 4, 6)
    fine = torch.rand(1, 3, 16, 24)
    x, res = head(fine, 1, torch.rand(1, 3, 16, 24))
    assert x.shape == (1, 12, 4, 6)
    with pytest.raises(ValueError, match="coarsest"):
        head(fine, 1)
    with pytest.raises(ValueError, match="coarsest"):
        head(coarse, 0, coarse)


def _c2f_tail(**knobs: object) -> CoarseToFineTail:
    torch.manual_seed(3)
    return CoarseToFineTail(channels=12, res_channels=8, hidden=4, **knobs)


def test_reference_compat_tail_uses_the_coarse_output_conv_and_skips_conv4_at_fine_scale() -> None:
    compat, fixed = _c2f_tail(reference_compat=True), _c2f_tail()
    fixed.load_state_dict(compat.state_dict())
    x, image = torch.rand(1, 12, 3, 3), torch.rand(1, 3, 12, 12)
    # coarse scale: identical in both modes
    torch.testing.assert_close(compat(x, image, 0), fixed(x, image, 0))
    # in compat mode the mid/fine output convs are dead weights
    before = [compat(x, image, s) for s in (1, 2)]
    with torch.no_grad():
        compat.out_conv[1].weight.add_(1.0)
        compat.out_conv[2].weight.add_(1.0)
    for s, out in zip((1, 2), before, strict=True):
        torch.testing.assert_close(compat(x, image, s), out)
    # fine scale of compat == default mode with conv4 made the identity (its input is >= 0 after a ReLU) and
    # out_conv[2] replaced by out_conv[0]
    with torch.no_grad():
        conv4 = fixed.shared_conv2[1]
        conv4.weight.zero_()
        conv4.bias.zero_()
        for i in range(conv4.weight.shape[0]):
            conv4.weight[i, i, 1, 1] = 1.0
        fixed.out_conv[2].load_state_dict(fixed.out_conv[0].state_dict())
    torch.testing.assert_close(compat(x, image, 2), fixed(x, image, 2))


def test_default_tail_uses_its_own_output_conv_per_scale() -> None:
    tail = _c2f_tail()
    x, image = torch.rand(1, 12, 3, 3), torch.rand(1, 3, 12, 12)
    before = tail(x, image, 1)
    with torch.no_grad():
        tail.out_conv[1].weight.add_(0.5)
    assert not torch.allclose(tail(x, image, 1), before)


@pytest.mark.parametrize(
    "tail",
    [
        lambda: RainTail(channels=12, hidden=6, residual_init="zero"),
        lambda: PixelShuffleTail(channels=12, mid_channels=8, hidden=4, residual_init="zero"),
        lambda: CoarseToFineTail(channels=12, res_channels=8, hidden=4, residual_init="zero"),
    ],
)
def test_zero_residual_init_starts_as_identity(tail: object) -> None:
    module = tail()
    image = torch.rand(1, 3, 16, 16)
    up = 2 if isinstance(module, RainTail) else 4
    x = torch.rand(1, 12, 16 // up, 16 // up)
    out = module(x, image, 2) if isinstance(module, CoarseToFineTail) else module(x, image)
    assert torch.equal(out, image)
    out.sum().backward()
    last = module.out_conv[2] if isinstance(module, CoarseToFineTail) else module.out_conv
    assert last.weight.grad is not None and last.weight.grad.abs().sum() > 0


def test_plain_head_and_tail_shapes() -> None:
    head, tail = PlainHead(channels=12, res_channels=8, hidden=4), PixelShuffleTail(channels=12)
    image = torch.rand(2, 3, 20, 12)
    x, res = head(image)
    assert x.shape == (2, 12, 5, 3) and res.shape == (2, 8, 10, 6)
    assert tail(x, image).shape == image.shape


def test_leaky_relu_option_and_errors() -> None:
    head = CoarseToFineHead(channels=12, res_channels=8, hidden=4, act="leaky_relu")
    assert isinstance(head.act, torch.nn.LeakyReLU)
    with pytest.raises(ValueError, match="activation"):
        CoarseToFineHead(act="gelu")
    with pytest.raises(ValueError, match="reference_compat"):
        CoarseToFineTail(act="leaky_relu", reference_compat=True)
    with pytest.raises(ValueError, match="residual_init"):
        RainTail(residual_init="small")
