"""Every registered model against its declared contract (ModelInfo): build, odd-size forward, zoo.restore agreement.

New models are covered without editing this file; ``SMALL`` only makes the big networks cheap to build.
"""

import inspect

import numpy as np
import pytest
import torch

import zoo
from zoo.registry import MODELS, create_model, get_model_info, list_models, model_info_of

HEIGHT, WIDTH = 37, 53  # odd, and a multiple of nothing the networks need: every model has to pad and crop back

SMALL = {
    "mbn": dict(width=0.125, rain_iters=1),
    "mbn_minimal": dict(width=0.125),
    "rmbn": dict(width=0.125, rain_iters=1),
    "durn_p": dict(width=0.125),
    "durn_p_rgb": dict(width=0.125),
    "durn_s": dict(width=0.125),
    "durn_s_p": dict(width=0.125),
    "durn_u": dict(width=0.125),
    "durn_us": dict(width=0.125),
    "owan": dict(channels=8, groups=2, layers_per_group=2),
    "detector": dict(channels=(8, 8, 8), hidden=16),
    "cascade": dict(
        steps=[
            ("jpeg", dict(type="durn_p_rgb", width=0.125)),
            ("haze", dict(type="durn_us", width=0.125)),
            ("blur", dict(type="durn_u", width=0.125)),
            ("rain", dict(type="durn_s", width=0.125)),
        ]
    ),
}


def _kwargs(name: str) -> dict:
    return SMALL.get(name, {})


def _image() -> torch.Tensor:
    return torch.rand(1, 3, HEIGHT, WIDTH, generator=torch.Generator().manual_seed(0))


def _oracle_kernel() -> np.ndarray:
    kernel = np.zeros((5, 5))
    kernel[2, 1:4] = 1 / 3
    return kernel


def _calls(info: zoo.registry.ModelInfo) -> list[dict]:
    """The forward's keyword arguments for each way the contract says it can be called."""
    if info.oracle:
        return [dict(kernel=_oracle_kernel())]
    if info.needs_factor:
        return [dict(factor=f) for f in info.factors]
    calls = [{}]
    if info.takes_factor:
        calls += [dict(factor=f) for f in info.factors]
    return calls


@pytest.fixture(scope="module", params=list_models())
def built(request: pytest.FixtureRequest) -> tuple[str, torch.nn.Module]:
    name = request.param
    torch.manual_seed(0)
    return name, create_model(name, **_kwargs(name)).eval()


def test_info_is_consistent_with_the_instance(built: tuple[str, torch.nn.Module]) -> None:
    name, model = built
    info = get_model_info(name)
    assert model_info_of(model) == (name, info)
    multiple, minimum = info.size_multiple(model), info.min_size(model)
    assert isinstance(multiple, int) and multiple >= 1 and isinstance(minimum, int) and minimum >= 1
    for factor in info.factors if info.takes_factor else ():
        assert multiple % info.size_multiple(model, factor) == 0, "the overall multiple must serve every factor"
        assert minimum >= info.min_size(model, factor)
    assert info.needs_factor <= info.takes_factor
    params = inspect.signature(model.forward).parameters  # the declaration must match what forward really takes
    assert ("factor" in params) == info.takes_factor
    assert ("return_steps" in params) == info.returns_steps
    assert ("steps" in params) == info.takes_steps
    assert info.as_dict()["kind"] == info.kind


def test_forward_at_an_odd_size_keeps_the_size(built: tuple[str, torch.nn.Module]) -> None:
    name, model = built
    info = get_model_info(name)
    x = _image()
    with torch.no_grad():
        if info.kind == "detector":
            probabilities, severities = model(x)
            assert probabilities.shape == severities.shape == (1, len(info.factors))
            assert 0 <= probabilities.min() and probabilities.max() <= 1
            return
        for kwargs in _calls(info):
            out = model(x, **kwargs)
            assert out.shape == x.shape and torch.isfinite(out).all(), f"{name} {kwargs}"
        if info.needs_factor:
            with pytest.raises((TypeError, ValueError)):
                model(x)
        if info.returns_steps:
            final, steps = model(x, return_steps=True)
            assert final.shape == x.shape and set(steps) <= set(info.factors) and steps
        if info.takes_steps:
            first = next(iter(info.factors))
            assert model(x, steps=[first]).shape == x.shape


def test_restore_with_the_built_module_agrees_with_calling_it(built: tuple[str, torch.nn.Module]) -> None:
    name, model = built
    info = get_model_info(name)
    x = _image()
    if info.kind != "restorer":
        with pytest.raises(ValueError, match="not a restorer"):
            zoo.restore(x, model=model)
        return
    if info.oracle:
        with pytest.raises(ValueError, match="kernel"):
            zoo.restore(x, model=model, dtype="fp32")
        return
    kwargs = _calls(info)[-1]
    with torch.no_grad():
        expected = model(x, **kwargs).clamp(0, 1)
    extra = dict(steps="all") if info.takes_steps and "factor" not in kwargs else {}
    restored = zoo.restore(x, model=model, dtype="fp32", **kwargs, **extra)
    assert restored.shape == x.shape
    torch.testing.assert_close(restored, expected, atol=2e-4, rtol=0)


@pytest.mark.parametrize("name", [n for n in list_models() if inspect.isclass(MODELS.get(n))])
def test_restore_with_a_bare_module_of_a_registered_class(name: str) -> None:
    """``zoo.restore(img, model=MBN(...), factor="haze")``: a module built without the registry is still known."""
    info = get_model_info(name)
    if info.kind != "restorer" or info.oracle:
        return
    torch.manual_seed(0)
    model = MODELS.get(name)(**_kwargs(name)).eval()
    assert not hasattr(model, "zoo_name") and model_info_of(model) == (name, info)
    kwargs = _calls(info)[-1]
    extra = dict(steps="all") if info.takes_steps and "factor" not in kwargs else {}
    restored = zoo.restore(np.zeros((HEIGHT, WIDTH, 3), np.uint8), model=model, dtype="fp32", **kwargs, **extra)
    assert restored.shape == (HEIGHT, WIDTH, 3) and restored.dtype == np.uint8
