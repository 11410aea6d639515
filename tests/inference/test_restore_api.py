"""``zoo.restore``: every image kind comes back in kind, model resolution, factors, steps, tiling policy, dtypes."""

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

import zoo
from zoo.inference import NoShippedWeightsError, Restorer, default_model_name, loading, restore


class Brighten(nn.Module):
    """A learned-looking stand-in: a 1x1 conv that adds 0.3 (pushes values past 1, so clamping is observable)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 1)
        nn.init.eye_(self.conv.weight.view(3, 3))
        nn.init.constant_(self.conv.bias, 0.3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


class FakeRecurrent(nn.Module):
    """Mimics R-MBN's interface: four steps J, H, B, R, each adding 0.1."""

    def forward(self, x: torch.Tensor, factor: str | None = None, return_steps: bool = False):
        steps = {}
        for name in ("jpeg", "haze", "blur", "rain"):
            x = (x + 0.1).clamp(0, 1)
            steps[name] = x
        return (x, steps) if return_steps else x


def test_numpy_uint8_comes_back_uint8_and_clamped() -> None:
    array = np.full((13, 17, 3), 200, np.uint8)
    out = restore(array, model=Brighten())
    assert out.dtype == np.uint8 and out.shape == array.shape
    assert np.all(out == 255)  # 200/255 + 0.3 > 1, clamped


@pytest.mark.parametrize("shape", [(11, 9), (11, 9, 1), (11, 9, 3), (11, 9, 4)])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_numpy_layouts_round_trip_through_identity(shape: tuple[int, ...], dtype: type) -> None:
    rng = np.random.default_rng(0)
    array = (rng.random(shape) * (np.iinfo(dtype).max if dtype != np.float32 else 1)).astype(dtype)
    out = restore(array, model="identity")
    assert out.shape == array.shape and out.dtype == array.dtype
    assert np.abs(out.astype(np.float64) - array.astype(np.float64)).max() <= (1e-6 if dtype == np.float32 else 1)


def test_alpha_is_kept_while_colour_is_restored() -> None:
    array = np.zeros((8, 8, 4), np.uint8)
    array[..., 3] = np.arange(64, dtype=np.uint8).reshape(8, 8)
    out = restore(array, model=Brighten())
    assert np.array_equal(out[..., 3], array[..., 3])
    assert np.all(out[..., :3] == round(0.3 * 255))


PIL_MODES = [("L", "L"), ("LA", "LA"), ("RGB", "RGB"), ("RGBA", "RGBA"), ("P", "RGB")]


@pytest.mark.parametrize(("mode", "expected"), PIL_MODES)
def test_pil_images_come_back_as_pil(mode: str, expected: str) -> None:
    image = Image.effect_noise((21, 10), 50).convert("RGB").convert(mode)
    out = restore(image, model="identity")
    assert isinstance(out, Image.Image) and out.mode == expected and out.size == image.size
    assert np.abs(np.asarray(out, np.int16) - np.asarray(image.convert(expected), np.int16)).max() <= 1


def test_pil_16bit_gray_keeps_16_bits() -> None:
    array = (np.random.default_rng(2).random((7, 5)) * 65535).astype(np.uint16)
    out = restore(Image.fromarray(array), model="identity")
    assert out.mode == "I;16"
    assert np.abs(np.asarray(out).astype(np.int64) - array.astype(np.int64)).max() <= 1


@pytest.mark.parametrize("shape", [(3, 10, 12), (2, 1, 10, 12), (2, 4, 10, 12)])
def test_tensors_come_back_as_tensors(shape: tuple[int, ...]) -> None:
    x = torch.rand(*shape)
    out = restore(x, model="identity", tile=8, overlap=2)
    assert isinstance(out, torch.Tensor) and out.shape == x.shape and out.dtype == x.dtype
    assert torch.allclose(out, x, atol=1e-5)
    uint8 = (x * 255).round().to(torch.uint8)
    assert torch.equal(restore(uint8, model="identity"), uint8)


def test_save_steps_returns_each_step_in_order() -> None:
    array = np.zeros((6, 6, 3), np.float32)
    out, steps = restore(array, model=FakeRecurrent(), save_steps=True)
    assert list(steps) == ["jpeg", "haze", "blur", "rain"]
    assert np.allclose(steps["jpeg"], 0.1) and np.allclose(steps["rain"], 0.4) and np.allclose(out, 0.4)


def test_rmbn_steps_and_single_branch() -> None:
    model = zoo.create_model(dict(type="rmbn", width=0.25, rain_iters=1)).eval()
    x = torch.rand(1, 3, 32, 48)  # a multiple of rmbn's size multiple (16): no padding on either path
    out, steps = restore(x, model=model, save_steps=True, steps="all")  # the default ("auto") asks the detector
    assert out.shape == x.shape and list(steps) == ["jpeg", "haze", "blur", "rain"]
    with torch.no_grad():
        assert torch.allclose(out, model(x).clamp(0, 1), atol=1e-5)
    assert restore(x, model=model, factor="rain").shape == x.shape


def test_factor_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match="needs a factor"):
        Restorer(zoo.create_model(dict(type="mbn", width=0.25, rain_iters=1)))
    with pytest.raises(ValueError, match="unknown factor 'snow'"):
        Restorer(zoo.create_model(dict(type="mbn", width=0.25, rain_iters=1)), factor="snow")
    with pytest.raises(ValueError, match="no factor branches"):
        Restorer("identity", factor="rain")
    with pytest.raises(ValueError, match="no per-step outputs"):
        Restorer("identity", save_steps=True)


def test_default_and_architecture_names_resolve_to_declared_shipped_weights() -> None:
    default = default_model_name()
    assert default in zoo.list_pretrained("rmbn.*")
    assert Restorer().name == default
    assert Restorer("durn_u").name in zoo.list_pretrained("durn_u.*")


def test_without_declared_weights_learned_names_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loading, "default_tags", lambda: {})
    loading._load_named.cache_clear()  # named models are cached; resolve them again without the defaults
    try:
        with pytest.raises(NoShippedWeightsError, match="no R-MBN weights"):
            restore(np.zeros((4, 4, 3), np.uint8))
        with pytest.raises(NoShippedWeightsError, match="no default weights ship"):
            restore(np.zeros((4, 4, 3), np.uint8), model="durn_u")
        assert restore(np.zeros((4, 4, 3), np.uint8), model="median_derain").shape == (4, 4, 3)
    finally:
        loading._load_named.cache_clear()


def test_model_resolution_errors() -> None:
    with pytest.raises(KeyError, match="unknown model"):
        restore(np.zeros((4, 4, 3), np.uint8), model="identiy")
    with pytest.raises(TypeError, match="PIL image, numpy array or torch tensor"):
        restore([[0, 1]], model="identity")


def test_tiling_follows_model_info() -> None:
    model = zoo.create_model(dict(type="rmbn", width=0.25, rain_iters=1))
    with pytest.warns(UserWarning, match="discouraged"):
        Restorer(model, tile=64)


def test_bf16_autocast_runs_on_cpu_and_stays_close() -> None:
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 3, 3, padding=1))
    x = torch.rand(1, 3, 16, 16) * 0.5 + 0.25
    exact = restore(x, model=model)
    low = restore(x, model=model, dtype="bf16")
    assert low.dtype == torch.float32
    assert 0 < (low - exact).abs().max().item() < 0.05


def test_bad_options_are_errors() -> None:
    with pytest.raises(ValueError, match="dtype 'int8'"):
        Restorer("identity", dtype="int8")
    with pytest.raises(ValueError, match="not supported"):
        Restorer("identity", device="mps")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            Restorer("identity", device="cuda")
