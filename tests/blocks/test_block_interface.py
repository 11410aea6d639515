"""The block interface (zoo.blocks.interface): slots, what a network passes, and clear refusals."""

from collections.abc import Iterator

import pytest
import torch
from torch import nn

from zoo.blocks.interface import SLOTS, blocks_for_slot, build_block, slots_of
from zoo.registry import BLOCKS, create_model, register_block

GIVEN = {
    "updown": dict(channels=8, res_channels=6, k1=3, dilation=2, k2=5),
    "flat": dict(channels=8, k1=3, dilation=2, k2=5),
}
RES_SHAPE = {"updown": (1, 6, 10, 14), "flat": (1, 8, 5, 7)}


def _registered() -> list[str]:
    BLOCKS.import_from_location()
    return sorted(BLOCKS.module_dict)


def test_every_registered_block_declares_its_slots() -> None:
    for name in _registered():
        declared = getattr(BLOCKS.get(name), "slots", None)
        assert declared and set(declared) <= set(SLOTS), name
    assert blocks_for_slot("updown") == ["durb_m", "durb_u", "durb_us"]
    assert blocks_for_slot("flat") == ["durb_p", "durb_s"]


@pytest.mark.parametrize("name", _registered())
def test_every_block_builds_in_its_slots_from_the_slot_keywords_alone(name: str) -> None:
    for slot in slots_of(BLOCKS.get(name)):
        block = build_block({"type": name}, slot, "test", GIVEN[slot]).eval()
        x, res = torch.rand(1, 8, 5, 7), torch.rand(*RES_SHAPE[slot])
        with torch.no_grad():
            x2, res2 = block(x, res)
        assert x2.shape == x.shape and res2.shape == res.shape


@pytest.mark.parametrize("name", ["durb_m", "durb_u", "durb_us"])
def test_mbn_takes_every_block_of_its_slot(name: str) -> None:
    model = create_model({"type": "mbn", "width": 0.125, "rain_iters": 1, "block": {"type": name}}).eval()
    assert all(type(block) is BLOCKS.get(name) for block in model.blocks)
    x = torch.rand(1, 3, 37, 53)
    with torch.no_grad():
        for factor in model.factors:
            assert model(x, factor=factor).shape == x.shape


@pytest.mark.parametrize("name", ["durb_p", "durb_s"])
def test_a_block_of_another_slot_is_refused_with_the_blocks_that_fit(name: str) -> None:
    with pytest.raises(ValueError, match=rf"'{name}' does not fit the updown slot.*durb_m, durb_u, durb_us"):
        create_model({"type": "mbn", "width": 0.125, "block": {"type": name}})


def test_an_unknown_block_lists_the_registered_ones() -> None:
    with pytest.raises(KeyError, match="no block 'durb_x' is registered; registered blocks: durb_m"):
        create_model({"type": "mbn", "width": 0.125, "block": {"type": "durb_x"}})


def test_dedicated_networks_take_blocks_of_their_slot() -> None:
    model = create_model("durn_u", width=0.125, block_type="durb_m").eval()
    x = torch.rand(1, 3, 21, 30)
    with torch.no_grad():
        assert model(x).shape == x.shape
    with pytest.raises(ValueError, match="supported blocks here: durb_m, durb_u, durb_us"):
        create_model("durn_u", width=0.125, block_type="durb_s")


@pytest.fixture
def plain_block() -> Iterator[str]:
    @register_block("test_plain_updown", force=True)
    class PlainUpDown(nn.Module):
        """Takes exactly the slot keywords: MBN's width-derived hidden sizes must not be forced on it."""

        slots = ("updown",)

        def __init__(self, channels: int, res_channels: int, k1: int, dilation: int, k2: int) -> None:
            super().__init__()
            self.up = nn.Conv2d(channels, 4 * res_channels, 1)
            self.down = nn.Conv2d(res_channels, channels, 3, stride=2, padding=1)

        def forward(self, x: torch.Tensor, res: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            res = torch.relu(nn.functional.pixel_shuffle(self.up(x), 2) + res)
            return torch.relu(self.down(res) + x), res

    yield "test_plain_updown"
    BLOCKS.module_dict.pop("test_plain_updown", None)


def test_a_new_block_needs_only_the_slot_keywords(plain_block: str) -> None:
    model = create_model({"type": "mbn", "width": 0.125, "rain_iters": 1, "block": {"type": plain_block}}).eval()
    x = torch.rand(1, 3, 20, 24)
    with torch.no_grad():
        assert model(x, factor="haze").shape == x.shape
