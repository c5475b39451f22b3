"""Imports point one way (docs/architecture.md, "Layers"): core ← store, providers ← engine ← workflows ← tui, cli.

The rules are checked here on the source (AST), so a clean clone needs nothing beside the project, and by
importing the CLI in a fresh interpreter to prove it never loads textual.
"""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pixflow_tui"

# layer -> the layers it may import besides itself; `config` may be imported by every layer
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "store": {"core"},
    "providers": {"core"},
    "engine": {"core", "store", "providers"},
    "workflows": {"core", "store", "providers", "engine"},
    "tui": {"core", "workflows"},
    "cli": {"core", "workflows"},
    "config": set(),  # imported by all, so it imports nothing of ours
    "package": set(),  # pixflow_tui/__init__.py: importing any layer must stay cheap
}
TOP_LEVEL_FILES = {"__init__.py": "package", "__main__.py": "cli", "cli.py": "cli", "config.py": "config"}
UI_LIBRARIES = {"textual"}
DATABASE_LIBRARIES = {"peewee", "playhouse"}


@dataclass(frozen=True)
class Import:
    module: str  # absolute dotted name
    line: int
    in_function: bool


def layer_of(rel: Path) -> str | None:
    """The layer of a file, given its path inside pixflow_tui/; None when it belongs to no known layer."""
    if len(rel.parts) == 1:
        return TOP_LEVEL_FILES.get(rel.name)
    return rel.parts[0] if rel.parts[0] in ALLOWED else None


def imports_of(tree: ast.AST, rel: Path) -> list[Import]:
    """Every import in the file with absolute module names (relative ones resolved); `from pixflow_tui import
    store` yields `pixflow_tui.store`, so it counts as importing the store layer."""
    package = ["pixflow_tui", *rel.parts[:-1]]
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend(Import(alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parent = package[: len(package) - (child.level - 1)]
                    base = ".".join([*parent, *([base] if base else [])])
                if base == "pixflow_tui":
                    found.extend(Import(f"{base}.{alias.name}", child.lineno, in_function) for alias in child.names)
                else:
                    found.append(Import(base, child.lineno, in_function))
            visit(child, nested)

    visit(tree, False)
    return found


def target_layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "pixflow_tui" or len(parts) < 2:
        return None
    return TOP_LEVEL_FILES.get(parts[1] + ".py") or (parts[1] if parts[1] in ALLOWED else None)


def check_layers(package: Path) -> list[str]:
    """One line per import that breaks a rule (empty when all is well)."""
    problems: list[str] = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package)
        where = f"pixflow_tui/{rel.as_posix()}"
        me = layer_of(rel)
        if me is None:
            problems.append(f"{where}: not in a known layer; put it in one (or add its layer to tests/test_layers.py)")
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as exc:
            problems.append(f"{where}: cannot parse: {exc}")
            continue
        for imp in imports_of(tree, rel):
            top = imp.module.split(".")[0]
            at = f"{where}:{imp.line}"
            if top in UI_LIBRARIES and me != "tui":
                if me == "cli" and imp.in_function:
                    continue  # the CLI may start the TUI lazily
                problems.append(f"{at}: {me} imports {imp.module}" + (" at module level" if me == "cli" else ""))
            if top in DATABASE_LIBRARIES and me != "store":
                problems.append(f"{at}: {me} imports {imp.module}; only store/ touches peewee")
            target = target_layer(imp.module)
            if target is None or target == me or (target == "config" and me != "package"):
                continue
            if me == "cli" and target == "tui" and imp.in_function:
                continue
            if target not in ALLOWED[me]:
                problems.append(f"{at}: {me} imports {target} ({imp.module})")
    return sorted(set(problems))


def test_the_project_follows_the_layers() -> None:
    problems = check_layers(PACKAGE)
    assert problems == [], "\n".join(problems)


def test_screens_never_import_peewee_or_the_store() -> None:
    screens = PACKAGE / "tui" / "screens"
    for path in screens.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for imp in imports_of(tree, path.relative_to(PACKAGE)):
            assert imp.module.split(".")[0] not in DATABASE_LIBRARIES, f"{path}:{imp.line} imports {imp.module}"
            assert target_layer(imp.module) not in ("store", "providers", "engine"), f"{path}:{imp.line}"


# ---------------------------------------------------------------------------------------------- the checker itself


def write(root: Path, rel: str, source: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")


def test_the_checker_finds_each_kind_of_violation(tmp_path: Path) -> None:
    pkg = tmp_path / "pixflow_tui"
    write(pkg, "__init__.py", "")
    write(pkg, "config.py", "import os\n")
    write(pkg, "core/__init__.py", "")
    write(pkg, "core/bad.py", "from pixflow_tui.store import models\n")  # 1 core -> store
    write(pkg, "core/ok.py", "from pixflow_tui import config\nfrom . import bad\n")
    write(pkg, "store/db.py", "import peewee\nfrom ..core import ok\nimport textual.app\n")  # 2 store -> textual
    write(pkg, "providers/fal.py", "from pixflow_tui import engine\n")  # 3 providers -> engine
    write(pkg, "engine/runner.py", "from pixflow_tui.store import db\nfrom pixflow_tui.workflows import x\n")  # 4
    write(pkg, "workflows/lib.py", "from ..tui import app\nfrom pixflow_tui.engine import runner\n")  # 5
    write(pkg, "workflows/db.py", "from playhouse.db_url import connect\n")  # 6 peewee outside store
    write(pkg, "tui/app.py", "import textual\nfrom pixflow_tui.workflows import lib\n")
    write(pkg, "tui/screens/library.py", "from peewee import fn\nfrom pixflow_tui.store import Store\n")  # 7, 8
    write(pkg, "cli/__init__.py", "from textual.app import App\n")  # 9 textual at module level
    write(pkg, "cli/launch.py", """\
        from pixflow_tui.workflows import lib

        def launch():
            from pixflow_tui.tui.app import run_app
            import textual
            return run_app
        """)
    write(pkg, "cli/jobs.py", "from pixflow_tui.tui import app\n")  # 10 the TUI eagerly
    write(pkg, "__main__.py", "from pixflow_tui.cli import main\n")
    write(pkg, "config_extra.py", "")  # 11 not in a layer
    write(pkg, "utils/helpers.py", "")  # 12 not in a layer

    problems = check_layers(pkg)
    expected = [
        "core/bad.py:1: core imports store",
        "store/db.py:3: store imports textual.app",
        "providers/fal.py:1: providers imports engine",
        "engine/runner.py:2: engine imports workflows",
        "workflows/lib.py:1: workflows imports tui",
        "workflows/db.py:1: workflows imports playhouse.db_url; only store/",
        "tui/screens/library.py:1: tui imports peewee; only store/",
        "tui/screens/library.py:2: tui imports store",
        "cli/__init__.py:1: cli imports textual.app at module level",
        "cli/jobs.py:1: cli imports tui",
        "config_extra.py: not in a known layer",
        "utils/helpers.py: not in a known layer",
    ]
    for fragment in expected:
        assert any(fragment in p for p in problems), f"not reported: {fragment}\n" + "\n".join(problems)
    assert len(problems) == len(expected), "\n".join(problems)
    assert not any("launch.py" in p or "tui/app.py" in p or "__main__" in p or "ok.py" in p for p in problems)


def test_the_package_init_and_config_stay_free_of_our_layers(tmp_path: Path) -> None:
    pkg = tmp_path / "pixflow_tui"
    write(pkg, "__init__.py", "from pixflow_tui.store import Store\n")
    write(pkg, "config.py", "from pixflow_tui.core import catalog\n")
    problems = check_layers(pkg)
    assert len(problems) == 2 and "package imports store" in problems[0] and "config imports core" in problems[1]


# ---------------------------------------------------------------------------------------------- at run time


PROBE = """
import json, sys

def ui_modules():
    return sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "textual_image"))

import pixflow_tui.cli
after_import = ui_modules()
code = pixflow_tui.cli.main(["doctor", "--json"])
after_doctor = ui_modules()
import textual.app  # the probe works: importing textual does show up
control = "textual" in sys.modules
print("PROBE " + json.dumps({"import": after_import, "doctor": after_doctor, "code": code, "control": control}))
"""


def test_the_cli_never_loads_textual(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=tmp_path,
                            env=dict(os.environ), timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("PROBE "))
    probe = json.loads(line[len("PROBE "):])
    assert probe["control"] is True
    assert probe["import"] == [], "importing pixflow_tui.cli loaded textual"
    assert probe["doctor"] == [], "pixflow doctor loaded textual"
    assert probe["code"] == 0


@pytest.mark.parametrize("module", ["pixflow_tui.store", "pixflow_tui.workflows.system", "pixflow_tui.engine"])
def test_lower_layers_do_not_load_textual(module: str, tmp_path: Path) -> None:
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                            timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
