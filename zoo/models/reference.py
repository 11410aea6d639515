"""Mapping the authors' released MBN / R-MBN checkpoints (``EnDNet`` of 6272code/6272-code) onto ``zoo.models``.

The released state_dict wraps every conv (``<path>.conv2d.weight``/``.bias``), names the parts
``rain_head``, ``blur_head``, ``jpeg_head``, ``haze_head``, ``DuRB1..8``, ``dec_1..4`` and registers each DuRB's T2
SE path twice (``down_atten.0.*`` / ``down_atten.1.*`` alias ``down_se.*`` / ``down_seconv.*``). The four ConvLSTM
gate convs (i, f, g, o) become one conv with their outputs concatenated in that order. Both the MBN and the R-MBN
files use this scheme; both load into ``mbn`` and ``rmbn`` (which share the parameter set).
"""

import re
from typing import Any

import torch

from zoo.factors import FACTORS

__all__ = ["REFERENCE_ALIASES", "checkpoint_filter", "from_reference", "is_reference_state_dict", "reference_modules"]

SCALES = ("C", "M", "F")  # coarse, mid, fine
GATES = ("i", "f", "g", "o")
# (alias prefix, twin prefix) inside every DuRB
REFERENCE_ALIASES = (("down_atten.0.", "down_se."), ("down_atten.1.", "down_seconv."))

# kinds of module: a wrapped conv with bias, a wrapped conv without bias, a plain nn.Linear
CONV, CONV_NOBIAS, LINEAR = "conv", "conv_nobias", "linear"


def _se_block(ref: str, ours: str) -> list[tuple[str, str, str]]:
    """An SE residual block: two bias-free convs and the attention's two linear layers."""
    convs = [(f"{ref}.conv{i}", f"{ours}.conv{i}", CONV_NOBIAS) for i in (1, 2)]
    return convs + [(f"{ref}.se.fc.{i}", f"{ours}.attention.fc.{i}", LINEAR) for i in (0, 2)]


def _durb(n: int) -> list[tuple[str, str, str]]:
    ref, ours = f"DuRB{n}", f"blocks.{n - 1}"
    return [
        *_se_block(f"{ref}.base", f"{ours}.container"),
        (f"{ref}.upsamp_module.upsamp.0", f"{ours}.t1_expand", CONV),
        (f"{ref}.up_conv", f"{ours}.t1_conv", CONV),
        (f"{ref}.down_conv", f"{ours}.t2_conv", CONV),
        *_se_block(f"{ref}.down_se", f"{ours}.t2_se_block"),
        (f"{ref}.down_seconv", f"{ours}.t2_se_conv", CONV),
        (f"{ref}.merge", f"{ours}.merge", CONV),
    ]


def _c2f_head(ref: str, ours: str) -> list[tuple[str, str, str]]:
    pairs = []
    for s, letter in enumerate(SCALES):
        for stage in (1, 2, 3):
            pairs.append((f"{ref}.{letter}_conv{stage}", f"{ours}.scale_conv{stage}.{s}", CONV))
    return pairs + _shared_convs(ref, ours)


def _shared_convs(ref: str, ours: str) -> list[tuple[str, str, str]]:
    """The four convs a coarse-to-fine branch shares between its scales (two per stage)."""
    return [(f"{ref}.conv{i + 1}", f"{ours}.shared_conv{i // 2 + 1}.{i % 2}", CONV) for i in range(4)]


def _c2f_tail(ref: str, ours: str) -> list[tuple[str, str, str]]:
    pairs = []
    for s, letter in enumerate(SCALES):
        pairs += [
            (f"{ref}.{letter}_upsamp1.upsamp.0", f"{ours}.expand1.{s}", CONV),
            (f"{ref}.{letter}_upconv1", f"{ours}.scale_conv1.{s}", CONV),
            (f"{ref}.{letter}_upsamp2.upsamp.0", f"{ours}.expand2.{s}", CONV),
            (f"{ref}.{letter}_upconv2", f"{ours}.scale_conv2.{s}", CONV),
            (f"{ref}.{letter}_conv", f"{ours}.out_conv.{s}", CONV),
        ]
    return pairs + _shared_convs(ref, ours)


def reference_modules() -> list[tuple[str, str, str]]:
    """``(reference module, zoo module, kind)`` for every module of the released network except the LSTM gates."""
    pairs = [
        ("rain_head.lstm.comb_conv", "heads.rain.lstm.input_conv", CONV),
        ("rain_head.conv1", "heads.rain.res_conv", CONV),
        ("rain_head.conv2", "heads.rain.feat_conv", CONV),
        *_c2f_head("blur_head", "heads.blur"),
        *_c2f_head("jpeg_head", "heads.jpeg"),
        *[(f"haze_head.conv{i + 1}", f"heads.haze.convs.{i}", CONV) for i in range(3)],
        *[pair for n in range(1, 9) for pair in _durb(n)],
        ("dec_1.up1.upsamp.0", "tails.rain.expand", CONV),
        ("dec_1.conv1", "tails.rain.conv", CONV),
        ("dec_1.conv2", "tails.rain.out_conv", CONV),
        *_c2f_tail("dec_2", "tails.blur"),
        *_c2f_tail("dec_3", "tails.jpeg"),
        ("dec_4.up1.upsamp.0", "tails.haze.expand1", CONV),
        ("dec_4.conv1", "tails.haze.conv1", CONV),
        ("dec_4.up2.upsamp.0", "tails.haze.expand2", CONV),
        ("dec_4.conv2", "tails.haze.conv2", CONV),
        ("dec_4.conv3", "tails.haze.out_conv", CONV),
    ]
    return pairs


def _tensor_keys(module: str, kind: str) -> list[tuple[str, str]]:
    """``(reference suffix, zoo suffix)`` of a module's tensors."""
    if kind == LINEAR:
        return [(".weight", ".weight"), (".bias", ".bias")]
    keys = [(".conv2d.weight", ".weight")]
    if kind == CONV:
        keys.append((".conv2d.bias", ".bias"))
    return keys


def is_reference_state_dict(state_dict: dict[str, Any]) -> bool:
    """Whether a state dict uses the released network's key scheme (wrapped ``.conv2d.`` convs, ``DuRB1`` ...)."""
    return any(key.startswith("DuRB1.") or ".conv2d." in key for key in state_dict)


def _pop(state: dict[str, torch.Tensor], key: str) -> torch.Tensor:
    if key not in state:
        raise KeyError(f"reference checkpoint lacks {key!r}; is it the released MBN/R-MBN (EnDNet) state dict?")
    return state.pop(key)


def from_reference(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename a released ``EnDNet`` state dict to this package's keys (no shape checks; see ``checkpoint_filter``).

    Raises:
        KeyError: A reference key is missing or an unknown key is left over (the message names it).
        ValueError: A ``down_atten.*`` alias differs from its twin.
    """
    state = dict(state_dict)
    for key in [k for k in state if re.match(r"DuRB\d+\.down_atten\.", k)]:
        block, _, rest = key.partition(".")
        for alias, twin in REFERENCE_ALIASES:
            if rest.startswith(alias):
                twin_key = f"{block}.{twin}{rest[len(alias) :]}"
                break
        else:
            raise KeyError(f"unexpected reference key {key!r} (only down_atten.0 / down_atten.1 aliases exist)")
        if twin_key not in state:
            raise KeyError(f"reference key {key!r} is an alias of {twin_key!r}, which is missing")
        if state[key].shape != state[twin_key].shape or not torch.equal(state[key], state[twin_key]):
            raise ValueError(f"reference key {key!r} should equal its twin {twin_key!r} but differs")
        del state[key]

    out: dict[str, torch.Tensor] = {}
    for ref, ours, kind in reference_modules():
        for ref_suffix, our_suffix in _tensor_keys(ref, kind):
            out[ours + our_suffix] = _pop(state, ref + ref_suffix)
    for suffix in ("weight", "bias"):
        gates = [_pop(state, f"rain_head.lstm.conv_{g}.0.conv2d.{suffix}") for g in GATES]
        out[f"heads.rain.lstm.gates.{suffix}"] = torch.cat(gates, dim=0)
    if state:
        raise KeyError(f"unexpected reference key(s) {sorted(state)[:5]}; not part of the released network")
    return out


def checkpoint_filter(state_dict: dict[str, torch.Tensor], model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """``ModelInfo.checkpoint_filter`` of ``mbn`` / ``rmbn``: map released weights onto ``model``.

    State dicts already in this package's scheme pass through unchanged (``create_model`` checks them). Reference
    ones are renamed and every tensor's shape is checked against the model.

    Raises:
        KeyError: Missing or unexpected keys, or a model whose layout is not the released one (e.g. another
            alignment); the message names the key.
        ValueError: A shape mismatch (naming both keys) or an alias that differs from its twin.
    """
    if not is_reference_state_dict(state_dict):
        return state_dict
    alignment = getattr(model, "alignment", None)
    if alignment != FACTORS:
        raise KeyError(f"the released network has the alignment R->B->J->H; this model has {alignment}")
    converted = from_reference(state_dict)
    own = model.state_dict()
    to_reference = {ours + o: ref + r for ref, ours, kind in reference_modules() for r, o in _tensor_keys(ref, kind)}
    for key, tensor in converted.items():
        if key not in own:
            raise KeyError(f"converted key {key!r} has no place in this model; it was built with another layout")
        if tuple(tensor.shape) != tuple(own[key].shape):
            source = to_reference.get(key, "rain_head.lstm.conv_{i,f,g,o}")
            raise ValueError(
                f"reference tensor {source!r} has shape {tuple(tensor.shape)} -> {key!r}, but the model expects "
                f"{tuple(own[key].shape)}; build the model at full width (width=1.0)"
            )
    missing = sorted(set(own) - set(converted))
    if missing:
        raise KeyError(f"the reference checkpoint leaves model key(s) {missing[:5]} unset")
    return converted
