"""pytest settings for the whole checkout: how many xdist workers ``-n auto`` (the default, see pyproject) starts.

One worker per CPU the process may use, at most 8 (each worker imports torch and runs its tests on one thread).
Speed benchmarks (``--benchmark-only``) run in this process instead: pytest-benchmark does not time under xdist.
``PYTEST_XDIST_AUTO_NUM_WORKERS`` still sets the number, as in plain pytest-xdist; ``-n 0`` turns workers off.
"""

import os

import pytest

MAX_WORKERS = 8


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Workers for ``-n auto``: 0 (no workers) for benchmark runs, else the usable CPUs, at most ``MAX_WORKERS``."""
    if config.getoption("benchmark_only", False):
        return 0
    asked = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "").strip()
    if asked:
        if not asked.isdigit():
            raise pytest.UsageError(f"PYTEST_XDIST_AUTO_NUM_WORKERS={asked!r}: give a whole number of workers")
        return int(asked)
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0))))


def pytest_configure(config: pytest.Config) -> None:
    """In the main process, before any worker starts: import yapf once (mmengine imports it).

    On its first import in a new environment yapf writes its grammar tables to the user's cache; xdist workers that
    import it at the same moment can read a half-written file ("EOFError: Ran out of input" while collecting). Done
    here, the workers find the finished file.
    """
    if hasattr(config, "workerinput"):
        return
    try:
        import yapf  # noqa: F401
    except ImportError:  # mmengine (and with it yapf) is only needed by the training tests
        pass
