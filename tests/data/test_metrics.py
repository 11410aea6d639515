import cv2
import numpy as np
import pytest
import pytorch_msssim
import torch
from skimage import data
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from zoo.data.degradations import degrade, jpeg_roundtrip
from zoo.data.metrics import PROTOCOLS, RestorationMetric, metric_settings, psnr, ssim
from zoo.registry import METRICS


@pytest.fixture(scope="module")
def pairs() -> list[tuple[np.ndarray, np.ndarray]]:
    """(degraded, clean) float32 pairs from real photos: a JPEG q10 and a motion-blur pair."""
    clean_a = data.coffee()[100:228, 200:328].astype(np.float32) / 255.0
    clean_b = data.chelsea()[60:188, 120:248].astype(np.float32) / 255.0
    blurred, _ = degrade(clean_b, ["blur"], seed=1)
    return [(jpeg_roundtrip(clean_a, 10), clean_a), (blurred, clean_b)]


def uint8(img: np.ndarray, mode: str = "round") -> np.ndarray:
    scaled = np.clip(img, 0, 1) * 255
    return (np.rint(scaled) if mode == "round" else scaled).astype(np.uint8)


def to_tensor(img: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(img).permute(2, 0, 1)[None]


def test_psnr_rgb_matches_scikit_image(pairs) -> None:
    for degraded, clean in pairs:
        expected = peak_signal_noise_ratio(uint8(clean), uint8(degraded), data_range=255)
        assert psnr(degraded, clean) == pytest.approx(expected, abs=1e-4)


def test_ssim_gaussian_matches_scikit_image_and_pytorch_msssim(pairs) -> None:
    for degraded, clean in pairs:
        a, b = uint8(degraded).astype(np.float64), uint8(clean).astype(np.float64)
        expected = structural_similarity(
            a, b, channel_axis=-1, data_range=255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
        )
        assert ssim(degraded, clean) == pytest.approx(expected, abs=1e-4)
        msssim = pytorch_msssim.ssim(to_tensor(a / 255), to_tensor(b / 255), data_range=1.0)
        assert float(ssim(to_tensor(degraded), to_tensor(clean))[0]) == pytest.approx(float(msssim), abs=1e-4)


def test_paper_protocol_matches_the_authors_skimage_calls(pairs) -> None:
    degraded, clean = pairs[0]
    # Authors: uint8 by truncation, OpenCV YCrCb luma, skimage default SSIM (7x7 uniform, sample covariance).
    y_out = cv2.cvtColor(uint8(degraded, "truncate"), cv2.COLOR_RGB2YCrCb)[..., 0]
    y_ref = cv2.cvtColor(uint8(clean, "truncate"), cv2.COLOR_RGB2YCrCb)[..., 0]
    settings = metric_settings("paper", "jpeg")
    assert psnr(degraded, clean, **settings.psnr_kwargs()) == pytest.approx(
        peak_signal_noise_ratio(y_ref, y_out, data_range=255), abs=1e-3
    )
    assert ssim(degraded, clean, **settings.ssim_kwargs()) == pytest.approx(
        structural_similarity(y_out, y_ref, data_range=255), abs=1e-4
    )
    haze = metric_settings("paper", "haze")
    a, b = uint8(degraded, "truncate"), uint8(clean, "truncate")
    assert ssim(degraded, clean, **haze.ssim_kwargs()) == pytest.approx(
        structural_similarity(a, b, channel_axis=-1, data_range=255), abs=1e-4
    )


def test_y_matlab_is_the_rgb2ycbcr_luma(pairs) -> None:
    degraded, clean = pairs[1]

    def luma(img: np.ndarray) -> np.ndarray:
        rgb = uint8(img).astype(np.float64) / 255
        return 16 + 65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + 24.966 * rgb[..., 2]

    mse = ((luma(degraded) - luma(clean)) ** 2).mean()
    assert psnr(degraded, clean, color_space="y_matlab") == pytest.approx(10 * np.log10(255**2 / mse), abs=1e-6)
    # Full-range (OpenCV) luma scores lower than MATLAB luma by about 20 log10(255 / 219) dB.
    gap = psnr(degraded, clean, color_space="y_matlab") - psnr(degraded, clean, color_space="y_opencv")
    assert gap == pytest.approx(20 * np.log10(255 / 219), abs=0.1)


def test_crop_border_and_quantize_change_the_scores(pairs) -> None:
    degraded, clean = pairs[1]
    expected = peak_signal_noise_ratio(uint8(clean)[8:-8, 8:-8], uint8(degraded)[8:-8, 8:-8], data_range=255)
    assert psnr(degraded, clean, crop_border=8) == pytest.approx(expected, abs=1e-4)
    raw = psnr(degraded, clean, quantize="none")
    diff = degraded.astype(np.float64) - clean
    assert raw == pytest.approx(10 * np.log10(1 / (diff**2).mean()), abs=1e-4)
    assert psnr(degraded, clean, quantize="truncate") != pytest.approx(psnr(degraded, clean), abs=1e-6)


def test_torch_batches_give_one_score_per_image(pairs) -> None:
    x = torch.cat([to_tensor(p[0]) for p in pairs])
    y = torch.cat([to_tensor(p[1]) for p in pairs])
    scores = psnr(x, y)
    assert scores.shape == (2,)
    assert float(scores[1]) == pytest.approx(psnr(*pairs[1]), abs=1e-5)
    assert ssim(x[0], y[0]).ndim == 0
    assert float(psnr(y, y)[0]) == float("inf")


def test_bad_arguments_raise() -> None:
    img = np.zeros((16, 16, 3), np.float32)
    with pytest.raises(ValueError, match="unknown color_space 'ycbcr'"):
        psnr(img, img, color_space="ycbcr")
    with pytest.raises(ValueError, match="different shapes"):
        psnr(img, img[:8])
    with pytest.raises(ValueError, match="unknown metric protocol"):
        metric_settings("matlab")
    assert set(PROTOCOLS) >= {"paper", "standard"}


def test_restoration_metric_reports_per_factor(pairs) -> None:
    metric = METRICS.build(dict(type="RestorationMetric", protocol="standard"))
    assert isinstance(metric, RestorationMetric)
    (jpeg_out, jpeg_gt), (blur_out, blur_gt) = pairs
    batch = {"data_samples": {"gt": torch.cat([to_tensor(jpeg_gt), to_tensor(blur_gt)]), "factor": ["jpeg", "blur"]}}
    metric.process(batch, [{"pred": to_tensor(jpeg_out)[0]}, {"pred": to_tensor(blur_out)[0]}])
    metric.process({}, [{"pred": to_tensor(jpeg_out)[0], "gt": to_tensor(jpeg_gt)[0], "factor": ["haze", "jpeg"]}])
    results = metric.evaluate(3)
    jpeg_psnr = psnr(jpeg_out, jpeg_gt, color_space="y_matlab")
    assert results["restore/psnr_jpeg"] == pytest.approx(jpeg_psnr, abs=1e-6)
    assert results["restore/psnr_haze+jpeg"] == pytest.approx(jpeg_psnr, abs=1e-6)
    blur_psnr = psnr(blur_out, blur_gt, color_space="y_matlab")
    assert results["restore/psnr"] == pytest.approx((2 * jpeg_psnr + blur_psnr) / 3, abs=1e-6)
    assert 0 < results["restore/ssim_blur"] < results["restore/ssim_jpeg"] < 1


def test_detection_scores_leave_out_unknown_labels() -> None:
    from zoo.data.metrics.detection import detection_scores

    probabilities = np.array([[0.9, 0.2], [0.8, 0.7], [0.1, 0.4], [0.3, 0.1]])
    present = np.array([[1.0, 0.0], [np.nan, 1.0], [0.0, 0.0], [0.0, np.nan]])
    scores = detection_scores(probabilities, present, ("rain", "blur"))
    assert scores["rain"] == {"auc": 1.0, "accuracy": 1.0, "positives": 1, "n": 3}
    assert scores["blur"] == {"auc": 1.0, "accuracy": 1.0, "positives": 1, "n": 3}
    every = detection_scores(probabilities, np.nan_to_num(present), ("rain", "blur"))
    assert every["rain"]["n"] == 4 and every["rain"]["accuracy"] == 0.75  # read as 0, the second image is a false alarm
