"""Private Textual, textual-image and fal-client internals are reached only from the two compat modules.

docs/architecture.md, "Building a screen": any use of a private internal of those libraries lives in one compat module per
layer (pixflow_tui/tui/compat.py, pixflow_tui/providers/compat.py), each with its reason and a test that fails when
an upgrade breaks it (tests/tui/test_tui_compat.py, tests/providers/test_providers_compat.py).

What counts as a use, found on the source (AST):
- importing a private module or a private name of those libraries (`from textual_image._terminal import ...`);
- reaching an attribute `obj._name` where `_name` is a private name those libraries define (a method, a class or
  module attribute, or an attribute they set on `self`) and Pixflow never defines itself; a name both define
  counts when it is reached on anything but `self`, `cls` or `super()` (`client._client`);
- assigning an attribute of one of their modules (`fal_client.client.REST_URL = ...`): patching a constant.
"""
from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import inspect
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "pixflow_tui"
LIBRARIES = ("textual", "textual_image", "fal_client")
COMPAT_MODULES = {"tui/compat.py", "providers/compat.py"}
# The layers that hold these libraries' objects; any other file is scanned when it imports one of them (the store's
# peewee `Model._meta` is not Textual's, though Textual defines a `_meta` too).
LIBRARY_LAYERS = {"tui", "providers", "cli"}

# Known offenders: screens being rebuilt at the time the compat modules were introduced (issue "One way to build a
# screen"). Each entry is (file inside pixflow_tui/, private name) and must move to a tui.compat function; remove
# the entry with the fix. Nothing else may be listed here.
KNOWN_OFFENDERS: set[tuple[str, str]] = set()


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _defined_private_names(files: Iterator[Path]) -> set[str]:
    """Private names a body of code defines: defs, classes, assignments, and attributes set on anything."""
    names: set[str] = set()
    for path in files:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found = [node.name]
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                found = [node.id]
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                found = [node.attr]
            elif isinstance(node, (ast.AnnAssign,)) and isinstance(node.target, ast.Name):
                found = [node.target.id]
            else:
                continue
            names.update(name for name in found if _private(name))
    return names


def _library_files(name: str) -> Iterator[Path]:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations, name
    for location in spec.submodule_search_locations:
        yield from Path(location).rglob("*.py")


def _pixflow_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _library_module(module: str | None) -> bool:
    return module is not None and module.split(".")[0] in LIBRARIES


def _walk_class(node: ast.ClassDef) -> Iterator[ast.AST]:
    """The nodes of a class body, not those of the classes nested in it (their `self` is another object)."""
    stack: list[ast.AST] = list(node.body)
    while stack:
        child = stack.pop()
        yield child
        stack.extend(c for c in ast.iter_child_nodes(child) if not isinstance(c, ast.ClassDef))


@functools.cache
def _library_tree(path: str) -> ast.Module:
    return ast.parse(Path(path).read_text(encoding="utf-8"))


@functools.cache
def library_class_names(cls: type) -> frozenset[str]:
    """The private names one library class defines: its methods and class attributes, and what it sets on self."""
    try:
        tree = _library_tree(inspect.getsourcefile(cls) or "")
    except (OSError, TypeError):
        return frozenset(name for name in vars(cls) if _private(name))
    names = {name for name in vars(cls) if _private(name)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            for child in _walk_class(node):
                if (isinstance(child, ast.Attribute) and isinstance(child.ctx, ast.Store)
                        and _on_self(child.value) and _private(child.attr)):
                    names.add(child.attr)
    return frozenset(names)


def inherited_library_names(cls: type) -> set[str]:
    names: set[str] = set()
    for base in cls.__mro__:
        if _library_module(base.__module__):
            names |= library_class_names(base)
    return names


def _classes(tree: ast.Module) -> Iterator[tuple[str, ast.ClassDef]]:
    """(qualified name, node) of the classes defined at module level and nested in them."""
    stack: list[tuple[str, ast.AST]] = [("", tree)]
    while stack:
        prefix, node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                name = f"{prefix}{child.name}"
                yield name, child
                stack.append((name + ".", child))


def _on_self(receiver: ast.expr) -> bool:
    return (isinstance(receiver, ast.Name) and receiver.id in ("self", "cls")) or (
        isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) and receiver.func.id == "super")


def private_uses(path: Path, library_names: set[str], module: object = None) -> list[tuple[int, str]]:
    """(line, what) for every private library use in one file.

    `library_names`: the private names the libraries define anywhere, for attributes reached on other objects;
    `module`: the file imported, whose classes subclassing a library class are checked against what their library
    bases define: there `self._name` (read, set, or a method of that name) is the library's own attribute."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    uses: list[tuple[int, str]] = []
    module_aliases: set[str] = set()  # local names bound to a library module
    other_modules: set[str] = set()  # local names bound to any other module (`os._exit` is not Textual's)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not _library_module(alias.name):
                    other_modules.add(alias.asname or alias.name.split(".")[0])
                else:
                    if any(_private(part) for part in alias.name.split(".")):
                        uses.append((node.lineno, alias.name))
                    module_aliases.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _library_module(node.module):
            assert node.module is not None
            if any(_private(part) for part in node.module.split(".")):
                uses.append((node.lineno, node.module))
            for alias in node.names:
                if _private(alias.name):
                    uses.append((node.lineno, f"{node.module}.{alias.name}"))
                elif _is_module(f"{node.module}.{alias.name}"):
                    module_aliases.add(alias.asname or alias.name)
    for qualname, class_node in _classes(tree):
        cls: object = module
        for part in qualname.split("."):
            cls = getattr(cls, part, None)
        if not isinstance(cls, type):
            continue  # a class made in a function: not checked
        inherited = inherited_library_names(cls)
        for child in _walk_class(class_node):
            # Textual calls each class's own `_on_x` / `on_x` handler in turn: defining one replaces nothing
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and child.name in inherited \
                    and child in class_node.body and not child.name.startswith("_on_"):
                uses.append((child.lineno, f"{child.name} (overrides)"))
            elif isinstance(child, ast.Attribute) and _on_self(child.value) and child.attr in inherited:
                uses.append((child.lineno, child.attr))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr) and node.attr in library_names:
            if not _on_self(node.value) and _dotted_root(node.value) not in other_modules:
                uses.append((node.lineno, node.attr))
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and _dotted_root(target.value) in module_aliases:
                    uses.append((node.lineno, f"{ast.unparse(target)} (patched)"))
    return uses


def _imports_a_library(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(_library_module(alias.name) for alias in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.level == 0 and _library_module(node.module):
            return True
    return False


def _dotted_root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _is_module(dotted: str) -> bool:
    try:
        return importlib.util.find_spec(dotted) is not None
    except (ImportError, ValueError):
        return False


def _offenders() -> dict[tuple[str, str], list[int]]:
    library_names: set[str] = set()
    for library in LIBRARIES:
        library_names |= _defined_private_names(_library_files(library))
    files = _pixflow_files()
    found: dict[tuple[str, str], list[int]] = {}
    for path in files:
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in COMPAT_MODULES or not (rel.split("/")[0] in LIBRARY_LAYERS or _imports_a_library(path)):
            continue
        try:
            module = importlib.import_module(
                "pixflow_tui." + rel.removesuffix(".py").replace("/", ".").removesuffix(".__init__"))
        except Exception:  # a module that does not import fails its own tests; its imports and calls still count
            module = None
        for line, what in private_uses(path, library_names, module):
            found.setdefault((rel, what), []).append(line)
    return found


def test_private_library_internals_only_in_compat_modules() -> None:
    found = _offenders()
    unexpected = {key: lines for key, lines in found.items() if key not in KNOWN_OFFENDERS}
    listing = "\n".join(f"pixflow_tui/{rel}:{lines[0]}: {what}" for (rel, what), lines in sorted(unexpected.items()))
    assert not unexpected, "private library internals outside tui/compat.py and providers/compat.py:\n" + listing


def test_known_offenders_are_still_offending() -> None:
    """The allow-list shrinks with each fix: an entry that no longer offends must be removed."""
    found = _offenders()
    stale = sorted(KNOWN_OFFENDERS - found.keys())
    assert not stale, f"fixed, remove from KNOWN_OFFENDERS: {stale}"


def test_the_scanner_finds_each_kind_of_use(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\n"
        "import fal_client.client as fc\n"
        "from textual_image._terminal import get_cell_size\n"
        "from textual.widgets import DataTable\n"
        "class T(DataTable):\n"
        "    def _get_row_region(self, index):\n"
        "        return self._row_locations.get(index)\n"
        "    def f(self, client):\n"
        "        self._mine = 1\n"
        "        return client._client\n"
        "class Plain:\n"
        "    def f(self):\n"
        "        return self._row_locations\n"
        "def patch():\n"
        "    fc.REST_URL = 'x'\n"
        "    os._exit(0)\n",
        encoding="utf-8",
    )
    spec = importlib.util.spec_from_file_location("sample", sample)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    uses = sorted(private_uses(sample, {"_row_locations", "_client", "_exit"}, module))
    assert uses == [(3, "textual_image._terminal"), (6, "_get_row_region (overrides)"), (7, "_row_locations"),
                    (10, "_client"), (15, "fc.REST_URL (patched)")]
