from pathlib import Path

import pytest
import torch
from endnet_reference import EnDNetFunctional, reference_shapes, reference_state_dict

from zoo.cli.main import main
from zoo.models.reference import checkpoint_filter, from_reference, is_reference_state_dict
from zoo.registry import create_model, load_state_dict

FACTORS = ("rain", "blur", "jpeg", "haze")


def test_synthetic_reference_dict_matches_the_spec_counts() -> None:
    shapes = reference_shapes()
    assert len(shapes) == 404
    distinct = {k: s for k, s in shapes.items() if ".down_atten." not in k}
    assert len(distinct) == 340
    assert sum(torch.Size(s).numel() for s in distinct.values()) == 11_254_072


def test_every_reference_tensor_is_used_exactly_once_at_full_width() -> None:
    ref = reference_state_dict()
    model = create_model("mbn", reference_compat=True)
    converted = checkpoint_filter(ref, model)
    assert set(converted) == set(model.state_dict())
    used = [id(t) for t in converted.values()]
    assert len(used) == len(set(used))
    sources = {id(t) for k, t in ref.items() if ".down_atten." not in k and "lstm.conv_" not in k}
    assert sources == set(used) - {
        id(converted["heads.rain.lstm.gates.weight"]),
        id(converted["heads.rain.lstm.gates.bias"]),
    }
    gates = converted["heads.rain.lstm.gates.weight"].chunk(4)
    for gate, tensor in zip("ifgo", gates, strict=True):
        assert torch.equal(tensor, ref[f"rain_head.lstm.conv_{gate}.0.conv2d.weight"])
    model.load_state_dict(converted, strict=True)


@pytest.fixture(scope="module")
def tiny_pair() -> tuple[dict[str, torch.Tensor], torch.nn.Module, torch.nn.Module]:
    ref = reference_state_dict(width=0.25, seed=1)
    compat = create_model("mbn", width=0.25, rain_iters=2, reference_compat=True)
    compat.load_state_dict(checkpoint_filter(ref, compat))
    fixed = create_model("mbn", width=0.25, rain_iters=2)
    fixed.load_state_dict(checkpoint_filter(ref, fixed))
    return ref, compat.eval(), fixed.eval()


@pytest.mark.parametrize("factor", FACTORS)
def test_converted_weights_reproduce_the_released_forward(factor: str, tiny_pair: tuple) -> None:
    ref, compat, fixed = tiny_pair
    reference = EnDNetFunctional(ref, rain_iters=2)
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        expected = reference(x, factor)
        got = compat(x, factor, all_scales=True)
        default = fixed(x, factor)
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        torch.testing.assert_close(a, b, atol=2e-5, rtol=1e-5)
    if factor in ("blur", "jpeg"):  # the corrected tail differs at mid (own output conv) and fine scale
        assert not torch.allclose(default, expected[-1], atol=1e-4)
    else:
        torch.testing.assert_close(default, expected[-1], atol=2e-5, rtol=1e-5)


def test_our_own_keys_pass_through() -> None:
    model = create_model("mbn", width=0.25, rain_iters=1)
    state = model.state_dict()
    assert not is_reference_state_dict(state)
    assert checkpoint_filter(state, model) is state


def _small_ref() -> dict[str, torch.Tensor]:
    return reference_state_dict(width=0.25)


def test_missing_key_is_named() -> None:
    ref = _small_ref()
    del ref["dec_4.conv3.conv2d.bias"]
    with pytest.raises(KeyError, match=r"dec_4\.conv3\.conv2d\.bias"):
        from_reference(ref)


def test_extra_key_is_named() -> None:
    ref = _small_ref()
    ref["dec_5.conv1.conv2d.weight"] = torch.zeros(1)
    with pytest.raises(KeyError, match=r"dec_5\.conv1"):
        from_reference(ref)


def test_alias_must_equal_its_twin() -> None:
    ref = _small_ref()
    key = "DuRB3.down_atten.1.conv2d.weight"
    ref[key] = ref[key] + 1
    with pytest.raises(ValueError, match=r"DuRB3\.down_atten\.1\.conv2d\.weight.*DuRB3\.down_seconv"):
        from_reference(ref)
    ref = _small_ref()
    del ref["DuRB2.down_se.se.fc.0.bias"]
    with pytest.raises(KeyError, match=r"DuRB2\.down_se\.se\.fc\.0\.bias"):
        from_reference(ref)


def test_shape_mismatch_is_named() -> None:
    ref = reference_state_dict(width=0.25)
    model = create_model("mbn", width=0.5, rain_iters=1)
    with pytest.raises(ValueError, match=r"reference tensor '.+' has shape"):
        checkpoint_filter(ref, model)


def test_other_alignment_is_refused() -> None:
    model = create_model("mbn", width=0.25, alignment=("haze", "blur", "jpeg", "rain"))
    with pytest.raises(KeyError, match="alignment"):
        checkpoint_filter(reference_state_dict(width=0.25), model)


def test_cli_converts_and_create_model_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref = reference_state_dict()
    source = tmp_path / "MBN.pt"
    torch.save(ref, source)
    out = tmp_path / "mbn.safetensors"
    assert main(["convert-reference", str(source), "-o", str(out)]) == 0
    assert "sha256" in capsys.readouterr().out
    saved = load_state_dict(out)
    assert torch.equal(saved["blocks.2.t2_se_conv.weight"], ref["DuRB3.down_seconv.conv2d.weight"])
    # both the converted file and the original file load through create_model
    for path in (out, source):
        model = create_model("rmbn", checkpoint=path, reference_compat=True)
        assert torch.equal(model.tails["haze"].out_conv.bias, ref["dec_4.conv3.conv2d.bias"])
