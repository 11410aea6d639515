"""The wheel installs and imports from outside the checkout; every package folder is in pyproject."""

import os
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIRS = {
    "zoo": "zoo",
    "zoo.registry": "registry",
    "zoo.baselines": "baselines",
    "zoo.benchmarks": "benchmarks",
    "zoo.demo": "demo",
}


def _package_folders() -> set[str]:
    found = set()
    for package, folder in PACKAGE_DIRS.items():
        base = ROOT / folder
        for init in base.rglob("__init__.py"):
            rel = init.parent.relative_to(base)
            parts = [] if str(rel) == "." else list(rel.parts)
            if package == "zoo" and parts and parts[0] in ("registry", "baselines", "benchmarks", "demo"):
                continue
            found.add(".".join([package, *parts]))
    return found


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    assert config["tool"]["setuptools"]["package-dir"] == PACKAGE_DIRS
    assert _package_folders() == listed


@pytest.mark.slow  # ~10 s: builds and installs the wheel; `pytest -m slow` (CI's second step)
def test_wheel_imports_outside_the_checkout(tmp_path: Path) -> None:
    wheel_dir, target = tmp_path / "wheel", tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheel_dir),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheel_dir.glob("mbn_zoo-*.whl")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    # The base interpreter sees the wheel first and this environment's dependencies after it; the editable
    # install's import hook is not active because its .pth file is only processed in a site directory.
    deps = sysconfig.get_paths()["purelib"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = os.pathsep.join([str(target), deps])
    code = (
        "import zoo, zoo.registry, zoo.baselines; "
        "print(zoo.__file__); print(zoo.registry.__file__); print(zoo.baselines.__file__); "
        "print(zoo.list_models())"
    )
    base_python = Path(sys.base_prefix) / "bin" / "python3"
    out = subprocess.run([str(base_python), "-s", "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    for path in lines[:3]:
        assert path.startswith(str(target)), f"imported from {path}, not from the installed wheel"
    assert "identity" in lines[3]
