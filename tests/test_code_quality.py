"""ruff and mypy (strict) stay clean: run as part of the test command so CI enforces them."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "src", "tests", "bench"],
        ["ruff", "format", "--check", "src", "tests", "bench"],
        [sys.executable, "-m", "mypy"],
    ],
    ids=["ruff", "ruff-format", "mypy"],
)
def test_static_checks_pass(command: list[str]) -> None:
    if command[0] == "ruff" and shutil.which("ruff") is None:
        pytest.skip("ruff is not installed (pip install '.[test]')")
    completed = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
