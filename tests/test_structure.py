"""The shape of the code, held by tests: the package graph has no cycles and follows the documented layers, modules
stay small, and each event type's name is written in one Python module only (docs/architecture.md)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from dateline.events import EventType

ROOT = Path(__file__).resolve().parent.parent / "dateline"

# What each top-level package or module of dateline/ may import (docs/architecture.md draws the same layers).
# Bottom: events, broker, accounts, cache; then the audit log; coverage (models, actions, rendering); the live edge
# (which knows only the broker and the events, and reads changes through an interface handed to it); then the
# surfaces (reader, newsroom, api, assist), and the wiring on top (urls, asgi, server, demo, cli).
ALLOWED: dict[str, set[str]] = {
    "events": set(),
    "broker": set(),
    "cache": set(),
    "settings": {"cache"},
    "accounts": set(),
    "audit": {"accounts"},
    "coverage": {"accounts", "audit", "broker", "events"},
    "assist": {"coverage"},
    "live": {"broker", "events"},
    "limits": {"live"},
    "health": {"broker"},
    "csp": {"coverage"},
    "edgecache": {"coverage", "live"},  # what shared caches and the edge's page cache may keep (reader, api)
    "reader": {"accounts", "assist", "coverage", "edgecache", "events", "live"},
    "newsroom": {"accounts", "assist", "audit", "coverage", "csp", "events", "live"},
    "api": {"accounts", "assist", "coverage", "edgecache", "events", "health", "interchange"},
    "urls": {"api", "health", "newsroom", "reader"},
    "changefeed": {"coverage", "live"},  # the adapter: coverage's change log as the live edge's ChangeSource
    "asgi": {"changefeed", "limits", "live"},
    "server": {"coverage", "live"},
    "demo": {"accounts", "coverage"},
    # archives in and out, backups, imports from other systems (issue 13); the archive import also restores audit rows
    "interchange": {"accounts", "audit", "coverage"},
    "cli": {"accounts", "broker", "coverage", "demo", "interchange", "server"},
}
MAX_LINES = 400
LONG_BY_NATURE = {"demo/content.py"}  # the demo's fictional story: text, not code


def _modules() -> list[Path]:
    return [p for p in ROOT.rglob("*.py") if "migrations" not in p.parts]


def _unit(path: Path) -> str:
    """The top-level package (or module) of dateline/ that ``path`` belongs to."""
    return path.relative_to(ROOT).parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    """Every dateline.* module ``path`` imports, at module level or inside a function."""
    names: set[str] = set()
    package = ["dateline", *path.relative_to(ROOT).with_suffix("").parts]
    if path.name == "__init__.py":
        package.append("__init__")
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:-node.level]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            if module == "dateline":  # ``from dateline import coverage``: the names are the packages imported
                names.update(f"dateline.{alias.name}" for alias in node.names)
    return {n for n in names if n == "dateline" or n.startswith("dateline.")}


def _graph() -> dict[str, dict[str, set[str]]]:
    """unit -> imported unit -> the modules that import it (for the failure message)."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in _modules():
        unit = _unit(path)
        for name in _imports(path):
            parts = name.split(".")
            if len(parts) < 2:
                continue
            if parts[1] != unit:
                graph[unit][parts[1]].add(str(path.relative_to(ROOT)))
    return graph


def test_every_unit_is_in_the_layer_map():
    units = {_unit(p) for p in _modules()} - {"__init__"}
    assert units == set(ALLOWED), "add new packages to ALLOWED here and to docs/architecture.md"


def test_imports_follow_the_documented_layers():
    """A package imports only what its layer allows — function-level imports included (a cycle hidden in a
    function is still a cycle)."""
    forbidden = [
        f"{unit} -> {target} (in {', '.join(sorted(where))})"
        for unit, targets in _graph().items() for target, where in targets.items()
        if target not in ALLOWED.get(unit, set())
    ]
    assert forbidden == []


def test_the_package_graph_has_no_cycle():
    graph = {unit: set(targets) for unit, targets in _graph().items()}
    seen: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(unit: str, path: list[str]) -> list[str] | None:
        seen[unit] = 1
        for target in sorted(graph.get(unit, ())):
            if seen.get(target) == 1:
                return [*path, unit, target]
            if target not in seen and (cycle := visit(target, [*path, unit])):
                return cycle
        seen[unit] = 2
        return None

    for unit in sorted(graph):
        if unit not in seen:
            assert visit(unit, []) is None


def test_the_allowed_map_itself_has_no_cycle():
    """So that following it can never produce one."""
    order: list[str] = []
    remaining = {unit: set(deps) for unit, deps in ALLOWED.items()}
    while remaining:
        ready = sorted(u for u, deps in remaining.items() if deps <= set(order))
        assert ready, f"a cycle among {sorted(remaining)}"
        order.extend(ready)
        for unit in ready:
            del remaining[unit]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_longer_than_400_lines(path):
    if str(path.relative_to(ROOT)) in LONG_BY_NATURE:
        pytest.skip("demo content")
    assert len(path.read_text().splitlines()) <= MAX_LINES


def test_each_event_type_is_named_in_one_python_module_only():
    """A type name as a string literal anywhere but dateline/events.py would be a second definition."""
    names = {member.value for member in EventType}
    found: dict[str, set[str]] = defaultdict(set)
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names:
                found[node.value].add(str(path.relative_to(ROOT)))
    assert {name: where for name, where in found.items() if where != {"events.py"}} == {}
    assert set(found) == names, "every type is declared in events.py"


def test_the_checker_sees_function_level_imports(tmp_path):
    """The graph builder is not blind to the imports that hid the last cycle (inside functions)."""
    module = tmp_path / "dateline" / "live" / "x.py"
    module.parent.mkdir(parents=True)
    module.write_text("def f():\n    from dateline.coverage.models import Change\n    from . import hub\n"
                      "    from dateline import newsroom\n")
    global ROOT
    saved, ROOT = ROOT, tmp_path / "dateline"
    try:
        assert _imports(module) == {"dateline.coverage.models", "dateline.live", "dateline", "dateline.newsroom"}
    finally:
        ROOT = saved


def test_every_change_type_has_exactly_one_event_class():
    """``CHANGE_EVENTS`` is the set of change classes: each type but ``reset`` (the edge's own) has one."""
    from dateline.events import CHANGE_EVENTS, CONTROL_EVENTS

    types = [cls.type for cls in (*CHANGE_EVENTS, *CONTROL_EVENTS)]
    assert sorted(types) == sorted(EventType) and len(set(types)) == len(types)
