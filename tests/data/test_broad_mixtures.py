import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from skimage import data

from zoo.cli.main import main
from zoo.data.degradations import (
    FACTORS,
    PRESETS,
    BroadBlur,
    BroadHaze,
    BroadJPEG,
    BroadRain,
    Haze,
    Mixed,
    MotionBlur,
    degradations_for,
    degrade,
    degrade_batch,
    mixture_strength,
    random_order,
    strength,
)
from zoo.data.images import load_image, save_image


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    return data.astronaut()[96:192, 160:256].astype(np.float32) / 255.0


def to_tensor(img: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(img).permute(2, 0, 1)[None]


def test_presets_and_their_degradations() -> None:
    assert PRESETS == ("paper", "broad")
    paper, broad = degradations_for("paper"), degradations_for("broad")
    assert set(paper) == set(broad) == set(FACTORS)
    assert isinstance(paper["blur"], MotionBlur) and isinstance(paper["haze"], Haze)
    assert [type(broad[f]) for f in ("blur", "rain", "haze", "jpeg")] == [BroadBlur, BroadRain, BroadHaze, BroadJPEG]


def test_unknown_preset_names_the_valid_ones(image: np.ndarray) -> None:
    for call in (lambda: degradations_for("wide"), lambda: Mixed("random", preset="wide")):
        with pytest.raises(ValueError, match="unknown synthesis preset 'wide'; expected one of paper, broad"):
            call()
    with pytest.raises(ValueError, match="expected one of paper, broad"):
        degrade(image, ["blur"], seed=0, preset="wide")


def test_broad_random_mixtures_draw_zero_to_four_factors_in_random_orders() -> None:
    mixer = Mixed("random", preset="broad")
    rng = np.random.default_rng(0)
    drawn = [mixer.draw_factors(rng) for _ in range(3000)]
    assert {len(f) for f in drawn} == {0, 1, 2, 3, 4}
    assert all(len(set(f)) == len(f) and set(f) <= set(FACTORS) for f in drawn)
    three = {tuple(f) for f in drawn if set(f) == {"haze", "rain", "blur"}}
    assert three == set(itertools.permutations(["haze", "rain", "blur"]))
    with_jpeg = [f for f in drawn if "jpeg" in f and len(f) > 1]
    last = sum(f[-1] == "jpeg" for f in with_jpeg) / len(with_jpeg)
    assert 0.85 < last < 0.95
    paper = Mixed("random")
    assert all(f == [n for n in FACTORS if n in f] for f in (paper.draw_factors(rng) for _ in range(200)))


def test_order_policy_respects_jpeg_last() -> None:
    rng = np.random.default_rng(1)
    assert all(random_order(FACTORS, rng, jpeg_last=1.0)[-1] == "jpeg" for _ in range(100))
    assert all(random_order(FACTORS, rng, jpeg_last=0.0)[-1] != "jpeg" for _ in range(100))
    assert random_order(["jpeg"], rng, jpeg_last=0.0) == ["jpeg"]


def test_none_returns_the_image_unchanged(image: np.ndarray) -> None:
    for preset in PRESETS:
        out, params = degrade(image, "none", seed=3, preset=preset)
        assert np.array_equal(out, image) and params["factors"] == []
    batch, params = degrade_batch(to_tensor(image), [], torch.Generator().manual_seed(0), preset="broad")
    assert torch.equal(batch, to_tensor(image)) and params[0]["strength"] == {}


def test_broad_degrade_is_reproducible_and_records_order_and_strength(image: np.ndarray) -> None:
    out, params = degrade(image, "random", seed=21, preset="broad")
    again, params_again = degrade(image, "random", seed=21, preset="broad")
    assert np.array_equal(out, again) and params == params_again
    assert json.loads(json.dumps(params)) == params
    assert out.dtype == np.float32 and out.shape == image.shape and 0 <= out.min() and out.max() <= 1
    assert set(params["strength"]) == set(params["factors"])
    outputs = {degrade(image, "random", seed=s, preset="broad")[0].tobytes() for s in range(6)}
    assert len(outputs) > 4


def test_broad_order_changes_the_result(image: np.ndarray) -> None:
    mixer = Mixed(["blur", "jpeg"], preset="broad")
    params = {"factors": ["jpeg", "blur"], "blur": {"family": "defocus", "radius": 3.0}}
    params["jpeg"] = {"quality": 10, "subsampling": "4:2:0", "quality2": None}
    jpeg_first = mixer.apply(image, params)
    blur_first = mixer.apply(image, {**params, "factors": ["blur", "jpeg"]})
    assert np.abs(jpeg_first - blur_first).mean() > 1e-3
    # The paper preset applies its fixed order whatever order is recorded.
    paper = Mixed(["haze", "blur"])
    paper_params = {"haze": {"airlight": 0.9, "beta": 0.1, "depth": "ramp"}}
    paper_params["blur"] = {"radius": 10, "sigma": 2.5, "angle": 10.0}
    a = paper.apply(image, {"factors": ["blur", "haze"], **paper_params})
    b = paper.apply(image, {"factors": ["haze", "blur"], **paper_params})
    assert np.array_equal(a, b)


def test_haze_after_other_factors_uses_the_depth_of_the_clean_scene(image: np.ndarray) -> None:
    mixer = Mixed(["blur", "haze"], preset="broad")
    haze = {"beta": 0.2, "airlight": [0.9, 0.9, 0.9], "depth": "cap", "depth_far": 8.0}
    blur = {"family": "gaussian", "sigma_major": 3.0, "sigma_minor": 3.0, "angle": 0.0}
    out = mixer.apply(image, {"factors": ["blur", "haze"], "blur": blur, "haze": haze})
    blurred = BroadBlur().apply(image, **blur)
    scene = BroadHaze().apply(blurred, **{**haze, "depth": BroadHaze().scene_depth(image, haze)})
    assert np.abs(out - scene).max() < 1e-6
    assert np.abs(out - BroadHaze().apply(blurred, **haze)).max() > 1e-3  # the blurred image's own depth differs


def test_batch_with_mixed_orders_agrees_with_the_cpu_path(image: np.ndarray) -> None:
    factor_lists = [["haze", "rain", "blur"]] * 5 + [["blur"], "none"]
    results = [degrade(image, f, seed=s, preset="broad") for s, f in enumerate(factor_lists)]
    assert len({tuple(p["factors"]) for _, p in results}) >= 5
    params = [{k: v for k, v in p.items() if k != "strength"} for _, p in results]
    batch = Mixed("random", preset="broad").apply_batch(to_tensor(image).repeat(len(results), 1, 1, 1), params)
    expected = np.stack([out for out, _ in results])
    assert np.abs(batch.permute(0, 2, 3, 1).numpy() - expected).max() < 1e-4


def test_batch_with_jpeg_agrees_on_average(image: np.ndarray) -> None:
    out, params = degrade(image, ["haze", "rain", "blur", "jpeg"], seed=8, preset="broad")
    batch = Mixed(params["factors"], preset="broad").apply_batch(to_tensor(image), [params])
    assert np.abs(batch[0].permute(1, 2, 0).numpy() - out).mean() < 2e-3


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_batch_agrees_with_the_cpu_path(image: np.ndarray) -> None:
    factor_lists = [["haze", "rain", "blur"]] * 4 + [["blur"], ["haze"], ["rain"]]
    results = [degrade(image, f, seed=s, preset="broad") for s, f in enumerate(factor_lists)]
    params = [{k: v for k, v in p.items() if k != "strength"} for _, p in results]
    x = to_tensor(image).repeat(len(results), 1, 1, 1).cuda()
    batch = Mixed("random", preset="broad").apply_batch(x, params).cpu()
    expected = np.stack([out for out, _ in results])
    assert np.abs(batch.permute(0, 2, 3, 1).numpy() - expected).max() < 1e-3
    y1, p1 = degrade_batch(x, "random", torch.Generator(device="cuda").manual_seed(1), preset="broad")
    y2, _ = degrade_batch(x, "random", torch.Generator(device="cuda").manual_seed(1), preset="broad")
    assert y1.device.type == "cuda" and torch.equal(y1, y2) and len(p1) == len(results)


def test_degrade_batch_broad_is_reproducible_with_torch_rain_noise(image: np.ndarray) -> None:
    x = to_tensor(image).repeat(6, 1, 1, 1)
    y1, p1 = degrade_batch(x, "random", torch.Generator().manual_seed(5), preset="broad")
    y2, p2 = degrade_batch(x, "random", torch.Generator().manual_seed(5), preset="broad")
    assert torch.equal(y1, y2) and p1 == p2 and y1.shape == x.shape
    assert len({tuple(p["factors"]) for p in p1}) > 1
    assert all(set(p["strength"]) == set(p["factors"]) for p in p1)
    assert all(p["rain"]["noise_rng"] == "torch" for p in p1 if "rain" in p)
    assert torch.allclose(Mixed("random", preset="broad").apply_batch(x, p1), y1, atol=1e-6)


def test_strength_units_and_directions(image: np.ndarray) -> None:
    line = [strength("blur", {"family": "line", "length": n, "angle": 0.0}) for n in (3, 11, 25)]
    assert line[0] < line[1] < line[2] and line[2] == pytest.approx(25 / 12**0.5, rel=0.05)
    assert strength("blur", {"radius": 15, "sigma": 12.0, "angle": 0.0}) > strength(
        "blur", {"radius": 10, "sigma": 1.5, "angle": 0.0}
    )
    assert strength("jpeg", {"quality": 80, "subsampling": "4:4:4", "quality2": 35}) == 35
    assert strength("jpeg", {"quality": 40}) == 40  # a paper-preset dict
    haze = {"airlight": [0.9] * 3, "depth": "field", "depth_far": 8.0, "field_seed": 1}
    veils = [strength("haze", {**haze, "beta": b}) for b in (0.01, 0.1, 0.3)]
    assert 0 < veils[0] < 0.1 < veils[1] < veils[2] < 1
    assert strength("haze", {"airlight": 0.9, "beta": 0.2, "depth": "cap"}, clean=image) > strength(
        "haze", {"airlight": 0.9, "beta": 0.08, "depth": "cap"}, clean=image
    )
    with pytest.raises(ValueError, match="pass the image"):
        strength("haze", {"airlight": 0.9, "beta": 0.1, "depth": "cap"})
    layer = {"length": 30, "angle": 80.0, "width": 1, "density": 1.0, "softness": 2.0, "blur": 0.5, "noise_seed": 2}
    rains = [
        strength("rain", {"recipe": "layers", "blend": "screen", "layers": [{**layer, "brightness": b}]})
        for b in (0.3, 0.9)
    ]
    assert 0 < rains[0] < rains[1] < 0.5
    paper_rain = strength("rain", {"level": 0.8, "length": 35, "angle": 90.0, "noise_seed": 1, "noise_rng": "torch"})
    assert 0 < paper_rain < 0.5
    with pytest.raises(ValueError, match="unknown factor 'fog'"):
        strength("fog", {})


def test_mixture_strength_works_on_paper_parameters(image: np.ndarray) -> None:
    _, params = degrade(image, ["haze", "rain", "blur", "jpeg"], seed=2)
    values = mixture_strength(params, image)
    assert set(values) == set(FACTORS) and 15 <= values["jpeg"] <= 50 and 0 < values["haze"] < 1
    assert "strength" not in params  # the paper preset's parameters stay as they were


@pytest.fixture()
def photo(tmp_path: Path) -> Path:
    return save_image(data.chelsea()[:64, :80].astype(np.float32) / 255.0, tmp_path / "cat.png")


def test_degrade_command_with_the_broad_preset(photo: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out.png"
    args = ["degrade", str(photo), "-o", str(out), "--factors", "rain,haze", "--seed", "4", "--preset", "broad"]
    assert main(args) == 0
    params = json.loads(capsys.readouterr().out)
    assert params["preset"] == "broad" and sorted(params["factors"]) == ["haze", "rain"]
    assert set(params["strength"]) == {"haze", "rain"}
    expected, _ = degrade(load_image(photo), ["haze", "rain"], seed=4, preset="broad")
    assert np.abs(load_image(out) - expected).max() <= 0.5 / 255 + 1e-6
    assert main(["degrade", str(photo), "-o", str(out), "--factors", "none", "--preset", "broad"]) == 0
    capsys.readouterr()
    assert np.array_equal(load_image(out), load_image(photo))
    depth_args = ["--factors", "haze", "--preset", "broad", "--depth-proxy", "oblique"]
    assert main(["degrade", str(photo), "-o", str(out), *depth_args]) == 0
    assert json.loads(capsys.readouterr().out)["haze"]["depth"] == "oblique"


def test_degrade_command_rejects_a_proxy_of_the_other_preset(photo: Path, tmp_path: Path, capsys) -> None:
    args = ["degrade", str(photo), "-o", str(tmp_path / "x.png"), "--preset", "broad", "--depth-proxy", "ramp"]
    assert main(args) == 1
    assert "not one of the broad preset's" in capsys.readouterr().err
