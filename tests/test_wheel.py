"""Build the wheel, install it into a fresh virtual environment and start Pixflow from there.

Slow (it builds, and pip installs the dependencies from the package index), so marked `slow`, but it runs in the
default suite: it is the only test that proves the shipped wheel carries its stylesheets and works outside the repo.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from pixflow_tui import __version__
from pixflow_tui.store import LATEST_VERSION

REPO = Path(__file__).resolve().parents[1]

APP_PROBE = r"""
import asyncio, json, sys
from pathlib import Path

import pixflow_tui
from pixflow_tui.config import load_settings
from pixflow_tui.tui.app import PixflowApp

package = Path(pixflow_tui.__file__).resolve().parent
styles = package / "styles"


async def main():
    app = PixflowApp(load_settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        sources = {str(path): source.content for (path, _), source in app.stylesheet.source.items()}
        ours = {Path(p).resolve().relative_to(styles).as_posix(): content for p, content in sources.items()
                if p.endswith(".tcss") and Path(p).resolve().is_relative_to(styles)}
        packaged = {p.name: p.read_text(encoding="utf-8") for p in styles.glob("*.tcss")}
        return {
            "package": str(package),
            "loaded": sorted(ours),
            "loaded_match_files": all(packaged.get(name) == content for name, content in ours.items()),
            "rules": len(app.stylesheet.rules),
            "screen": type(app.screen).__name__,
            "widgets": len(list(app.screen.walk_children())),
        }


print("RESULT " + json.dumps(asyncio.run(main())))
"""


def run(args: list[str], *, env: dict[str, str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"{args[:3]} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


def bin_dir(env_dir: Path) -> Path:
    return env_dir / ("Scripts" if os.name == "nt" else "bin")


@pytest.mark.slow
def test_wheel_installs_and_starts_headless(tmp_path: Path, hermetic_env: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"

    # 1. build
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)], env=env, cwd=tmp_path,
        timeout=600)
    wheels = list(dist.glob("pixflow_tui-*.whl"))
    assert len(wheels) == 1, wheels
    wheel = wheels[0]
    assert f"-{__version__}-" in wheel.name

    # 2. the stylesheets are inside the package in the wheel
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n for n in names if n.startswith("pixflow_tui/styles/") and n.endswith(".tcss")}
    repo_sheets = {f"pixflow_tui/styles/{p.name}" for p in (REPO / "styles").glob("*.tcss")}
    assert "pixflow_tui/styles/app.tcss" in shipped
    assert repo_sheets and repo_sheets <= shipped, repo_sheets - shipped
    assert not any(n.startswith(("tests/", "styles/")) for n in names)
    assert any(n.endswith("entry_points.txt") for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names) and "pixflow_tui/py.typed" in names
    wheel_metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA")))
    assert b"License-Expression: MIT" in wheel_metadata and b"Requires-Dist: shtab" in wheel_metadata
    assert b"tomli" not in wheel_metadata.lower()

    # 3. a fresh environment with the wheel and its dependencies
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(target)
    python = bin_dir(target) / "python"
    run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], env=env, cwd=tmp_path, timeout=1200)

    # 4. start the app headless from there; it must use the stylesheets installed with the package
    result = run([str(python), "-c", APP_PROBE], env=env, cwd=tmp_path, timeout=180)
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT "))
    probe = json.loads(line[len("RESULT "):])
    package = Path(probe["package"])
    assert package.is_relative_to(target.resolve()) or package.is_relative_to(target), package
    assert not package.is_relative_to(REPO)
    assert "app.tcss" in probe["loaded"]
    assert probe["loaded_match_files"] is True
    assert probe["rules"] > 0
    assert probe["screen"].endswith("Screen") and probe["widgets"] > 0

    # 5. the console script works from that environment too
    result = run([str(bin_dir(target) / "pixflow"), "doctor", "--json"], env=env, cwd=tmp_path, timeout=120)
    report = json.loads(result.stdout)
    assert report["version"] == __version__
    assert report["schema_version"] == LATEST_VERSION
    assert report["data_dir"] == str(hermetic_env)
    assert report["provider_mode"] == "DEMO"
    assert report["ok"] is True

    # 6. shell completion works from there (its library is a declared dependency)
    result = run([str(bin_dir(target) / "pixflow"), "completion", "bash"], env=env, cwd=tmp_path, timeout=120)
    assert "_shtab_pixflow" in result.stdout and "images" in result.stdout
