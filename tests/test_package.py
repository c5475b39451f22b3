"""What someone adopting the package relies on: help on every flag, the README naming every command, shell
completion, one version, the licence, the lock file, and the behaviour of `make` and of a bare `pixflow`."""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

import pixflow_tui
from pixflow_tui.cli import COMMAND_MODULES, build_parser
from tests.cli_helpers import subcommands

REPO = Path(__file__).resolve().parents[1]
PIXFLOW = [sys.executable, "-m", "pixflow_tui"]


def walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ("pixflow",)
         ) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser, argparse.Action | None]]:
    """Every (command path, parser, argument) of the tree; argument None stands for the parser itself."""
    yield path, parser, None
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from walk(sub, (*path, name))
        else:
            yield path, parser, action


def subcommand_help() -> dict[tuple[str, ...], str | None]:
    return {path: text for path, (_, text) in subcommands().items()}


def test_every_flag_and_argument_has_help() -> None:
    missing = [f"{' '.join(path)} {'/'.join(action.option_strings) or action.dest}"
               for path, _, action in walk(build_parser())
               if action is not None and not isinstance(action, argparse._HelpAction)
               and not (action.help or "").strip()]
    assert not missing, "arguments without help text:\n" + "\n".join(missing)


def test_every_subcommand_has_help() -> None:
    commands = subcommand_help()
    assert ("images", "generate") in commands and ("completion",) in commands
    missing = [" ".join(path) for path, text in commands.items() if not (text or "").strip()]
    assert not missing, missing


def test_every_command_module_registers_its_command() -> None:
    top = {path[0] for path in subcommand_help()}
    assert top == set(COMMAND_MODULES)


def _readme_command_lines() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip().startswith("pixflow ")]


def test_readme_shows_every_command() -> None:
    lines = _readme_command_lines()
    missing = []
    for path in subcommand_help():
        words = r"\b.*\b".join(re.escape(word) for word in path[1:])
        pattern = re.compile(rf"^pixflow {re.escape(path[0])}\b" + (rf".*\b{words}\b" if words else ""))
        if not any(pattern.search(line) for line in lines):
            missing.append(" ".join(path))
    assert not missing, "commands the README does not show: " + ", ".join(missing)


def test_readme_points_only_inside_the_repository() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)", text):
        assert "://" not in target and (REPO / target).exists(), target
    assert "docs/architecture.md" in text


def test_version_lives_in_one_place() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert metadata.version("pixflow-tui") == pixflow_tui.__version__
    out = subprocess.run([*PIXFLOW, "--version"], capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"pixflow {pixflow_tui.__version__}"


def test_licence_changelog_and_metadata() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT" and "MIT License" in (REPO / "LICENSE").read_text(encoding="utf-8")
    assert any(c.startswith("Programming Language :: Python :: 3.11") for c in project["classifiers"])
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{pixflow_tui.__version__}]" in changelog


def _lock() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_dependencies_are_ranges_and_locked() -> None:
    from packaging.requirements import Requirement

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = _lock()
    # exact pins only where Pixflow relies on a private internal (tui/compat.py, providers/compat.py)
    exact_allowed = {"textual", "textual-image", "fal-client", "pytest-textual-snapshot"}
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    for text in declared:
        requirement = Requirement(text)
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert name in pins, f"{name} is not in requirements.lock"
        assert requirement.specifier.contains(pins[name]), f"the lock's {name}=={pins[name]} is outside {text}"
        if any(spec.operator == "==" for spec in requirement.specifier):
            assert name in exact_allowed, f"{text}: declare a compatible range, not an exact pin"
    assert "tomli-w" not in pins and not any("tomli" in text for text in declared)


def test_completion_scripts(tmp_path: Path) -> None:
    scripts = {}
    for shell in ("bash", "zsh", "fish"):
        result = subprocess.run([*PIXFLOW, "completion", shell], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "pixflow" in result.stdout and "generate" in result.stdout
        scripts[shell] = result.stdout
    for shell, suffix in (("zsh", "zsh"), ("fish", "fish")):  # where installed: the script parses
        if shutil.which(shell):
            path = tmp_path / f"pixflow.{suffix}"
            path.write_text(scripts[shell], encoding="utf-8")
            subprocess.run([shell, "-n", str(path)], check=True, capture_output=True, timeout=60)
    if shutil.which("fish"):
        offered = subprocess.run(["fish", "-c", f"source {tmp_path / 'pixflow.fish'}; complete -C 'pixflow ima'"],
                                 capture_output=True, text=True, check=True, timeout=60).stdout
        assert offered.split("\t")[0] == "images", offered
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    script = tmp_path / "pixflow.bash"
    script.write_text(scripts["bash"], encoding="utf-8")
    probe = (f"source {script}; "
             "COMP_WORDS=(pixflow ima); COMP_CWORD=1; _shtab_pixflow; echo \"${COMPREPLY[*]}\"; "
             "COMP_WORDS=(pixflow images generate --aspect ''); COMP_CWORD=4; _shtab_pixflow; "
             "echo \"${COMPREPLY[*]}\"; "
             "COMP_WORDS=(pixflow library ''); COMP_CWORD=2; _shtab_pixflow; echo \"${COMPREPLY[*]}\"; "
             "COMP_WORDS=(pixflow images generate --ref ph); COMP_CWORD=4; _shtab_pixflow; echo \"${COMPREPLY[*]}\"; "
             "COMP_WORDS=(pixflow rate ph); COMP_CWORD=2; _shtab_pixflow; echo \"${COMPREPLY[*]}\"")
    (tmp_path / "photo.png").touch()
    lines = subprocess.run([bash, "-c", probe], capture_output=True, text=True, check=True,
                           cwd=tmp_path).stdout.splitlines()
    assert lines[0] == "images"
    assert "9:16" in lines[1].split() and "16:9" in lines[1].split()
    assert {"images", "history", "favorites"} <= set(lines[2].split())
    assert lines[3] == "photo.png"  # a file argument completes file names
    assert lines[4] == ""  # an image id does not


def test_bare_pixflow_without_a_terminal_says_so(tmp_path: Path) -> None:
    result = subprocess.run(PIXFLOW, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""  # no escape codes written into the pipe
    assert "needs a terminal" in result.stderr and "standard output" in result.stderr


def _fake_venv_python(folder: Path, answer: str) -> None:
    (folder / ".venv" / "bin").mkdir(parents=True)
    python = folder / ".venv" / "bin" / "python"
    python.write_text(f"#!/bin/sh\necho {answer}\n", encoding="utf-8")
    python.chmod(0o755)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("made_by", ["other", "same"])
def test_make_rebuilds_a_venv_made_by_another_python(tmp_path: Path, made_by: str) -> None:
    for name in ("Makefile", "pyproject.toml", "requirements.lock"):
        shutil.copy(REPO / name, tmp_path / name)
    base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    version = sys.version.split()[0]
    _fake_venv_python(tmp_path, "3.9.0 /opt/gone/python3.9" if made_by == "other" else f"{version} {base}")
    (tmp_path / ".venv" / ".run-deps").touch()
    result = subprocess.run(["make", "-n", f"PYTHON={base}", ".venv/.run-deps"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    if made_by == "other":
        assert "made by another Python (3.9.0 /opt/gone/python3.9)" in result.stdout
        assert "rm -rf .venv" in result.stdout and "Installing the locked dependencies" in result.stdout
    else:
        assert "is up to date" in result.stdout or "Nothing to be done" in result.stdout, result.stdout


def test_readme_lists_every_setting() -> None:
    from pixflow_tui.config import setting_names

    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text[text.index("## Settings"):text.index("## ", text.index("## Settings") + 3)]
    missing = [name for name in [*setting_names(), "home", "keymap"]
               if f"`{name}`" not in table and f"`[{name}]`" not in table]
    assert not missing, f"settings the README does not describe: {missing}"


def test_nothing_in_the_repository_points_outside_it() -> None:
    # documents that live beside the repository, never inside it (spelled in pieces so this file does not match)
    outside = ["/" + "work/", "original" + "-app.md", "DESIGN" + ".md", "library" + "-facts", "textual" + "-practices"]
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    offenders = []
    for name in files:
        path = REPO / name
        if path.suffix not in (".py", ".md", ".toml", ".tcss", ".cfg", ".txt", ".lock", "") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{name}: {word}" for word in outside if word in text]
    assert not offenders, offenders
