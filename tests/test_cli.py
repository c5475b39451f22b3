"""`python -m pixflow_tui` as a subprocess: --version, doctor, usage errors and exit codes."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pixflow_tui import __version__
from pixflow_tui.config import load_settings
from pixflow_tui.store import LATEST_VERSION, Store


def pixflow(*args: str, extra_env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    # os.environ already carries the hermetic PIXFLOW_HOME / PIXFLOW_CONFIG of conftest.py
    env = {**os.environ, **(extra_env or {})}
    return subprocess.run([sys.executable, "-m", "pixflow_tui", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=timeout, stdin=subprocess.DEVNULL)


def doctor_json(**kw) -> tuple[subprocess.CompletedProcess[str], dict]:
    result = pixflow("doctor", "--json", **kw)
    return result, json.loads(result.stdout)


def test_version() -> None:
    result = pixflow("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"pixflow {__version__}"


def test_help_lists_doctor_and_exit_codes() -> None:
    result = pixflow("--help")
    assert result.returncode == 0
    assert "doctor" in result.stdout and "exit codes" in result.stdout


def test_doctor_json(hermetic_env: Path, tmp_path: Path) -> None:
    result, report = doctor_json(cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert report["version"] == __version__
    assert report["data_dir"] == str(hermetic_env)
    assert report["data_dir_writable"] is True
    assert report["database"] == str(hermetic_env / "pixflow.db")
    assert report["schema_version"] == LATEST_VERSION
    assert report["schema_latest"] == LATEST_VERSION
    assert report["provider_mode"] == "DEMO"
    assert report["provider_setting"] == "auto"
    assert report["keys"] == {"FAL_KEY": False, "OPENAI_API_KEY": False}
    assert report["config_file"] == os.environ["PIXFLOW_CONFIG"]
    assert report["config_file_exists"] is False
    assert report["image_renderer"] == "halfcell"  # forced by the test environment
    assert report["image_renderer_setting"] == "halfcell"
    assert report["terminal_graphics"] in ("kitty", "sixel", "halfcell", "unicode", "none")
    assert report["problems"] == [] and report["ok"] is True
    assert (hermetic_env / "pixflow.db").is_file()  # doctor really opened (and migrated) the database


def test_doctor_reports_keys_but_never_their_values() -> None:
    result, report = doctor_json(extra_env={"FAL_KEY": "secret-xyz", "OPENAI_API_KEY": "sk-secret-abc"})
    assert result.returncode == 0, result.stderr
    assert report["keys"] == {"FAL_KEY": True, "OPENAI_API_KEY": True}
    assert report["provider_mode"] == "LIVE"
    text = pixflow("doctor", extra_env={"FAL_KEY": "secret-xyz", "OPENAI_API_KEY": "sk-secret-abc"})
    assert "FAL_KEY present" in text.stdout
    for output in (result.stdout, result.stderr, text.stdout, text.stderr):
        assert "secret-xyz" not in output and "sk-secret-abc" not in output


def test_doctor_demo_mode_with_a_key(tmp_path: Path) -> None:
    config = Path(os.environ["PIXFLOW_CONFIG"])
    config.write_text('fal_key = "secret-from-file"\nprovider_mode = "demo"\n')
    config.chmod(0o644)
    result, report = doctor_json()
    assert result.returncode == 0
    assert report["provider_mode"] == "DEMO" and report["provider_setting"] == "demo"
    assert report["keys"]["FAL_KEY"] is True
    assert report["config_file_exists"] is True
    assert any("chmod 600" in w for w in report["warnings"])
    assert "chmod 600" in result.stderr
    assert "secret-from-file" not in result.stdout + result.stderr


def test_doctor_fails_when_the_data_dir_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    home = blocker / "pixflow"
    result, report = doctor_json(extra_env={"PIXFLOW_HOME": str(home)})
    assert result.returncode == 1
    assert report["ok"] is False and report["data_dir_writable"] is False
    assert any(str(home) in p and "not writable" in p for p in report["problems"])
    text = pixflow("doctor", extra_env={"PIXFLOW_HOME": str(home)})
    assert text.returncode == 1 and "PROBLEM" in text.stdout and "NOT writable" in text.stdout


def test_a_command_with_an_unusable_data_folder_says_so_in_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = pixflow("jobs", "list", extra_env={"PIXFLOW_HOME": str(blocker / "pixflow")})
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"cannot use data folder {blocker / 'pixflow'}" in result.stderr


def test_doctor_fails_on_a_newer_database(hermetic_env: Path) -> None:
    Store.open(load_settings()).close_thread_connection()
    db = hermetic_env / "pixflow.db"
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', '2031-01-01')",
                     (LATEST_VERSION + 1,))
    before = db.read_bytes()
    result, report = doctor_json()
    assert result.returncode != 0
    assert report["ok"] is False and report["schema_version"] is None
    assert any("upgrade Pixflow" in p for p in report["problems"])
    assert db.read_bytes() == before


def test_doctor_fails_on_a_damaged_database(hermetic_env: Path) -> None:
    hermetic_env.mkdir(parents=True)
    (hermetic_env / "pixflow.db").write_bytes(b"\x00garbage" * 4096)
    result, report = doctor_json()
    assert result.returncode != 0
    assert any("damaged" in p for p in report["problems"])


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["doctor", "--bogus"], "unrecognized arguments: --bogus"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_usage_errors_exit_2(args: list[str], complaint: str) -> None:
    result = pixflow(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: pixflow")
    assert complaint in result.stderr
    assert result.stdout == ""


def test_a_bad_setting_exits_3_with_one_line() -> None:
    result = pixflow("doctor", "--json", extra_env={"PIXFLOW_CONCURRENCY": "0"})
    assert result.returncode == 3
    assert result.stderr == "pixflow: setting PIXFLOW_CONCURRENCY='0' is out of range; use 1–64\n"
    assert result.stdout == ""


def test_a_broken_config_file_exits_3() -> None:
    Path(os.environ["PIXFLOW_CONFIG"]).write_text("concurrency = \n")
    result = pixflow("doctor")
    assert result.returncode == 3
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "not valid TOML" in lines[0]


def test_each_command_loads_only_its_own_module() -> None:
    from pixflow_tui.cli import COMMAND_MODULES, build_parser

    everything = build_parser()
    choices = next(a for a in everything._actions if a.dest == "command").choices  # noqa: SLF001
    assert set(choices) == set(COMMAND_MODULES)  # every command is mapped to the module that registers it
    for command, module in COMMAND_MODULES.items():
        alone = build_parser([command])
        own = next(a for a in alone._actions if a.dest == "command").choices  # noqa: SLF001
        assert command in own, (command, module)
    assert next(a for a in build_parser(["--version"])._actions if a.dest == "command").choices == {}  # noqa: SLF001
