"""Classical baselines: interface, metadata, known-answer gains on real photos, agreement with scikit-image."""

import io

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from zoo.baselines.classical.deconvolution import pad_for_kernel, richardson_lucy_deconvolve, wiener_deconvolve
from zoo.baselines.classical.derain import median_filter, opening
from zoo.baselines.classical.guided_filter import guided_filter
from zoo.baselines.classical.kernel_search import candidate_kernels, estimate_motion_kernel
from zoo.baselines.classical.tv import tv_denoise_chambolle
from zoo.data.kernels import motion_blur_kernel
from zoo.registry import create_model, get_model_info, list_models

skimage_data = pytest.importorskip("skimage.data")
restoration = pytest.importorskip("skimage.restoration")

CLASSICAL = [
    "bilateral_deblock",
    "dcp_dehaze",
    "median_derain",
    "open_derain",
    "rl_deblur_blind",
    "rl_deblur_oracle",
    "tv_deblock",
    "wiener_deblur_blind",
    "wiener_deblur_oracle",
]
ORACLE = {"rl_deblur_oracle", "wiener_deblur_oracle"}
SMALL_KERNEL = motion_blur_kernel(10, 2.5, 20.0)


def photo(name: str, size: int) -> np.ndarray:
    """Centre crop of a scikit-image photo as float32 (size, size, 3) in [0, 1]."""
    image = getattr(skimage_data, name)()
    top, left = (image.shape[0] - size) // 2, (image.shape[1] - size) // 2
    return image[top : top + size, left : left + size, :3].astype(np.float32) / 255


def quantise(image: np.ndarray) -> np.ndarray:
    return (np.round(np.clip(image, 0, 1) * 255) / 255).astype(np.float32)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(1.0 / np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2)))


def to_tensor(image: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None]


def to_numpy(x: torch.Tensor) -> np.ndarray:
    return x[0].permute(1, 2, 0).double().numpy()


def blur(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return quantise(cv2.filter2D(image, -1, kernel, borderType=cv2.BORDER_REPLICATE))


def build(name: str) -> torch.nn.Module:
    # A coarse angle grid keeps the blind models fast in the interface tests.
    return create_model(name, angle_step=45.0) if name.endswith("_blind") else create_model(name)


# --- interface and metadata ---------------------------------------------------------------------------------------


def test_every_classical_model_is_listed_with_non_learned_metadata() -> None:
    assert set(CLASSICAL) <= set(list_models())
    for name in CLASSICAL:
        info = get_model_info(name)
        assert info.learned is False
        assert info.oracle is (name in ORACLE)
        assert info.paper and info.description and info.factors
        assert info.size_multiple(create_model(name)) == 1


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
@pytest.mark.parametrize("name", CLASSICAL)
def test_forward_keeps_shape_range_device_and_dtype(name: str, dtype: torch.dtype) -> None:
    x = torch.rand(2, 3, 40, 36, dtype=dtype)
    kwargs = {"kernel": SMALL_KERNEL} if name in ORACLE else {}
    with torch.no_grad():
        y = build(name)(x, **kwargs)
    assert y.shape == x.shape and y.dtype == dtype and y.device == x.device
    assert torch.isfinite(y).all() and y.min() >= 0 and y.max() <= 1
    assert not torch.equal(y, x)  # every method changes a noise image


@pytest.mark.parametrize("name", sorted(ORACLE))
def test_oracle_models_need_the_kernel(name: str) -> None:
    model = create_model(name)
    x = torch.rand(2, 3, 32, 32)
    with pytest.raises(ValueError, match="oracle"):
        model(x)
    with pytest.raises(ValueError, match="shape"):
        model(x, kernel=np.stack([SMALL_KERNEL] * 3))
    per_image = model(x, kernel=torch.from_numpy(np.stack([SMALL_KERNEL] * 2)))
    assert torch.allclose(per_image, model(x, kernel=SMALL_KERNEL))


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="channels"):
        create_model("dcp_dehaze")(torch.rand(1, 1, 16, 16))
    with pytest.raises(ValueError, match=r"\(B, C, H, W\)"):
        create_model("median_derain")(torch.rand(3, 16, 16))
    with pytest.raises(TypeError, match="float"):
        create_model("tv_deblock")(torch.zeros(1, 3, 8, 8, dtype=torch.uint8))
    with pytest.raises(ValueError, match="odd"):
        create_model("median_derain", size=4)
    with pytest.raises(ValueError, match="criterion"):
        create_model("wiener_deblur_blind", criterion="sharpest")


# --- known answers --------------------------------------------------------------------------------------------------


def test_dcp_removes_synthetic_haze() -> None:
    clean = photo("astronaut", 128)
    depth = np.linspace(10, 1, 128, dtype=np.float32)[:, None, None]  # vertical ramp, far at the top
    transmission = np.exp(-0.1 * depth)
    hazy = quantise(clean * transmission + 0.9 * (1 - transmission))
    restored = to_numpy(create_model("dcp_dehaze")(to_tensor(hazy)))
    assert psnr(restored, clean) > psnr(hazy, clean) + 5.0


@pytest.mark.parametrize("name", sorted(ORACLE))
def test_oracle_deconvolution_undoes_motion_blur(name: str) -> None:
    clean = photo("chelsea", 96)
    kernel = motion_blur_kernel(12, 3.0, -20.0)
    blurred = blur(clean, kernel)
    restored = to_numpy(create_model(name)(to_tensor(blurred), kernel=kernel))
    assert psnr(restored, clean) > psnr(blurred, clean) + 6.0


@pytest.mark.parametrize("true", [(12, 3.0, -20.0), (15, 12.0, 10.0)])
def test_blind_search_finds_the_kernel_on_a_clear_case(true: tuple[int, float, float]) -> None:
    clean = photo("chelsea", 128)
    blurred = blur(clean, motion_blur_kernel(*true))
    chosen, scores = estimate_motion_kernel(blurred)
    assert scores.shape == (len(candidate_kernels()),)
    assert abs(chosen.angle - true[2]) <= 5.0
    assert abs(chosen.radius - true[0]) <= 2


def test_blind_model_deblurs_and_reports_its_kernel() -> None:
    clean = photo("chelsea", 128)
    blurred = blur(clean, motion_blur_kernel(12, 3.0, -20.0))
    model = create_model("wiener_deblur_blind")
    restored = to_numpy(model(to_tensor(blurred)))
    assert len(model.last_kernels) == 1 and abs(model.last_kernels[0].angle + 20.0) <= 5.0
    assert psnr(restored, clean) > psnr(blurred, clean) + 3.0


def test_sparsity_criterion_scores_every_candidate() -> None:
    blurred = blur(photo("coffee", 64), SMALL_KERNEL)
    candidates = candidate_kernels(angle_step=15.0)
    chosen, scores = estimate_motion_kernel(blurred, candidates, criterion="sparsity")
    assert scores.shape == (len(candidates),) and np.isfinite(scores).all()
    assert chosen == candidates[int(np.argmin(scores))]


def test_median_derain_removes_thin_bright_streaks() -> None:
    clean = photo("coffee", 96)
    rng = np.random.default_rng(0)
    streaks = np.zeros(clean.shape[:2], np.float32)
    for _ in range(60):  # one-pixel-wide slanted bright lines
        x0, y0 = rng.integers(0, 96, size=2)
        cv2.line(streaks, (int(x0), int(y0)), (int(x0) + 4, int(y0) + 14), float(rng.uniform(0.5, 0.9)), 1)
    rainy = quantise(1 - (1 - clean) * (1 - streaks[..., None]))  # screen blend
    for name in ("median_derain", "open_derain"):
        restored = to_numpy(create_model(name)(to_tensor(rainy)))
        assert psnr(restored, clean) > psnr(rainy, clean) + 2.0, name


def test_tv_deblock_improves_jpeg_q10() -> None:
    clean = quantise(photo("astronaut", 128))
    buffer = io.BytesIO()
    Image.fromarray((clean * 255).round().astype(np.uint8)).save(buffer, "JPEG", quality=10)
    compressed = np.asarray(Image.open(buffer)).astype(np.float32) / 255
    for name in ("tv_deblock", "bilateral_deblock"):
        restored = quantise(to_numpy(create_model(name)(to_tensor(compressed))))
        assert psnr(restored, clean) > psnr(compressed, clean) + 0.1, name


# --- agreement with reference implementations -----------------------------------------------------------------------


def test_wiener_and_richardson_lucy_match_scikit_image() -> None:
    clean = photo("astronaut", 64)
    blurred = blur(clean, SMALL_KERNEL).astype(np.float64)
    psf = SMALL_KERNEL[::-1, ::-1].astype(np.float64)  # correlation kernel -> convolution PSF
    padded, pad = pad_for_kernel(blurred, SMALL_KERNEL)  # the same edge padding for scikit-image
    crop = (slice(pad, pad + 64), slice(pad, pad + 64))
    sk_wiener = np.stack([restoration.wiener(padded[..., c], psf, 0.003) for c in range(3)], -1)[crop]
    sk_rl = np.stack([restoration.richardson_lucy(padded[..., c], psf, num_iter=30) for c in range(3)], -1)[crop]
    # Wiener: same filter, the only difference is float rounding. RL: FFT (circular) vs direct 'same' convolution
    # differ only far outside the crop; 1e-4 on the [0, 1] scale is ~0.03 grey levels.
    np.testing.assert_allclose(wiener_deconvolve(blurred, SMALL_KERNEL, 0.003), np.clip(sk_wiener, 0, 1), atol=1e-4)
    np.testing.assert_allclose(richardson_lucy_deconvolve(blurred, SMALL_KERNEL, 30), sk_rl, atol=1e-4)


def test_tv_chambolle_matches_scikit_image() -> None:
    noisy = quantise(photo("chelsea", 48) + np.random.default_rng(1).normal(0, 0.05, (48, 48, 3)))
    expected = restoration.denoise_tv_chambolle(noisy.astype(np.float64), weight=0.03, channel_axis=-1)
    ours = tv_denoise_chambolle(to_tensor(noisy).double(), weight=0.03)
    # Same algorithm and stopping rule per channel; float64 on both sides.
    np.testing.assert_allclose(to_numpy(ours), expected, atol=1e-6)


def test_tv_is_batch_invariant() -> None:
    images = torch.stack([to_tensor(photo("chelsea", 32))[0], to_tensor(photo("coffee", 32))[0]])
    together = tv_denoise_chambolle(images, weight=0.05)
    apart = torch.cat([tv_denoise_chambolle(images[i : i + 1], weight=0.05) for i in range(2)])
    assert torch.allclose(together, apart, atol=1e-6)


def test_rank_filters_match_opencv() -> None:
    image = photo("astronaut", 40)
    x = to_tensor(image)
    np.testing.assert_array_equal(to_numpy(median_filter(x, 5)), cv2.medianBlur(image, 5))
    np.testing.assert_array_equal(
        to_numpy(opening(x, 3)), cv2.morphologyEx(image, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    )


def test_guided_filter_known_answers() -> None:
    image = photo("coffee", 48)
    grey = image.mean(axis=2).astype(np.float64)
    # A constant input stays constant; with a tiny eps the guide reproduces itself (locally linear, a = 1).
    np.testing.assert_allclose(guided_filter(image, np.full((48, 48), 0.3), 4, 1e-3), 0.3, atol=1e-9)
    np.testing.assert_allclose(guided_filter(grey, grey, 4, 1e-8), grey, atol=1e-4)
    smoothed = guided_filter(image, grey, 4, 1e-1)  # a large eps approaches a box blur
    assert np.abs(np.diff(smoothed, axis=1)).mean() < np.abs(np.diff(grey, axis=1)).mean()
