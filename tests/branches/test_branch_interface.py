"""The branch interface (zoo.branches.interface): validated attributes and width-derived defaults for a swapped type."""

from collections.abc import Iterator

import pytest
import torch
from torch import nn

from zoo.registry import BRANCHES, create_model, register_branch


@pytest.fixture
def registered() -> Iterator[list[str]]:
    names: list[str] = []
    yield names
    for name in names:
        BRANCHES.module_dict.pop(name, None)


def _register(names: list[str], name: str, cls: type) -> str:
    register_branch(name, force=True)(cls)
    names.append(name)
    return name


def test_a_head_without_mode_names_the_factor_the_branch_and_the_attribute(registered: list[str]) -> None:
    class NoMode(nn.Module):
        def __init__(self, channels: int, res_channels: int) -> None:
            super().__init__()

    name = _register(registered, "test_no_mode_head", NoMode)
    with pytest.raises(ValueError, match=r"haze: the input branch NoMode has no valid 'mode' class attribute"):
        create_model({"type": "mbn", "width": 0.125, "input_branches": {"haze": {"type": name}}})


def test_a_head_without_downsample_is_named(registered: list[str]) -> None:
    class NoDownsample(nn.Module):
        mode = "single"
        scales = 1

        def __init__(self, channels: int, res_channels: int) -> None:
            super().__init__()

    name = _register(registered, "test_no_downsample_head", NoDownsample)
    with pytest.raises(ValueError, match=r"haze: the input branch NoDownsample needs a whole-number 'downsample'"):
        create_model({"type": "mbn", "width": 0.125, "input_branches": {"haze": {"type": name}}})


def test_mismatched_modes_are_refused() -> None:
    with pytest.raises(ValueError, match="haze: a single input branch needs a single output branch; CoarseToFineTail"):
        create_model({"type": "mbn", "width": 0.125, "output_branches": {"haze": {"type": "c2f_tail"}}})


def test_an_unknown_branch_type_lists_the_registered_ones() -> None:
    with pytest.raises(KeyError, match="no input branch 'c2f_hed' is registered; registered branches: c2f_head"):
        create_model({"type": "mbn", "width": 0.125, "input_branches": {"blur": {"type": "c2f_hed"}}})


def test_a_swapped_type_gets_the_widths_of_the_model() -> None:
    """haze's plain pair swapped for the coarse-to-fine pair: no channel counts written by hand."""
    swap = {"haze": {"type": "c2f_head"}}
    model = create_model(
        {"type": "mbn", "width": 0.25, "act": "leaky_relu", "input_branches": swap,
         "output_branches": {"haze": {"type": "c2f_tail"}}}
    )  # fmt: skip
    head, tail, reference = model.heads["haze"], model.tails["haze"], model.heads["blur"]
    assert head.scale_conv3[0].out_channels == reference.scale_conv3[0].out_channels == 24  # channels, width 0.25
    assert head.scale_conv2[0].out_channels == 16  # res_channels
    assert head.scale_conv1[0].out_channels == 8  # hidden
    assert isinstance(head.act, nn.LeakyReLU)  # the model's activation, offered to any branch that takes one
    assert tail.scale_conv1[0].out_channels == 16 and tail.expand1[0].in_channels == 24
    x = torch.rand(1, 3, 37, 53)
    with torch.no_grad():
        assert model.eval()(x, factor="haze").shape == x.shape


def test_a_new_branch_gets_only_what_its_constructor_names(registered: list[str]) -> None:
    class TinyHazeHead(nn.Module):
        mode = "single"
        downsample = 4
        scales = 1

        def __init__(self, channels: int, res_channels: int, hidden: int = 99) -> None:
            super().__init__()
            self.hidden = hidden
            self.to_res = nn.Conv2d(3, res_channels, 3, stride=2, padding=1)
            self.to_x = nn.Conv2d(res_channels, channels, 3, stride=2, padding=1)

        def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            res = torch.relu(self.to_res(image))
            return torch.relu(self.to_x(res)), res

    name = _register(registered, "test_tiny_haze_head", TinyHazeHead)
    model = create_model({"type": "mbn", "width": 0.25, "input_branches": {"haze": {"type": name}}}).eval()
    assert model.heads["haze"].hidden == 8  # 32 x 0.25, not the constructor's default
    x = torch.rand(1, 3, 20, 28)
    with torch.no_grad():
        assert model(x, factor="haze").shape == x.shape
