"""The integrity scan: what in a student's own cells could make an answer not theirs.

Run by the grader (nnkit.judging.step) on the submitted notebook's code, never executed. A
function is flagged, and scores zero on its hidden tests with the reason shown to the student
and the instructor, when it refers to a name imported from a module an answer may not use
(torch, scipy, the reference solutions, the kit's grading code...), or when it is defined in a
cell that does something no answer needs: exec/eval/compile/__import__, importlib, assigning to
an attribute of an imported module (`np.allclose = ...`), touching sys.modules, or opening a
file by an absolute or parent path.
"""
import ast
from typing import NamedTuple

FORBIDDEN_MODULES = {
    "torch",
    "torchvision",
    "scipy",
    "assignments",
    "solutions",
    "nnkit",
    "tensorflow",
    "jax",
    "sklearn",
}
FORBIDDEN_CALLS = {"exec", "eval", "compile", "__import__", "globals", "setattr", "delattr"}


class Flag(NamedTuple):
    function: str
    reason: str


def root_module(name: str) -> str:
    return name.split(".")[0]


def imported_names(tree: ast.AST) -> dict[str, str]:
    """{local name: module it comes from} for every import in the code."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = node.module
    return names


def cell_red_flags(tree: ast.AST, modules: dict[str, str]) -> list[str]:
    """What in one cell no answer needs."""
    flags = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            for name in [module] if module else [a.name for a in node.names]:
                if root_module(name) in FORBIDDEN_MODULES | {"importlib"}:
                    flags.append(f"imports {name}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
            flags.append(f"calls {node.func.id}()")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open" and node.args:
            path = node.args[0]
            if not (isinstance(path, ast.Constant) and isinstance(path.value, str)) or \
                    path.value.startswith(("/", "..", "~")):
                flags.append("opens a file outside its own folder")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                        and target.value.id in modules | {"builtins": "builtins"}:
                    flags.append(f"changes {target.value.id}.{target.attr}")
        elif isinstance(node, ast.Attribute) and node.attr == "modules" and isinstance(node.value, ast.Name) \
                and node.value.id == "sys":
            flags.append("touches sys.modules")
    return flags


def parse(source: str):
    try:
        return ast.parse(source)
    except SyntaxError:
        return None  # defines nothing: its functions fail their tests on their own


def scan(student_cells: list[str], graded_functions: set[str], instructor_cells: list[str] = ()) -> list[Flag]:
    """Flags for the graded functions, from the student's cells (the instructor's locked cells only
    tell which names are modules). A red flag in a cell that defines no graded function, e.g. a
    cell added to patch numpy, flags every graded function of the notebook."""
    student = [tree for tree in map(parse, student_cells) if tree]
    modules = {}
    for tree in student + [tree for tree in map(parse, instructor_cells) if tree]:
        modules.update(imported_names(tree))
    forbidden = {name for name, module in modules.items() if root_module(module) in FORBIDDEN_MODULES}
    reasons: dict[str, list[str]] = {}
    everywhere = []
    for tree in student:
        cell_flags = cell_red_flags(tree, modules)
        defined = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in graded_functions]
        if not defined:
            everywhere += [f"another cell {flag}" for flag in cell_flags]
        for node in defined:
            used = sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & forbidden)
            reasons.setdefault(node.name, []).extend(
                [f"uses {name} (from {modules[name]})" for name in used] + cell_flags
            )
    if everywhere:
        for function in graded_functions:
            reasons.setdefault(function, []).extend(everywhere)
    return [Flag(function, "; ".join(dict.fromkeys(why))) for function, why in sorted(reasons.items()) if why]
