"""Architecture rules of ``spikemem``, checked on its import graph (read with ``ast``, nothing is
imported).

The graph
---------
One node per module: ``spikemem/a/b.py`` is ``spikemem.a.b`` and ``spikemem/a/__init__.py`` is
``spikemem.a``. Every ``import`` and ``from ... import`` statement of a module counts: at top
level, inside functions and classes, and under ``if TYPE_CHECKING:`` (a deferred import still is a
dependency; only string-built ``importlib.import_module`` calls are not seen). Relative imports
are resolved against the importing module's package. ``from pkg import name`` is an import of
``pkg.name`` when that is a module of the package, else of ``pkg``; ``import a.b`` is an import of
``a.b``. Imports of modules outside ``spikemem`` are left out.

Packages' ``__init__``
----------------------
Importing ``a.b`` runs ``a/__init__.py`` first, unless ``a`` is already being imported. A module
inside ``a`` is only ever run after ``a`` has started, so importing ``a.b`` does not make a module
inside ``a`` depend on ``a``: ``a/__init__.py`` re-exporting ``a.b`` is not a cycle with ``a.b``.
A module *outside* ``a`` that imports ``a.b`` runs ``a/__init__.py`` too, so it depends on ``a``
as well as on ``a.b``; those edges are in the graph. Naming the package itself (``import a``,
``from a import x`` where ``x`` is not a module) is a dependency on ``a/__init__.py`` from
anywhere, inside ``a`` included. A cycle through an ``__init__`` re-export is therefore reported
only where it goes both ways between distinct modules: ``a.b`` importing a name from ``a`` while
``a/__init__.py`` imports ``a.b``, or ``c`` importing ``a.b`` while something ``a/__init__.py``
imports (transitively) imports ``c``.

A cycle is a strongly connected set of two or more modules (a module importing itself is not).
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "spikemem"


@dataclass(frozen=True)
class Import:
    """One import statement's dependency: ``importer`` imports ``target`` at ``where``
    (``file:line``, the file relative to the package's parent folder)."""

    importer: str
    target: str
    where: str

    def __str__(self) -> str:
        return f"{self.importer} -> {self.target}  [{self.where}]"


def module_files(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> source file, for every ``.py`` file under ``package_dir``."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = [package_dir.name, *path.relative_to(package_dir).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute name of ``from {'.' * level}{name} import ...`` written in ``module``."""
    if level == 0:
        return name or ""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    parts = parts[: len(parts) - (level - 1)]
    return ".".join(parts + ([name] if name else []))


def _known(name: str, modules: Mapping[str, Path]) -> str | None:
    """The longest prefix of ``name`` that is a module of the package, if any."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def explicit_imports(module: str, modules: Mapping[str, Path]) -> list[Import]:
    """The package modules that ``module``'s import statements name (see the module docstring)."""
    path = modules[module]
    is_package = path.name == "__init__.py"
    root = modules[module.split(".")[0]].parent.parent
    found: dict[Import, None] = {}  # in order, without repeats
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, is_package, node.level, node.module)
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names
            ]
        else:
            continue
        for name in names:
            target = _known(name, modules)
            if target is not None:
                found[Import(module, target, f"{path.relative_to(root)}:{node.lineno}")] = None
    return list(found)


def _ancestors(module: str) -> list[str]:
    """``a`` and ``a.b`` for ``a.b.c``."""
    parts = module.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts))]


def import_graph(modules: Mapping[str, Path]) -> dict[str, dict[str, Import]]:
    """importer -> {dependency: the import that makes it}: each explicit import's target, plus the
    target's enclosing packages that do not enclose the importer (their ``__init__`` runs first)."""
    graph: dict[str, dict[str, Import]] = {module: {} for module in modules}
    for module in modules:
        started = set(_ancestors(module))
        for imp in explicit_imports(module, modules):
            implied = [package for package in _ancestors(imp.target) if package not in started]
            for dependency in (*implied, imp.target):
                if dependency != module:
                    graph[module].setdefault(dependency, imp)
    return graph


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with two or more nodes, each sorted, in name order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, ()):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def shortest_cycle(graph: Mapping[str, Iterable[str]], start: str, within: set[str]) -> list[str]:
    """A shortest path ``start -> ... -> start`` through modules of ``within`` (breadth first)."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for succ in sorted(graph[node]):
            if succ not in within or succ in previous:
                continue
            previous[succ] = node
            if succ == start:
                path = [start]
                while path[-1] != start or len(path) == 1:
                    path.append(previous[path[-1]])
                return path[::-1]
            queue.append(succ)
    raise AssertionError(f"{start} is on no cycle")


def describe_cycles(graph: Mapping[str, Mapping[str, Import]]) -> list[str]:
    """One paragraph per cycle: its modules, a shortest cycle, and every import inside it."""
    paragraphs = []
    for component in strongly_connected(graph):
        members = set(component)
        cycle = shortest_cycle(graph, component[0], members)
        lines = [f"cycle among {len(component)} modules: {', '.join(component)}"]
        lines.append("  e.g. " + " -> ".join(cycle))
        for importer in component:
            for target, imp in sorted(graph[importer].items()):
                if target in members:
                    via = "" if imp.target == target else f" (its __init__, by importing {imp.target})"
                    lines.append(f"    {importer} -> {target}{via}  [{imp.where}]")
        paragraphs.append("\n".join(lines))
    return paragraphs


# -- the rules on spikemem ------------------------------------------------------------------------

MODULES = module_files(PACKAGE_DIR)


def _outside(imports: Iterable[Import], allowed: str) -> list[Import]:
    return [imp for imp in imports if not (imp.target == allowed or imp.target.startswith(allowed + "."))]


def test_the_package_has_no_import_cycle():
    cycles = describe_cycles(import_graph(MODULES))
    if cycles:
        pytest.fail(f"{len(cycles)} import cycle(s):\n" + "\n".join(cycles), pytrace=False)


def test_the_ir_imports_nothing_from_spikemem_outside_the_ir():
    """The IR is pure data: no backend, model, result or command behind it."""
    ir_modules = [m for m in MODULES if m == "spikemem.ir" or m.startswith("spikemem.ir.")]
    violations = _outside((imp for m in ir_modules for imp in explicit_imports(m, MODULES)), "spikemem.ir")
    assert len(ir_modules) > 1
    if violations:
        pytest.fail("spikemem.ir imports outside itself:\n" + "\n".join(map(str, violations)), pytrace=False)


def test_models_import_neither_reproduce_nor_the_cli():
    """Models import only downwards: the reproduction scripts and the command line use models,
    never the other way round."""
    upper = ("spikemem.reproduce", "spikemem.cli")
    model_modules = [m for m in MODULES if m == "spikemem.models" or m.startswith("spikemem.models.")]
    violations = [
        imp
        for m in model_modules
        for imp in explicit_imports(m, MODULES)
        if any(imp.target == u or imp.target.startswith(u + ".") for u in upper)
    ]
    assert len(model_modules) > 1
    if violations:
        pytest.fail("spikemem.models imports upwards:\n" + "\n".join(map(str, violations)), pytrace=False)


# -- the graph's rules, on a package written for the test -----------------------------------------


def _write(root: Path, files: Mapping[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return module_files(root / "pkg")


def test_imports_are_resolved_as_documented(tmp_path):
    modules = _write(
        tmp_path,
        {
            "pkg/__init__.py": "from . import sub\nfrom .sub.leaf import VALUE\n",
            "pkg/top.py": "import os\n\ndef late():\n    from .sub import leaf, VALUE\n",
            "pkg/sub/__init__.py": "VALUE = 1\n",
            "pkg/sub/leaf.py": "from .. import top\nfrom ..sub import leaf\n",
            "pkg/sub/user.py": "import pkg.sub.leaf\nfrom pkg.sub import VALUE\n",
        },
    )
    graph = import_graph(modules)
    assert set(graph["pkg"]) == {"pkg.sub", "pkg.sub.leaf"}  # a submodule, else the module named
    assert set(graph["pkg.top"]) == {"pkg.sub.leaf", "pkg.sub"}  # in a function; os is left out
    assert set(graph["pkg.sub.leaf"]) == {"pkg.top"}  # itself and its enclosing packages' start
    assert set(graph["pkg.sub.user"]) == {"pkg.sub.leaf", "pkg.sub"}  # pkg.sub: a name from it
    assert set(graph["pkg.sub"]) == set()


def test_a_cycle_through_an_init_is_reported_only_both_ways(tmp_path):
    modules = _write(
        tmp_path,
        {
            "pkg/__init__.py": "from .a import f\n",  # re-export: pkg -> pkg.a only
            "pkg/a.py": "def f():\n    from pkg.b import g\n",
            "pkg/b.py": "from pkg import a\n",  # pkg.a itself, not pkg
            "pkg/c/__init__.py": "from pkg.d import h\n",
            "pkg/c/e.py": "",
            "pkg/d.py": "import pkg.c.e\n",  # runs pkg/c/__init__.py, which imports pkg.d
        },
    )
    graph = import_graph(modules)
    assert strongly_connected(graph) == [["pkg.a", "pkg.b"], ["pkg.c", "pkg.d"]]
    first, second = describe_cycles(graph)
    assert "e.g. pkg.a -> pkg.b -> pkg.a" in first
    assert "pkg.d -> pkg.c (its __init__, by importing pkg.c.e)  [pkg/d.py:1]" in second
