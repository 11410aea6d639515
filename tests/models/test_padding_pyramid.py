import pytest
import torch

from zoo.layers import crop, pad_to_multiple, padded_size
from zoo.models.pyramid import build_pyramid, downscale2, upscale2


@pytest.mark.parametrize(
    ("size", "multiple", "min_size", "expected"), [(37, 16, 1, 48), (32, 16, 1, 32), (5, 4, 16, 16)]
)
def test_padded_size(size: int, multiple: int, min_size: int, expected: int) -> None:
    assert padded_size(size, multiple, min_size) == expected


def test_pad_reflects_and_crop_restores() -> None:
    x = torch.rand(2, 3, 37, 45)
    padded = pad_to_multiple(x, 16)
    assert padded.shape == (2, 3, 48, 48)
    assert torch.equal(crop(padded, 37, 45), x)
    torch.testing.assert_close(padded[..., 37, :45], x[..., 35, :])  # reflection about the last row


def test_pad_larger_than_the_image() -> None:
    x = torch.rand(1, 3, 3, 5)
    padded = pad_to_multiple(x, 4, min_size=64)
    assert padded.shape == (1, 3, 64, 64)
    assert torch.equal(padded[..., :3, :5], x)
    single = pad_to_multiple(torch.rand(1, 3, 1, 1), 2, min_size=4)
    assert single.shape == (1, 3, 4, 4) and (single.std(dim=(2, 3)) == 0).all()


def test_pyramid_sizes_and_order() -> None:
    x = torch.rand(1, 3, 32, 48)
    pyramid = build_pyramid(x, 3)
    assert [p.shape[-2:] for p in pyramid] == [(8, 12), (16, 24), (32, 48)]
    assert pyramid[-1] is x
    assert upscale2(downscale2(x)).shape == x.shape
    const = torch.full((1, 3, 16, 16), 0.3)
    torch.testing.assert_close(downscale2(const), torch.full((1, 3, 8, 8), 0.3))
