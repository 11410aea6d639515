"""The factor names, orders and letters come from zoo.factors, and every place that lists them agrees with it."""

import ast
from pathlib import Path

import pytest

from zoo import factors
from zoo.factors import CHAIN_ORDER, FACTORS, LETTERS, STAGE1_CYCLE, TASK_ORDER, chain_label, cycle_indices
from zoo.training import load_config

ROOT = Path(__file__).resolve().parents[1]


def test_every_order_is_a_permutation_of_the_four_factors() -> None:
    for order in (factors.FACTORS, factors.PAPER_TABLE_ORDER, CHAIN_ORDER, factors.SYNTHESIS_ORDER, TASK_ORDER):
        assert sorted(order) == sorted(FACTORS)
    assert set(LETTERS) == set(FACTORS) and len(set(LETTERS.values())) == 4
    assert chain_label(CHAIN_ORDER) == "J→H→B→R"


def test_the_stage1_cycle_as_indices() -> None:
    assert cycle_indices(TASK_ORDER) == [0, 1, 2, 3, 3, 3]
    assert cycle_indices(["rain", "blur", "haze"]) == [0, 1, 1, 1, 2]
    assert sorted(STAGE1_CYCLE) == ["blur", "blur", "blur", "haze", "jpeg", "rain"]
    with pytest.raises(ValueError, match="tasks mixed are not in the cycle"):
        cycle_indices(["haze", "mixed"])


@pytest.mark.parametrize("name", ["mbn_stage1", "rmbn_stage2"])
def test_stage_configs_train_the_tasks_and_cycle_of_zoo_factors(name: str) -> None:
    cfg = load_config(name)
    assert list(cfg.train_dataloader.dataset.factors) == list(TASK_ORDER)
    assert list(cfg.train_dataloader.batch_sampler.cycle) == cycle_indices(TASK_ORDER)


def _factor_literal(node: ast.AST) -> bool:
    if not isinstance(node, (ast.Tuple, ast.List)):
        return False
    values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
    return set(FACTORS) <= set(values) <= {*FACTORS, factors.MIXED}


def test_no_other_module_defines_a_factor_order_or_their_letters() -> None:
    """Module-level names holding the four factors (or their letters) are defined only in zoo/factors.py.

    Configs are data (mmengine configs cannot import the package) and are checked against zoo.factors above.
    """
    offenders = []
    for path in [*ROOT.glob("zoo/**/*.py"), *ROOT.glob("baselines/**/*.py"), *ROOT.glob("benchmarks/*.py")]:
        if path.name == "factors.py" or "configs" in path.parts:
            continue
        for node in ast.parse(path.read_text()).body:
            value = getattr(node, "value", None)
            letters = isinstance(value, ast.Dict) and {getattr(k, "value", None) for k in value.keys} == set(FACTORS)
            letters = letters and all(isinstance(getattr(v, "value", None), str) for v in value.values)
            letters = letters and all(len(v.value) == 1 for v in value.values)
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and (_factor_literal(value) or letters):
                target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                offenders.append(f"{path.relative_to(ROOT)}:{getattr(target, 'id', '?')}")
    known = {"zoo/models/detector.py:DETECTOR_FACTORS"}  # the detector's output order; equal to FACTORS (below)
    assert set(offenders) <= known, f"factor names written out again (import them from zoo.factors): {offenders}"


def test_the_detector_outputs_factors_in_the_canonical_order() -> None:
    from zoo.models.detector import DETECTOR_FACTORS

    assert DETECTOR_FACTORS == FACTORS
