"""A type checker in the test run: mypy (configured in pyproject.toml, [tool.mypy]) over the whole package, which
must have no error."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_package_type_checks() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-color-output", "--no-error-summary", "pixflow_tui"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), output  # 2: mypy itself failed (bad configuration, crash)
    errors = [line for line in output.splitlines() if ": error:" in line]
    assert not errors, f"mypy found {len(errors)} errors:\n{output}"
