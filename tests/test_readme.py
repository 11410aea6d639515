"""The README's generated parts and commands stay in step with the code and CI."""

import re
from pathlib import Path

from zoo.cli.tables import readme_with_models_table

ROOT = Path(__file__).resolve().parents[1]


def test_models_table_is_up_to_date() -> None:
    text = (ROOT / "README.md").read_text()
    assert readme_with_models_table(text) == text, "regenerate it: python -m zoo.cli.tables README.md"


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one() -> None:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    commands = [line for line in block.splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    install_and_test = commands[1].split("&& ", 2)[2]  # after the venv creation and activation
    ci = (ROOT / ".ci" / "run").read_text()
    ci_line = next(line for line in ci.splitlines() if line.startswith("pip install"))
    assert ci_line.replace(" -q", "").replace(" && ruff check .", "") == install_and_test
