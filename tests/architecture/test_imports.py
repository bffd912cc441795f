"""The kit imports one way: no cycle between its modules, none between its packages, and
nothing of the kit imports the tests' helpers."""
from pathlib import Path

from nnkit.kernel.config import COURSE_ROOT

ASSIGNMENT = "activations"


def module_name(path: Path) -> str:
    parts = path.relative_to(COURSE_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def kit_imports() -> dict[str, set[str]]:
    """{module: the nnkit modules it imports} for every module of nnkit/, read from its source."""
    import ast

    graph = {}
    for path in (COURSE_ROOT / "nnkit").rglob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nnkit"):
                found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES else node.module
                          for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("nnkit.")}
        graph[module_name(path)] = found - {module_name(path)}
    return graph


MODULES = {module_name(p) for p in (COURSE_ROOT / "nnkit").rglob("*.py")}


def package_of(module: str) -> str:
    """nnkit.batch.cli -> batch; a module at the top (nnkit.exits) is a package of its own."""
    return module.split(".")[1] if module.count(".") else module


def visit_all(graph: dict[str, set[str]]) -> None:
    """Fails on the first cycle of a graph {node: the nodes it uses}."""
    state: dict[str, str] = {}

    def visit(node, trail):
        if state.get(node) == "done":
            return
        assert state.get(node) != "open", f"import cycle: {' -> '.join(trail + [node])}"
        state[node] = "open"
        for used in sorted(graph.get(node, ())):
            visit(used, trail + [node])
        state[node] = "done"

    for node in sorted(graph):
        visit(node, [])


def test_the_kits_import_graph_is_one_way_and_never_reaches_the_test_helpers():
    graph = kit_imports()
    assert not [m for m, uses in graph.items() if "nnkit.testing" in uses], "production code imports nnkit.testing"
    visit_all(graph)


def test_the_import_graph_between_packages_is_one_way():
    packages: dict[str, set[str]] = {}
    for module, uses in kit_imports().items():
        packages.setdefault(package_of(module), set()).update(
            package_of(u) for u in uses if package_of(u) not in (package_of(module), "nnkit"))
    visit_all(packages)
