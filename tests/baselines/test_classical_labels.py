"""Classical deblurrers that search the synthesis's own kernels say so wherever they are listed or scored."""

import numpy as np
import pytest

from zoo.baselines.classical.deblur import KNOWS_KERNEL_FAMILY
from zoo.baselines.classical.kernel_search import candidate_kernels
from zoo.benchmarks.leaderboard import resolve_entries
from zoo.cli.tables import models_markdown
from zoo.data.degradations.blur import MotionBlur
from zoo.registry import get_model_info, list_models

BLIND = ["rl_deblur_blind", "wiener_deblur_blind"]


def test_the_search_set_is_exactly_the_synthesis_family() -> None:
    """Why the label is needed: the search covers the settings and the angle range the test blur draws from."""
    synthesis = MotionBlur()
    candidates = candidate_kernels()
    assert {(c.radius, c.sigma) for c in candidates} == set(synthesis.settings)
    angles = np.array(sorted({c.angle for c in candidates}))
    assert (angles.min(), angles.max()) == synthesis.angle_range


def test_only_the_kernel_searching_models_know_the_family() -> None:
    knowing = {name for name in list_models() if get_model_info(name).knows}
    assert knowing == set(BLIND)
    assert all(get_model_info(name).knows == KNOWS_KERNEL_FAMILY for name in BLIND)


@pytest.mark.parametrize("name", BLIND)
def test_models_table_and_leaderboard_rows_carry_the_label(name: str) -> None:
    assert f"| `{name}` | blur | non-learned (knows the kernel family) |" in models_markdown([name])
    rows = {entry.arch: entry.row for entry in resolve_entries()["classical"]["blur"]}
    assert rows[name] == f"{name} (knows the kernel family)"
    assert rows[name.replace("_blind", "_oracle")].endswith("(oracle kernel)")
