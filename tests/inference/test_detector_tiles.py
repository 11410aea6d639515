"""Rain and JPEG scored on tiles of large images (zoo.inference.detector_tiles)."""

import numpy as np
import pytest
import torch

from zoo.inference.detector_tiles import MAX_TILES, TILE_FROM, TILE_SIDE, tile_positions, with_tiled_factors
from zoo.models.detector import DETECTOR_FACTORS


def test_tiles_cover_the_image_on_the_jpeg_grid() -> None:
    height, width = 1131, 2010
    positions = tile_positions(height, width, limit=100)
    covered = np.zeros((height, width), bool)
    for top, left in positions:
        assert top % 8 == 0 and left % 8 == 0 and top + TILE_SIDE <= height and left + TILE_SIDE <= width
        covered[top : top + TILE_SIDE, left : left + TILE_SIDE] = True
    # rounding down to the 8-pixel grid may leave the last 7 rows and columns out
    assert covered[: height - 7, : width - 7].all()
    capped = tile_positions(4000, 6000)
    assert len(capped) == MAX_TILES and len(set(capped)) == MAX_TILES
    assert capped[0] == (0, 0) and capped[-1] == ((4000 - TILE_SIDE) // 8 * 8, (6000 - TILE_SIDE) // 8 * 8)
    with pytest.raises(ValueError, match="smaller than one tile"):
        tile_positions(300, 2000)


@pytest.fixture(scope="module")
def detector() -> torch.nn.Module:
    from zoo.registry import create_model

    torch.manual_seed(0)
    return create_model("detector", channels=(4, 4, 4, 4, 4), hidden=8).eval()


def test_small_images_keep_their_whole_image_scores(detector: torch.nn.Module) -> None:
    x = torch.rand(1, 3, 600, TILE_FROM)
    scores = detector(x)
    assert all(torch.equal(a, b) for a, b in zip(with_tiled_factors(x, detector, *scores), scores, strict=True))


def test_large_images_get_tile_scores_for_rain_and_jpeg_the_lower_for_blur(detector: torch.nn.Module) -> None:
    torch.manual_seed(1)
    x = torch.rand(2, 3, 400, TILE_FROM + 100)
    whole = detector(x)
    probabilities, severities = with_tiled_factors(x, detector, *whole)
    tiled = [DETECTOR_FACTORS.index(f) for f in ("rain", "jpeg")]
    blur, haze = DETECTOR_FACTORS.index("blur"), DETECTOR_FACTORS.index("haze")
    assert torch.equal(probabilities[:, haze], whole[0][:, haze]) and torch.equal(
        severities[:, haze], whole[1][:, haze]
    )
    for index in range(2):
        tiles = torch.stack([x[index, :, t : t + TILE_SIDE, s : s + TILE_SIDE] for t, s in tile_positions(400, 1124)])
        expected = torch.sigmoid(torch.logit(detector(tiles)[0]).mean(dim=0))
        torch.testing.assert_close(probabilities[index, tiled], expected[tiled])
        torch.testing.assert_close(probabilities[index, blur], torch.minimum(whole[0][index, blur], expected[blur]))


def test_a_large_rainy_photo_gets_a_full_rain_step_and_nothing_else() -> None:
    """A test photo enlarged to 2 MP with the paper's rain: the default (tiles for rain) runs the rain step fully."""
    import cv2

    from zoo.data.degradations import degrade
    from zoo.data.splits import load_split
    from zoo.inference.adaptive import load_detector, plan_steps

    photo = load_split("test", ("kleiber",))[0]
    large = np.clip(cv2.resize(photo, None, fx=4, fy=4, interpolation=cv2.INTER_CUBIC), 0, 1)[:1152, :2048]
    rainy, _ = degrade(np.ascontiguousarray(large), ["rain"], seed=1, preset="paper")
    x = torch.from_numpy(np.round(rainy * 255) / 255).permute(2, 0, 1)[None].float()
    detector = load_detector()
    plan = plan_steps(x, ("jpeg", "haze", "blur", "rain"), "auto", detector)
    assert plan.steps == ("rain",) and "rain" not in plan.strengths  # found, and at full strength
