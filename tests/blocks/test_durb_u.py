import pytest
import torch

from zoo.blocks.durb_u import DuRBU
from zoo.blocks.durb_us import DuRBUS
from zoo.registry import BLOCKS


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_registered():
    assert isinstance(BLOCKS.build(dict(type="durb_u", channels=16)), DuRBU)
    assert isinstance(BLOCKS.build(dict(type="durb_us", channels=8, k1=5)), DuRBUS)


@pytest.mark.parametrize(("cls", "res_ratio"), [(DuRBU, 0.5), (DuRBUS, 1.0)])
def test_res_stream_is_twice_the_resolution(cls, res_ratio):
    c = 16
    block = cls(channels=c, k1=5)
    x = torch.rand(2, c, 5, 7)
    res = torch.rand(2, int(c * res_ratio), 10, 14)
    x2, res2 = block(x, res)
    assert x2.shape == x.shape and res2.shape == res.shape
    assert (x2 >= 0).all() and (res2 >= 0).all()


def test_paper_size_parameter_counts():
    # DuRB-U(256, f=3): 2 x conv3 256 + conv1 256->512 + conv3 128 + conv3 s2 128->256, InsNorm 2 C each
    conv = lambda i, o, k: i * o * k * k + o  # noqa: E731
    expected_u = 2 * conv(256, 256, 3) + conv(256, 512, 1) + conv(128, 128, 3) + conv(128, 256, 3)
    expected_u += 2 * (256 + 256 + 512 + 128 + 256)
    assert n_params(DuRBU(256, k1=3, dilation=3)) == expected_u
    # DuRB-US(64, f=11): 2 x conv3 + conv3 64->256 + conv11 + SE-ResBlock (no BN, SE 64->32->64) + conv3 s2
    se_block = 2 * 64 * 64 * 9 + (64 * 32 + 32) + (32 * 64 + 64)
    expected_us = 2 * conv(64, 64, 3) + conv(64, 256, 3) + conv(64, 64, 11) + se_block + conv(64, 64, 3)
    assert n_params(DuRBUS(64, k1=11)) == expected_us


def test_reference_compat_changes_insnorm_only_through_the_shift():
    corrected = DuRBU(8, k1=3, dilation=1)
    compat = DuRBU(8, k1=3, dilation=1, reference_compat=True)
    compat.load_state_dict(corrected.state_dict())
    x, res = torch.rand(1, 8, 4, 4), torch.rand(1, 4, 8, 8)
    assert not torch.allclose(corrected(x, res)[0], compat(x, res)[0])
    with torch.no_grad():  # with shift == scale everywhere the two forms agree
        for m in corrected.modules():
            if hasattr(m, "shift"):
                m.shift.copy_(m.scale)
    compat.load_state_dict(corrected.state_dict())
    assert torch.allclose(corrected(x, res)[0], compat(x, res)[0], atol=1e-6)


def test_channels_must_allow_pixel_shuffle():
    with pytest.raises(ValueError, match="divisible by 4"):
        DuRBU(channels=5)
