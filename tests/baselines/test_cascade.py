import pytest
import torch
from torch import nn

from zoo.baselines.cascade import DEFAULT_STEPS, Cascade
from zoo.registry import create_model, get_model_info, list_models

TINY_STEPS = [
    ("jpeg", dict(type="durn_p_rgb", width=0.125)),
    ("haze", dict(type="durn_us", width=0.125)),
    ("blur", dict(type="durn_u", width=0.125)),
    ("rain", dict(type="durn_s", width=0.125)),
]


class AddConstant(nn.Module):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.value


def test_registered_with_metadata():
    assert "cascade" in list_models()
    info = get_model_info("cascade")
    assert set(info.factors) == {"rain", "blur", "jpeg", "haze"} and info.learned


def test_default_is_the_four_dedicated_models_j_h_b_r():
    model = create_model("cascade")
    assert model.factors == ["jpeg", "haze", "blur", "rain"]
    assert [name for _, name in DEFAULT_STEPS] == ["durn_p_rgb", "durn_us", "durn_u", "durn_s"]
    assert [m.zoo_name for m in model.models] == ["durn_p_rgb", "durn_us", "durn_u", "durn_s"]
    # 815,651 + 9,070,915 + 12,856,579 + 3,729,923
    assert sum(p.numel() for p in model.parameters()) == 26_473_068


def test_clamps_between_steps():
    steps = [("a", AddConstant(0.7)), ("b", AddConstant(-0.5))]
    x = torch.full((1, 3, 2, 2), 0.5)
    final, outs = Cascade(steps)(x, return_steps=True)
    assert list(outs) == ["a", "b"]
    assert torch.allclose(outs["a"], torch.ones_like(x))  # 1.2 clamped to 1
    assert torch.allclose(final, torch.full_like(x, 0.5))
    assert final is outs["b"]
    unclamped = Cascade(steps, clamp=False)(x)
    assert torch.allclose(unclamped, torch.full_like(x, 0.7))


def test_tiny_dedicated_chain_any_size_and_range():
    model = create_model(dict(type="cascade", steps=TINY_STEPS)).eval()
    x = torch.rand(2, 3, 13, 18)
    with torch.no_grad():
        final, outs = model(x, return_steps=True)
    assert final.shape == x.shape and list(outs) == ["jpeg", "haze", "blur", "rain"]
    for out in outs.values():
        assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1
    # every step consumed the previous one's output: re-running the last model alone reproduces the final image
    with torch.no_grad():
        assert torch.allclose(model.models[-1](outs["blur"]).clamp(0, 1), final)


def test_steps_as_mapping_and_gradient_flows():
    model = Cascade({"haze": dict(type="durn_us", width=0.125), "rain": "identity"})
    x = torch.rand(1, 3, 12, 12)
    model(x).mean().backward()
    grads = [p.grad for p in model.models[0].parameters() if p.grad is not None]
    assert grads and any(g.abs().sum() > 0 for g in grads)


def test_bad_steps_raise():
    with pytest.raises(ValueError, match="unique"):
        Cascade([("rain", "identity"), ("rain", "identity")])
    with pytest.raises(ValueError, match="at least one"):
        Cascade([])
    with pytest.raises(ValueError, match="pair"):
        Cascade([("rain",)])
