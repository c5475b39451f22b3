"""A type checker in the test run: mypy (configured in pyproject.toml, [tool.mypy]) over the package.

The layers listed in CLEAN must have no error; the others are counted and printed (`pytest -s`), to be brought to
zero one by one (then move them to CLEAN).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLEAN = ("core", "engine", "workflows", "store", "providers", "cli")
COUNTED = ("tui",)


def _mypy(*layers: str) -> tuple[list[str], str]:
    """(error lines in those layers' files, mypy's whole output)."""
    paths = [f"pixflow_tui/{layer}" for layer in layers]
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-color-output", "--no-error-summary", *paths],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), output  # 2: mypy itself failed (bad configuration, crash)
    errors = [line for line in output.splitlines()
              if ": error:" in line and any(line.startswith(path + "/") for path in paths)]
    return errors, output


def test_the_clean_layers_type_check() -> None:
    errors, output = _mypy(*CLEAN)
    assert not errors, f"mypy found {len(errors)} errors in {', '.join(CLEAN)}:\n{output}"


def test_count_type_errors_in_the_other_layers() -> None:
    errors, _ = _mypy(*COUNTED)
    counts = {layer: sum(line.startswith(f"pixflow_tui/{layer}/") for line in errors) for layer in COUNTED}
    print("mypy errors per layer (to bring to 0):", counts)
