"""Each fact written once: the record's format in its schema, each name the kit shares with its
environment in one module, the kit's folder found in one place, the points rule, the exit codes,
the review kinds, the paths to a submission."""
import inspect
from pathlib import Path

from nnkit.gradebook.states import State
from nnkit.kernel.config import COURSE_ROOT
from test_imports import kit_imports

ASSIGNMENT = "activations"


# --- the record format: one typed schema, in nnkit/kernel/schema.py alone -------------------------------

def kit_sources() -> list[Path]:
    """Every Python file of the kit's own code: nnkit/, benchmarks/ and the course config."""
    return sorted([*(COURSE_ROOT / "nnkit").rglob("*.py"), *(COURSE_ROOT / "benchmarks").glob("*.py"),
                   COURSE_ROOT / "nbgrader_config.py"])


def keys_used(tree) -> set[str]:
    """The strings a module uses as dict keys: `x["k"]`, `x.get("k")`, `{"k": ...}`, `"k" in x`."""
    import ast

    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            found.add(node.slice)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "get", "pop", "setdefault") and node.args:
            found.add(node.args[0])
        elif isinstance(node, ast.Dict):
            found |= {key for key in node.keys if key is not None}
        elif isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            found.add(node.left)
    return {key.value for key in found if isinstance(key, ast.Constant) and isinstance(key.value, str)}


def test_the_record_format_is_spelled_in_nnkit_records_alone():
    """The four modules that handle records (and the fairness benchmark, which reads them) go through
    nnkit.kernel.schema: no other file of the kit spells its MIME type, and none that handles records
    spells one of its keys (the keys are the schema's own fields)."""
    import ast

    from nnkit.kernel import schema as records
    from nnkit.sandbox import bwrap

    assert (COURSE_ROOT / "nnkit" / bwrap.KERNEL_SIDE / "schema.py").is_file()
    graph = kit_imports()
    assert all("nnkit.kernel.schema" in graph[user] for user in (
        "nnkit.kernel.record", "nnkit.execution.execute", "nnkit.judging.step", "nnkit.judging.judge"))
    assert {"case", "oversized", "left", "repeated", "input_digest", "mutated"} <= records.KEYS
    for path in kit_sources():
        if path == COURSE_ROOT / "nnkit" / "kernel" / "schema.py":
            continue
        text = path.read_text()
        assert records.MIME not in text and "vnd.nnkit" not in text, f"{path.name} spells the record's MIME type"
        tree = ast.parse(text)
        handles = any(
            isinstance(node, ast.ImportFrom)
            and (
                node.module == "nnkit.kernel.schema"
                or node.module == "nnkit.kernel"
                and any(alias.name == "schema" for alias in node.names)
            )
            for node in ast.walk(tree)
        )
        if handles:
            assert not keys_used(tree) & records.KEYS, (
                f"{path.name} spells the record's keys {keys_used(tree) & records.KEYS}"
            )


# --- each fact once: names, the kit's folder, the cells that carry points, the exit codes ---------

def test_each_name_the_kit_shares_with_its_environment_is_spelled_in_one_module():
    """A variable's name (the sandbox's opt-out, the gradebook's URL, the thread counts) or the
    record's MIME type, as a string in the code, appears in its one module; the others import it."""
    import ast

    from nnkit.gradebook import db as gradebook
    from nnkit.kernel import limits
    from nnkit.kernel import schema as records
    from nnkit.sandbox import bwrap

    homes = {
        bwrap.OPT_OUT_VARIABLE: "nnkit/sandbox/bwrap.py",
        gradebook.DB_URL_VARIABLE: "nnkit/gradebook/db.py",
        records.MIME: "nnkit/kernel/schema.py",
        **{name: "nnkit/kernel/limits.py" for name in limits.THREAD_VARIABLES},
    }
    spelled = {}
    for path in kit_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in homes:
                spelled.setdefault(node.value, set()).add(str(path.relative_to(COURSE_ROOT)))
    assert spelled == {name: {home} for name, home in homes.items()}


def test_the_kits_folder_is_found_in_one_place():
    """nnkit.kernel.config finds the course by its own file; nbgrader_config.py finds itself (it must, before
    it can import the kit); everything else imports COURSE_ROOT. (Another module's `__file__`, an
    installed package's, is not the kit's folder.)"""
    import ast

    found = [
        str(path.relative_to(COURSE_ROOT))
        for path in kit_sources()
        if any(isinstance(node, ast.Name) and node.id == "__file__" for node in ast.walk(ast.parse(path.read_text())))
    ]
    assert found == ["nbgrader_config.py", "nnkit/kernel/config.py"], found


def test_which_cells_carry_points_is_decided_in_one_place(monkeypatch):
    """nnkit.gradebook.points.carries_points decides it for the states, the CSV and the report (points_of)
    and for the benchmarks: change the rule there, and every one of them follows."""
    from types import SimpleNamespace

    import nbformat

    from benchmarks import fairness
    from nnkit.gradebook import points as gradebook

    def cell(name, points):
        made = nbformat.v4.new_code_cell("")
        made.metadata["nbgrader"] = {"grade": True, "grade_id": name, "points": points}
        return made

    cells = [SimpleNamespace(name="check_shape", max_score=0), SimpleNamespace(name="test_relu", max_score=3)]
    book = SimpleNamespace(find_assignment=lambda _: SimpleNamespace(notebooks=[SimpleNamespace(grade_cells=cells)]))
    assert gradebook.points_of(book, ASSIGNMENT) == {"test_relu": 3}
    assert [fairness.is_graded(cell(c.name, c.max_score)) for c in cells] == [False, True]
    monkeypatch.setattr(gradebook, "carries_points", lambda points: True)  # a rule that counts the checks too
    assert gradebook.points_of(book, ASSIGNMENT) == {"check_shape": 0, "test_relu": 3}
    assert [fairness.is_graded(cell(c.name, c.max_score)) for c in cells] == [True, True]


def test_every_command_exits_through_the_one_exit_code_policy():
    """The `nnkit` command ([project.scripts]) and every `python -m` entry point of the kit, its
    scripts and benchmarks end in exits.run (`python -m nnkit` in the `nnkit` command's), and no
    other code exits by itself or returns a bare number: the codes are nnkit.exits'."""
    import ast
    import tomllib

    from nnkit import cli

    scripts = tomllib.loads((COURSE_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"nnkit": "nnkit.cli:main"}
    last = ast.parse(inspect.getsource(cli.main)).body[0].body[-1]
    assert ast.unparse(last).startswith("exits.run("), ast.unparse(last)
    for path in kit_sources():
        tree = ast.parse(path.read_text())
        name = str(path.relative_to(COURSE_ROOT))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.If)
                and "__name__" in ast.unparse(node.test)
                and "__main__" in ast.unparse(node.test)
            ):
                assert ast.unparse(node.body[-1]) in ("exits.run(main)", "cli.main()"), name
            if name != "nnkit/exits.py":
                assert not (isinstance(node, ast.Call) and ast.unparse(node.func) in ("sys.exit", "exit", "quit")), name
                assert not (
                    isinstance(node, ast.Raise) and node.exc is not None and "SystemExit" in ast.unparse(node.exc)
                ), name
            if isinstance(node, ast.FunctionDef) and node.name == "main":
                bare = [
                    ast.unparse(r)
                    for r in ast.walk(node)
                    if isinstance(r, ast.Return) and isinstance(r.value, ast.Constant)
                ]
                assert not bare, (name, bare)

def test_a_review_reason_is_named_by_its_kind_in_the_state_model_alone():
    """A new kind of review reason is a member of review.Kind and the code that finds it: no module
    that makes or reads review items spells a kind's value, and the self-check leaves out grading
    without the sandbox by its kind, never by its words."""
    import ast

    from nnkit.batch import selfcheck
    from nnkit.gradebook.states import Submission
    from nnkit.judging.review import Kind, Review

    values = {kind.value for kind in Kind}
    for path in kit_sources():
        if path == COURSE_ROOT / "nnkit" / "judging" / "review.py":
            continue
        tree = ast.parse(path.read_text())
        if any(
            isinstance(node, ast.ImportFrom)
            and node.module == "nnkit.judging.review"
            and {a.name for a in node.names} & {"Review", "Kind"}
            for node in ast.walk(tree)
        ):
            spelled = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and node.value in values}
            assert not spelled, f"{path.name} spells the review kinds {spelled}: use review.Kind"
    entry = Submission("ann", ASSIGNMENT, State.REVIEW, reviews=[
        Review(Kind.NO_SANDBOX, None, "graded without the sandbox (--no-sandbox)"),
        Review(Kind.FLAG, None, "relu: imports torch, which is there without the sandbox")])
    assert selfcheck.instructor_reasons(entry) == ["relu: imports torch, which is there without the sandbox"]
    assert Review(Kind.FLAG, None, "x").as_data() == {"kind": "flag", "cell": None, "detail": "x"}


def test_every_path_to_a_submission_is_built_by_nnkit_paths():
    """A step's folder ("submitted", "autograded") is named only in nnkit.collect.paths, or as the step a
    call to one of its functions asks for: no file of the kit joins it to a student by hand."""
    import ast

    for path in kit_sources():
        if path == COURSE_ROOT / "nnkit" / "collect" / "paths.py":
            continue
        tree = ast.parse(path.read_text())
        asked = {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call)
                 and ast.unparse(node.func).startswith("paths.") for arg in node.args}
        by_hand = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Constant)
                   and node.value in ("submitted", "autograded") and id(node) not in asked]
        assert not by_hand, f"{path.relative_to(COURSE_ROOT)} builds a submission's path by hand, line {by_hand}"
