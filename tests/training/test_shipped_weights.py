"""The weights that ship in the package: present, checksummed, loadable offline, documented, within budget."""

import pytest
import torch

from zoo.data.metrics.protocols import DETECTION_PROTOCOL
from zoo.registry import create_model, list_pretrained, pretrained_table, sha256_file, weights_dir
from zoo.training.cards import model_card

NAMES = list_pretrained()


def test_weights_ship_within_the_size_budget() -> None:
    assert any(name.startswith("rmbn.") for name in NAMES), "no R-MBN weights ship"
    assert {"mbn", "cascade"} <= {name.partition(".")[0] for name in NAMES}
    total = sum(entry.path.stat().st_size for entry in pretrained_table().values() if not entry.components)
    assert total <= 50 * 2**20, f"shipped weights take {total / 2**20:.1f} MiB (budget 50 MiB)"
    assert not list(weights_dir().glob("*.pth")) and not list(weights_dir().glob("*.pt"))


@pytest.mark.parametrize("name", NAMES)
def test_each_tag_loads_with_its_checksum_and_card(name: str) -> None:
    entry = pretrained_table()[name]
    stored = {"components": entry.components} if entry.components else {"file": entry.file, "sha256": entry.sha256}
    if not entry.components:
        assert sha256_file(entry.path) == entry.sha256
    card = model_card(name, {**stored, "config": entry.config, "metadata": entry.metadata})
    assert (weights_dir() / f"{name}.md").read_text() == card
    for key in ("summary", "architecture", "training", "protocol", "scores", "licence"):
        assert key in entry.metadata, f"{name} metadata lacks {key!r}"
    model = create_model(name, pretrained=True)
    assert model.zoo_name == name and not model.training
    x = torch.rand(1, 3, 48, 48)
    with torch.no_grad():
        out = model(x, factor="haze") if entry.arch == "mbn" else model(x)
    if entry.metadata["protocol"] == DETECTION_PROTOCOL:  # probabilities and severities per factor
        probabilities, severities = out
        assert probabilities.shape == severities.shape == (1, 4)
        assert ((0 <= probabilities) & (probabilities <= 1)).all() and len(entry.metadata["thresholds"]) == 4
        return
    assert out.shape == x.shape and torch.isfinite(out).all()


def test_a_cascade_is_stored_as_its_steps_weights_not_again() -> None:
    """cascade.synth names the four dedicated tags; its steps load exactly their weights (no copy ships)."""
    table = pretrained_table()
    entry = table["cascade.synth"]
    assert entry.components == {
        "models.0": "durn_p_rgb.synth",
        "models.1": "durn_us.synth",
        "models.2": "durn_u.synth",
        "models.3": "durn_s.synth",
    }
    assert not (weights_dir() / "cascade.synth.safetensors").exists()
    cascade = create_model("cascade.synth", pretrained=True)
    for prefix, tag in entry.components.items():
        step = cascade.models[int(prefix.split(".")[1])]
        alone = create_model(tag, pretrained=True)
        assert all(torch.equal(a, b) for a, b in zip(step.state_dict().values(), alone.state_dict().values()))
    assert entry.digest(table) != table["durn_s.synth"].digest(table) and len(entry.digest(table)) == 64
