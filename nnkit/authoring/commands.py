"""Tools for an author adding an assignment (docs/authoring.md follows them step by step).

    python -m nnkit.authoring.commands add NAME            course.toml lists it; its folders are made
    python -m nnkit.authoring.commands check [NAME ...]    the notebook agrees with the key and the cases
    python -m nnkit.authoring.commands regenerate          everything generated from the sources, rewritten
    python -m nnkit.authoring.commands try VARIANT.py      grade one implementation as a student's answer

Until all its files are there, an assignment is being added (nnkit.kernel.config): every command goes
on grading the others. Its exit codes: nnkit.exits.
"""
import argparse
import inspect
import os
import re
import sys
import tempfile
from pathlib import Path

from nnkit import exits
from nnkit.collect import paths
from nnkit.gradebook.tools import nbgrader, with_tools_on_path
from nnkit.kernel.config import COURSE_FILE, COURSE_ROOT

PACKAGE = '"""{what}"""\n'
HIDDEN = re.compile(r"^# Hidden test \((?P<points>[\d.]+) points?\): ?(?P<what>.*)$")


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


def add(name: str, root: Path = COURSE_ROOT) -> list[Path]:
    import tomlkit

    from nnkit.authoring.democlass import DEMO_FILE, DEMO_TEMPLATE

    name = assignment_name(name)
    course = root / COURSE_FILE.name
    document = tomlkit.parse(course.read_text())
    made = []
    if name not in document["assignments"]:
        document["assignments"].append(name)
        course.write_text(tomlkit.dumps(document))
        made.append(course)
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


# --- check: the notebook against the key and the cases ------------------------------------------

def first_difference(ours: str, theirs: str) -> tuple[int, str, str]:
    """(1-based line, our line, their line) where two texts first differ."""
    a, b = ours.splitlines(), theirs.splitlines()
    for i in range(max(len(a), len(b))):
        left, right = (a[i] if i < len(a) else "(nothing)"), (b[i] if i < len(b) else "(nothing)")
        if left != right:
            return i + 1, left, right
    return 0, "", ""


def answer_problems(assignment: str, root: Path = COURSE_ROOT) -> list[str]:
    """Each answer cell's function that is not, character for character, the one of the key's
    solution module (found by name in its namespace: an imported function is its own module's)."""
    import importlib

    from nnkit.collect.notebooks import reference_code

    solution = importlib.import_module(f"assignments.{assignment}.key.solution")
    notebook = f"source/{assignment}/{assignment}.ipynb"
    problems = []
    for name, code in reference_code(assignment).items():
        function = getattr(solution, name, None)
        if function is None:
            problems.append(f"{notebook}: the answer cell defines {name}, which {solution.__name__} does not")
            continue
        lines, start = inspect.getsourcelines(function)
        theirs = "".join(lines).rstrip()
        if code != theirs:
            line, ours, differs = first_difference(code, theirs)
            where = Path(inspect.getsourcefile(function)).resolve().relative_to(COURSE_ROOT)
            problems.append(f"{notebook}: the answer cell of {name}, line {line} of the function:\n"
                            f"    notebook: {ours}\n    {where}:{start + line - 1}: {differs}")
    return problems


def hidden_line(points: float, what: str) -> str:
    return f"# Hidden test ({points:g} point{'s' if points != 1 else ''}): {what}"


def description_problems(assignment: str) -> list[str]:
    """Each hidden-test cell whose first line is not its case's description and points."""
    from nnkit.collect.notebooks import notebook_path, read
    from nnkit.judging.cells import hidden_test_cases
    from nnkit.kernel.course_cases import CASES

    problems = []
    for index, cell in enumerate(read(notebook_path("source", assignment)).cells):
        cases = hidden_test_cases(cell)
        if len(cases) == 1 and cases[0] in CASES:
            want = hidden_line(cell.metadata["nbgrader"]["points"], CASES[cases[0]].what)
            got = cell.source.splitlines()[0]
            if got != want:
                problems.append(f"source/{assignment}/{assignment}.ipynb, cell {index + 1} ({cases[0]}), line 1:\n"
                                f"    notebook: {got}\n    cases.py: {want}   (`regenerate` writes it)")
    return problems


def write_descriptions(assignment: str) -> bool:
    """Write each hidden-test cell's first line from its case; True when the notebook changed."""
    import nbformat

    from nnkit.collect.notebooks import notebook_path, read
    from nnkit.judging.cells import hidden_test_cases
    from nnkit.kernel.course_cases import CASES

    path = notebook_path("source", assignment)
    notebook = read(path)
    changed = False
    for cell in notebook.cells:
        cases = hidden_test_cases(cell)
        if len(cases) == 1 and cases[0] in CASES:
            first, _, rest = cell.source.partition("\n")
            want = hidden_line(cell.metadata["nbgrader"]["points"], CASES[cases[0]].what)
            if first != want and first.startswith("# Hidden test"):
                cell.source = want + "\n" + rest
                changed = True
    if changed:
        nbformat.write(notebook, str(path))
    return changed


def check(assignments) -> list[str]:
    return [p for a in assignments for p in answer_problems(a) + description_problems(a)]


# --- regenerate ------------------------------------------------------------------------------------

def readme_demo_lines(root: Path) -> tuple[list[str], dict]:
    """The demo's output as the README shows it (`make demo`), graded in a throwaway copy of the
    course with the demo class; and {student: {assignment: score}}."""
    import shutil
    import subprocess
    import time

    from nnkit.authoring.democlass import DEMO_FIRST_LINE, DEMO_STUDENTS, demo_last_line
    from nnkit.gradebook.scratch import scratch_course
    from nnkit.kernel.config import ASSIGNMENTS

    with tempfile.TemporaryDirectory(prefix="nnkit-regenerate-") as tmp:
        course = scratch_course(Path(tmp) / "course")
        for student in DEMO_STUDENTS:
            for assignment in ASSIGNMENTS:
                shutil.copytree(
                    paths.submitted(root, student, assignment), paths.submitted(course, student, assignment)
                )
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "nnkit.batch.cli", "--course", "."],
            cwd=course,
            env=with_tools_on_path(dict(os.environ)),
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
        if result.returncode != 0:
            raise RuntimeError(f"grading the demo class failed:\n{result.stdout}\n{result.stderr}")
        from nnkit.gradebook.states import class_submissions

        table: dict = {}
        for entry in class_submissions(course, list(ASSIGNMENTS)):
            table.setdefault(entry.student, {})[entry.assignment] = entry.score
    lines = [DEMO_FIRST_LINE, *result.stderr.splitlines(), "", *result.stdout.splitlines(), demo_last_line(seconds)]
    return lines, table


TIMING = re.compile(r"ETA \d+ s|\d+(\.\d+)? s\b")


def replace_checked(readme: str, name: str, lines: list[str]) -> str:
    """The README with the text block after `<!-- checked: name -->` replaced by `lines`, unless
    it already says the same (times aside: they differ from run to run)."""
    marker = f"<!-- checked: {name} -->"
    head, tail = readme.split(marker, 1)
    block = re.search(r"```text\n(.*?)```", tail, re.S)
    old = block.group(1).rstrip("\n").splitlines()
    if [TIMING.sub("", line.rstrip()) for line in old] == [TIMING.sub("", line.rstrip()) for line in lines]:
        return readme
    return head + marker + tail[:block.start(1)] + "\n".join(lines) + "\n" + tail[block.end(1):]


def generate_release(root: Path = COURSE_ROOT) -> None:
    """release/, every gradable assignment's student version, by nbgrader generate_assignment."""
    from nnkit.kernel.config import ASSIGNMENTS

    for assignment in ASSIGNMENTS:
        nbgrader("generate_assignment", assignment, "--force", root=root)


def regenerate(root: Path = COURSE_ROOT) -> int:
    from nnkit.authoring.democlass import DEMO_STUDENTS, demo_score, write_class
    from nnkit.kernel.config import ASSIGNMENTS, BEING_ADDED

    for name, missing in BEING_ADDED.items():
        print(f"{name}: being added, left out until it has {', '.join(missing)}")
    for assignment in ASSIGNMENTS:
        if write_descriptions(assignment):
            print(f"wrote the hidden-test descriptions of source/{assignment}/{assignment}.ipynb from its cases")
    problems = check(ASSIGNMENTS)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("fix these first: the release and the demo class are made from the notebooks", file=sys.stderr)
        return exits.POINTS_LOST
    generate_release(root)
    print(f"wrote release/ ({', '.join(ASSIGNMENTS)}) with nbgrader generate_assignment")
    for path in write_class(paths.step_root(root, "submitted")):
        print(f"wrote {path.relative_to(root)}")
    print("grading the demo class in a throwaway course, for the README's table (about 10 s a notebook)...", flush=True)
    lines, scores = readme_demo_lines(root)
    readme = root / "README.md"
    text = readme.read_text()
    new = replace_checked(text, "demo", lines)
    if new != text:
        readme.write_text(new)
        print("wrote README.md's demo table")
    wrong = [f"{student} scores {scores.get(student, {}).get(a)} on {a}, not {demo_score(student, a):g}"
             + (f" (assignments/{a}/demo.toml)" if student == "seed" else "")
             for a in ASSIGNMENTS for student in DEMO_STUDENTS
             if scores.get(student, {}).get(a) != demo_score(student, a)]
    if wrong:
        print("the demo class does not score what is stated:\n  " + "\n  ".join(wrong), file=sys.stderr)
        return exits.POINTS_LOST
    return exits.OK


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
    print(
        f"it loses points ({result['max_score'] - result['score']:g} of {result['max_score']:g}): exit "
        f"{exits.POINTS_LOST}"
    )
    return exits.POINTS_LOST


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nnkit.authoring.commands", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("add", help="list a new assignment in course.toml and make its folders").add_argument(
        "name", type=name_argument)
    commands.add_parser("check", help="the notebooks agree with the keys and the cases").add_argument(
        "assignments", nargs="*", metavar="ASSIGNMENT")
    commands.add_parser("regenerate", help="rewrite the release, the demo class and the README's demo table")
    commands.add_parser("try", help="grade a Python file's functions as a student's answer").add_argument(
        "variant", type=Path
    )
    args = parser.parse_args(argv)
    if args.command == "add":
        for path in add(args.name):
            print(
                f"made {path.relative_to(COURSE_ROOT)}"
                if path.name != COURSE_FILE.name
                else f"listed {args.name} in course.toml"
            )
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
        return regenerate()
    return try_variant(args.variant)


if __name__ == "__main__":
    exits.run(main)
