"""Tools for an author adding an assignment (docs/authoring.md follows them step by step).

    nnkit author add NAME             course.toml lists it; its folders are made (an existing name: exit 2)
    nnkit author add NAME --case CASE --points P   a hidden-test cell for a new case of its cases.py
    nnkit author check [NAME ...]     the notebook agrees with the key and the cases
    nnkit author regenerate [NAME]    every generated file, in the right order (nnkit.authoring.regenerate)
    nnkit author try VARIANT.py       grade one implementation as a student's answer

Until all its files are there, an assignment is being added (nnkit.kernel.config): every command goes
on grading the others. Its exit codes: nnkit.exits.
"""
import argparse
import re
import sys
import tempfile
from pathlib import Path

from nnkit import exits
from nnkit.authoring.notebook_checks import check, hidden_line
from nnkit.kernel.config import COURSE_FILE, COURSE_ROOT

PACKAGE = '"""{what}"""\n'
EXIT_MEANINGS = {"ok": "done: added; the notebooks agree (check); full marks (try)",
                 "points_lost": "a notebook disagrees with its key or cases (check); the variant loses points (try)",
                 "cannot_check": "a bad argument (add: a NAME that exists or cannot name a package; "
                                 "add --case: a case cases.py lacks or the notebook has)"}


def assignment_name(name: str) -> str:
    """`name`, if it can name an assignment: a Python identifier in lower case (it names a package).
    Otherwise ValueError, which the command line reports as a bad argument (exits.CANNOT_CHECK)."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ValueError(f"an assignment's name is a Python identifier in lower case (it names a package): {name!r}")
    return name


def name_argument(text: str) -> str:
    """assignment_name for argparse: a bad name is a bad argument, with the reason (exit 2)."""
    try:
        return assignment_name(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def points_argument(text: str) -> float:
    """A number of points for argparse: 2, not 2.0, when it is whole (as the notebooks write them)."""
    value = float(text)
    return int(value) if value.is_integer() else value


def add(name: str, root: Path = COURSE_ROOT) -> list[Path]:
    import tomlkit

    from nnkit.authoring.democlass import DEMO_FILE, DEMO_TEMPLATE

    name = assignment_name(name)
    course = root / COURSE_FILE.name
    document = tomlkit.parse(course.read_text())
    if name in document["assignments"]:
        raise FileExistsError(f"{name} is an assignment of course.toml already: pick another name")
    document["assignments"].append(name)
    course.write_text(tomlkit.dumps(document))
    made = [course]
    for folder in (root / "source" / name, root / "assignments" / name / "key"):
        if not folder.is_dir():
            folder.mkdir(parents=True)
            made.append(folder)
    for path, text in ((root / "assignments" / name / "__init__.py", PACKAGE.format(what=f"The assignment `{name}`.")),
                       (root / "assignments" / name / "key" / "__init__.py", PACKAGE.format(
                           what=f"The grader's side of `{name}`: never shown to a grading kernel, never released.")),
                       (root / "assignments" / name / DEMO_FILE, DEMO_TEMPLATE.format(seed=0))):
        if not path.exists():
            path.write_text(text)
            made.append(path)
    return made


def hidden_test_cell(case, points: float):
    """The locked, graded cell that records `case` (its first line, the description, is the case's)."""
    import nbformat

    source = "\n".join([hidden_line(points, case.what), "### BEGIN HIDDEN TESTS",
                        "from nnkit.kernel.record import record",
                        f'record("{case.name}", {", ".join(case.functions)})', "### END HIDDEN TESTS"])
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": {
        "grade": True, "grade_id": f"test_{case.name}", "locked": True, "points": points, "schema_version": 3,
        "solution": False, "task": False}})


def add_case(assignment: str, name: str, points: float, root: Path = COURSE_ROOT) -> Path:
    """Put a hidden-test cell for the case `name` of the assignment's cases.py into its source notebook,
    after the last hidden test of the same function; LookupError for a case it does not have,
    FileExistsError for one the notebook records already. `regenerate` then writes the intro's total."""
    import nbformat

    from nnkit.collect.notebooks import notebook_path, read
    from nnkit.judging.cells import hidden_test_cases
    from nnkit.kernel.course_cases import CASES

    case = CASES.get(name)
    if case is None or case.assignment != assignment:
        raise LookupError(f"{name} is not a case of assignments/{assignment}/cases.py: write it there first")
    path = notebook_path("source", assignment, root)
    notebook = read(path)
    recorded = [hidden_test_cases(cell) for cell in notebook.cells]
    if any(name in cases for cases in recorded):
        raise FileExistsError(f"{path.relative_to(root)} has a hidden test of {name} already")
    same = [i for i, cases in enumerate(recorded)
            if any(CASES[c].function == case.function for c in cases if c in CASES)]
    notebook.cells.insert(same[-1] + 1 if same else len(notebook.cells), hidden_test_cell(case, points))
    nbformat.write(notebook, str(path))
    return path


# --- try -----------------------------------------------------------------------------------------

def try_variant(variant: Path) -> int:
    """Grade the functions of `variant` as a student's answer; return the exit code (nnkit.exits)."""
    import nbformat

    from nnkit.batch.selfcheck import check as selfcheck
    from nnkit.batch.selfcheck import report
    from nnkit.collect.notebooks import defined_functions, fill, implementations_in, notebook_path, reference_code
    from nnkit.collect.notebooks import read as read_notebook
    from nnkit.kernel.config import ASSIGNMENTS
    from nnkit.kernel.course_cases import CASES

    if not variant.is_file():
        print(f"{variant}: no such file", file=sys.stderr)
        return exits.CANNOT_CHECK
    text = variant.read_text()
    defined = set(defined_functions(text))
    assignments = {c.assignment for c in CASES.values() if defined & set(c.functions) and c.assignment in ASSIGNMENTS}
    if len(assignments) != 1:
        print(f"{variant}: its functions ({', '.join(sorted(defined))}) are graded in {len(assignments)} assignments, "
              "not one", file=sys.stderr)
        return exits.CANNOT_CHECK
    (assignment,) = assignments
    answers = set(reference_code(assignment))
    code = implementations_in(text, answers)  # the file's other functions go with them: its helpers
    notebook = fill(read_notebook(notebook_path("release", assignment)), {**reference_code(assignment), **code})
    with tempfile.TemporaryDirectory(prefix="nnkit-try-") as tmp:
        path = Path(tmp) / f"{assignment}.ipynb"
        nbformat.write(notebook, str(path))
        result = selfcheck(path)
    result["notebook"] = str(variant)
    print(report(result))
    if "error" in result:
        return exits.CANNOT_CHECK
    if result["score"] == result["max_score"]:
        print("full marks")
        return exits.OK
    lost = result["max_score"] - result["score"]
    print(f"it loses points ({lost:g} of {result['max_score']:g}): exit {exits.POINTS_LOST}")
    return exits.POINTS_LOST


def main(argv=None) -> int:
    parser = exits.command_parser("nnkit author", __doc__.splitlines()[0], **EXIT_MEANINGS)
    commands = parser.add_subparsers(dest="command", required=True)
    adding = commands.add_parser("add", help="list a new assignment in course.toml and make its folders; with --case, "
                                 "put a hidden-test cell for a new case into its notebook")
    adding.add_argument("name", type=name_argument)
    adding.add_argument("--case", metavar="CASE", help="a case of the assignment's cases.py that no cell records yet")
    adding.add_argument("--points", type=points_argument, default=1, help="what its hidden test is worth (default: 1)")
    commands.add_parser("check", help="the notebooks agree with the keys and the cases").add_argument(
        "assignments", nargs="*", metavar="ASSIGNMENT")
    commands.add_parser("regenerate", help="every generated file, in the right order, or only NAME's; "
                        "says what changed").add_argument("name", nargs="?", type=name_argument, metavar="NAME")
    commands.add_parser("try", help="grade a Python file's functions as a student's answer").add_argument(
        "variant", type=Path)
    args = parser.parse_args(argv)
    if args.command == "add" and args.case:
        try:
            path = add_case(args.name, args.case, args.points)
            print(f"added a hidden test of {args.case} to {path.relative_to(COURSE_ROOT)}; "
                  f"then: nnkit author regenerate {args.name}")
        except (LookupError, FileExistsError) as error:
            print(error, file=sys.stderr)
            return exits.CANNOT_CHECK
        return exits.OK
    if args.command == "add":
        try:
            made = add(args.name)
        except FileExistsError as error:
            print(error, file=sys.stderr)
            return exits.CANNOT_CHECK
        for path in made:
            print(f"listed {args.name} in course.toml" if path.name == COURSE_FILE.name
                  else f"made {path.relative_to(COURSE_ROOT)}")
        return exits.OK
    if args.command == "check":
        from nnkit.kernel.config import ASSIGNMENTS

        unknown = set(args.assignments) - set(ASSIGNMENTS)
        if unknown:
            parser.error(f"not a complete assignment of course.toml: {', '.join(sorted(unknown))}")
        problems = check(args.assignments or ASSIGNMENTS)
        print("\n".join(problems) or "the notebooks agree with their keys and cases")
        return exits.POINTS_LOST if problems else exits.OK
    if args.command == "regenerate":
        from nnkit.authoring.regenerate import regenerate
        from nnkit.kernel.config import ASSIGNMENTS

        if args.name and args.name not in ASSIGNMENTS:
            parser.error(f"not a complete assignment of course.toml: {args.name}")
        return regenerate(args.name)
    return try_variant(args.variant)

