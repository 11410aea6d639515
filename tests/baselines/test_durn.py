import pytest
import torch

from zoo.baselines.durn.common import scaled_width
from zoo.layers import pad_to_multiple
from zoo.registry import create_model, get_model_info, list_models

# Parameter counts of the paper-size networks, derived from the layouts in spec/architecture.md section 4
# (0.816 M, 0.816 M, 3.730 M, 12.857 M, 9.071 M, 10.177 M).
PARAMS = {
    "durn_p": 816_225,
    "durn_p_rgb": 815_651,
    "durn_s": 3_729_923,
    "durn_u": 12_856_579,
    "durn_us": 9_070_915,
    "durn_s_p": 10_176_963,
}
SPEC_MILLIONS = {"durn_p": 0.816, "durn_p_rgb": 0.816, "durn_s": 3.730, "durn_u": 12.857, "durn_us": 9.071,
                 "durn_s_p": 10.177}  # fmt: skip
TINY = 0.125
NAMES = sorted(PARAMS)
# The networks whose reference code has quirks to reproduce (reference_compat=True); DuRN-P/S have none.
WITH_REFERENCE_MODE = ("durn_s_p", "durn_u", "durn_us")


def channels_of(name: str) -> int:
    return 1 if name == "durn_p" else 3


def n_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_all_registered_with_metadata():
    assert set(NAMES) <= set(list_models("durn_*"))
    for name in NAMES:
        info = get_model_info(name)
        assert info.paper == "Liu, Suganuma, Sun, Okatani, CVPR 2019 (DuRN)"
        assert info.learned and info.description and info.notes
        model = create_model(name, width=0.125)
        expected = 4 if name in ("durn_u", "durn_us", "durn_s_p") else 1
        assert info.size_multiple(model) == model.size_multiple() == expected
        assert info.min_size(model) == model.min_size() > 1
    assert get_model_info("durn_p_rgb").factors == ("jpeg",)
    assert "different network" in get_model_info("durn_p_rgb").notes


@pytest.mark.parametrize("name", NAMES)
def test_exact_parameter_counts(name):
    count = n_params(create_model(name))
    assert count == PARAMS[name]
    assert round(count / 1e6, 3) == SPEC_MILLIONS[name]


@pytest.mark.parametrize(
    ("name", "compat"), [(n, False) for n in NAMES] + [(n, True) for n in WITH_REFERENCE_MODE]
)
@pytest.mark.parametrize("size", [(13, 21), (5, 7), (32, 31)])
def test_forward_any_size_and_range(name, compat, size):
    model = create_model(name, width=TINY, **(dict(reference_compat=True) if compat else {})).eval()
    x = torch.rand(2, channels_of(name), *size)
    with torch.no_grad():
        y = model(x)
    assert y.shape == x.shape
    assert torch.isfinite(y).all()
    # raw output = input +- tanh(.): inside (-1, 2), and within 1 of the input
    assert (y > -1).all() and (y < 2).all() and ((y - x).abs() < 1).all()


def test_networks_without_reference_quirks_refuse_reference_compat():
    for name in sorted(set(NAMES) - set(WITH_REFERENCE_MODE)):
        with pytest.raises(TypeError, match="reference_compat"):
            create_model(name, width=TINY, reference_compat=True)


@pytest.mark.parametrize("name", WITH_REFERENCE_MODE)
def test_reference_compat_differs_only_where_the_reference_has_quirks(name):
    corrected = create_model(name, width=TINY).eval()
    compat = create_model(name, width=TINY, reference_compat=True).eval()
    compat.load_state_dict(corrected.state_dict())  # same keys in both forms
    x = torch.rand(1, channels_of(name), 24, 28)
    with torch.no_grad():
        diff = (corrected(x) - compat(x)).abs().max().item()
    # DuRN-US's paper blocks have no dilation and no norm
    if name in ("durn_u", "durn_s_p"):
        assert diff > 1e-3
    else:
        assert diff == 0.0


def test_durn_s_p_reference_output_sign():
    x = torch.rand(1, 3, 16, 20)
    for compat, sign in ((False, 1.0), (True, -1.0)):
        model = create_model("durn_s_p", width=TINY, reference_compat=compat).eval()
        conv = torch.nn.Conv2d(model.tail[0][0].in_channels, 3, 1)
        model.tail = torch.nn.Sequential(torch.nn.Upsample(scale_factor=4), conv, torch.nn.Tanh())
        with torch.no_grad():
            conv.weight.zero_()
            conv.bias.fill_(0.25)
            y = model(x)
        assert torch.allclose(y, x + sign * torch.tanh(torch.tensor(0.25)), atol=1e-6)


def test_durn_s_p_reference_first_conv_shrinks_by_two_pixels():
    compat = create_model("durn_s_p", width=TINY, reference_compat=True)
    corrected = create_model("durn_s_p", width=TINY)
    x = torch.rand(1, 3, 16, 16)
    assert compat.head[0][0](x).shape[-1] == 14
    assert corrected.head[0][0](x).shape[-1] == 16


def test_grey_model_restores_rgb_per_channel():
    model = create_model("durn_p", width=TINY).eval()
    x = torch.rand(2, 3, 11, 9)
    with torch.no_grad():
        y = model(x)
        per_channel = torch.cat([model(x[:, c : c + 1]) for c in range(3)], dim=1)
    assert torch.allclose(y, per_channel, atol=1e-6)


def test_wrong_channel_counts_raise():
    with pytest.raises(ValueError, match="expected 1"):
        create_model("durn_p", width=TINY)(torch.rand(1, 2, 8, 8))
    with pytest.raises(ValueError, match="expected 3"):
        create_model("durn_u", width=TINY)(torch.rand(1, 1, 8, 8))
    with pytest.raises(ValueError, match="B, C, H, W"):
        create_model("durn_s", width=TINY)(torch.rand(3, 8, 8))


@pytest.mark.parametrize("name", NAMES)
def test_gradient_step(name):
    torch.manual_seed(0)
    model = create_model(name, width=TINY).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(2, channels_of(name), 16, 16)
    target = x.flip(-1)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    loss = (model(x) - target).abs().mean()
    loss.backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)
    opt.step()
    changed = [k for k, v in model.state_dict().items() if v.dtype.is_floating_point and not torch.equal(v, before[k])]
    assert len(changed) > len(before) // 2


def test_width_knob_and_block_config():
    assert scaled_width(64, 1.0) == 64 and scaled_width(64, 0.125) == 8 and scaled_width(32, 0.01) == 4
    with pytest.raises(ValueError, match="positive"):
        scaled_width(64, 0)
    assert n_params(create_model("durn_s", width=0.5)) < PARAMS["durn_s"] / 3
    swapped = create_model("durn_s", width=TINY, block=dict(attention=dict(type="tv_gap")))
    assert type(swapped.blocks[0].se_block.attention).__name__ == "TVGapAttention"


def test_pad_to_multiple_min_size_min_size_and_tiny_inputs():
    x = torch.rand(1, 3, 5, 1)
    padded = pad_to_multiple(x, multiple=4, min_size=13)
    assert padded.shape[-2:] == (16, 16)
    assert torch.equal(padded[..., :5, :1], x)
    assert torch.equal(padded[..., 5, 0], x[..., 3, 0])  # reflection, not repetition
    assert pad_to_multiple(x, multiple=1).shape == x.shape
