import math

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from zoo.attention import SEAttention, TVGapAttention
from zoo.models.mbn import MBN, MinimalMBN
from zoo.registry import create_model, get_model_info

FACTORS = ("rain", "blur", "jpeg", "haze")


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def tiny(name: str = "mbn", **knobs: object) -> torch.nn.Module:
    knobs = {"width": 0.25, **knobs}
    if name != "mbn_minimal":
        knobs.setdefault("rain_iters", 1)
    return create_model(name, **knobs)


# ---------------------------------------------------------------- exact sizes at full width (cheap to build)
def test_full_model_parameter_counts() -> None:
    model = create_model("mbn")
    assert n_params(model) == 11_254_072
    assert sum(n_params(b) for b in model.blocks[:5]) == 3_937_440
    # parameters on each factor's path (spec section 7.1): input branch + stem + extra blocks + output branch
    per_factor = {"rain": 4_293_539, "blur": 6_381_609, "jpeg": 7_808_073, "haze": 7_977_827}
    for factor, expected in per_factor.items():
        path = model.blocks[: 5 + model.positions[factor]]
        assert n_params(model.head(factor)) + n_params(path) + n_params(model.tails[factor]) == expected, factor


def test_reference_compat_has_the_same_parameters_and_keys() -> None:
    fixed, compat = create_model("mbn"), create_model("mbn", reference_compat=True)
    assert n_params(compat) == 11_254_072
    assert list(fixed.state_dict()) == list(compat.state_dict())


def test_minimal_parameter_counts() -> None:
    flat = create_model("mbn_minimal")
    assert n_params(flat) == 74_784 + 3_937_440 + 4 * 128_579
    text = create_model("mbn_minimal", input_widths="text")
    assert n_params(text.head("rain")) == 125_952
    assert text.blocks[0].t1_conv.out_channels == 96  # the text's 96-channel residual stream
    stacked = create_model("mbn_minimal", alignment=("rain", "blur", "jpeg", "haze"))
    assert len(stacked.blocks) == 8
    assert n_params(stacked) == n_params(flat) + 984_096 + 2 * 1_426_464


def test_width_scales_every_channel() -> None:
    model = tiny()
    block = model.blocks[0]
    assert block.t1_expand.in_channels == 24 and block.t1_conv.out_channels == 16
    assert block.container.attention.fc[0].out_features == 16  # 64 * 0.25
    assert block.t2_se_block.attention.fc[0].out_features == 24  # 96 * 0.25
    assert model.heads["rain"].lstm.hidden == 8
    assert model.tails["rain"].conv.in_channels == 12
    assert n_params(tiny(width=0.5)) < n_params(create_model("mbn"))


def test_info_metadata() -> None:
    for name in ("mbn", "mbn_minimal", "rmbn"):
        info = get_model_info(name)
        assert info.paper == "Liu et al. 2019, arXiv 1907.04508"
        assert info.factors == FACTORS
    model = create_model("mbn", width=0.125)
    assert get_model_info("mbn").size_multiple(model) == model.size_multiple() == 16
    assert get_model_info("mbn").size_multiple(model, "haze") == model.size_multiple("haze") == 4


# ------------------------------------------------------------------------------------------- forward
@pytest.mark.parametrize("factor", FACTORS)
@pytest.mark.parametrize("size", [(32, 32), (37, 45)])
def test_forward_shapes_any_size(factor: str, size: tuple[int, int]) -> None:
    model = tiny().eval()
    x = torch.rand(2, 3, *size)
    with torch.no_grad():
        out = model(x, factor)
        scales = model(x, factor, all_scales=True)
    assert out.shape == x.shape
    torch.testing.assert_close(scales[-1], out)
    if factor in ("blur", "jpeg"):
        h, w = size
        assert [s.shape[-2:] for s in scales] == [
            (math.ceil(h / 4), math.ceil(w / 4)),
            (math.ceil(h / 2), math.ceil(w / 2)),
            (h, w),
        ]
    else:
        assert len(scales) == 1


def test_outputs_are_input_plus_bounded_residual() -> None:
    model = tiny().eval()
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        for factor in FACTORS:
            diff = model(x, factor) - x
            assert diff.abs().max() < 1.0
            if factor != "rain" or model.rain_iters == 1:
                assert diff.abs().max() > 0


@pytest.mark.parametrize("name", ["mbn", "mbn_minimal"])
def test_zero_residual_init_gives_the_identity_for_every_factor(name: str) -> None:
    model = tiny(name, residual_init="zero")
    x = torch.rand(1, 3, 20, 28)
    for factor in FACTORS:
        assert torch.equal(model(x, factor), x)


def test_batch_items_are_independent() -> None:
    model = tiny().eval()
    x = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        for factor in ("blur", "haze"):
            both = model(x, factor)
            torch.testing.assert_close(both[1:], model(x[1:], factor))


def test_unknown_factor_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="rain, blur, jpeg, haze"):
        tiny()(torch.rand(1, 3, 16, 16), "noise")
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\)"):
        tiny()(torch.rand(1, 1, 16, 16), "haze")


def test_attention_swap_reaches_every_block() -> None:
    model = create_model(dict(type="mbn", width=0.25, rain_iters=1, block=dict(attention=dict(type="se"))))
    assert all(isinstance(b.container.attention, SEAttention) for b in model.blocks)
    default = tiny()
    assert all(isinstance(b.container.attention, TVGapAttention) for b in default.blocks)
    assert model(torch.rand(1, 3, 16, 16), "haze").shape == (1, 3, 16, 16)


def test_block_config_keeps_the_per_block_kernels() -> None:
    model = tiny(block=dict(fusion=False))
    assert [b.k1 for b in model.blocks] == [3, 5, 3, 5, 7, 7, 11, 11]
    assert not any(b.fusion for b in model.blocks)


def test_alignment_sets_positions_and_extra_blocks() -> None:
    model = tiny(alignment=("haze", "rain+blur", "jpeg"))
    assert model.positions == {"haze": 0, "rain": 1, "blur": 1, "jpeg": 2}
    assert len(model.blocks) == 7
    three = tiny(alignment=("rain", "blur", "haze"))
    assert three.factors == ("rain", "blur", "haze")
    with pytest.raises(ValueError, match="jpeg"):
        three(torch.rand(1, 3, 16, 16), "jpeg")
    with pytest.raises(ValueError, match="twice"):
        tiny(alignment=("rain", "rain"))
    with pytest.raises(ValueError, match="positions"):
        tiny(alignment=("rain", "blur", "jpeg", "haze", "rain"))


def test_alignment_decides_which_blocks_a_factor_uses() -> None:
    model = tiny(alignment=("haze", "rain", "blur", "jpeg")).eval()
    x = torch.rand(1, 3, 16, 16)
    with torch.no_grad():
        haze, rain = model(x, "haze"), model(x, "rain")
        model.blocks[5].merge.weight.add_(1.0)  # M6 now sits between haze's and rain's tails
        torch.testing.assert_close(model(x, "haze"), haze)
        assert not torch.allclose(model(x, "rain"), rain)


def test_leaky_relu_knob_reaches_the_coarse_to_fine_branches() -> None:
    model = tiny(act="leaky_relu")
    for factor in ("blur", "jpeg"):
        assert isinstance(model.head(factor).act, torch.nn.LeakyReLU)
        assert isinstance(model.tails[factor].act, torch.nn.LeakyReLU)


def test_gradients_reach_every_parameter_of_a_path() -> None:
    model = tiny()
    model(torch.rand(1, 3, 16, 16), "haze").mean().backward()
    used = [p for n, p in model.named_parameters() if n.startswith(("heads.haze", "tails.haze", "blocks"))]
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in used)


def test_shared_input_branch_of_the_minimal_design() -> None:
    model = tiny("mbn_minimal")
    assert list(model.heads) == ["shared"]
    assert all(model.head(f) is model.heads["shared"] for f in FACTORS)
    x = torch.rand(1, 3, 21, 19)
    assert {model(x, f).shape for f in FACTORS} == {x.shape}
    assert isinstance(model, MinimalMBN) and isinstance(model, MBN)


# --------------------------------------------------------------------------------------- FLOPs
def _meta_flops(name: str, factor: str | None = None, **knobs: object) -> int:
    with torch.device("meta"):
        model = create_model(name, **knobs)
        x = torch.rand(1, 3, 256, 256)
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(x) if factor is None else model(x, factor)
    return counter.get_total_flops()


def test_rmbn_flops_at_256() -> None:
    assert _meta_flops("rmbn") == pytest.approx(1.445e12, rel=0.01)


@pytest.mark.parametrize(
    ("factor", "expected"),
    [("jpeg", 163_502_075_904), ("haze", 144_058_056_704), ("blur", 122_148_151_296), ("rain", 1_015_064_739_840)],
)
def test_reference_compat_step_flops_match_the_reference_exactly(factor: str, expected: int) -> None:
    assert _meta_flops("rmbn", factor, reference_compat=True) == expected


@pytest.mark.slow
def test_full_width_forward_small_image() -> None:
    model = create_model("mbn").eval()
    x = torch.rand(1, 3, 32, 32)
    with torch.inference_mode():
        for factor in FACTORS:
            assert model(x, factor).shape == x.shape
