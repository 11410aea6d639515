import pytest
import torch

from zoo.baselines.owan import OPERATIONS, OWAN, OperationWiseAttention, build_operation
from zoo.registry import create_model, get_model_info, list_models

TINY = dict(channels=4, groups=2, layers_per_group=2)


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_registered_with_metadata():
    assert "owan" in list_models()
    info = get_model_info("owan")
    assert "Suganuma" in info.paper and info.learned and info.size_multiple(None) == 1


def test_parameter_count_of_the_authors_configuration():
    # our derivation for C = 16, 10 groups x 4 layers, 8 operations (no source states the count)
    c, k, n = 16, 4, 8
    sep = lambda kk: 2 * (c * kk * kk + c * c)  # noqa: E731
    dil = lambda kk: c * kk * kk + c * c  # noqa: E731
    layer = sep(1) + sep(3) + sep(5) + sep(7) + dil(3) + dil(5) + dil(7) + n * c * c
    attention = (c * 2 * k * n + 2 * k * n) + (2 * k * n * k * n + k * n)
    group = attention + c * c + k * layer
    features = 3 * c * 9 + 4 * 2 * c * 9
    expected = features + 10 * group + c * 3 * 9
    assert expected == 391_456
    assert n_params(create_model("owan")) == expected


@pytest.mark.parametrize("size", [(9, 11), (1, 5), (16, 16)])
def test_forward_any_size(size):
    model = OWAN(**TINY).eval()
    x = torch.rand(2, 3, *size)
    with torch.no_grad():
        y = model(x)
    assert y.shape == x.shape and torch.isfinite(y).all()


def test_default_model_forward_small_image():
    with torch.no_grad():
        y = create_model("owan").eval()(torch.rand(1, 3, 17, 13))
    assert y.shape == (1, 3, 17, 13) and torch.isfinite(y).all()


def test_attention_is_a_distribution_over_operations():
    att = OperationWiseAttention(8, layers=4, num_operations=len(OPERATIONS))
    w = att(torch.rand(3, 8, 5, 6))
    assert w.shape == (3, 4, 8)
    assert torch.allclose(w.sum(-1), torch.ones(3, 4)) and (w > 0).all()


@pytest.mark.parametrize("name", [*OPERATIONS, "max_pool_3x3", "sep_conv_9x9"])
def test_operations_keep_the_shape(name):
    op = build_operation(name, 6)
    assert op(torch.rand(1, 6, 7, 10)).shape == (1, 6, 7, 10)


def test_operation_parameter_counts_and_bad_names():
    assert n_params(build_operation("sep_conv_3x3", 16)) == 800
    assert n_params(build_operation("dil_conv_7x7", 16)) == 1040
    assert n_params(build_operation("avg_pool_3x3", 16)) == 0
    for bad in ("conv_3x3", "sep_conv_3x5", "dil_conv_4x4"):
        with pytest.raises(ValueError, match="unknown operation"):
            build_operation(bad, 4)


def test_global_residual_option():
    x = torch.rand(1, 3, 6, 6)
    for residual in (False, True):
        model = OWAN(**TINY, global_residual=residual)
        torch.nn.init.zeros_(model.output.weight)
        y = model(x)
        assert torch.allclose(y, x if residual else torch.zeros_like(x))


def test_rejects_non_rgb():
    with pytest.raises(ValueError, match="RGB"):
        OWAN(**TINY)(torch.rand(1, 1, 8, 8))


def test_gradient_step_reduces_loss_on_a_fixed_batch():
    torch.manual_seed(0)
    model = OWAN(**TINY, global_residual=True)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    x = torch.rand(2, 3, 12, 12)
    target = x * 0.5
    losses = []
    for _ in range(25):
        opt.zero_grad()
        loss = (model(x) - target).abs().mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert all(p.grad is not None for p in model.parameters())
    assert min(losses[-5:]) < 0.7 * losses[0]
