import math

import numpy as np
import pytest

from zoo.data.broad_kernels import (
    MAX_KERNEL_SIZE,
    defocus_kernel,
    gaussian_kernel,
    kernel_spread,
    shake_kernel,
    shake_trajectory,
)
from zoo.data.degradations import BLUR_FAMILIES, BroadBlur, blur_kernel
from zoo.data.kernels import line_kernel


def centre_of_mass(kernel: np.ndarray) -> tuple[float, float]:
    rows, cols = np.indices(kernel.shape)
    return float((kernel * rows).sum() / kernel.sum()), float((kernel * cols).sum() / kernel.sum())


@pytest.mark.parametrize("family", list(BLUR_FAMILIES))
def test_sampled_kernels_are_normalised_non_negative_square_and_odd(family: str) -> None:
    blur = BroadBlur(families={family: 1.0})
    rng = np.random.default_rng(1)
    for _ in range(25):
        params = blur.sample_params(rng)
        assert params["family"] == family
        kernel = blur_kernel(params)
        assert kernel.dtype == np.float32 and kernel.ndim == 2
        assert kernel.shape[0] == kernel.shape[1] and kernel.shape[0] % 2 == 1
        assert kernel.min() >= 0 and kernel.sum() == pytest.approx(1.0, abs=1e-5)
        if family != "imagenet_c":  # the paper's one-sided kernel shifts the image on purpose
            centre = kernel.shape[0] // 2
            assert np.allclose(centre_of_mass(kernel), (centre, centre), atol=0.5)
        if family in ("shake", "defocus", "gaussian"):
            assert kernel.shape[0] <= MAX_KERNEL_SIZE


def test_spread_of_known_kernels() -> None:
    identity = np.zeros((3, 3), np.float32)
    identity[1, 1] = 1.0
    assert kernel_spread(identity) == 0.0
    line = np.zeros((9, 9), np.float32)
    line[4, :] = 1.0 / 9
    assert kernel_spread(line) == pytest.approx(math.sqrt((9**2 - 1) / 12))
    assert kernel_spread(gaussian_kernel(2.0, 2.0, 0.0)) == pytest.approx(math.sqrt(2) * 2.0, rel=0.02)
    assert kernel_spread(defocus_kernel(6.0)) == pytest.approx(6.0 / math.sqrt(2), rel=0.05)
    with pytest.raises(ValueError, match="no positive weight"):
        kernel_spread(np.zeros((3, 3)))


def test_spread_grows_with_each_family_size_knob() -> None:
    lines = [kernel_spread(line_kernel(length, 30.0)) for length in (5, 15, 25)]
    assert lines[0] < lines[1] < lines[2]
    assert kernel_spread(defocus_kernel(1.0)) < kernel_spread(defocus_kernel(3.5)) < kernel_spread(defocus_kernel(8.0))
    straight = [shake_kernel(length, 20.0, 0.0, 0.0, 0.0, seed=0) for length in (5, 15, 25)]
    spreads = [kernel_spread(k) for k in straight]
    assert spreads[0] < spreads[1] < spreads[2]
    # Without turning, shakes or pull-back the trajectory is a straight line: spread L / sqrt(12).
    assert spreads[2] == pytest.approx(25 / math.sqrt(12), rel=0.05)


def test_anisotropic_gaussian_is_elongated_along_its_angle() -> None:
    horizontal = gaussian_kernel(3.0, 0.8, 0.0)
    assert horizontal.sum(axis=0).std() < horizontal.sum(axis=1).std()  # mass spread over columns, not rows
    vertical = gaussian_kernel(3.0, 0.8, 90.0)
    assert np.allclose(vertical, horizontal.T, atol=1e-6)
    assert np.allclose(gaussian_kernel(2.0, 2.0, 0.0), gaussian_kernel(2.0, 2.0, 37.0), atol=1e-6)


def test_defocus_disk_is_round_and_anti_aliased() -> None:
    disk = defocus_kernel(4.3)
    assert np.allclose(disk, disk.T) and np.allclose(disk, disk[::-1])
    values = np.unique(np.round(disk / disk.max(), 6))
    assert 0 < values[1] < 1  # partial-coverage taps on the rim
    with pytest.raises(ValueError, match="radius must be positive"):
        defocus_kernel(0.0)


def test_shake_trajectory_has_the_requested_length_and_is_reproducible() -> None:
    path = shake_trajectory(30.0, 45.0, anxiety=1.5, big_shake=2.0, centripetal=0.5, seed=3)
    assert path[0] == 0 and np.abs(np.diff(path)).sum() == pytest.approx(30.0, rel=1e-6)
    again = shake_trajectory(30.0, 45.0, anxiety=1.5, big_shake=2.0, centripetal=0.5, seed=3)
    other = shake_trajectory(30.0, 45.0, anxiety=1.5, big_shake=2.0, centripetal=0.5, seed=4)
    assert np.array_equal(path, again) and not np.allclose(path, other)
    straight = shake_trajectory(10.0, 90.0, anxiety=0.0, big_shake=0.0, centripetal=0.0, seed=0)
    assert straight[-1] == pytest.approx(complex(0.0, -10.0), abs=1e-9)  # 90 degrees points up the image


def test_shake_kernels_turn_with_anxiety_and_fit_the_size_limit() -> None:
    straight = shake_kernel(20.0, 0.0, 0.0, 0.0, 0.0, seed=5)
    assert np.count_nonzero(straight.sum(axis=1) > 1e-3) <= 2  # one row (two with sub-pixel splatting)
    curved = [shake_kernel(20.0, 0.0, 2.0, 0.0, 0.0, seed=s) for s in range(5)]
    assert max(np.count_nonzero(k.sum(axis=1) > 1e-3) for k in curved) > 3
    huge = shake_kernel(200.0, 10.0, 1.0, 1.0, 0.5, seed=1)
    assert huge.shape[0] <= MAX_KERNEL_SIZE and huge.sum() == pytest.approx(1.0, abs=1e-5)


def test_unknown_blur_family_raises() -> None:
    with pytest.raises(ValueError, match="unknown blur family 'box'"):
        blur_kernel({"family": "box"})
    with pytest.raises(ValueError, match="families"):
        BroadBlur(families={"box": 1.0})
