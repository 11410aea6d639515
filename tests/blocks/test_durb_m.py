import pytest
import torch

from zoo.attention import NoAttention, SEAttention, TVAttention, TVGapAttention
from zoo.blocks.durb_m import DuRBM
from zoo.registry import BLOCKS


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# (k1, dilation, k2) and the reference parameter counts of M1..M8 (spec section 3.1)
PAPER_BLOCKS = [
    ((3, 2, 3), 640_032),
    ((5, 1, 3), 738_336),
    ((3, 2, 5), 738_336),
    ((5, 1, 5), 836_640),
    ((7, 1, 5), 984_096),
    ((7, 2, 5), 984_096),
    ((11, 1, 5), 1_426_464),
    ((11, 1, 5), 1_426_464),
]


@pytest.mark.parametrize(("kernels", "expected"), PAPER_BLOCKS)
def test_parameter_count_matches_reference(kernels: tuple[int, int, int], expected: int) -> None:
    k1, dilation, k2 = kernels
    block = BLOCKS.build(dict(type="durb_m", k1=k1, dilation=dilation, k2=k2))
    assert n_params(block) == expected


def test_parameter_split_of_m1() -> None:
    block = DuRBM(k1=3, dilation=2, k2=3)
    assert n_params(block.container) == 184_480
    assert n_params(block.container.attention) == 18_592
    assert n_params(block.t1_expand) == 37_248
    assert n_params(block.t1_conv) == 55_360
    assert n_params(block.t2_conv) == 55_392
    assert n_params(block.t2_se_block) == 86_176
    assert n_params(block.t2_se_block.attention) == 12_448
    assert n_params(block.t2_se_conv) == 55_392
    assert n_params(block.merge) == 165_984


def tiny(**knobs: object) -> DuRBM:
    cfg = dict(type="durb_m", k1=5, dilation=2, k2=5, channels=12, res_channels=8, attention_hidden=6, se_hidden=10)
    cfg.update(knobs)
    return BLOCKS.build(cfg)


def test_shapes_and_residual_stream() -> None:
    block = tiny()
    x, res = torch.rand(2, 12, 6, 7), torch.rand(2, 8, 12, 14)
    x2, res2 = block(x, res)
    assert x2.shape == x.shape and res2.shape == res.shape
    assert (x2 >= 0).all() and (res2 >= 0).all()  # both leave through a ReLU
    assert not torch.equal(res2, res)


def test_inputs_are_not_modified_in_place() -> None:
    block = tiny()
    x, res = torch.rand(1, 12, 6, 6), torch.rand(1, 8, 12, 12)
    x0, res0 = x.clone(), res.clone()
    block(x, res)
    assert torch.equal(x, x0) and torch.equal(res, res0)


# Table 1 rows of the paper as configs: (attention type, fusion)
TABLE1 = {
    "none": (dict(type="none"), False, NoAttention),
    "tv": (dict(type="tv"), False, TVAttention),
    "gap": (dict(type="se"), False, SEAttention),
    "fusion": (dict(type="none"), True, NoAttention),
    "all": (dict(type="tv_gap", beta=3), True, TVGapAttention),
}


@pytest.mark.parametrize("row", sorted(TABLE1))
def test_table1_rows_are_configs(row: str) -> None:
    attention, fusion, cls = TABLE1[row]
    block = tiny(attention=attention, fusion=fusion)
    assert type(block.container.attention) is cls
    assert hasattr(block, "merge") == fusion and hasattr(block, "t2_conv") == fusion
    assert isinstance(block.t2_se_block.attention, SEAttention)
    x, res = torch.rand(1, 12, 4, 4), torch.rand(1, 8, 8, 8)
    out, _ = block(x, res)
    assert out.shape == x.shape
    loss = out.sum()
    loss.backward()
    assert all(p.grad is not None for p in block.parameters())


def test_default_block_is_the_paper_block() -> None:
    block = DuRBM()
    assert isinstance(block.container.attention, TVGapAttention)
    assert block.container.attention.beta == 3
    assert block.container.attention.fc[0].in_features == 192 and block.container.attention.fc[0].out_features == 64
    assert block.t2_se_block.attention.fc[0].out_features == 96  # SE hidden wider than its 64 inputs
    assert block.fusion


def test_fusion_adds_the_plain_path_and_the_merge() -> None:
    with_fusion = n_params(tiny(fusion=True))
    single = n_params(tiny(fusion=False))
    plain = n_params(tiny(fusion=False, single_path="conv"))
    assert with_fusion > single > plain


def test_attention_hidden_from_config_wins_over_the_default() -> None:
    block = tiny(attention=dict(type="tv_gap", hidden=5))
    assert block.container.attention.fc[0].out_features == 5


def test_bad_knobs_raise() -> None:
    with pytest.raises(ValueError, match="odd"):
        tiny(k1=4)
    with pytest.raises(ValueError, match="single_path"):
        tiny(fusion=False, single_path="both")


@pytest.mark.parametrize(("kernels", "min_x"), [((3, 2, 3), 2), ((7, 2, 5), 4), ((11, 1, 5), 3)])
def test_min_size_is_the_smallest_working_size(kernels: tuple[int, int, int], min_x: int) -> None:
    k1, dilation, k2 = kernels
    block = tiny(k1=k1, dilation=dilation, k2=k2)
    assert block.min_size() == min_x
    block(torch.rand(1, 12, min_x, min_x), torch.rand(1, 8, 2 * min_x, 2 * min_x))
    if min_x > 2:
        with pytest.raises(RuntimeError):
            block(torch.rand(1, 12, min_x - 1, min_x - 1), torch.rand(1, 8, 2 * min_x - 2, 2 * min_x - 2))
