import pytest
import torch

from zoo.models.rmbn import DEFAULT_ORDER, RecurrentMBN
from zoo.registry import create_model


def tiny(**knobs: object) -> RecurrentMBN:
    return create_model("rmbn", **{"width": 0.25, "rain_iters": 1, **knobs})


def test_default_order_is_j_h_b_r() -> None:
    assert DEFAULT_ORDER == ("jpeg", "haze", "blur", "rain")
    assert tiny().order == DEFAULT_ORDER


def test_mbn_checkpoint_loads_into_rmbn(tmp_path: object) -> None:
    from zoo.registry import save_release_weights

    mbn = create_model("mbn", width=0.25, rain_iters=1)
    path = tmp_path / "mbn.safetensors"
    save_release_weights(mbn.state_dict(), path, {"arch": "mbn"})
    rmbn = create_model("rmbn", checkpoint=path, width=0.25, rain_iters=1)
    x = torch.rand(1, 3, 24, 24)
    with torch.no_grad():
        for factor in ("rain", "blur", "jpeg", "haze"):
            torch.testing.assert_close(rmbn(x, factor), mbn.eval()(x, factor))


def test_chain_is_the_sequence_of_clamped_mbn_steps() -> None:
    model = tiny().eval()
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        final, steps = model(x, return_steps=True)
        current = x
        for factor in model.order:
            current = model(current, factor).clamp(0, 1)
            torch.testing.assert_close(steps[factor], current, atol=1e-5, rtol=1e-5)
    assert list(steps) == list(model.order)
    torch.testing.assert_close(final, current, atol=1e-5, rtol=1e-5)
    assert final.min() >= 0 and final.max() <= 1


def test_order_is_configurable() -> None:
    model = tiny(order=("rain", "haze")).eval()
    x = torch.rand(1, 3, 20, 20)
    with torch.no_grad():
        final, steps = model(x, return_steps=True)
        expected = model(model(x, "rain").clamp(0, 1), "haze").clamp(0, 1)
    assert list(steps) == ["rain", "haze"]
    torch.testing.assert_close(final, expected)
    with pytest.raises(ValueError, match="unknown factor"):
        tiny(order=("jpeg", "noise"))
    with pytest.raises(ValueError, match="repeats"):
        tiny(order=("jpeg", "jpeg"))


def test_odd_sizes_and_batches() -> None:
    model = tiny().eval()
    x = torch.rand(2, 3, 37, 45)
    with torch.no_grad():
        assert model(x).shape == x.shape
        assert model(x, "blur").shape == x.shape


def test_forward_steps_are_unclamped_with_gradients() -> None:
    model = tiny()
    x = torch.rand(1, 3, 16, 16, requires_grad=True)
    steps = model.forward_steps(x)
    assert [f for f, _ in steps] == list(model.order)
    assert all(out.requires_grad and out.shape == x.shape for _, out in steps)
    loss = 0.8 * steps[0][1].mean() + 0.2 * steps[-1][1].mean()
    loss.backward()
    # the final output's loss reaches the first step's branch through the clamps
    assert model.heads["jpeg"].scale_conv1[0].weight.grad.abs().sum() > 0
    assert x.grad is not None


def test_final_step_loss_flows_back_through_the_chain() -> None:
    model = tiny()
    steps = model.forward_steps(torch.rand(1, 3, 16, 16) * 0.5 + 0.25)
    steps[-1][1].mean().backward()
    assert model.tails["jpeg"].out_conv[2].weight.grad.abs().sum() > 0


def test_return_steps_needs_the_chain() -> None:
    with pytest.raises(ValueError, match="return_steps"):
        tiny()(torch.rand(1, 3, 16, 16), "haze", return_steps=True)
