"""The dependency rules of the house, checked over the source's imports (README: Architecture).

Floors, bottom up: the conversation core ``bot`` ← ``storage`` ← ``wiring`` ← ``channels`` and
``console`` ← the command line ``app``. A module may import its own floor and the floors below
it, never above; ``console`` may use ``channels`` (it sends through the push channels), never
the other way. The core imports no web framework, database driver or provider SDK. No module
imports another first-party module inside a function (only the command line may, to keep
`sila --help` fast), and no two files import each other, however indirectly.

Run ``python tests/test_architecture.py`` for the counts quoted in notes.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOORS = {"bot": 0, "storage": 1, "wiring": 2, "channels": 3, "console": 3, "app": 4}
#: the same floor, yet allowed: the console sends through the push channels
SIDEWAYS = {("console", "channels")}
CORE_FORBIDDEN = ("aiohttp", "sqlalchemy", "redis", "asyncpg", "aiosqlite", "alembic", "telegram", "twilio")


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in FLOORS:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            rel = path.relative_to(ROOT).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            found[".".join(parts)] = path
    return found


def _type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports_of(path: Path, name: str) -> list[tuple[str, int, bool, bool]]:
    """(imported module, line, inside a function, only for type checking) for each import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int, bool, bool]] = []
    is_package = path.name == "__init__.py"

    def visit(node: ast.AST, in_function: bool, typing_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append((alias.name, child.lineno, in_function, typing_only))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from package import submodule` depends on the submodule; `from module import name`
                # on the module: the caller resolves each to the longest known module name
                for alias in child.names:
                    found.append((f"{base}.{alias.name}", child.lineno, in_function, typing_only))
            else:
                visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef),
                      typing_only or _type_checking_block(child))

    visit(tree, False, False)
    return found


def first_party_graph() -> tuple[dict[str, set[str]], list[str]]:
    """The module graph (runtime imports only) and every rule broken, one line each."""
    mods = modules()
    graph: dict[str, set[str]] = defaultdict(set)
    problems: dict[str, None] = {}  # ordered, one line per import statement and target module
    for name, path in mods.items():
        package = name.split(".")[0]
        rel = path.relative_to(ROOT)
        for target, line, in_function, typing_only in imports_of(path, name):
            top = target.split(".")[0]
            if package == "bot" and top in CORE_FORBIDDEN:
                problems.setdefault(f"{rel}:{line}: the core imports {top}")
            if top not in FLOORS:
                continue
            resolved = target
            while resolved and resolved not in mods:
                resolved = resolved.rpartition(".")[0]
            if not resolved or resolved == name:
                continue
            target = resolved
            if top == "app" and package != "app":
                problems.setdefault(f"{rel}:{line}: imports the command line ({target}); nothing may")
            elif FLOORS[top] > FLOORS[package] or (
                FLOORS[top] == FLOORS[package] and top != package and (package, top) not in SIDEWAYS
            ):
                problems.setdefault(f"{rel}:{line}: {package} imports {target}, a floor above or beside it")
            if in_function and package != "app":
                problems.setdefault(f"{rel}:{line}: imports {target} inside a function")
            if not typing_only:
                graph[name].add(resolved)
    return graph, list(problems)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def connect(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for v in list(graph):
        if v not in index:
            connect(v)
    return groups


def test_every_import_respects_the_floors() -> None:
    _graph, problems = first_party_graph()
    assert problems == [], "\n".join(problems)


def test_no_import_cycle_between_files() -> None:
    graph, _problems = first_party_graph()
    found = cycles(graph)
    assert found == [], "\n".join(" ↔ ".join(group) for group in found)


def test_no_test_module_imports_another() -> None:
    """Shared test code lives in helper modules (tests/harness.py, tests/services.py, …), so that
    running one test file never drags in, and collects, another's tests."""
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for target, line, _in_function, _typing in imports_of(path, name):
            parts = target.split(".")
            if len(parts) > 1 and parts[0] == "tests" and parts[1].startswith("test_"):
                found.append(f"{path.relative_to(ROOT)}:{line}: imports {target}")
    assert found == [], "\n".join(found)


def test_the_rules_catch_what_they_forbid(tmp_path: Path) -> None:
    """The checker itself: an upward import, an import in a function and a cycle are all seen."""
    sample = tmp_path / "storage_sample.py"
    sample.write_text("import channels.webchat\n\ndef f():\n    from bot import engine\n", encoding="utf-8")
    found = imports_of(sample, "storage.sample")
    assert ("channels.webchat", 1, False, False) in found
    assert ("bot.engine", 4, True, False) in found
    graph_problem = "storage.sample" in modules()  # the sample is not part of the tree
    assert not graph_problem
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


if __name__ == "__main__":
    g, p = first_party_graph()
    print(f"modules: {len(modules())}, import cycles: {len(cycles(g))}, rules broken: {len(p)}")
    for line in p:
        print("  " + line)
    for group in cycles(g):
        print("  cycle: " + " ↔ ".join(group))
