"""The numbers in the README's prose, read from the README text and measured again (or checked against the cards).

A change of the README sentence or of what it reports fails here. Measured PSNRs must agree at the printed
precision: within half a unit of the last printed digit (0.005 dB).
"""

import re
from pathlib import Path

import pytest

from zoo.cli.main import main
from zoo.data.metrics.protocols import DETECTION_PROTOCOL
from zoo.inference import default_model_name
from zoo.inference.samples import SAMPLE_PROTOCOL
from zoo.registry import pretrained_table

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
PRINTED = 0.005 + 1e-9  # half a unit of the second decimal
NUMBER = r"[+−-]?\d+\.\d+"
BF16_TOLERANCE_TEXT = "where the CPU has AMX or AVX512-BF16, `auto` is bf16, within 0.05 dB of these"


def _float(text: str) -> float:
    return float(text.replace("−", "-"))


def _paragraph(start: str) -> str:
    """The README paragraph that begins with ``start`` (joined into one line)."""
    match = re.search(re.escape(start) + r".*?(?:\n\n|\Z)", README, re.S)
    assert match, f"the README has no paragraph starting {start!r}; update this test with the README"
    return " ".join(match.group(0).split())


def _card_gain(tag: str, factor: str) -> float:
    scores = pretrained_table()[tag].metadata["scores"][factor]
    return scores["psnr"] - scores["psnr_input"]


def _sample_psnrs(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[float, float, float]:
    """(degraded, restored, gain) as ``zoo restore --sample`` prints them."""
    assert main(["restore", "--sample", *args, "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    degraded = re.search(rf"PSNR degraded vs clean:\s+({NUMBER}) dB", out)
    restored = re.search(rf"PSNR restored vs clean:\s+({NUMBER}) dB \(({NUMBER}) dB\)", out)
    assert degraded and restored, out
    return float(degraded.group(1)), float(restored.group(1)), float(restored.group(2))


def test_the_protocols_named_for_the_samples_and_the_cards_are_theirs() -> None:
    text = _paragraph("Scores below are PSNR in dB")
    assert f"five samples under the `{SAMPLE_PROTOCOL}` protocol" in text, text
    card_protocols = {entry.metadata["protocol"] for entry in pretrained_table().values()} - {DETECTION_PROTOCOL}
    assert len(card_protocols) == 1, card_protocols
    assert f"weights table under the `{card_protocols.pop()}` protocol" in text, text


def test_v2_against_synth4_gains_are_the_cards() -> None:
    text = _paragraph("`mbn.synth4v2` is the same stage-1 MBN")
    pairs = re.findall(rf"(rain|haze|blur|JPEG)[^()]{{0,25}}\(({NUMBER})(?: dB)? vs ({NUMBER})\)", text)
    assert {factor for factor, _, _ in pairs} == {"rain", "haze", "blur", "JPEG"}, text
    for factor, v2, synth4 in pairs:
        assert _float(v2) == pytest.approx(_card_gain("mbn.synth4v2", factor.lower()), abs=PRINTED), factor
        assert _float(synth4) == pytest.approx(_card_gain("mbn.synth4", factor.lower()), abs=PRINTED), factor


def test_v3_jpeg_gain_is_the_card() -> None:
    text = _paragraph("`mbn.synth4v3` is `mbn.synth4v2`")
    match = re.search(rf"gains ({NUMBER}) dB where v2's loses (\d+\.\d+) dB", text)
    assert match, text
    assert _float(match.group(1)) == pytest.approx(_card_gain("mbn.synth4v3", "jpeg"), abs=PRINTED)
    assert -_float(match.group(2)) == pytest.approx(_card_gain("mbn.synth4v2", "jpeg"), abs=PRINTED)
    train = _paragraph("The JPEG branch does not learn under that recipe")
    match = re.search(rf"its card: JPEG ({NUMBER}) dB, where v2 loses (\d+\.\d+)", train)
    assert match, train
    assert _float(match.group(1)) == pytest.approx(_card_gain("mbn.synth4v3", "jpeg"), abs=PRINTED)
    assert -_float(match.group(2)) == pytest.approx(_card_gain("mbn.synth4v2", "jpeg"), abs=PRINTED)


@pytest.mark.slow
def test_sample_psnrs_of_the_default_model(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = _paragraph("`zoo restore --sample NAME -o restored/` with the default")
    default = re.search(r"with the default `([\w.]+)`", text)
    assert default and default.group(1) == default_model_name(), "the README names another default model"
    rows = re.findall(rf"(\w+) ({NUMBER}) → ({NUMBER})(?: dB)? \(({NUMBER})\)", text)
    assert len(rows) == 5, text
    from zoo.hardware import cpu_supports_fast_bf16

    assert "`--dtype auto` on a CPU without fast bf16, so fp32" in text and BF16_TOLERANCE_TEXT in text, text
    # the printed numbers are fp32's; where the CPU has fast bf16, auto is bf16, which the cards keep within 0.05 dB
    tolerance = PRINTED + 0.05 if cpu_supports_fast_bf16() else PRINTED
    for name, before, after, gain in rows:
        measured = _sample_psnrs(capsys, tmp_path / name, name)
        for printed, value in zip((before, after, gain), measured, strict=True):
            assert _float(printed) == pytest.approx(value, abs=tolerance), f"{name}: README {printed}, measured {value}"


@pytest.mark.slow
def test_v3_jpeg_sample_and_v2_comparison(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = _paragraph("`mbn.synth4v3` is `mbn.synth4v2`")
    match = re.search(
        rf"`zoo restore --sample (\w+) -m ([\w.]+) --factor (\w+)` gives ({NUMBER}) → ({NUMBER}) dB \(v2: ({NUMBER})\)",
        text,
    )
    assert match, text
    sample, tag, factor, before, after, v2_after = match.groups()
    degraded, restored, _ = _sample_psnrs(capsys, tmp_path / "v3", sample, "-m", tag, "--factor", factor)
    assert _float(before) == pytest.approx(degraded, abs=PRINTED)
    assert _float(after) == pytest.approx(restored, abs=PRINTED)
    _, restored_v2, _ = _sample_psnrs(capsys, tmp_path / "v2", sample, "-m", "mbn.synth4v2", "--factor", factor)
    assert _float(v2_after) == pytest.approx(restored_v2, abs=PRINTED)
