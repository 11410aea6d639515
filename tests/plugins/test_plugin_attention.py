"""A third-party module registers an attention class and builds an MBN that uses it, from a config dict."""

import importlib

import torch

import zoo
from zoo.registry import ATTENTION


def _count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_plugin_attention_builds_into_mbn_from_a_config() -> None:
    plugin = importlib.import_module("third_party_attention")  # on sys.path: pytest adds this folder
    assert ATTENTION.get("third_party_gated") is plugin.GatedAttention

    base_cfg = {"type": "mbn", "width": 0.25, "rain_iters": 1}
    plain = zoo.create_model(base_cfg)
    swapped = zoo.create_model({**base_cfg, "block": {"attention": {"type": "third_party_gated"}}})

    gated = [m for m in swapped.modules() if isinstance(m, plugin.GatedAttention)]
    assert len(gated) == 8  # one per DuRB-M block (M1..M8)
    # Each block trades its TV+GAP MLP (2C -> h -> C) for a C -> C 1x1 conv.
    removed = sum(
        sum(p.numel() for p in m.parameters()) for m in plain.modules() if type(m).__name__ == "TVGapAttention"
    )
    added = sum(_count(m) for m in gated)
    assert _count(swapped) == _count(plain) - removed + added
    assert removed != added

    x = torch.rand(1, 3, 40, 40)
    with torch.no_grad():
        out = swapped(x, factor="haze")
    assert out.shape == x.shape and torch.isfinite(out).all()
