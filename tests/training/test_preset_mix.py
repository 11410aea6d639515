"""Training on a mixture of synthesis presets: each batch draws its preset, reproducibly, with the given odds."""

from collections import Counter

import pytest
import torch

pytest.importorskip("mmengine.model")

from zoo.training.preprocessor import DegradeOnTheFly  # noqa: E402


def _batch(seed: int, factor: str = "blur") -> dict:
    clean = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(seed))
    return {
        "inputs": clean,
        "data_samples": {"seed": [seed, seed + 1], "factor": [factor, factor], "degraded": [False, False]},
    }


def test_each_batch_draws_its_preset_with_the_given_odds() -> None:
    mix = DegradeOnTheFly(preset={"broad": 3.0, "paper": 1.0})
    drawn = Counter(mix(_batch(2 * i), True)["data_samples"]["preset"][0] for i in range(80))
    assert set(drawn) == {"broad", "paper"}
    assert drawn["broad"] > drawn["paper"]


def test_a_mixed_batch_is_reproducible_and_matches_its_preset() -> None:
    mix = DegradeOnTheFly(preset={"broad": 1.0, "paper": 1.0})
    first, again = mix(_batch(4), True), mix(_batch(4), True)
    assert torch.equal(first["inputs"], again["inputs"])
    assert first["data_samples"]["preset"] == again["data_samples"]["preset"]
    assert len(set(first["data_samples"]["preset"])) == 1  # one preset per batch
    single = DegradeOnTheFly(preset="paper")(_batch(4), True)
    assert single["data_samples"]["preset"] == ["paper", "paper"]
    assert single["data_samples"]["steps"] == ["blur", "blur"]


@pytest.mark.parametrize("preset", [{}, {"broad": 0.0}, {"broad": -1.0, "paper": 1.0}, {"nope": 1.0}, "nope"])
def test_bad_preset_mixtures_are_refused(preset: object) -> None:
    with pytest.raises(ValueError, match="preset"):
        DegradeOnTheFly(preset=preset)
