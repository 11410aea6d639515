"""Damage outside the four factors: what the detector learns to leave alone, and what the unseen study applies."""

import numpy as np
import pytest

from zoo.data.degradations.other_damage import (
    BRIGHT_DISTRACTORS,
    DISTRACTORS,
    KINDS,
    RESAMPLE_DISTRACTORS,
    apply_damage,
    bright_tone,
    is_distractor,
    random_distractor,
)


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    rng = np.random.default_rng(0)
    base = np.linspace(0.1, 0.9, 64, dtype=np.float32)
    image = np.stack([np.add.outer(base, base) / 2] * 3, axis=-1)
    return np.clip(image + rng.normal(0, 0.05, image.shape).astype(np.float32), 0, 1)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_changes_the_photo_and_keeps_its_shape_and_range(photo: np.ndarray, kind: str) -> None:
    out = apply_damage(photo, kind, seed=1)
    assert out.shape == photo.shape and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    assert np.abs(out - photo).mean() > 1e-3


def test_noise_depends_on_the_seed_and_the_rest_does_not(photo: np.ndarray) -> None:
    assert not np.array_equal(apply_damage(photo, "noise_5", 1), apply_damage(photo, "noise_5", 2))
    assert np.array_equal(apply_damage(photo, "webp_40", 1), apply_damage(photo, "webp_40", 2))


def test_unknown_kind_is_refused(photo: np.ndarray) -> None:
    with pytest.raises(ValueError, match="unknown damage 'blurry'"):
        apply_damage(photo, "blurry")


def test_held_out_kinds_are_not_distractors() -> None:
    trained = {kind.partition("_")[0] for kind in KINDS if is_distractor(kind)}
    assert trained == set(DISTRACTORS)  # the study scores every distractor kind
    assert {kind for kind in KINDS if not is_distractor(kind)} >= {"resample_2", "gamma_1.8", "sharpen_1"}


def test_random_distractors_cover_every_kind_within_their_ranges(photo: np.ndarray) -> None:
    rng = np.random.default_rng(3)
    drawn: dict[str, list[dict]] = {}
    for _ in range(60):
        out, params = random_distractor(photo, rng)
        assert out.shape == photo.shape and 0.0 <= out.min() and out.max() <= 1.0
        drawn.setdefault(str(params["kind"]), []).append(params)
    assert set(drawn) == set(DISTRACTORS)
    assert all(1.0 <= p["sigma"] <= 20.0 for p in drawn["noise"])
    assert all(35 <= p["quality"] <= 90 for p in drawn["webp"])


def test_bright_tone_brightens_and_pales_but_keeps_the_blacks(photo: np.ndarray) -> None:
    colour = photo * np.array([1.0, 0.7, 0.4], np.float32)
    colour[:4, :4] = 0.0
    out = bright_tone(colour, 1.3, 0.6, 0.5)
    assert out.mean() > colour.mean() + 0.1
    assert np.ptp(out, axis=-1).mean() < np.ptp(colour, axis=-1).mean()
    assert np.all(out[:4, :4] == 0.0)  # haze would lift these toward the airlight


def test_bright_distractors_are_drawn_only_when_asked_and_the_old_draws_stay(photo: np.ndarray) -> None:
    draws = [random_distractor(photo, np.random.default_rng(seed))[1]["kind"] for seed in range(40)]
    assert "bright" not in draws
    with_bright = [random_distractor(photo, np.random.default_rng(s), BRIGHT_DISTRACTORS)[1] for s in range(40)]
    assert {p["kind"] for p in with_bright} == set(BRIGHT_DISTRACTORS)
    bright = [p for p in with_bright if p["kind"] == "bright"]
    assert all(
        1.0 <= p["gain"] <= 1.5 and 0.5 <= p["exponent"] <= 1.0 and 0.35 <= p["saturation"] <= 1.0 for p in bright
    )
    with pytest.raises(ValueError, match="distractor kinds must be some of"):
        random_distractor(photo, np.random.default_rng(0), ("noise", "fog"))


def test_the_resample_distractor_enlarges_a_shrunk_photo_only_when_asked(photo: np.ndarray) -> None:
    drawn = [random_distractor(photo, np.random.default_rng(s), RESAMPLE_DISTRACTORS) for s in range(40)]
    assert {params["kind"] for _, params in drawn} == set(RESAMPLE_DISTRACTORS)
    enlarged = [(image, params) for image, params in drawn if params["kind"] == "resample"]
    assert {params["linear"] for _, params in enlarged} == {True, False}
    for image, params in enlarged:
        assert 1.25 <= params["factor"] <= 3.0 and image.shape == photo.shape
        assert np.abs(np.diff(image, axis=1)).mean() < np.abs(np.diff(photo, axis=1)).mean()  # softer
    default = [random_distractor(photo, np.random.default_rng(s))[1]["kind"] for s in range(40)]
    assert "resample" not in default  # drawn only when asked
