"""The live edge stands on the broker, the event declarations and the interface it is handed: it imports no package
above it (function-level imports included), its modules import each other without a cycle, and each is small."""

from __future__ import annotations

import ast
from pathlib import Path

LIVE = Path(__file__).resolve().parents[2] / "dateline" / "live"
ABOVE = ("coverage", "reader", "newsroom", "api", "assist", "accounts", "audit", "demo", "cli", "server", "asgi")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, wherever the import statement is (module level, function, TYPE_CHECKING)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(["dateline", "live", base][: 3 if base else 2]) if node.level == 1 else "dateline"
            found |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
    return found


def _graph() -> dict[str, set[str]]:
    return {f"dateline.live.{path.stem}": _imports(path) for path in LIVE.glob("*.py") if path.stem != "__init__"}


def test_the_live_edge_imports_nothing_above_it():
    graph = _graph()
    upward = sorted((module, target) for module, targets in graph.items() for target in targets
                    if target.startswith("dateline.") and target.split(".")[1] in ABOVE)
    assert upward == []


def test_live_modules_import_each_other_without_a_cycle():
    graph = _graph()
    edges = {module: {t for t in targets if t in graph and t != module} for module, targets in graph.items()}
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        assert module not in path, " -> ".join([*path[path.index(module):], module])
        if module in done:
            return
        for target in sorted(edges[module]):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(edges):
        visit(module, [])


def test_every_live_module_is_under_400_lines():
    long = {path.name: n for path in LIVE.glob("*.py") if (n := len(path.read_text().splitlines())) >= 400}
    assert long == {}
