"""Every shipped tag's model-card scores, recomputed from its weights on the card's test set.

The card generator is checked against itself elsewhere; here the numbers are measured again, so a change to the
model, the weights, the metrics or the test data that moves a published score fails until the card is re-exported.
Tolerance: 0.005 dB of PSNR and 0.0005 of SSIM (the manifest stores 4 decimals; the README and the cards print
2 decimals of PSNR, so a printed PSNR cannot move by more than one unit of its last digit).
"""

import pytest

from zoo.data.metrics.protocols import DETECTION_PROTOCOL
from zoo.registry import create_model, list_pretrained, pretrained_table
from zoo.training.release import evaluate_on_samples

PSNR_TOL = 0.005
SSIM_TOL = 0.0005
FACTOR_GIVEN = ("mbn", "mbn_minimal")  # the architectures export-weights scores with the factor given
DETECTORS = [n for n in list_pretrained() if pretrained_table()[n].metadata.get("protocol") == DETECTION_PROTOCOL]


@pytest.mark.slow
@pytest.mark.parametrize("name", [name for name in list_pretrained() if name not in DETECTORS])
def test_card_scores_are_measured_again(name: str) -> None:
    meta = pretrained_table()[name].metadata
    model = create_model(name, pretrained=True)
    measured = evaluate_on_samples(
        model, factor_given=name.partition(".")[0] in FACTOR_GIVEN, protocol=meta["protocol"]
    )
    published = meta["scores"]
    assert set(measured) == set(published)
    for factor, scores in published.items():
        for key, value in scores.items():
            tolerance = PSNR_TOL if key.startswith("psnr") else SSIM_TOL
            assert measured[factor][key] == pytest.approx(value, abs=tolerance), (
                f"{name} {factor} {key}: the card says {value}, measured {measured[factor][key]}; re-export the "
                "weights' scores (zoo export-weights) or find what changed"
            )


@pytest.mark.slow
@pytest.mark.parametrize("name", DETECTORS)
def test_detector_card_scores_are_measured_again(name: str) -> None:
    """AUC and accuracy per factor on the paper and broad test sets, as the detector's card prints them."""
    from zoo.training.detector_release import evaluate_detector

    published = pretrained_table()[name].metadata["scores"]
    measured = evaluate_detector(create_model(name, pretrained=True).eval())
    for preset, factors in published.items():
        for factor, scores in factors.items():
            for key in ("auc", "accuracy", "positives", "n"):
                assert measured[preset][factor][key] == pytest.approx(scores[key], abs=5e-4), (preset, factor, key)
