"""dtype='auto': bf16 only where it is fast and the shipped weights' card records that it keeps their scores."""

import pytest
import torch

import zoo.hardware
from zoo.data.metrics.protocols import DETECTION_PROTOCOL
from zoo.inference import Restorer
from zoo.inference.precision import BF16_TOLERANCE_DB, bf16_record, resolve_precision
from zoo.registry import pretrained_table

CPU = torch.device("cpu")


@pytest.fixture
def fast_bf16_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zoo.hardware, "cpu_supports_fast_bf16", lambda: True)


@pytest.fixture
def slow_bf16_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zoo.hardware, "cpu_supports_fast_bf16", lambda: False)


def _tags(keeps: bool) -> list[str]:
    return [
        name
        for name, entry in pretrained_table().items()
        if "bf16" in entry.metadata and entry.metadata["bf16"]["keeps_scores"] == keeps
    ]


def test_every_shipped_tag_records_a_consistent_bf16_check() -> None:
    """New shipped weights need `python benchmarks/speed/bf16_check.py TAG` before `auto` may use bf16 for them."""
    for name, entry in pretrained_table().items():
        record = entry.metadata.get("bf16")
        if entry.metadata.get("protocol") == DETECTION_PROTOCOL:  # the detector runs in fp32 (zoo.inference.adaptive)
            assert record is None, f"{name}: a detector has no PSNR to keep; it is never run in bf16"
            continue
        assert record is not None, f"{name}: no bf16 check; run benchmarks/speed/bf16_check.py {name}"
        deltas = record["delta_psnr_db"]
        assert set(deltas) == set(entry.metadata["scores"]), name
        assert record["keeps_scores"] == all(abs(d) <= BF16_TOLERANCE_DB for d in deltas.values()), name
        assert record["tolerance_db"] == BF16_TOLERANCE_DB


def test_explicit_dtypes_are_kept_and_unknown_ones_refused() -> None:
    for dtype in ("fp32", "bf16", "fp16"):
        assert resolve_precision(dtype, CPU, None).dtype == dtype
    with pytest.raises(ValueError, match="dtype 'int8' is not supported; use one of auto, fp32, bf16, fp16"):
        resolve_precision("int8", CPU, None)


def test_auto_uses_bf16_for_shipped_weights_that_keep_their_scores(fast_bf16_cpu: None) -> None:
    keeps = _tags(keeps=True)
    assert keeps, "no shipped weights keep their scores in bf16"
    for name in keeps:
        precision = resolve_precision("auto", CPU, name)
        assert precision.dtype == "bf16" and name in precision.reason


def test_auto_stays_fp32_when_bf16_moves_the_scores_or_nothing_was_checked(fast_bf16_cpu: None) -> None:
    for name in _tags(keeps=False):
        precision = resolve_precision("auto", CPU, name)
        assert precision.dtype == "fp32" and f"> {BF16_TOLERANCE_DB} dB" in precision.reason
    assert bf16_record(None) is None and bf16_record("rmbn.not_shipped") is None
    assert resolve_precision("auto", CPU, None).dtype == "fp32"  # user weights, configs, modules
    assert resolve_precision("auto", CPU, "rmbn.not_shipped").dtype == "fp32"
    assert resolve_precision("auto", CPU, _tags(keeps=True)[0], learned=False).dtype == "fp32"
    assert resolve_precision("auto", CPU, _tags(keeps=True)[0], supports_bf16=False).dtype == "fp32"


def test_auto_is_fp32_on_cpus_without_fast_bf16(slow_bf16_cpu: None) -> None:
    for name in pretrained_table():
        precision = resolve_precision("auto", CPU, name)
        assert precision.dtype == "fp32" and "no fast bf16" in precision.reason


def test_restorer_trusts_the_record_only_for_shipped_weights_loaded_by_name(fast_bf16_cpu: None, tmp_path) -> None:
    name = "rmbn.synth4"
    assert Restorer(name, steps="all").dtype == "bf16"
    assert Restorer(name, steps="all", dtype="fp32").dtype == "fp32"
    entry = pretrained_table()[name]
    assert Restorer("rmbn", checkpoint=entry.path, steps="all").dtype == "fp32"  # a weights file: not checked
    module = Restorer(name, steps="all").loaded.module
    assert Restorer(module, steps="all").dtype == "fp32"  # a module the caller may have changed
