"""Shared test setup: one thread per process (the CI machine has 2 shared cores), deterministic seeds."""

import os
import tempfile

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# User weights (zoo export-weights) go to a throw-away folder, never to the real user's folder.
os.environ["ZOO_HOME"] = tempfile.mkdtemp(prefix="zoo_home_")

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)
