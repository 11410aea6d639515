import pytest
import torch

from zoo.layers import InsNorm, PaddedConv2d, SEResBlock, build_norm, same_conv


def _channel_means(x: torch.Tensor) -> torch.Tensor:
    return x.mean(dim=(0, 2, 3))


def test_insnorm_corrected_uses_shift_and_reference_adds_scale():
    x = torch.randn(2, 3, 8, 9) * 4 + 2
    for compat in (False, True):
        norm = InsNorm(3, reference_compat=compat)
        with torch.no_grad():
            norm.scale.fill_(2.0)
            norm.shift.fill_(-1.0)
        out = norm(x)
        expected_mean = 2.0 if compat else -1.0
        assert torch.allclose(_channel_means(out), torch.full((3,), expected_mean), atol=1e-5)
        # per-sample, per-channel standard deviation equals the scale
        assert torch.allclose(out.std(dim=(2, 3), correction=0), torch.full((2, 3), 2.0), atol=1e-4)


def test_insnorm_reference_initialisation_and_unused_shift():
    torch.manual_seed(1)
    ref = InsNorm(16, reference_compat=True)
    assert (ref.scale > 0).all() and (ref.scale < 1).all() and not torch.all(ref.scale == ref.scale[0])
    ref(torch.randn(1, 16, 4, 4)).sum().backward()
    assert ref.shift.grad is None  # the reference never uses its shift
    corrected = InsNorm(16)
    assert torch.equal(corrected.scale, torch.ones(16)) and torch.equal(corrected.shift, torch.zeros(16))


def test_same_conv_padding_modes_keep_size_and_share_keys():
    x = torch.rand(1, 2, 9, 10)
    reflect = same_conv(2, 4, 3, dilation=2, padding="reflect")
    zero = same_conv(2, 4, 3, dilation=2, padding="reference")
    assert isinstance(zero, PaddedConv2d) and zero.mode == "zero" and reflect.mode == "reflect"
    assert reflect.state_dict().keys() == zero.state_dict().keys()
    zero.load_state_dict(reflect.state_dict())
    a, b = reflect(x), zero(x)
    assert a.shape == b.shape == (1, 4, 9, 10)
    assert torch.allclose(a[..., 2:-2, 2:-2], b[..., 2:-2, 2:-2], atol=1e-6)  # interior identical
    assert not torch.allclose(a, b)  # borders differ
    assert same_conv(2, 4, 5, dilation=1, padding="reference").mode == "reflect"
    assert same_conv(2, 4, 3, stride=2, padding="zero")(x).shape == (1, 4, 5, 5)


def test_same_conv_rejects_bad_arguments():
    with pytest.raises(ValueError, match="only right for 3x3"):
        same_conv(2, 2, 5, dilation=2, padding="reference")
    with pytest.raises(ValueError, match="unknown padding"):
        same_conv(2, 2, 3, padding="circular")
    with pytest.raises(ValueError, match="even"):
        same_conv(2, 2, 4)
    with pytest.raises(ValueError, match="unknown norm"):
        build_norm("layer", 4)


def test_se_resblock_hosts_any_attention():
    block = SEResBlock(8, dict(type="tv_gap"), hidden=5, norm="batch")
    assert type(block.attention).__name__ == "TVGapAttention"
    assert block.attention.fc[0].in_features == 16 and block.attention.fc[0].out_features == 5
    out = block(torch.rand(2, 8, 6, 7))
    assert out.shape == (2, 8, 6, 7) and (out >= 0).all()
