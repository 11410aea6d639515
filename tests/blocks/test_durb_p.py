import pytest
import torch

from zoo.blocks.durb_p import DuRBP
from zoo.blocks.durb_s import DuRBS
from zoo.registry import BLOCKS


def conv_params(c_in: int, c_out: int, k: int, bias: bool = True) -> int:
    return c_in * c_out * k * k + (c_out if bias else 0)


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_registered_and_built_from_config():
    block = BLOCKS.build(dict(type="durb_p", channels=8, k1=5, dilation=2, k2=3))
    assert isinstance(block, DuRBP)
    assert isinstance(BLOCKS.build(dict(type="durb_s", channels=8)), DuRBS)


@pytest.mark.parametrize("cls", [DuRBP, DuRBS])
@pytest.mark.parametrize("norm", ["batch", "instance", None])
def test_shapes_odd_sizes_and_nonnegative_outputs(cls, norm):
    block = cls(channels=8, k1=7, dilation=2, k2=5, norm=norm)
    x, res = torch.rand(2, 8, 15, 17), torch.rand(2, 8, 15, 17)
    x2, res2 = block(x, res)
    assert x2.shape == res2.shape == x.shape
    assert (x2 >= 0).all() and (res2 >= 0).all()  # both leave through a ReLU
    assert not torch.allclose(res2, res)


def test_durb_p_parameter_count_matches_spec_layout():
    # DuRN-P block (k1, k2) = (5, 3), 32 channels, BatchNorm: 4 convs with bias + 4 BN (2 C each)
    c = 32
    expected = 2 * conv_params(c, c, 3) + conv_params(c, c, 5) + conv_params(c, c, 3) + 4 * 2 * c
    assert n_params(DuRBP(c, k1=5, k2=3, norm="batch")) == expected
    assert n_params(DuRBP(c, k1=5, k2=3, norm=None)) == expected - 4 * 2 * c


def test_durb_s_parameter_count_matches_spec_layout():
    # DuRN-S block: DuRB-P(64) + SE-ResBlock (2 bias-free convs, 2 BN, SE 64 -> 32 -> 64)
    c, h = 64, 32
    plain = n_params(DuRBP(c, k1=11, k2=7, dilation=3))
    se_block = 2 * conv_params(c, c, 3, bias=False) + 2 * 2 * c + (c * h + h) + (h * c + c)
    assert n_params(DuRBS(c, k1=11, k2=7, dilation=3)) == plain + se_block


def test_durb_s_attention_config_and_hidden_width():
    block = DuRBS(16, attention=dict(type="tv"), hidden=6)
    assert type(block.se_block.attention).__name__ == "TVAttention"
    assert block.se_block.attention.fc[0].out_features == 6
    assert DuRBS(128).se_block.attention.fc[0].out_features == 64  # C / 2, as in DuRN-S-P


def test_reference_compat_pads_dilated_t1_with_zeros():
    corrected = DuRBP(8, k1=3, dilation=4, norm=None)
    compat = DuRBP(8, k1=3, dilation=4, norm=None, reference_compat=True)
    compat.load_state_dict(corrected.state_dict())
    x = torch.rand(1, 8, 12, 12)
    assert corrected.t1_conv.mode == "reflect" and compat.t1_conv.mode == "zero"
    assert not torch.allclose(corrected(x, x)[0], compat(x, x)[0])
    with pytest.raises(ValueError, match="3x3"):
        DuRBP(8, k1=5, dilation=2, reference_compat=True)
