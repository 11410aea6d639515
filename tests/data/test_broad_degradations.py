import io
import json
import math

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data

from zoo.data.degradations import (
    BLUR_FAMILIES,
    BROAD_DEPTH_PROXIES,
    BroadBlur,
    BroadHaze,
    BroadJPEG,
    BroadRain,
    haze_veil,
    jpeg_encode_decode,
)
from zoo.data.degradations.broad_haze import unit_depth
from zoo.registry import DEGRADATIONS


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    return data.astronaut()[100:180, 150:235].astype(np.float32) / 255.0  # 80x85: not square, odd width


def to_tensor(img: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(img).permute(2, 0, 1)[None]


def to_numpy(x: torch.Tensor) -> np.ndarray:
    return x[0].permute(1, 2, 0).numpy()


def draws(degradation, count: int, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    return [degradation.sample_params(rng) for _ in range(count)]


@pytest.mark.parametrize("degradation", [BroadBlur(), BroadRain(), BroadHaze(), BroadJPEG()], ids=lambda d: d.name)
def test_parameters_are_plain_json_and_reproducible(degradation) -> None:
    first, again = draws(degradation, 50, seed=4), draws(degradation, 50, seed=4)
    assert first == again and json.loads(json.dumps(first)) == first
    assert draws(degradation, 50, seed=5) != first


def test_blur_samples_cover_every_family_and_range() -> None:
    params = draws(BroadBlur(), 600)
    assert {p["family"] for p in params} == set(BLUR_FAMILIES)
    lines = [p for p in params if p["family"] == "line"]
    assert min(p["length"] for p in lines) == 3 and max(p["length"] for p in lines) == 25
    assert all(0 <= p["angle"] <= 180 for p in lines)
    assert max(p["angle"] for p in lines) > 150 and min(p["angle"] for p in lines) < 30
    disks = [p["radius"] for p in params if p["family"] == "defocus"]
    assert 1 <= min(disks) < 2 and 7 < max(disks) <= 8
    gaussians = [p for p in params if p["family"] == "gaussian"]
    assert any(p["sigma_major"] == p["sigma_minor"] for p in gaussians)
    assert any(p["sigma_major"] > p["sigma_minor"] for p in gaussians)
    imagenet = [p for p in params if p["family"] == "imagenet_c"]
    assert all(4 <= p["radius"] <= 16 and 1 <= p["sigma"] <= 0.8 * p["radius"] for p in imagenet)


def test_rain_samples_cover_recipes_layers_blends_and_ranges() -> None:
    params = draws(BroadRain(), 400)
    assert {p["recipe"] for p in params} == {"paper", "layers"}
    layered = [p for p in params if p["recipe"] == "layers"]
    assert {len(p["layers"]) for p in layered} == {1, 2} and {p["blend"] for p in layered} == {"screen", "add"}
    layers = [layer for p in layered for layer in p["layers"]]
    assert all(45 <= layer["angle"] <= 135 for layer in layers)
    assert {layer["width"] for layer in layers} == {1, 2, 3}
    assert min(layer["length"] for layer in layers) <= 8 and max(layer["length"] for layer in layers) >= 55
    two = [p["layers"] for p in layered if len(p["layers"]) == 2]
    assert all(abs(a["angle"] - b["angle"]) <= 15 + 1e-9 for a, b in two)


def test_haze_samples_cover_proxies_thin_haze_and_casts() -> None:
    params = draws(BroadHaze(), 400)
    assert {p["depth"] for p in params} == set(BROAD_DEPTH_PROXIES)
    betas = [p["beta"] for p in params]
    assert 0.01 <= min(betas) < 0.015 and 0.25 < max(betas) <= 0.3
    airlights = np.array([p["airlight"] for p in params])
    assert airlights.min() >= 0.6 * 0.88 - 1e-9 and airlights.max() <= 1.0
    blue, red = airlights[:, 2] - airlights[:, 0], airlights[:, 0] - airlights[:, 2]
    assert (blue > 0.01).any() and (red > 0.01).any() and (np.ptp(airlights, axis=1) == 0).any()


def test_jpeg_samples_cover_qualities_subsampling_and_double_compression() -> None:
    params = draws(BroadJPEG(), 800)
    qualities = {p["quality"] for p in params}
    assert min(qualities) == 10 and max(qualities) == 95
    assert {p["subsampling"] for p in params} == {"4:2:0", "4:4:4"}
    doubles = [p["quality2"] for p in params if p["quality2"] is not None]
    assert 0.2 < len(doubles) / len(params) < 0.4 and all(10 <= q <= 95 for q in doubles)


def family_params(degradation, key: str, value: str, count: int) -> list[dict]:
    return [p for p in draws(degradation, 300, seed=2) if p.get(key) == value][:count]


AGREEMENT_CASES = [
    *[(BroadBlur(families={f: 1.0}), f) for f in BLUR_FAMILIES],
    *[(BroadHaze(proxies={f: 1.0}), f) for f in BROAD_DEPTH_PROXIES],
    (BroadRain(paper_share=1.0), "paper"),
    (BroadRain(paper_share=0.0, two_layer_share=0.0), "one layer"),
    (BroadRain(paper_share=0.0, two_layer_share=1.0), "two layers"),
]


@pytest.mark.parametrize("degradation, case", AGREEMENT_CASES, ids=[c for _, c in AGREEMENT_CASES])
def test_torch_path_agrees_with_cpu_path(image: np.ndarray, degradation, case: str) -> None:
    params = draws(degradation, 3, seed=7)
    cpu = np.stack([degradation.apply(image, **p) for p in params])
    batch = degradation.apply_batch(to_tensor(image).repeat(3, 1, 1, 1), params)
    assert batch.shape == (3, 3, *image.shape[:2]) and batch.dtype == torch.float32
    assert np.abs(batch.permute(0, 2, 3, 1).numpy() - cpu).max() < 1e-4
    assert 0 <= cpu.min() and cpu.max() <= 1 and cpu.dtype == np.float32
    assert np.abs(cpu - image).mean() > 1e-4  # every case changes the image


def test_cap_depth_backends_agree(image: np.ndarray) -> None:
    params = [{"depth": "cap", "depth_far": 7.0}, {"depth": "field", "depth_far": 4.0, "field_seed": 2}]
    x = to_tensor(image).repeat(2, 1, 1, 1)
    opencv = BroadHaze().scene_depth_batch(x, params, cap_backend="opencv")
    torch_depth = BroadHaze().scene_depth_batch(x, params, cap_backend="torch")
    assert torch.allclose(opencv, torch_depth, atol=1e-4)
    assert np.allclose(opencv[0, 0].numpy(), BroadHaze().scene_depth(image, params[0]), atol=1e-6)
    assert 1.0 <= opencv.min() and opencv[0].max() <= 7.0 + 1e-5 and opencv[1].max() <= 4.0 + 1e-5


def test_jpeg_torch_path_is_exact(image: np.ndarray) -> None:
    params = draws(BroadJPEG(double_share=0.5), 4, seed=1)
    cpu = np.stack([BroadJPEG().apply(image, **p) for p in params])
    batch = BroadJPEG().apply_batch(to_tensor(image).repeat(4, 1, 1, 1), params)
    assert np.array_equal(batch.permute(0, 2, 3, 1).numpy(), cpu)


def test_rain_torch_noise_is_reproducible_and_statistically_like_numpy(image: np.ndarray) -> None:
    rain = BroadRain(paper_share=0.0)
    params = [{**p, "noise_rng": "torch"} for p in draws(rain, 4, seed=3)]
    x = to_tensor(image).repeat(4, 1, 1, 1)
    first, again = rain.apply_batch(x, params), rain.apply_batch(x, params)
    assert torch.equal(first, again)
    numpy_noise = rain.apply_batch(x, [{**p, "noise_rng": "numpy"} for p in params])
    assert not torch.equal(first, numpy_noise)
    assert (first - x).mean().item() == pytest.approx((numpy_noise - x).mean().item(), rel=0.35)
    with pytest.raises(ValueError, match="numpy"):
        rain.apply(image, **params[0])


def test_rain_only_brightens_with_screen_and_streaks_follow_angle_and_width() -> None:
    grey = np.full((96, 96, 3), 0.4, np.float32)
    base = {"length": 30, "angle": 90.0, "density": 0.8, "softness": 1.5, "brightness": 0.8, "blur": 0.0}
    layer = {**base, "width": 1, "noise_seed": 1}
    out = BroadRain().apply(grey, recipe="layers", blend="screen", layers=[layer])
    assert (out >= grey - 1e-6).all() and (out - grey).mean() > 0.005
    streaks = out[..., 0] - 0.4
    vertical = np.corrcoef(streaks[1:].ravel(), streaks[:-1].ravel())[0, 1]
    horizontal = np.corrcoef(streaks[:, 1:].ravel(), streaks[:, :-1].ravel())[0, 1]
    assert vertical > 0.9 and horizontal < vertical - 0.3
    wide = BroadRain().apply(grey, recipe="layers", blend="screen", layers=[{**layer, "width": 3}])[..., 0] - 0.4
    wide_horizontal = np.corrcoef(wide[:, 1:].ravel(), wide[:, :-1].ravel())[0, 1]
    assert wide_horizontal > horizontal + 0.2
    added = BroadRain().apply(grey, recipe="layers", blend="add", layers=[layer])
    assert (added - grey).mean() > (out - grey).mean()  # on grey, adding brightens more than screening


def test_haze_follows_the_scattering_model_with_coloured_airlight(image: np.ndarray) -> None:
    params = {"beta": 0.1, "airlight": [0.9, 0.8, 0.7], "depth": "constant", "depth_far": 9.0}
    out = BroadHaze().apply(image, **params)
    t = math.exp(-0.1 * 5.0)  # constant depth halfway between 1 and 9
    assert np.allclose(out, image * t + np.array([0.9, 0.8, 0.7]) * (1 - t), atol=1e-6)
    assert haze_veil(params) == pytest.approx(1 - t)
    vertical = BroadHaze().apply(image, beta=0.2, airlight=[1.0] * 3, depth="vertical", depth_far=10.0)
    assert (vertical[:5] - image[:5]).mean() > (vertical[-5:] - image[-5:]).mean() > 0  # the top is far


def test_haze_veil_is_the_mean_airlight_weight_on_a_black_image() -> None:
    black = np.zeros((48, 64, 3), np.float32)
    rng = np.random.default_rng(0)
    for proxy in BROAD_DEPTH_PROXIES:
        params = BroadHaze(proxies={proxy: 1.0}).sample_params(rng)
        params["airlight"] = [1.0, 1.0, 1.0]
        out = BroadHaze().apply(black, **params)
        assert haze_veil(params, black) == pytest.approx(float(out.mean()), abs=1e-5)


def test_depth_proxies_are_unit_range_and_size_independent() -> None:
    for proxy, extra in (("field", {"field_seed": 3}), ("oblique", {"angle": 40.0}), ("vertical", {})):
        params = {"depth": proxy, **extra}
        small, large = unit_depth(params, 40, 60), unit_depth(params, 160, 240)
        assert small.min() == 0 and small.max() == pytest.approx(1.0)
        shrunk = large.reshape(40, 4, 60, 4).mean(axis=(1, 3))
        assert np.corrcoef(small.ravel(), shrunk.ravel())[0, 1] > 0.9
    with pytest.raises(ValueError, match="pass the image"):
        unit_depth({"depth": "cap"}, 8, 8)


@pytest.mark.parametrize("subsampling", ["4:2:0", "4:4:4"])
def test_jpeg_is_a_pillow_round_trip_with_the_chroma_subsampling(image: np.ndarray, subsampling: str) -> None:
    buffer = io.BytesIO()
    pixels = np.rint(image * 255).astype(np.uint8)
    Image.fromarray(pixels).save(buffer, "JPEG", quality=30, subsampling={"4:2:0": 2, "4:4:4": 0}[subsampling])
    expected = np.asarray(Image.open(buffer), dtype=np.float32) / 255.0
    assert np.array_equal(BroadJPEG().apply(image, quality=30, subsampling=subsampling), expected)


def test_jpeg_444_keeps_colour_better_and_double_compression_is_two_round_trips(image: np.ndarray) -> None:
    errors = {s: np.abs(jpeg_encode_decode(image, 60, s) - image).mean() for s in ("4:2:0", "4:4:4")}
    assert errors["4:4:4"] < errors["4:2:0"]
    twice = BroadJPEG().apply(image, quality=70, subsampling="4:2:0", quality2=20)
    assert np.array_equal(twice, jpeg_encode_decode(jpeg_encode_decode(image, 70), 20))
    with pytest.raises(ValueError, match="unknown chroma subsampling"):
        jpeg_encode_decode(image, 50, "4:2:2")


def test_registry_builds_the_broad_degradations() -> None:
    for name, cls in (("broad_blur", BroadBlur), ("broad_rain", BroadRain), ("broad_haze", BroadHaze)):
        assert isinstance(DEGRADATIONS.build(dict(type=name)), cls)
    jpeg = DEGRADATIONS.build(dict(type="broad_jpeg", quality_range=(90, 90), double_share=0.0))
    assert jpeg.sample_params(np.random.default_rng(0))["quality"] == 90
