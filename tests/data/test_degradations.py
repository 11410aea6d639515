import math

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data

from zoo.data.degradations import (
    FACTORS,
    HAZE_AIRLIGHTS,
    HAZE_BETAS,
    JPEG,
    RAIN_ANGLES,
    RAIN_LENGTHS,
    RAIN_LEVELS,
    Haze,
    Mixed,
    MotionBlur,
    RainStreaks,
    cap_depth,
    check_factors,
    degrade,
    degrade_batch,
    jpeg_roundtrip,
)
from zoo.data.kernels import MOTION_BLUR_SETTINGS
from zoo.registry import DEGRADATIONS


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    return data.astronaut()[96:192, 160:256].astype(np.float32) / 255.0  # 96x96 face crop, a real photo


def to_tensor(img: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(img).permute(2, 0, 1)[None]


def to_numpy(x: torch.Tensor) -> np.ndarray:
    return x[0].permute(1, 2, 0).numpy()


def reference_motion_blur(img: np.ndarray, radius: int, sigma: float, angle: float) -> np.ndarray:
    """Shift-and-add reading of ImageNet-C's _motion_blur, written independently of the dense kernel."""
    width = 2 * radius + 1
    weights = np.exp(-(np.arange(width) ** 2) / (2 * sigma**2))
    weights /= weights.sum()
    h, w = img.shape[:2]
    rows, cols = np.arange(h), np.arange(w)
    out = np.zeros_like(img, dtype=np.float64)
    for i in range(width):
        dy = math.ceil(i * math.sin(math.radians(angle)) - 0.5)
        dx = math.ceil(i * math.cos(math.radians(angle)) - 0.5)
        out += weights[i] * img[np.clip(rows + dy, 0, h - 1)][:, np.clip(cols + dx, 0, w - 1)]
    return out


@pytest.mark.parametrize("radius, sigma", MOTION_BLUR_SETTINGS[::2])
def test_motion_blur_matches_shift_and_add_reference(image: np.ndarray, radius: int, sigma: float) -> None:
    out = MotionBlur().apply(image, radius=radius, sigma=sigma, angle=30.0)
    assert np.abs(out - reference_motion_blur(image, radius, sigma, 30.0)).max() < 1e-5


def test_samplers_draw_from_the_paper_sets() -> None:
    rng = np.random.default_rng(0)
    blur = [MotionBlur().sample_params(rng) for _ in range(200)]
    assert {(p["radius"], p["sigma"]) for p in blur} == set(MOTION_BLUR_SETTINGS)
    assert all(-45 <= p["angle"] <= 45 for p in blur)
    rain = [RainStreaks().sample_params(rng) for _ in range(200)]
    assert {p["level"] for p in rain} == set(RAIN_LEVELS)
    assert {p["length"] for p in rain} == set(RAIN_LENGTHS)
    assert {p["angle"] for p in rain} == set(RAIN_ANGLES)
    qualities = {JPEG().sample_params(rng)["quality"] for _ in range(400)}
    assert qualities == set(range(15, 51))
    haze = [Haze().sample_params(rng) for _ in range(200)]
    assert {p["airlight"] for p in haze} == set(HAZE_AIRLIGHTS)
    assert {p["beta"] for p in haze} == set(HAZE_BETAS)


def test_rain_only_brightens_and_streaks_follow_the_angle(image: np.ndarray) -> None:
    rain = RainStreaks()
    out = rain.apply(image, level=0.8, length=35, angle=90.0, noise_seed=3)
    assert (out >= image - 1e-6).all() and out.max() <= 1.0
    assert (out - image).mean() > 0.01
    layer = rain.streak_layer(np.random.default_rng(1).standard_normal((96, 96)), 0.8, 35, 90.0)
    vertical = np.corrcoef(layer[1:].ravel(), layer[:-1].ravel())[0, 1]
    horizontal = np.corrcoef(layer[:, 1:].ravel(), layer[:, :-1].ravel())[0, 1]
    assert vertical > 0.9 and horizontal < vertical - 0.2


def test_jpeg_is_a_pillow_round_trip(image: np.ndarray, tmp_path) -> None:
    path = tmp_path / "q20.jpg"
    Image.fromarray(np.rint(image * 255).astype(np.uint8)).save(path, quality=20)
    expected = np.asarray(Image.open(path), dtype=np.float32) / 255.0
    assert np.array_equal(JPEG().apply(image, quality=20), expected)
    errors = [np.abs(jpeg_roundtrip(image, q) - image).mean() for q in (10, 30, 50)]
    assert errors[0] > errors[1] > errors[2] > 0


def test_haze_follows_the_scattering_model(image: np.ndarray) -> None:
    depth = np.full(image.shape[:2], 5.0, np.float32)
    out = Haze().apply(image, airlight=0.9, beta=0.1, depth=depth)
    t = math.exp(-0.5)
    assert np.allclose(out, image * t + 0.9 * (1 - t), atol=1e-6)
    ramp = Haze(depth_proxy="ramp").apply(image, airlight=1.0, beta=0.2, depth="ramp")
    assert (ramp[0] - image[0]).mean() > (ramp[-1] - image[-1]).mean() > 0  # top (far) is hazier


def test_cap_depth_is_in_range_and_puts_bright_grey_far() -> None:
    img = np.zeros((64, 64, 3), np.float32)
    img[:32] = 0.9  # bright unsaturated "sky"
    img[32:] = [0.6, 0.2, 0.1]  # saturated foreground
    depth = cap_depth(img)
    assert depth.min() == pytest.approx(1.0) and depth.max() == pytest.approx(10.0)
    assert depth[:16].mean() > depth[48:].mean()


def test_degrade_is_reproducible_and_returns_every_parameter(image: np.ndarray) -> None:
    out1, params1 = degrade(image, "random", seed=7)
    out2, params2 = degrade(image, "random", seed=7)
    assert np.array_equal(out1, out2) and params1 == params2
    assert out1.dtype == np.float32 and out1.shape == image.shape and 0 <= out1.min() and out1.max() <= 1
    assert params1["seed"] == 7 and set(params1) == {"seed", "factors", *params1["factors"]}
    other, _ = degrade(image, "random", seed=8)
    assert not np.array_equal(out1, other)


def test_factor_order_and_random_counts(image: np.ndarray) -> None:
    assert check_factors(["jpeg", "haze", "rain"]) == ["haze", "rain", "jpeg"]
    assert check_factors("blur,haze") == ["haze", "blur"]
    mixer = Mixed("random")
    rng = np.random.default_rng(0)
    drawn = [mixer.draw_factors(rng) for _ in range(400)]
    assert {len(f) for f in drawn} == {1, 2, 3, 4}
    assert all(f == [name for name in FACTORS if name in f] for f in drawn)
    assert {tuple(f) for f in drawn if len(f) == 2} == {(a, b) for i, a in enumerate(FACTORS) for b in FACTORS[i + 1 :]}


def test_unknown_factor_raises_a_clear_error(image: np.ndarray) -> None:
    with pytest.raises(ValueError, match="unknown factor 'fog'; expected one of haze, rain, blur, jpeg"):
        degrade(image, ["fog"], seed=0)
    with pytest.raises(ValueError, match="expected \\(H, W, 3\\)"):
        degrade(image[..., 0], ["blur"], seed=0)


def test_registry_builds_degradations() -> None:
    jpeg = DEGRADATIONS.build(dict(type="jpeg", quality_range=(10, 10)))
    assert jpeg.sample_params(np.random.default_rng(0)) == {"quality": 10}
    assert isinstance(DEGRADATIONS.build(dict(type="mixed", factors=["rain"])), Mixed)


# The torch path applied to the CPU path's parameters: blur, rain and haze agree to float32 precision (FFT vs
# OpenCV); JPEG through Pillow is exact, but after other factors a 1e-7 difference can flip a uint8 rounding
# before encoding, so mixtures with JPEG are compared by mean error.
@pytest.mark.parametrize("factors", [["blur"], ["rain"], ["haze"], ["jpeg"], ["haze", "rain", "blur"]])
def test_torch_path_agrees_with_cpu_path(image: np.ndarray, factors: list[str]) -> None:
    out, params = degrade(image, factors, seed=11)
    batch = Mixed(params["factors"]).apply_batch(to_tensor(image), [params])
    assert np.abs(to_numpy(batch) - out).max() < 1e-4


def test_torch_path_agrees_on_full_mixture_with_jpeg(image: np.ndarray) -> None:
    out, params = degrade(image, ["haze", "rain", "blur", "jpeg"], seed=5)
    batch = Mixed(params["factors"]).apply_batch(to_tensor(image), [params])
    assert np.abs(to_numpy(batch) - out).mean() < 2e-3


def test_haze_cap_depth_torch_matches_numpy(image: np.ndarray) -> None:
    numpy_depth = cap_depth(image)
    torch_depth = Haze().depth_map_batch(to_tensor(image), "cap")[0, 0].numpy()
    assert np.abs(numpy_depth - torch_depth).max() < 1e-4


def test_degrade_batch_per_sample_factors_and_reproducibility(image: np.ndarray) -> None:
    x = to_tensor(image).repeat(6, 1, 1, 1)
    y1, p1 = degrade_batch(x, "random", torch.Generator().manual_seed(3))
    y2, p2 = degrade_batch(x, "random", torch.Generator().manual_seed(3))
    assert torch.equal(y1, y2) and p1 == p2
    assert len({tuple(p["factors"]) for p in p1}) > 1
    assert y1.shape == x.shape and y1.min() >= 0 and y1.max() <= 1
    assert all(p["rain"]["noise_rng"] == "torch" for p in p1 if "rain" in p)
    # Re-applying the recorded parameters reproduces each sample exactly.
    again = Mixed("random").apply_batch(x, p1)
    assert torch.allclose(again, y1, atol=1e-6)


@pytest.mark.filterwarnings("ignore:The image decoding and encoding capabilities:DeprecationWarning")
def test_torchvision_jpeg_backend_matches_pillow_on_cpu(image: np.ndarray) -> None:
    x = to_tensor(image)
    pil = JPEG(backend="pil").apply_batch(x, [{"quality": 25}])
    tv = JPEG(backend="torchvision").apply_batch(x, [{"quality": 25}])
    assert torch.equal(pil, tv)
